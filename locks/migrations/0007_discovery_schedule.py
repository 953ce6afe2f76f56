"""Device discovery: a django-q2 schedule every 5 minutes, created once, wherever we migrate."""

from django.db import migrations

from locks.schedules import every_minutes


class Migration(migrations.Migration):
    dependencies = [
        ("locks", "0006_device_lifecycle"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [every_minutes("innkeeper-discovery", "locks.tasks.discover", minutes=5)]
