"""The dashboard: thin views over selectors (reads) and services (writes).

Every page needs a signed-in member of an owner; writes that change locks, codes or keys need a
manager. Another owner's objects answer 404. PINs reach a manager only through `code_reveal`.
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from backups.selectors import backups_for_lock, pool_glances, pool_reason
from backups.services import backup_pool_health
from locks import access_codes, audit, records, scheduler, selectors, services, simulator, unmanaged
from locks.drivers.base import ACCESS_DENIED, UNLOCKED
from locks.errors import ServiceError
from locks.forms import (
    AccessCodeForm,
    BackupPoolForm,
    KeypadForm,
    LockCreateForm,
    LockEditForm,
    LoseCodeForm,
    PinChangeForm,
    TakeOverForm,
    UnmanagedCodeForm,
)
from locks.issue_codes import EMPTY_BACKUP_ACCESS_CODE_POOL, PARTIAL_BACKUP_ACCESS_CODE_POOL
from locks.models import AccessCode, Lock
from locks.tenancy import attempt_limits
from locks.tenancy.decorators import (
    form_error,
    manager_post,
    manager_view,
    member_view,
    owned_or_404,
)
from locks.timeline import lock_timeline, timeline_codes
from reservations.selectors import door_entries, door_history, stays_at_door

# Parts of the lock page that refresh themselves; an htmx request names one as its target.
LOCKS_PER_PAGE = 50
PROPERTIES_IN_FULL = 3  # past that, the Locks page shows a line per property
PROPERTY_LINES_PER_PAGE = 20
ENTRY_TYPES = (UNLOCKED, ACCESS_DENIED)
LOCK_PARTIALS = {"lock-status", "codes", "entries", "backups", "events", "timeline"}
ENTRIES_SHOWN = 15  # the rest are in the entries' export
EVENTS_SHOWN = 15
# The whole page reads the door's latest events once for both its cards (activity and entries)
# when this many hold enough entries; only a door whose recent history is mostly other events
# reads its entries apart.
HISTORY_READ = 60
CODES_PER_PAGE = 25  # a shared entrance holds a code per stay of every room behind it


def _lock(request, lock_id) -> Lock:
    return owned_or_404(selectors.lock_get, request, lock_id, "No such lock.")


def _code(request, lock: Lock, code_id, *, found_on_lock: bool = False) -> AccessCode:
    code = owned_or_404(selectors.access_code_get, request, code_id, "No such code.")
    if code.lock_id != lock.pk or code.removed_at is not None:
        raise Http404("No such code on this lock.")
    if found_on_lock and code.is_managed:
        raise Http404("No such code found on this lock.")
    return code


def code_action(*, found_on_lock: bool = False):
    """A manager's change to one code of one lock: the view gets both, or the person a 404."""

    def decorator(view):
        @manager_post
        @wraps(view)
        def wrapper(request, lock_id, code_id):
            lock = _lock(request, lock_id)
            return view(request, lock, _code(request, lock, code_id, found_on_lock=found_on_lock))

        return wrapper

    return decorator


def _to_lock(lock: Lock, anchor: str = ""):
    return redirect(reverse("lock_detail", args=[lock.pk]) + (f"#{anchor}" if anchor else ""))


def _lock_page(request, lock: Lock, *, status: int = 200, **extra):
    """The lock page, or the one self-refreshing part of it an htmx request asks for (then
    only what that part shows is read)."""
    now = timezone.now()
    target = request.htmx.target if request.htmx else None
    parts = {target} if target in LOCK_PARTIALS else LOCK_PARTIALS
    context = {
        "lock": lock,
        "tz": lock.property.tz,
        "now": now,
        **_lock_parts(
            lock, now, parts, extra.pop("revealed", {}), codes_page=request.GET.get("codes_page")
        ),
    }
    if target in LOCK_PARTIALS:
        return render(request, f"locks/lock_detail.html#{target}", context)
    device = selectors.simulated_device_for(lock)
    slots = [
        (stored.slot, f"Slot {stored.slot} · {stored.name or 'no label'}")
        for stored in (device.codes.all() if device and request.membership.is_manager else [])
    ]
    context.update(
        {
            "device": device,
            "refusing_writes": bool(
                device and device.refuse_writes_until and device.refuse_writes_until > now
            ),
            "code_form": AccessCodeForm(tz=lock.property.tz, initial=_default_window(lock, now)),
            "keypad_form": KeypadForm(),
            "unmanaged_form": UnmanagedCodeForm(),
            "lose_form": LoseCodeForm(slots=slots),
            "unlock_guests": stays_at_door(lock, now),
            **extra,
        }
    )
    return render(request, "locks/lock_detail.html", context, status=status)


def _lock_parts(
    lock: Lock, now, parts: set[str], revealed: dict, *, codes_page: str | None = None
) -> dict:
    """What the lock page's `parts` (of `LOCK_PARTIALS`) show, and nothing they do not: the
    codes a page at a time (those with a problem first), the timeline's codes in its days."""
    context: dict = {}
    codes, backups, unmanaged = [], [], []
    if "codes" in parts:
        unmanaged = list(selectors.live_codes_for_lock(lock, managed=False))
    if "codes" in parts:
        # Backups have their own card: their PINs stay hidden until one is given to a guest.
        page = Paginator(selectors.codes_listed(lock), CODES_PER_PAGE).get_page(codes_page)
        codes = list(page.object_list)
        context.update(codes=codes, codes_page=page, unmanaged=unmanaged)
    if parts & {"backups", "timeline"}:
        backups = backups_for_lock(lock)
    for code in codes + backups + unmanaged:
        code.revealed_pin = revealed.get(code.pk)
    if "lock-status" in parts:
        context["slots_used"] = selectors.slots_used(lock)
    if "backups" in parts:
        pool = backup_pool_health(lock=lock, now=now, backups=backups)
        context.update(
            backups=backups,
            pool=pool,
            pool_reason=pool_reason(lock, pool),
            pool_form=BackupPoolForm(lock=lock),
        )
    if "timeline" in parts:
        # Backups given to a stay have a window like the stay's; those waiting have none.
        shown, meeting = timeline_codes(lock, now)
        given = [b for b in backups if b.pulled_at]
        context["timeline"] = lock_timeline(lock, shown + given, now, others=meeting - len(shown))
    if {"events", "entries"} <= parts:
        recent = door_history(lock, HISTORY_READ)
        context["events"] = recent[:EVENTS_SHOWN]
        entries = [e for e in recent if e.event_type in ENTRY_TYPES][:ENTRIES_SHOWN]
        if len(entries) < ENTRIES_SHOWN and len(recent) == HISTORY_READ:
            entries = list(door_entries(lock, denied=True)[:ENTRIES_SHOWN])  # older ones too
        context["entries"] = entries
    elif "events" in parts:
        context["events"] = selectors.lock_events(lock, limit=EVENTS_SHOWN)
    elif "entries" in parts:
        context["entries"] = list(door_entries(lock, denied=True)[:ENTRIES_SHOWN])
    return context


def _default_window(lock: Lock, now) -> dict:
    """A stay from today's check-in to tomorrow's check-out, on the property's clock."""
    prop = lock.property
    today = now.astimezone(prop.tz).date()
    start = today.isoformat() + f"T{prop.default_check_in:%H:%M}"
    end = (today + timedelta(days=1)).isoformat() + f"T{prop.default_check_out:%H:%M}"
    return {"starts_at": start, "ends_at": end}


# --- pages everyone in the company sees ---------------------------------------------------------


@member_view
def home(request):
    """Every door, bounded: in full up to a few properties, else a line per property until one
    is opened (`?property=`); a search by lock name (`?q=`); doors needing someone first."""
    owner = request.membership.owner
    properties = list(selectors.properties_for(owner).prefetch_related(None))
    glances = selectors.property_glances(owner)
    for prop in properties:
        prop.glance = glances.get(prop.pk, selectors.PropertyGlance())
    query = request.GET.get("q", "").strip()
    opened = _opened_property(request, properties)
    locks = selectors.locks_problems_first(owner)
    page, found = None, []
    if query:
        found = list(locks.filter(name__icontains=query)[:LOCKS_PER_PAGE])
        groups = [
            (prop, [lock for lock in found if lock.property_id == prop.pk]) for prop in properties
        ]
        groups = [(prop, doors) for prop, doors in groups if doors]
    elif opened:
        page = Paginator(locks.filter(property=opened), LOCKS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        groups = [(opened, list(page.object_list))]
    elif len(properties) <= PROPERTIES_IN_FULL:
        groups = [(prop, list(locks.filter(property=prop)[:LOCKS_PER_PAGE])) for prop in properties]
    else:
        groups = []
        troubled_first = sorted(properties, key=lambda prop: (-prop.glance.problems, prop.name))
        page = Paginator(troubled_first, PROPERTY_LINES_PER_PAGE).get_page(request.GET.get("page"))
    shown = [lock for _, doors in groups for lock in doors]
    pools = pool_glances(owner, shown)
    for lock in shown:
        lock.pool = pools.get(lock.pk)
        # A pool short of its size that the lock's last pass has not reported yet (just
        # switched on, or a backup just given): a warning beside its count, never "All good".
        lock.pool_short_unreported = bool(
            lock.pool
            and lock.pool.ready < lock.pool.target
            and not lock.has_error(EMPTY_BACKUP_ACCESS_CODE_POOL)
            and not lock.has_warning(PARTIAL_BACKUP_ACCESS_CODE_POOL)
        )
    context = {
        "groups": groups,
        "properties": properties,
        "collapsed": not query and not opened and len(properties) > PROPERTIES_IN_FULL,
        "opened": opened,
        "page": page,
        "query": query,
        "found_count": len(found),
        "searchable": len(properties) > PROPERTIES_IN_FULL
        or any(prop.glance.locks > LOCKS_PER_PAGE for prop in properties),
        "per_property": LOCKS_PER_PAGE,
        "now": timezone.now(),
    }
    if request.htmx and request.htmx.target == "locks":
        return render(request, "locks/home.html#locks", context)
    return render(request, "locks/home.html", context)


def _opened_property(request, properties):
    wanted = request.GET.get("property", "")
    return next((prop for prop in properties if str(prop.pk) == wanted), None)


@member_view
def lock_detail(request, lock_id):
    return _lock_page(request, _lock(request, lock_id))


@manager_post
def keypad_try(request, lock_id):
    """Type a PIN at a simulated lock's keypad: the door opens only for a code it holds now.

    Managers only, and a limited number of tries per person: each answers whether a PIN is
    one of the door's."""
    lock = _lock(request, lock_id)
    if selectors.simulated_device_for(lock) is None:
        raise Http404("Only simulated locks have a keypad here.")
    form = KeypadForm(request.POST)
    result = None
    now = timezone.now()
    wait = None
    if form.is_valid():
        wait = attempt_limits.attempt_take(
            limit=attempt_limits.KEYPAD_TRIES, subject=f"user:{request.user.pk}", now=now
        )
        if wait is not None:
            form.add_error("code", attempt_limits.keypad_refusal(wait))
        else:
            _, event = simulator.simulated_keypad_entry(
                lock=lock, code=form.cleaned_data["code"], now=now
            )
            opens = event.event_type == "lock.unlocked"
            name = event.access_code.name if opens and event.access_code else ""
            result = {"opens": opens, "name": name}
    status = 429 if wait is not None else 400 if form.errors else 200
    if request.htmx:
        context = {"lock": lock, "keypad_form": form, "keypad_result": result}
        return render(request, "locks/lock_detail.html#keypad", context, status=status)
    return _lock_page(request, lock, keypad_form=form, keypad_result=result, status=status)


# --- codes (managers) ----------------------------------------------------------------------------


@manager_post
def code_create(request, lock_id):
    lock = _lock(request, lock_id)
    now = timezone.now()
    form = AccessCodeForm(request.POST, tz=lock.property.tz)
    if form.is_valid():
        data = form.cleaned_data
        try:
            code, _ = access_codes.access_code_create(
                lock=lock,
                now=now,
                name=data["name"],
                code=data["code"] or None,
                kind=data["kind"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, f"Code “{code.name}” added. Use “Reveal” beside it to see its PIN."
            )
            return _to_lock(lock, "codes")
    return _lock_page(request, lock, code_form=form, status=400)


@code_action()
def code_revoke(request, lock, code):
    try:
        access_codes.access_code_delete(access_code=code, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"“{code.name or 'The code'}” is revoked; it comes off the lock shortly."
        )
    return _to_lock(lock, "codes")


@code_action()
def code_change_pin(request, lock, code):
    now = timezone.now()
    form = PinChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["code"][0])
        return _to_lock(lock, "codes")
    try:
        new_pin = form.cleaned_data["code"] or access_codes.access_code_generate(lock=lock, now=now)
        access_codes.access_code_update(access_code=code, now=now, code=new_pin)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"“{code.name or 'The code'}” has a new PIN; the old one comes off the lock shortly.",
        )
    return _to_lock(lock, "codes")


@code_action()
def code_reveal(request, lock, code):
    """Show one code's PIN to a manager, and write down who saw it (a limited number per person:
    refused, the manager is told when to try again)."""
    now = timezone.now()
    wait = attempt_limits.attempt_take(
        limit=attempt_limits.PIN_REVEALS, subject=f"user:{request.user.pk}", now=now
    )
    refused = attempt_limits.pin_reveal_refusal(wait) if wait is not None else ""
    if not refused:
        who = request.user.get_full_name() or request.user.get_username()
        records.code_event_record(
            code=code,
            event_type="access_code.pin_revealed",
            now=now,
            message=f"PIN shown to {who}.",
            revealed_by=who,
        )
        audit.audit_record(obj=code, action="pin_revealed", even_if_skipped=True)
    if request.htmx:
        page = request.POST.get("codes_page", "")
        context = {
            "code": code,
            "pin": "" if refused else code.code,
            "refused": refused,
            "pin_page": page if page.isdigit() else "",
        }
        return render(
            request, "locks/lock_detail.html#pin", context, status=429 if refused else 200
        )
    if refused:
        messages.error(request, refused)
        return _lock_page(request, lock, status=429)
    return _lock_page(request, lock, revealed={code.pk: code.code})


# --- codes found on the lock (managers) ----------------------------------------------------------


@code_action(found_on_lock=True)
def unmanaged_take_over(request, lock, code):
    form = TakeOverForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["name"][0])
        return _to_lock(lock, "codes")
    code = unmanaged.unmanaged_code_take_over(
        access_code=code, now=timezone.now(), name=form.cleaned_data["name"]
    )
    messages.success(
        request,
        f"“{code.name}” is managed here now: it stays on the lock, and you can change its PIN "
        "or revoke it like any other code.",
    )
    return _to_lock(lock, "codes")


@code_action(found_on_lock=True)
def unmanaged_remove(request, lock, code):
    unmanaged.unmanaged_code_remove(access_code=code, now=timezone.now())
    messages.success(
        request,
        f"“{code.name or 'The code'}” is being taken off the lock; it stops opening the door "
        "within the next check.",
    )
    return _to_lock(lock, "codes")


# --- locks (managers) ----------------------------------------------------------------------------


@manager_post
def lock_check(request, lock_id):
    lock = _lock(request, lock_id)
    scheduler.lock_check_now(lock=lock, now=timezone.now())
    messages.success(request, f"Checking “{lock.name}” now; this page updates by itself.")
    return _to_lock(lock)


@manager_view
def lock_create(request):
    owner = request.membership.owner
    form = LockCreateForm(request.POST or None, owner=owner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lock = simulator.simulated_lock_create(
                owner=owner,
                property=data["property"],
                unit=data["unit"],
                name=data["name"],
                location=data["location"],
                model=data["model"],
                now=timezone.now(),
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"“{lock.name}” is added. Add its first code below.")
            return _to_lock(lock)
    return render(request, "locks/lock_form.html", {"form": form})


@manager_view
def lock_edit(request, lock_id):
    lock = _lock(request, lock_id)
    form = LockEditForm(request.POST or None, request.FILES or None, lock=lock)
    if request.method == "POST" and form.is_valid():
        try:
            services.lock_update(lock=lock, now=timezone.now(), **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"“{lock.name}” is saved.")
            return _to_lock(lock)
    return render(request, "locks/lock_form.html", {"form": form, "lock": lock})
