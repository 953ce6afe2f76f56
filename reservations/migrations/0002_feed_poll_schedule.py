"""The feeds' poll: a django-q2 schedule every minute, created once, wherever we migrate."""

from django.db import migrations

POLL = "innkeeper-feeds"


def create_poll(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=POLL,
        defaults={
            "func": "reservations.imports.tasks.poll_feeds",
            "schedule_type": "I",  # every N minutes
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove_poll(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=POLL).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_poll, remove_poll)]
