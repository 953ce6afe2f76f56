"""The django-q2 schedules that migrations create, each made the same way.

A pure helper for migrations: it works on the historical models that `apps` gives, and
imports nothing from the project, so any app's migration can use it.
"""

from django.db import migrations


def schedule_create(apps, name: str, func: str, minutes: int) -> None:
    """Create (or set again) the schedule `name`: `func` every `minutes`, forever."""
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=name,
        defaults={
            "func": func,
            "schedule_type": "I",  # every N minutes
            "minutes": minutes,
            "repeats": -1,
        },
    )


def schedule_remove(apps, name: str) -> None:
    """Delete the schedule `name`, as reversing its migration does."""
    apps.get_model("django_q", "Schedule").objects.filter(name=name).delete()


def every_minutes(name: str, func: str, minutes: int) -> migrations.RunPython:
    """The migration operation that creates the schedule, and removes it on reverse."""

    def create(apps, schema_editor):
        schedule_create(apps, name, func, minutes)

    def remove(apps, schema_editor):
        schedule_remove(apps, name)

    return migrations.RunPython(create, remove)
