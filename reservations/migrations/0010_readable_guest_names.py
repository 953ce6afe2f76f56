"""Names shown to people carry no calendar UID or internal id: a feed's unnamed guest
("Airbnb guest") becomes "Airbnb guest, 3–5 Dec", and a guest code named the old way
("Maria Silva · 391713bf", "Airbnb guest · abc@airbnb.com") becomes "Maria Silva, 3–5 Dec".
Only names still in the generated form change; a name a person wrote is kept."""

from zoneinfo import ZoneInfo

from django.db import migrations

from locks.words import stay_days


def _days(stay) -> str:
    return stay_days(stay.check_in, stay.check_out, ZoneInfo(stay.unit.property.time_zone))


def readable_names(apps, schema_editor):
    Reservation = apps.get_model("reservations", "Reservation")
    AccessCode = apps.get_model("locks", "AccessCode")
    stays = Reservation.objects.select_related("feed", "unit__property")
    for stay in stays.filter(feed__isnull=False).iterator():
        if stay.guest_name == f"{stay.feed.name} guest":
            stay.guest_name = f"{stay.guest_name}, {_days(stay)}"[:200]
            stay.save(update_fields=["guest_name"])
    codes = AccessCode.objects.filter(reservation__isnull=False).select_related(
        "reservation__unit__property", "reservation__feed"
    )
    for code in codes.iterator():
        stay = code.reservation
        refs = {stay.external_id, str(stay.pk)[:8]} - {""}
        feed_guest = f"{stay.feed.name} guest" if stay.feed_id else None
        old_forms = {
            f"{guest} · {ref}"[:200]
            for guest in {stay.guest_name, feed_guest} - {None}
            for ref in refs
        }
        if code.name in old_forms:
            days = _days(stay)
            guest = stay.guest_name
            code.name = (
                guest[:200]
                if guest.endswith(f", {days}")
                else f"{guest[: 200 - len(days) - 2]}, {days}"
            )
            code.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0009_encrypted_secrets"),
        ("locks", "0024_owner_first_run_dismissed"),
    ]

    operations = [migrations.RunPython(readable_names, migrations.RunPython.noop)]
