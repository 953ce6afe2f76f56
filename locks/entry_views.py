"""Who came in at a door, and *Unlock now*, the last resort when someone cannot get in.

The front desk and managers unlock a door over the air, giving a reason (offered or typed):
`locks.remote.lock_turn` records who, when and why, and refuses a lock that is offline or
cannot do it. A manager exports a door's entries as CSV. The stay's page does both for its own
doors (`reservations.entry_views`) through the same helpers. Without JavaScript each is a plain
form post; with htmx the unlock box answers in place and the page's door parts refresh.
"""

import csv
from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_htmx.http import trigger_client_event

from locks import remote
from locks.entry_words import entry_code_kind, entry_kind, entry_method
from locks.errors import ServiceError
from locks.forms import UnlockForm
from locks.models import Event, Lock
from locks.tenancy.decorators import manager_view, member_view
from locks.views import _lock
from locks.words import local_clock
from reservations.selectors import door_entries, stays_at_door

# The client event an unlock done with htmx sends: the page's parts that show the door's bolt
# and entries refresh on it.
DOOR_TURNED = "door-turned"


def person(request) -> str:
    """The signed-in person's name, as records give it."""
    return request.user.get_full_name() or request.user.get_username()


def unlock_answer(request, *, lock: Lock, form: UnlockForm, box: dict, back: str):
    """Carry out an *Unlock now* post for `lock` (the stay it is for: `form.cleaned_data`'s
    `stay`, or `box["guest"]`), and answer: with htmx, the unlock box again (the outcome in it,
    or the form's errors) and the `door-turned` event; without, back to `back` with a message,
    or the confirmation page again when the form is wrong."""
    now = timezone.now()
    box = {"now": now, **box, "lock": lock, "unlock_url": request.path}
    if not form.is_valid():
        if request.htmx:
            return render(request, "locks/unlock.html#unlock-box", {**box, "unlock_form": form})
        return render(request, "locks/unlock.html", {**box, "unlock_form": form}, status=400)
    stay = box.get("guest") or form.cleaned_data["stay"]
    done = failed = ""
    try:
        attempt, event = remote.lock_turn(
            lock=lock,
            unlock=True,
            now=now,
            by=person(request),
            reason=form.cleaned_data["why"],
            reservation=stay,
        )
    except ServiceError as exc:
        failed = exc.message
    else:
        if event is None:
            failed = (
                f"{lock.name} did not unlock: {attempt.error.get('message', 'the lock refused')}"
                " Try again, or send someone to the door."
            )
        else:
            done = (
                f"{lock.name} is unlocked{f' for {stay.guest_name}' if stay else ''}, at "
                f"{local_clock(now, lock.property.tz)}. It is recorded with your name and why."
            )
    if request.htmx:
        response = render(
            request, "locks/unlock.html#unlock-box", {**box, "done": done, "failed": failed}
        )
        return trigger_client_event(response, DOOR_TURNED) if done else response
    if done:
        messages.success(request, done)
    else:
        messages.error(request, failed)
    return redirect(back)


@member_view
def lock_unlock(request, lock_id):
    """*Unlock now* on the lock page: for the guest in house or arriving there, if any (one of
    them, or nobody in particular, at a shared door)."""
    lock = _lock(request, lock_id)
    now = timezone.now()
    guests = stays_at_door(lock, now)
    form = UnlockForm(request.POST if request.method == "POST" else None, guests=guests)
    box = {"guests": guests, "now": now}
    if request.method != "POST":
        context = {**box, "lock": lock, "unlock_url": request.path, "unlock_form": form}
        return render(request, "locks/unlock.html", context)
    return unlock_answer(request, lock=lock, form=form, box=box, back=lock_url(lock))


def lock_url(lock: Lock) -> str:
    return reverse("lock_detail", args=[lock.pk])


# --- the entries' export (managers) -------------------------------------------------------------


class _Echo:
    """A file that hands back what is written to it, for streaming a CSV row by row."""

    def write(self, value: str) -> str:
        return value


# Cells a spreadsheet would read as a formula (a guest named "=HYPERLINK(…)").
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA) else value


def entries_csv(events: Iterable[Event], *, filename: str, tz_of, with_kind: bool):
    """A CSV of entries, streamed (a door's years of them never sit in memory): the local time
    (ISO), door, guest, the code's name (never its PIN), own PIN or backup, method, by, reason;
    with `with_kind`, whether each line is an entry or a wrong PIN. `tz_of(event)`: the time
    zone to write its time in."""
    header = ["time", "door", "guest", "code", "own PIN or backup", "method", "by", "reason"]
    if with_kind:
        header.insert(1, "type")

    def rows() -> Iterator[list[str]]:
        yield header
        for event in events:
            code = event.access_code
            row = [
                event.occurred_at.astimezone(tz_of(event)).isoformat(timespec="seconds"),
                event.lock.name if event.lock_id else "",
                event.reservation.guest_name if event.reservation_id else "",
                code.name if code else "",
                entry_code_kind(event),
                entry_method(event),
                event.data.get("by", ""),
                event.data.get("reason", ""),
            ]
            if with_kind:
                row.insert(1, entry_kind(event))
            yield [_cell(value) for value in row]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_name(what: str) -> str:
    return f"entries-{slugify(what) or 'door'}-{timezone.now():%Y-%m-%d}.csv"


@manager_view
def lock_entries_csv(request, lock_id):
    """Every entry at the door and every wrong PIN typed there, oldest first."""
    lock = _lock(request, lock_id)
    tz = lock.property.tz
    return entries_csv(
        door_entries(lock, denied=True).reverse().iterator(chunk_size=500),
        filename=csv_name(lock.name),
        tz_of=lambda event: tz,
        with_kind=True,
    )
