"""The dashboard's devices: driver accounts, the new-device inbox and its answers, and alerts.

A factory-reset lock usually comes back as a new device while its door looks offline; the inbox
asks a manager whether each new device is a new lock or replaces one, suggesting the silent locks
first. Nothing is replaced without the confirm page. Alerts are for everyone in the company.
"""

from datetime import datetime

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from locks import devices, selectors, simulator
from locks.errors import NotFound, ServiceError
from locks.forms import (
    LockPlaceForm,
    ReplaceForm,
    SeamAccountForm,
    SimulatedDeviceForm,
    ZWaveAccountForm,
)
from locks.issue_codes import ACCOUNT_DISCONNECTED, DEVICE_DISCONNECTED, DEVICE_REMOVED
from locks.models import AccessCode, DiscoveredDevice, Lock
from locks.tenancy.decorators import (
    form_error,
    manager_post,
    manager_view,
    member_view,
)
from reservations import alerts
from reservations.entries import entry_alert_clear
from reservations.models import EntryAlert

Status = DiscoveredDevice.Status
DRIVER_WORDS = {
    "simulated": "Simulated hub",
    "seam": "Seam workspace",
    "zwave_js": "Z-Wave JS Server",
}
ALERTS_PER_PAGE = 50
DEVICES_PER_PAGE = 50
SUGGESTIONS_PER_DEVICE = 5  # the rest are a choice on the replace page


def _device(request, device_pk) -> DiscoveredDevice:
    try:
        return selectors.discovered_device_get(request.membership.owner, device_pk)
    except NotFound:
        raise Http404("No such device.") from None


def _to_devices(anchor: str = ""):
    return redirect(reverse("devices") + (f"#{anchor}" if anchor else ""))


def _silent_since(lock: Lock) -> datetime | None:
    """When the door stopped answering: when its offline or removed error was first seen."""
    for issue in lock.errors:
        if issue["error_code"] in (DEVICE_DISCONNECTED, DEVICE_REMOVED):
            return datetime.fromisoformat(issue["created_at"])
    return lock.last_read_at


def _suggestions(device: DiscoveredDevice, ranked: list[Lock]) -> list[dict]:
    """The likely replacements `ranked` by `devices`, with why each is likely."""
    return [
        {
            "lock": lock,
            "removed": lock.has_error(DEVICE_REMOVED),
            "since": _silent_since(lock),
            "same_model": lock.model_name == device.model_name,
        }
        for lock in ranked
    ]


# --- the devices page (managers) ----------------------------------------------------------------


def _page(request, items, param: str) -> Page:
    """The page of `items` the query's `param` asks for, with the links to its neighbours
    (keeping the other lists' pages)."""
    page = Paginator(items, DEVICES_PER_PAGE).get_page(request.GET.get(param))
    for name, number in (
        ("previous_query", page.has_previous() and page.number - 1),
        ("next_query", page.has_next() and page.number + 1),
    ):
        query = request.GET.copy()
        query[param] = number
        setattr(page, name, query.urlencode() if number else "")
    return page


@manager_view
def devices_page(request):
    """The accounts, the inbox (the devices waiting for an answer first) and the devices in
    use (offline and low battery first), each list 50 at a time."""
    owner = request.membership.owner
    accounts = list(selectors.driver_accounts_counted(owner))
    if not any(account.driver == "simulated" for account in accounts):
        simulator.simulated_hub(owner)  # every owner can try discovery on simulated devices
        accounts = list(selectors.driver_accounts_counted(owner))
    locks_by_driver = {account.driver: account.driver_lock_count for account in accounts}
    for account in accounts:
        account.kind_words = DRIVER_WORDS.get(account.driver, account.driver)
    new = _page(request, selectors.discovered_devices_for(owner, Status.NEW), "page")
    silent = selectors.silent_locks_for(owner) if new.object_list else []
    for device in new:
        ranked = devices.rank_replacements(device, silent)
        device.suggestions = _suggestions(device, ranked[:SUGGESTIONS_PER_DEVICE])
        others = locks_by_driver.get(device.account.driver, 0) - len(device.suggestions)
        device.has_other_locks = others > 0
    registered = _page(request, selectors.devices_in_use_for(owner), "in_use")
    doors = selectors.doors_of_devices(owner, list(registered.object_list))
    for device in registered:
        device.lock = doors.get((device.account.driver, device.device_id))
    context = {
        "accounts": accounts,
        "new_devices": new,
        "ignored": _page(
            request, selectors.discovered_devices_for(owner, Status.IGNORED), "ignored"
        ),
        "registered": registered,
        "device_form": SimulatedDeviceForm(),
        "seam_form": SeamAccountForm(),
        "zwave_form": ZWaveAccountForm(),
        "now": timezone.now(),
    }
    return render(request, "locks/devices.html", context)


@manager_post
def account_discover(request, account_id):
    try:
        account = selectors.driver_account_get(request.membership.owner, account_id)
    except NotFound:
        raise Http404("No such account.") from None
    now = timezone.now()
    seen = devices.account_discover(account=account, now=now)
    if account.has_error(ACCOUNT_DISCONNECTED):
        messages.error(
            request,
            f"“{account.name}” could not be reached, so nothing changed. Check its connection "
            "and try again.",
        )
        return _to_devices()
    found = sum(d.status == Status.NEW and d.first_seen_at == now for d in seen)
    if found:
        messages.success(
            request,
            f"Found {found} new device{'s' if found > 1 else ''} in “{account.name}”. "
            "Say below what each one is.",
        )
    else:
        messages.success(request, f"“{account.name}” has no new devices.")
    return _to_devices("new-devices")


def _account_connect(request, form_class, connect, anchor: str, found_noun: str):
    """Connect an account from its form on the Devices page; its new devices wait in the
    inbox. A refusal (a bad address, a key that does not work) is the page's error notice."""
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return _to_devices(anchor)
    try:
        account = connect(owner=request.membership.owner, now=timezone.now(), **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _to_devices(anchor)
    found = account.devices.filter(status=Status.NEW).count()
    messages.success(
        request,
        f"“{account.name}” is connected; {found} new {found_noun}{'' if found == 1 else 's'} "
        "found. Say below what each one is.",
    )
    return _to_devices("new-devices")


@manager_post
def zwave_account_connect(request):
    return _account_connect(
        request, ZWaveAccountForm, devices.zwave_account_connect, "zwave", "lock"
    )


@manager_post
def seam_account_connect(request):
    return _account_connect(
        request, SeamAccountForm, devices.seam_account_connect, "seam", "device"
    )


@manager_post
def simulated_device_add(request):
    owner = request.membership.owner
    form = SimulatedDeviceForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return _to_devices("simulated")
    data = form.cleaned_data
    try:
        simulator.simulated_device_create(
            owner=owner, name=data["name"], model=data["model"], has_keypad=data["has_keypad"]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _to_devices("simulated")
    messages.success(
        request,
        f"“{data['name']}” is in the simulated hub. Press “Check for new devices” to find it, "
        "or wait for the next automatic check.",
    )
    return _to_devices()


@manager_view
def device_register(request, device_pk):
    """The inbox's "It is a new lock": name the door and place it."""
    owner = request.membership.owner
    device = _device(request, device_pk)
    form = LockPlaceForm(request.POST or None, owner=owner, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lock = devices.device_register(owner=owner, device=device, now=timezone.now(), **data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                f"“{lock.name}” is a door of {lock.property} now. Add its first code below.",
            )
            return redirect("lock_detail", lock.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "device": device}
    return render(request, "locks/device_register.html", context, status=status)


@manager_view
def device_replace(request, device_pk):
    """The inbox's "It replaces a lock": choose the lock, read what will happen, confirm."""
    owner = request.membership.owner
    device = _device(request, device_pk)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ReplaceForm(data, owner=owner, driver=device.account.driver)
    if not form.is_valid():
        context = {
            "form": form,
            "device": device,
            "suggestions": _suggestions(device, devices.replacement_suggestions(device)),
        }
        return render(
            request, "locks/device_replace.html", context, status=400 if form.errors else 200
        )
    lock = form.cleaned_data["lock"]
    if request.method == "POST":
        try:
            devices.lock_replace_device(owner=owner, lock=lock, device=device, now=timezone.now())
        except ServiceError as exc:
            messages.error(request, exc.message)
            return _to_devices("new-devices")
        messages.success(
            request,
            f"“{lock.name}” now uses the new device. Its codes are being programmed on it: each "
            "shows “On the lock” once the lock confirms it.",
        )
        return redirect("lock_detail", lock.pk)
    live = Q(access_codes__removed_at__isnull=True, access_codes__deleted_at__isnull=True)
    counts = Lock.objects.filter(pk=lock.pk).aggregate(
        codes=Count("access_codes", filter=live & Q(access_codes__is_managed=True)),
        guests=Count("access_codes", filter=live & Q(access_codes__kind=AccessCode.Kind.GUEST)),
        backups=Count("access_codes", filter=live & Q(access_codes__kind=AccessCode.Kind.BACKUP)),
        unmanaged=Count("access_codes", filter=live & Q(access_codes__is_managed=False)),
    )
    context = {
        "form": form,
        "device": device,
        "lock": lock,
        "counts": counts,
        "still_answers": lock.online and not lock.has_error(DEVICE_REMOVED),
    }
    return render(request, "locks/device_replace.html", context)


def _inbox_answer(view):
    """Ignore and undo: find the device, report a refusal, go back to the inbox."""

    @manager_post
    def wrapper(request, device_pk):
        device = _device(request, device_pk)
        try:
            view(request, device, timezone.now())
        except ServiceError as exc:
            messages.error(request, exc.message)
        return _to_devices("new-devices")

    return wrapper


@_inbox_answer
def device_ignore(request, device, now):
    devices.device_ignore(owner=request.membership.owner, device=device, now=now)
    messages.success(
        request, f"“{device.name}” is ignored. Find it under “Ignored devices” to undo that."
    )


@_inbox_answer
def device_unignore(request, device, now):
    devices.device_unignore(owner=request.membership.owner, device=device, now=now)
    messages.success(request, f"“{device.name}” is back among the new devices.")


# --- alerts (everyone in the company) -----------------------------------------------------------


@member_view
def alerts_page(request):
    now = timezone.now()
    # Most urgent first, a page at a time: a big estate's long tail of amber alerts waits.
    # The alerts are ordered from light rows; only the page's are written (`OpenAlerts`).
    page = Paginator(alerts.OpenAlerts(request.membership.owner, now), ALERTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"alerts": page.object_list, "page": page, "now": now}
    if request.htmx and request.htmx.target == "alerts":
        return render(request, "locks/alerts.html#alerts", context)
    return render(request, "locks/alerts.html", context)


@member_view
@require_POST
def alert_handled(request, entry_alert_pk):
    """A lockout or a late entry someone dealt with: it leaves the Alerts page, with who did."""
    owner = request.membership.owner
    entry = get_object_or_404(EntryAlert, pk=entry_alert_pk, owner=owner)
    by = request.user.get_full_name() or request.user.get_username()
    entry_alert_clear(alert=entry, by=by, now=timezone.now())
    messages.success(
        request, f"Marked handled: {entry.get_kind_display().lower()} at {entry.lock}."
    )
    return redirect("alerts")
