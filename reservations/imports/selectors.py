"""Reads for the feeds pages, always scoped to one owner (units: `reservations.selectors`)."""

from locks.errors import NotFound
from locks.models import Owner, Unit
from reservations.models import ReservationFeed


def feeds_for(owner: Owner, unit: Unit | None = None):
    feeds = ReservationFeed.objects.filter(owner=owner).select_related("unit__property")
    if unit is not None:
        feeds = feeds.filter(unit=unit)
    return feeds.order_by("unit__property__name", "unit__name", "name")


def feed_get(owner: Owner, feed_id: int) -> ReservationFeed:
    feed = feeds_for(owner).filter(pk=feed_id).first()
    if feed is None:
        raise NotFound("No such feed.", type="feed_not_found")
    return feed
