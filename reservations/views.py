"""The front desk's pages: Today, the reservations, and one stay with its guest code.

Everyone in the company sees them; the front desk creates, edits and checks out stays; a
manager also cancels, issues a new PIN and sees the PIN (only behind a recorded reveal).
"""

import hashlib
import re
from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from backups.selectors import backup_offered
from locks import audit
from locks.errors import ServiceError
from locks.models import Property
from locks.records import event_record
from locks.selectors import places_for
from locks.tenancy import attempt_limits
from locks.tenancy.decorators import (
    form_error,
    manager_post,
    member_view,
    owned_or_404,
)
from messaging.forms import FreeMessageForm
from messaging.selectors import any_pending, guest_helps_for_stay, messages_for_stay
from reservations import guest_codes, keys, selectors, spans, stays
from reservations.alerts import door_trouble
from reservations.entry_views import unlock_offered
from reservations.first_run_views import first_run_steps
from reservations.forms import ReservationFilterForm, ReservationForm
from reservations.guest_links import guest_link_open, guest_link_renew, guest_page_url
from reservations.imports.feeds import feed_health
from reservations.imports.selectors import feeds_for
from reservations.models import Reservation

PAGE_SIZE = 25
LISTED = 1000  # stays a list pages through; a search narrows it
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


class _DryRun(Exception):
    """Raised inside a transaction to undo a validation-only run of a service."""


def _reservation(request, reservation_id) -> Reservation:
    return owned_or_404(selectors.reservation_get, request, reservation_id, "No such reservation.")


# --- Today ---------------------------------------------------------------------------------------


# Up to this many properties, Today shows every one in full; past it, one line each until opened.
TODAY_IN_FULL = 3
# A search on Today lists at most this many stays.
TODAY_MATCHES = 50
# Past TODAY_IN_FULL properties, this many lines a page.
TODAY_LINES_PER_PAGE = 20
# Today's filter by whether the guest has come in (`?arrived=`): everyone, arrived, not yet.
ARRIVED = {"": None, "yes": True, "no": False}


@member_view
def today(request):
    """Today's arrivals and departures. Past a few properties, one line per property until one
    is opened (or a guest searched for), so the page stays small for thousands of doors. Its
    refresh sends back the fingerprint of what it shows (`seen`): when nothing changed, the
    answer is 204 with no body, and htmx leaves the page alone."""
    owner = request.membership.owner
    now = timezone.now()
    properties = list(Property.objects.filter(owner=owner).order_by("name"))
    q = request.GET.get("q", "").strip()[:100]
    opened = request.GET.get("property", "")
    page = request.GET.get("page", "")
    arrived = request.GET.get("arrived", "")
    if arrived not in ARRIVED:
        arrived = ""
    in_full = len(properties) <= TODAY_IN_FULL
    shown = [p for p in properties if in_full or q or str(p.pk) == opened]
    days = (
        selectors.today_for(
            owner,
            now,
            properties=shown,
            every=len(shown) == len(properties),
            q=q,
            limit=TODAY_MATCHES if q else None,
            arrived=ARRIVED[arrived],
        )
        if shown
        else []
    )
    context = {
        "days": days,
        "now": now,
        "q": q,
        "opened": opened,
        "arrived": arrived,
        **_glances(request, owner, now, [] if in_full else properties),
        "refresh_query": urlencode(
            {
                k: v
                for k, v in (("q", q), ("property", opened), ("page", page), ("arrived", arrived))
                if v
            }
        ),
        "attention": sum(day.attention_count for day in days),
        "conflicts": selectors.upcoming_conflicts(owner, now),
        "door_trouble": door_trouble(owner, now),
        "failing_feeds": [
            (feed, feed_health(feed, now))
            for feed in feeds_for(owner).filter(consecutive_failures__gt=0)
        ],
    }
    lists = render_to_string("reservations/today.html#today_lists", context, request)
    seen = _fingerprint(lists)
    if request.htmx and request.htmx.target == "today":
        if request.GET.get("seen") == seen:
            return HttpResponse(status=204)
        return render(
            request, "reservations/today.html#today", {**context, "lists": lists, "seen": seen}
        )
    first_run = first_run_steps(request, properties)
    return render(
        request,
        "reservations/today.html",
        {**context, "lists": lists, "seen": seen, "first_run": first_run},
    )


def _glances(request, owner, now, properties: list) -> dict:
    """A page of the properties' lines, by name, and the query its pager keeps."""
    if not properties:
        return {"glances": []}
    lines = Paginator(properties, TODAY_LINES_PER_PAGE).get_page(request.GET.get("page"))
    kept = {k: request.GET[k] for k in ("q", "property", "arrived") if request.GET.get(k)}
    return {
        "glances": selectors.today_glances(
            owner, now, list(lines.object_list), every=lines.paginator.num_pages == 1
        ),
        "glance_page": lines,
        "glance_query": urlencode(kept),
    }


def _fingerprint(html: str) -> str:
    """What a page part shows, as a short hash; the CSRF token is masked anew on every render."""
    shown = _CSRF_INPUT.sub("", html)
    return hashlib.sha256(shown.encode()).hexdigest()[:20]


# --- the list ------------------------------------------------------------------------------------


class _ListPaginator(Paginator):
    """Pages of at most `LISTED` stays: past that, the list says so and asks for a narrower
    search, and no count reads a whole history."""

    @cached_property
    def _counted(self) -> int:
        return spans.counted(self.object_list, LISTED + 1)

    @property
    def more(self) -> bool:
        return self._counted > LISTED

    @cached_property
    def count(self) -> int:
        return min(self._counted, LISTED)


@member_view
def reservation_list(request):
    owner = request.membership.owner
    properties = places_for(owner)  # light rows: the filter lists each, the zones group them
    now = timezone.now()
    data = request.GET
    if not data and properties:
        # The desk looks ahead: by default, stays from today on (cleared with one click).
        data = {"date_from": now.astimezone(properties[0].tz).date().isoformat()}
    form = ReservationFilterForm(data, properties=properties)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.reservations_search(
        owner,
        properties,
        q=filters.get("q", ""),
        property_id=filters.get("property"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        status=filters.get("status", ""),
        arrived=filters.get("has_arrived"),
    )
    page = _ListPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    keys.key_notes_attach(on_page)
    rows = [(stay, selectors.guest_code_state(stay, now)) for stay in on_page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "now": now}
    if request.htmx and request.htmx.target == "results":
        return render(request, "reservations/list.html#results", context)
    return render(request, "reservations/list.html", context)


# --- create and edit -----------------------------------------------------------------------------


def _save(form, *, owner, reservation: Reservation | None, now):
    data = form.cleaned_data
    fields = {
        "guest_name": data["guest_name"],
        "unit": data["unit"],
        "check_in": data["check_in"],
        "check_out": data["check_out"],
        "phone": data["phone"],
        "email": data["email"],
        "guests": data["guests"],
        "notes": data["notes"],
        "language": data["language"],
    }
    if reservation is None:
        return stays.reservation_create(owner=owner, now=now, **fields)
    changes = {k: v for k, v in fields.items() if getattr(reservation, k) != v}
    if not changes:
        return reservation
    return stays.reservation_update(reservation=reservation, now=now, **changes)


def _reservation_form(request, reservation: Reservation | None):
    """The create/edit form. An htmx post with `validate` checks what is typed so far with the
    very rules of saving, then undoes it, and answers with the messages only."""
    owner = request.membership.owner
    initial = ReservationForm.initial_for(reservation) if reservation else None
    form = ReservationForm(request.POST or None, owner=owner, initial=initial)
    validating = request.method == "POST" and request.htmx and "validate" in request.GET
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                stay = _save(form, owner=owner, reservation=reservation, now=timezone.now())
                if validating:
                    raise _DryRun
        except _DryRun:
            pass
        except ServiceError as exc:
            form_error(form, exc)
        else:
            word = "saved" if reservation else "created"
            messages.success(
                request,
                f"{stay.guest_name}'s stay is {word}. Their code goes on the doors by itself.",
            )
            return redirect("reservation_detail", stay.pk)
    if validating:
        # Fields not filled in yet are not wrong yet.
        typed = {name for name, value in request.POST.items() if value.strip()}
        inline = [(field.html_name, field.errors if field.name in typed else []) for field in form]
        context = {"inline": inline, "non_field": form.non_field_errors()}
        return render(request, "reservations/form.html#inline-errors", context)
    context = {"form": form, "reservation": reservation}
    return render(request, "reservations/form.html", context, status=400 if form.errors else 200)


@member_view
def reservation_create(request):
    return _reservation_form(request, None)


@member_view
def reservation_edit(request, reservation_id):
    stay = _reservation(request, reservation_id)
    if not stay.is_confirmed or stay.checked_out_at is not None:
        messages.error(request, "This stay is over or cancelled, so it can no longer change.")
        return redirect("reservation_detail", stay.pk)
    return _reservation_form(request, stay)


# --- one stay ------------------------------------------------------------------------------------


def _detail_context(request, stay: Reservation, now, **extra) -> dict:
    stay_messages = messages_for_stay(stay)
    keys.key_notes_attach([stay])
    return {
        "stay": stay,
        "tz": stay.unit.property.tz,
        "now": now,
        "state": selectors.guest_code_state(stay, now),
        "events": selectors.reservation_history(stay),
        "can_check_out": stay.is_confirmed
        and stay.checked_out_at is None
        and stay.check_in <= now < stay.check_out,
        "can_change": stay.is_confirmed and stay.checked_out_at is None and stay.ends_at > now,
        "can_give_backup": backup_offered(stay, now),
        "can_unlock": unlock_offered(stay, now),
        "guest_link": request.build_absolute_uri(guest_page_url(stay))
        if guest_link_open(stay, now)
        else "",
        **_entries_context(stay),
        "stay_messages": stay_messages,
        "guest_helps": guest_helps_for_stay(stay),
        "messages_pending": any_pending(stay_messages),
        "message_form": FreeMessageForm(),
        **extra,
    }


# The stay's page lists this many entries; a manager exports them all.
ENTRIES_SHOWN = 100


def _entries_context(stay: Reservation) -> dict:
    entries = list(selectors.stay_entries(stay)[: ENTRIES_SHOWN + 1])
    return {
        "entries": entries[:ENTRIES_SHOWN],
        "more_entries": len(entries) > ENTRIES_SHOWN,
        "entry_alerts": selectors.stay_entry_alerts(stay),
    }


@member_view
def reservation_detail(request, reservation_id):
    stay = _reservation(request, reservation_id)
    target = request.htmx.target if request.htmx else None
    if target == "stay-entries":
        context = {
            "stay": stay,
            "tz": stay.unit.property.tz,
            "now": timezone.now(),
            **_entries_context(stay),
        }
        return render(request, "reservations/detail.html#stay-entries", context)
    context = _detail_context(request, stay, timezone.now())
    if target == "guest-code":
        return render(request, "reservations/detail.html#guest-code", context)
    return render(request, "reservations/detail.html", context)


@manager_post
def reservation_pin_reveal(request, reservation_id):
    """Show the stay's PIN to a manager, and write down who saw it (a limited number per person,
    counted with the locks' PINs: refused, the manager is told when to try again)."""
    stay = _reservation(request, reservation_id)
    now = timezone.now()
    wait = attempt_limits.attempt_take(
        limit=attempt_limits.PIN_REVEALS, subject=f"user:{request.user.pk}", now=now
    )
    refused = attempt_limits.pin_reveal_refusal(wait) if wait is not None else ""
    if not refused:
        who = request.user.get_full_name() or request.user.get_username()
        event_record(
            owner=stay.owner,
            event_type="reservation.pin_revealed",
            now=now,
            reservation=stay,
            message=f"PIN shown to {who}.",
            revealed_by=who,
        )
        audit.audit_record(obj=stay, action="pin_revealed")
    if request.htmx:
        context = {"stay": stay, "pin": "" if refused else stay.pin, "refused": refused}
        return render(
            request, "reservations/detail.html#pin", context, status=429 if refused else 200
        )
    if refused:
        messages.error(request, refused)
    context = _detail_context(request, stay, now, revealed_pin="" if refused else stay.pin)
    return render(request, "reservations/detail.html", context, status=429 if refused else 200)


def _action(request, stay: Reservation, service, done: str):
    try:
        service(reservation=stay, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("reservation_detail", stay.pk)


@member_view
@require_POST
def reservation_check_out(request, reservation_id):
    stay = _reservation(request, reservation_id)
    done = f"{stay.guest_name} is checked out; their code comes off the doors now."
    return _action(request, stay, stays.reservation_check_out_early, done)


@manager_post
def reservation_cancel(request, reservation_id):
    stay = _reservation(request, reservation_id)
    done = f"{stay.guest_name}'s stay is cancelled; its code comes off the doors."
    return _action(request, stay, stays.reservation_cancel, done)


@manager_post
def reservation_new_pin(request, reservation_id):
    stay = _reservation(request, reservation_id)
    done = (
        f"{stay.guest_name} has a new PIN; the old one comes off every door. "
        "Use “Reveal” to see it, and send it to the guest."
    )
    return _action(request, stay, guest_codes.reservation_new_pin, done)


@member_view
@require_POST
def reservation_guest_link_renew(request, reservation_id):
    """A new guest page link: the one sent before opens nothing from now on."""
    stay = _reservation(request, reservation_id)
    if not guest_link_open(stay, timezone.now()):
        messages.error(request, "This stay is over or cancelled: its guest page is closed.")
    else:
        guest_link_renew(reservation=stay)
        messages.success(
            request,
            f"{stay.guest_name} has a new guest page link; the old one no longer opens. "
            "Send them the new one.",
        )
    return redirect("reservation_detail", stay.pk)
