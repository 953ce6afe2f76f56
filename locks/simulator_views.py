"""A manager's controls of a simulated lock: go offline, lose a code, refuse writes, reset, turn
the bolt by hand."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.utils import timezone

from locks import selectors, simulator
from locks.errors import ServiceError
from locks.forms import LoseCodeForm, UnmanagedCodeForm
from locks.tenancy.decorators import manager_post
from locks.views import _lock, _to_lock

REFUSE_WRITES_FOR = timedelta(minutes=10)


def simulated_control(view):
    """A manager's control of a simulated lock: finds the lock, reports refusals, goes back."""

    @manager_post
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


@simulated_control
def simulate_turn_by_hand(request, lock, now):
    locked = request.POST.get("locked") == "1"
    simulator.simulated_turn_by_hand(lock=lock, locked=locked, now=now)
    if locked:
        messages.success(
            request, "Someone locked the door by hand: it shows under Recent activity."
        )
    else:
        messages.success(
            request,
            "Someone opened the door by hand (from inside, or with a key): it shows in the "
            "entries.",
        )
