"""The support admin for stays and calendar feeds: view-only, like the locks' (see locks/admin.py).

A stay's PIN is the PIN on its doors, and a feed's address usually carries the booking site's
secret token: both are excluded from the forms, not searched, refused as URL filters, and shown
only masked (the PIN's length; the feed's host name). A stay's notes are typed by people or come
from a feed, and may hold a door code written out: they are shown with their digits masked.
"""

from urllib.parse import urlsplit

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from locks.admin_lookup import LookupAdmin, digits_masked
from reservations.models import EntryAlert, Reservation, ReservationFeed, UrgentSpan


@admin.register(Reservation)
class ReservationAdmin(LookupAdmin):
    """Stays change through the reservation services, which keep their guest codes in line."""

    list_display = (
        "guest_name",
        "unit",
        "owner",
        "check_in",
        "check_out",
        "status",
        "source",
        "external_id",
        "phone",
        "has_conflict",
        "stay_pin",
    )
    list_filter = ("owner", "status", "source", "has_conflict")
    list_select_related = ("owner", "unit__property")
    search_fields = ("guest_name", "phone", "email", "external_id", "id__exact", "unit__name")
    raw_id_fields = ("unit", "feed", "first_entry")
    exclude = ("pin", "notes")
    readonly_fields = ("id", "stay_pin", "notes_masked", "codes", "created_at", "updated_at")
    date_hierarchy = "check_in"

    @admin.display(description="PIN")
    def stay_pin(self, obj):
        return f"•••• ({len(obj.pin)} digits)" if obj.pin else "none"

    @admin.display(description="Notes (digits masked)")
    def notes_masked(self, obj):
        return digits_masked(obj.notes)

    @admin.display(description="Codes")
    def codes(self, obj):
        url = reverse("admin:locks_accesscode_changelist")
        return format_html(
            '<a href="{}?reservation__id__exact={}">This stay\'s codes</a>', url, obj.pk
        )


@admin.register(ReservationFeed)
class ReservationFeedAdmin(LookupAdmin):
    list_display = (
        "name",
        "unit",
        "owner",
        "address",
        "is_active",
        "last_polled_at",
        "last_success_at",
        "consecutive_failures",
        "last_error",
    )
    list_filter = ("owner", "is_active")
    list_select_related = ("owner", "unit__property")
    search_fields = ("name", "unit__name", "unit__property__name")
    raw_id_fields = ("unit",)
    # The feed's full address: its path or query is often the calendar's secret token.
    exclude = ("url",)
    readonly_fields = ("address", "created_at")
    date_hierarchy = "created_at"

    @admin.display(description="Address")
    def address(self, obj):
        """The host only (e.g. www.airbnb.com): enough to know the site, not to read the feed."""
        host = urlsplit(obj.url).hostname
        return f"{host} (rest hidden)" if host else "not set"


@admin.register(UrgentSpan)
class UrgentSpanAdmin(LookupAdmin):
    """When each lock's problem is urgent (the nav's badge): rewritten after every pass."""

    list_display = ("lock", "owner", "starts_at", "ends_at")
    list_filter = ("owner",)
    list_select_related = ("owner", "lock")
    raw_id_fields = ("lock",)
    search_fields = ("lock__name",)


@admin.register(EntryAlert)
class EntryAlertAdmin(LookupAdmin):
    """Lockouts and late entries that locks reported at stays' doors."""

    list_display = ("kind", "lock", "reservation", "owner", "raised_at", "attempts", "cleared_at")
    list_filter = ("owner", "kind", ("cleared_at", admin.EmptyFieldListFilter))
    list_select_related = ("owner", "lock", "reservation")
    raw_id_fields = ("lock", "reservation", "event")
    search_fields = ("lock__name", "reservation__guest_name")
    date_hierarchy = "raised_at"
