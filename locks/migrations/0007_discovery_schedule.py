"""Device discovery: a django-q2 schedule every 5 minutes, created once, wherever we migrate."""

from django.db import migrations

DISCOVERY = "innkeeper-discovery"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=DISCOVERY,
        defaults={
            "func": "locks.tasks.discover",
            "schedule_type": "I",  # every N minutes
            "minutes": 5,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=DISCOVERY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("locks", "0006_device_lifecycle"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
