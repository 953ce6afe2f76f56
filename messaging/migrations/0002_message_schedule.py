"""The messaging tick: a django-q2 schedule every minute (arrival messages, retries)."""

from django.db import migrations

TICK = "innkeeper-messages"


def create_tick(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=TICK,
        defaults={
            "func": "messaging.tasks.tick",
            "schedule_type": "I",  # every N minutes
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove_tick(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=TICK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_tick, remove_tick)]
