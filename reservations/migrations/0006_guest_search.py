"""The guests' names and phones in a trigram index (see `reservations.search`)."""

from django.db import migrations

from reservations import search


def create(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        run(search.SQLITE_TABLE)
        for trigger in search.SQLITE_TRIGGERS:
            run(trigger)
        run(search.SQLITE_FILL)
    elif schema_editor.connection.vendor == "postgresql":
        for statement in search.POSTGRESQL:
            run(statement)


def drop(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        for name in ("insert", "update", "delete"):
            run(f"DROP TRIGGER IF EXISTS reservations_search_{name}")
        run("DROP TABLE IF EXISTS reservations_search")
    elif schema_editor.connection.vendor == "postgresql":
        run("DROP INDEX IF EXISTS reservation_guest_trigrams")
        run("DROP INDEX IF EXISTS reservation_phone_trigrams")


class Migration(migrations.Migration):
    dependencies = [("reservations", "0005_stay_length_class")]

    operations = [migrations.RunPython(create, drop)]
