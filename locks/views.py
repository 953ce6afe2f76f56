"""The dashboard: thin views over selectors (reads) and services (writes).

Every page needs a signed-in member of an owner; writes that change locks, codes or keys need a
manager. Another owner's objects answer 404. PINs reach a manager only through `code_reveal`.
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backups.selectors import backups_for_lock, pool_glances, pool_reason
from backups.services import backup_pool_health
from locks import access_codes, records, scheduler, selectors, services, simulator, unmanaged
from locks.errors import NotFound, ServiceError
from locks.forms import (
    AccessCodeForm,
    ApiKeyForm,
    BackupPoolForm,
    KeypadForm,
    LockCreateForm,
    LockEditForm,
    LoseCodeForm,
    PinChangeForm,
    TakeOverForm,
    UnmanagedCodeForm,
)
from locks.middleware import SESSION_KEY
from locks.models import AccessCode, ApiKey, Lock, Membership
from locks.tenancy import services as tenancy
from locks.timeline import lock_timeline

# Parts of the lock page that refresh themselves; an htmx request names one as its target.
LOCK_PARTIALS = {"lock-status", "codes", "backups", "events", "timeline"}
REFUSE_WRITES_FOR = timedelta(minutes=10)
CODE_SLOT_STATUSES = (AccessCode.Status.SET, AccessCode.Status.REMOVING)


def membership_required(view):
    """A signed-in person who belongs to no owner gets a polite page instead of the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None:
            return render(request, "locks/no_company.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_manager:
            return render(request, "locks/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _lock(request, lock_id) -> Lock:
    try:
        return selectors.lock_get(request.membership.owner, lock_id)
    except NotFound:
        raise Http404("No such lock.") from None


def _code(request, lock: Lock, code_id) -> AccessCode:
    try:
        code = selectors.access_code_get(request.membership.owner, code_id)
    except NotFound:
        raise Http404("No such code.") from None
    if code.lock_id != lock.pk or code.removed_at is not None:
        raise Http404("No such code on this lock.")
    return code


def _to_lock(lock: Lock, anchor: str = ""):
    return redirect(reverse("lock_detail", args=[lock.pk]) + (f"#{anchor}" if anchor else ""))


def _form_error(form, exc: ServiceError) -> None:
    """Show a service's refusal beside the field it names, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _lock_page(request, lock: Lock, *, status: int = 200, **extra):
    """The lock page (or the one part of it an htmx request asks for)."""
    now = timezone.now()
    is_manager = request.membership.is_manager
    # Backups have their own card: their PINs stay hidden until one is given to a guest.
    live = list(selectors.live_codes_for_lock(lock))
    codes = [c for c in live if c.kind != AccessCode.Kind.BACKUP]
    backups = backups_for_lock(lock)
    unmanaged = list(selectors.live_codes_for_lock(lock, managed=False))
    revealed = extra.pop("revealed", {})
    for code in codes + backups + unmanaged:
        code.revealed_pin = revealed.get(code.pk)
    pool = backup_pool_health(lock=lock, now=now)
    device = selectors.simulated_device_for(lock)
    slots = [
        (stored.slot, f"Slot {stored.slot} · {stored.name or 'no label'}")
        for stored in (device.codes.all() if device and is_manager else [])
    ]
    context = {
        "lock": lock,
        "tz": lock.property.tz,
        "now": now,
        "codes": codes,
        "backups": backups,
        "pool": pool,
        "pool_reason": pool_reason(lock, pool),
        "pool_form": BackupPoolForm(lock=lock),
        "unmanaged": unmanaged,
        "slots_used": sum(c.status in CODE_SLOT_STATUSES for c in live) + len(unmanaged),
        "events": selectors.lock_events(lock, limit=15),
        # Backups given to a stay have a window like the stay's; those waiting have none.
        "timeline": lock_timeline(lock, codes + [b for b in backups if b.pulled_at], now),
        "device": device,
        "refusing_writes": bool(
            device and device.refuse_writes_until and device.refuse_writes_until > now
        ),
        "code_form": AccessCodeForm(tz=lock.property.tz, initial=_default_window(lock, now)),
        "keypad_form": KeypadForm(),
        "unmanaged_form": UnmanagedCodeForm(),
        "lose_form": LoseCodeForm(slots=slots),
        **extra,
    }
    target = request.htmx.target if request.htmx else None
    if target in LOCK_PARTIALS:
        return render(request, f"locks/lock_detail.html#{target}", context)
    return render(request, "locks/lock_detail.html", context, status=status)


def _default_window(lock: Lock, now) -> dict:
    """A stay from today's check-in to tomorrow's check-out, on the property's clock."""
    prop = lock.property
    today = now.astimezone(prop.tz).date()
    start = today.isoformat() + f"T{prop.default_check_in:%H:%M}"
    end = (today + timedelta(days=1)).isoformat() + f"T{prop.default_check_out:%H:%M}"
    return {"starts_at": start, "ends_at": end}


# --- pages everyone in the company sees ---------------------------------------------------------


@login_required
@membership_required
def home(request):
    owner = request.membership.owner
    properties = list(selectors.properties_for(owner))
    by_property = {prop.pk: [] for prop in properties}
    locks = list(selectors.locks_for(owner))
    pools = pool_glances(owner, locks)
    for lock in locks:
        lock.pool = pools.get(lock.pk)
        by_property[lock.property_id].append(lock)
    groups = [(prop, by_property[prop.pk]) for prop in properties]
    context = {"groups": groups, "now": timezone.now()}
    if request.htmx and request.htmx.target == "locks":
        return render(request, "locks/home.html#locks", context)
    return render(request, "locks/home.html", context)


@login_required
@membership_required
def lock_detail(request, lock_id):
    return _lock_page(request, _lock(request, lock_id))


@login_required
@membership_required
@require_POST
def keypad_try(request, lock_id):
    """Type a PIN at a simulated lock's keypad: the door opens only for a code it holds now."""
    lock = _lock(request, lock_id)
    if selectors.simulated_device_for(lock) is None:
        raise Http404("Only simulated locks have a keypad here.")
    form = KeypadForm(request.POST)
    result = None
    if form.is_valid():
        _, event = simulator.simulated_keypad_entry(
            lock=lock, code=form.cleaned_data["code"], now=timezone.now()
        )
        opens = event.event_type == "lock.unlocked"
        name = event.access_code.name if opens and event.access_code else ""
        result = {"opens": opens, "name": name}
    if request.htmx:
        context = {"lock": lock, "keypad_form": form, "keypad_result": result}
        return render(request, "locks/lock_detail.html#keypad", context)
    return _lock_page(request, lock, keypad_form=form, keypad_result=result)


@login_required
@require_POST
def owner_switch(request):
    membership = get_object_or_404(
        Membership.objects.select_related("owner"),
        user=request.user,
        owner_id=request.POST.get("owner_id") or None,
    )
    request.session[SESSION_KEY] = membership.owner_id
    messages.success(request, f"You are now working for {membership.owner.name}.")
    return redirect("today")


# --- codes (managers) ----------------------------------------------------------------------------


@login_required
@membership_required
@manager_required
@require_POST
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
            _form_error(form, exc)
        else:
            messages.success(
                request, f"Code “{code.name}” added. Use “Reveal” beside it to see its PIN."
            )
            return _to_lock(lock, "codes")
    return _lock_page(request, lock, code_form=form, status=400)


@login_required
@membership_required
@manager_required
@require_POST
def code_revoke(request, lock_id, code_id):
    lock = _lock(request, lock_id)
    code = _code(request, lock, code_id)
    try:
        access_codes.access_code_delete(access_code=code, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"“{code.name or 'The code'}” is revoked; it comes off the lock shortly."
        )
    return _to_lock(lock, "codes")


@login_required
@membership_required
@manager_required
@require_POST
def code_change_pin(request, lock_id, code_id):
    lock = _lock(request, lock_id)
    code = _code(request, lock, code_id)
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


@login_required
@membership_required
@manager_required
@require_POST
def code_reveal(request, lock_id, code_id):
    """Show one code's PIN to a manager, and write down who saw it."""
    lock = _lock(request, lock_id)
    code = _code(request, lock, code_id)
    who = request.user.get_full_name() or request.user.get_username()
    records.event_record(
        owner=lock.owner,
        event_type="access_code.pin_revealed",
        now=timezone.now(),
        lock=lock,
        access_code=code,
        message=f"PIN shown to {who}.",
        revealed_by=who,
    )
    if request.htmx:
        return render(request, "locks/lock_detail.html#pin", {"code": code, "pin": code.code})
    return _lock_page(request, lock, revealed={code.pk: code.code})


# --- codes found on the lock (managers) ----------------------------------------------------------


def _unmanaged_code(request, lock: Lock, code_id) -> AccessCode:
    code = _code(request, lock, code_id)
    if code.is_managed:
        raise Http404("No such code found on this lock.")
    return code


@login_required
@membership_required
@manager_required
@require_POST
def unmanaged_take_over(request, lock_id, code_id):
    lock = _lock(request, lock_id)
    code = _unmanaged_code(request, lock, code_id)
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


@login_required
@membership_required
@manager_required
@require_POST
def unmanaged_remove(request, lock_id, code_id):
    lock = _lock(request, lock_id)
    code = _unmanaged_code(request, lock, code_id)
    unmanaged.unmanaged_code_remove(access_code=code, now=timezone.now())
    messages.success(
        request,
        f"“{code.name or 'The code'}” is being taken off the lock; it stops opening the door "
        "within the next check.",
    )
    return _to_lock(lock, "codes")


# --- locks (managers) ----------------------------------------------------------------------------


@login_required
@membership_required
@manager_required
@require_POST
def lock_check(request, lock_id):
    lock = _lock(request, lock_id)
    scheduler.lock_check_now(lock=lock, now=timezone.now())
    messages.success(request, f"Checking “{lock.name}” now; this page updates by itself.")
    return _to_lock(lock)


@login_required
@membership_required
@manager_required
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
            _form_error(form, exc)
        else:
            messages.success(request, f"“{lock.name}” is added. Add its first code below.")
            return _to_lock(lock)
    return render(request, "locks/lock_form.html", {"form": form})


@login_required
@membership_required
@manager_required
def lock_edit(request, lock_id):
    lock = _lock(request, lock_id)
    form = LockEditForm(request.POST or None, lock=lock)
    if request.method == "POST" and form.is_valid():
        try:
            services.lock_update(lock=lock, now=timezone.now(), **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"“{lock.name}” is saved.")
            return _to_lock(lock)
    return render(request, "locks/lock_form.html", {"form": form, "lock": lock})


# --- simulated lock controls (managers) ---------------------------------------------------------


def simulated_control(view):
    """A manager's control of a simulated lock: finds the lock, reports refusals, goes back."""

    @login_required
    @membership_required
    @manager_required
    @require_POST
    @wraps(view)
    def wrapper(request, lock_id):
        lock = _lock(request, lock_id)
        if lock.driver != "simulated":
            raise Http404("Only simulated locks can be told that.")
        try:
            view(request, lock, timezone.now())
        except ServiceError as exc:
            messages.error(request, exc.message)
        return _to_lock(lock, "simulator")

    return wrapper


@simulated_control
def simulate_connection(request, lock, now):
    online = request.POST.get("online") == "1"
    simulator.simulated_set_online(lock=lock, online=online, now=now)
    if online:
        messages.success(request, "The lock is back online; waiting codes go on now.")
    else:
        messages.success(
            request, "The lock is offline. Watch the codes: changes wait, and warnings follow."
        )


@simulated_control
def simulate_lose_code(request, lock, now):
    device = selectors.simulated_device_for(lock)
    if device is None:
        raise ServiceError("The simulated device behind this lock is gone.")
    slots = [(stored.slot, str(stored.slot)) for stored in device.codes.all()]
    form = LoseCodeForm(request.POST, slots=slots)
    if not form.is_valid():
        raise ServiceError(form.errors["slot"][0])
    stored = device.codes.get(slot=form.cleaned_data["slot"])
    simulator.simulated_remove_code(lock=lock, code=stored.code, now=now)
    messages.success(
        request,
        "The code was deleted at the keypad. Innkeeper notices on its next read of the lock "
        "and puts it back; press “Check now” to see it at once.",
    )


@simulated_control
def simulate_add_code(request, lock, now):
    form = UnmanagedCodeForm(request.POST)
    if not form.is_valid():
        raise ServiceError(next(iter(form.errors.values()))[0])
    simulator.simulated_add_unmanaged_code(
        lock=lock, code=form.cleaned_data["code"], name=form.cleaned_data["name"], now=now
    )
    messages.success(
        request, "A code was added at the keypad; it shows below as one nobody here manages."
    )


@simulated_control
def simulate_refuse_writes(request, lock, now):
    refuse = request.POST.get("refuse") == "1"
    until = now + REFUSE_WRITES_FOR if refuse else None
    simulator.simulated_refuse_writes(lock=lock, until=until, now=now)
    if refuse:
        messages.success(request, "For 10 minutes the lock refuses every change it is sent.")
    else:
        messages.success(request, "The lock accepts changes again.")


@simulated_control
def simulate_factory_reset(request, lock, now):
    if request.POST.get("keep_device_id") == "1":
        simulator.simulated_factory_reset(lock=lock, now=now, keep_device_id=True)
        messages.success(
            request,
            "The lock was factory reset and kept its id: every code on it is wiped. Innkeeper "
            "sees them missing at its next read and puts them back; press “Check now” to watch.",
        )
        return
    simulator.simulated_factory_reset(lock=lock, now=now)
    messages.success(
        request,
        "The lock was factory reset: every code on it is wiped, and it came back as a new "
        "device. This door shows as offline until a manager links the new device to it in "
        "Devices → New devices.",
    )


# --- API keys (managers) -------------------------------------------------------------------------


@login_required
@membership_required
@manager_required
def api_keys(request):
    owner = request.membership.owner
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = tenancy.api_key_create(
                owner=owner, name=form.cleaned_data["name"], created_by=request.user
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            # Shown on this response only: the secret is not stored, so there is no redirect.
            created = {"key": key, "secret": secret}
            form = ApiKeyForm()
    context = {
        "form": form,
        "created": created,
        "keys": selectors.api_keys_for(owner),
        "api_url": request.build_absolute_uri("/api"),
    }
    return render(request, "locks/api_keys.html", context)


@login_required
@membership_required
@manager_required
@require_POST
def api_key_revoke(request, key_id):
    key = get_object_or_404(ApiKey, owner=request.membership.owner, pk=key_id)
    tenancy.api_key_revoke(api_key=key, now=timezone.now())
    messages.success(request, f"The key “{key.name}” is revoked; programs using it are refused.")
    return redirect("api_keys")
