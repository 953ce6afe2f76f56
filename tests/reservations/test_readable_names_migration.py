"""Names made before readable names (a feed's "Airbnb guest", codes named "guest · UID") are
renamed by reservations' migration 0010; names a person wrote stay as they are."""

from importlib import import_module

from django.apps import apps

from locks.models import AccessCode
from reservations.models import Reservation
from tests.reservations.feed_server import read_now
from tests.reservations.test_feeds_reading import add_feed

migration = import_module("reservations.migrations.0010_readable_guest_names")


def test_old_generated_names_become_readable_and_written_ones_stay(owner, room, lock, server, t0):
    read_now(add_feed(owner, room, server, "Airbnb", "airbnb.ics", t0), t0)
    first, second, third = Reservation.objects.order_by("check_in")
    # As the old code named them: the feed's bare name, and codes carrying the calendar's UID.
    Reservation.objects.filter(pk__in=[first.pk, second.pk]).update(guest_name="Airbnb guest")
    Reservation.objects.filter(pk=third.pk).update(guest_name="Maria Silva")
    for stay in (first, second):
        AccessCode.objects.filter(reservation=stay).update(
            name=f"Airbnb guest · {stay.external_id}"
        )
    AccessCode.objects.filter(reservation=third).update(name="Maria's own name for it")

    migration.readable_names(apps, None)

    stays = Reservation.objects.order_by("check_in")
    assert [s.guest_name for s in stays] == [
        "Airbnb guest, 10–12 Jun",
        "Airbnb guest, 15–20 Jun",
        "Maria Silva",
    ]
    codes = AccessCode.objects.filter(reservation__in=stays).order_by("starts_at")
    assert [c.name for c in codes] == [
        "Airbnb guest, 10–12 Jun",
        "Airbnb guest, 15–20 Jun",
        "Maria's own name for it",
    ]
    assert not any("@" in c.name for c in codes)
