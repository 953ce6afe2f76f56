"""The reconciler's tick: a django-q2 schedule every minute, created once, wherever we migrate."""

from django.db import migrations

from locks.schedules import every_minutes


class Migration(migrations.Migration):
    dependencies = [
        ("locks", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [every_minutes("innkeeper-tick", "locks.tasks.tick", minutes=1)]
