"""The messaging tick: a django-q2 schedule every minute (arrival messages, retries)."""

from django.db import migrations

from locks.schedules import every_minutes


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [every_minutes("innkeeper-messages", "messaging.tasks.tick", minutes=1)]
