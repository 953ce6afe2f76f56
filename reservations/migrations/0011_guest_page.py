"""A stay's language and the version its guest page link is signed with
(reservations/guest_links.py)."""

from django.db import migrations, models

from reservations import search


def search_triggers(apps, schema_editor):
    """SQLite rebuilt the table for the new columns, dropping the search's triggers."""
    if schema_editor.connection.vendor == "sqlite":
        for trigger in search.SQLITE_TRIGGERS:
            schema_editor.execute(trigger)


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0010_readable_guest_names"),
    ]

    operations = [
        # (Unapplied, this runs last: after the table's rebuild without the new columns.)
        migrations.RunPython(migrations.RunPython.noop, search_triggers, elidable=False),
        migrations.AddField(
            model_name="reservation",
            name="guest_link_version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="reservation",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[
                    ("en", "English"),
                    ("pt", "Português"),
                    ("es", "Español"),
                    ("fr", "Français"),
                    ("de", "Deutsch"),
                ],
                max_length=8,
            ),
        ),
        migrations.RunPython(search_triggers, migrations.RunPython.noop, elidable=False),
    ]
