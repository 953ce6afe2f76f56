"""The audit log and calendar feeds: a person adding a feed is recorded, never its URL; the
stays a feed brings are the calendar's, even when a person asked for the read."""

from django.urls import reverse

from locks.models import AuditEntry
from reservations.models import Reservation
from tests.reservations.feed_server import ics


def test_adding_a_feed_records_the_feed_not_its_url_nor_the_stays_it_brings(
    client_for, alice, room, server
):
    url = server.answer("/vrbo.ics?s=calendar-token-9", ics("vrbo.ics").replace("2026", "2099"))
    client = client_for(alice)
    client.post(reverse("feed_add"), {"unit": room.pk, "name": "Vrbo", "url": url})
    assert Reservation.objects.get().guest_name == "Jane Doe"  # read at once, as asked
    feed = room.feeds.get()
    client.post(reverse("feed_check", args=[feed.pk]))

    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.object_type) == (alice, "created", "reservation_feed")
    assert entry.changes["url"] == [None, "(set)"] and entry.changes["name"] == [None, "Vrbo"]
    assert "calendar-token-9" not in str(list(AuditEntry.objects.values()))
