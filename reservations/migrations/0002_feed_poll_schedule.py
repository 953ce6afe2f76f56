"""The feeds' poll: a django-q2 schedule every minute, created once, wherever we migrate."""

from django.db import migrations

from locks.schedules import every_minutes


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        every_minutes("innkeeper-feeds", "reservations.imports.tasks.poll_feeds", minutes=1)
    ]
