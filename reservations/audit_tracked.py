"""The models of `reservations` that people change, for the audit log (`locks.audit`)."""

from locks.audit import audit_register
from reservations.models import Reservation, ReservationFeed


def _stay_action(changes: dict) -> str | None:
    if changes.get("status", [None, None])[1] == Reservation.Status.CANCELLED:
        return "cancelled"
    if "checked_out_at" in changes and changes["checked_out_at"][0] is None:
        return "checked_out"
    if set(changes) == {"pin"}:
        return "new_pin"
    if set(changes) == {"guest_link_version"}:
        return "new_guest_link"
    return None


def reservations_tracked() -> None:
    audit_register(
        Reservation,
        kind="reservation",
        noun="stay",
        fields=(
            "unit",
            "guest_name",
            "phone",
            "email",
            "guests",
            "check_in",
            "check_out",
            "status",
            "notes",
            "pin",
            "checked_out_at",
            "language",
            "guest_link_version",
        ),
        secret=("pin",),
        names={
            "guest_name": "guest",
            "check_in": "check-in",
            "check_out": "check-out",
            "pin": "PIN",
            "checked_out_at": "checked out",
            "guest_link_version": "guest page link",
        },
        label=lambda stay: stay.guest_name,
        time_zone=lambda stay: stay.unit.property.tz,
        action=_stay_action,
    )
    audit_register(
        ReservationFeed,
        kind="reservation_feed",
        noun="calendar feed",
        # A calendar's URL is its password (Airbnb's and others' carry a token): never written.
        fields=("name", "url", "unit", "poll_minutes", "is_active"),
        secret=("url",),
        names={"url": "URL", "is_active": "on"},
        label=lambda feed: feed.name,
        time_zone=lambda feed: feed.unit.property.tz,
    )
