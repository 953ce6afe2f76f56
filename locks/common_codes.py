"""One PIN on several doors: Seam's linked access codes (`create_multiple`, `update_multiple`).

The codes of one call share a `common_code_key` (`auto_set_by_create_multiple_<uuid>`), which
`update_multiple` moves together. As on Seam, codes made with a PIN the caller gave are not
linked (their key is empty). A door that cannot take the shared PIN (its code lengths or
constraints, or the PIN is taken there) fails the whole call (`throw`, Seam's default) or gets a
random PIN of its own (`create_random_code`), still linked to the others by the key.
"""

import uuid
from datetime import datetime

from django.db import transaction

from locks import pins
from locks.access_codes import (
    access_code_check_pin,
    access_code_create,
    access_code_update,
    taken_pins,
)
from locks.errors import ServiceError
from locks.models import AccessCode, ActionAttempt, Lock

THROW = "throw"
CREATE_RANDOM_CODE = "create_random_code"
LINK_PREFIX = "auto_set_by_create_multiple_"
# What update_multiple may change: Seam's three.
LINKED_FIELDS = ("name", "starts_at", "ends_at")


def _lengths(lock: Lock) -> set[int]:
    return set(lock.supported_code_lengths or pins.DEFAULT_CODE_LENGTHS)


def _shared_pin(locks: list[Lock], now: datetime, preferred_length: int | None) -> str | None:
    """A random PIN every one of `locks` accepts and has free, or None when there is none."""
    lengths = set.intersection(*(_lengths(lock) for lock in locks))
    if not lengths:
        return None
    try:
        return pins.generate_pin(
            lengths=sorted(lengths),
            constraints=sorted({c for lock in locks for c in lock.code_constraints}),
            taken=set().union(*(taken_pins(lock, now) for lock in locks)),
            preferred_length=preferred_length,
        )
    except ValueError:
        return None


def _largest_sharing_group(locks: list[Lock], preferred_length: int | None) -> list[Lock]:
    """The most doors that have a code length in common (the preferred length, then 4, then the
    shortest, on a tie)."""
    lengths = sorted(set().union(*(_lengths(lock) for lock in locks)))
    order = sorted(lengths, key=lambda n: (n != preferred_length, n != 4, n))
    groups = [[lock for lock in locks if n in _lengths(lock)] for n in order]
    return max(groups, key=len)


def _no_shared_pin(locks: list[Lock]) -> ServiceError:
    lengths = "; ".join(
        f"“{lock.name}” takes " + ", ".join(str(n) for n in sorted(_lengths(lock))) + " digits"
        for lock in locks
    )
    return ServiceError(
        "No one PIN can go on all of these doors (" + lengths + "), or none is free on all of "
        "them. Create the codes one by one, or send "
        'behavior_when_code_cannot_be_shared: "create_random_code" to give those doors a PIN '
        "of their own.",
        field="device_ids",
    )


def _plan_pins(
    locks: list[Lock], *, code: str | None, behavior: str, preferred_length, now: datetime
) -> dict[int, str | None]:
    """Each lock's PIN: the shared one, or None for a random one of its own."""
    if code:
        if not (code.isascii() and code.isdigit()):
            raise ServiceError("A PIN is made of digits only (0 to 9).", field="code")
        weak = pins.weak_pin_reason(code)
        if weak:
            raise ServiceError(
                f"That PIN is too easy to guess: {weak}. Choose another.", field="code"
            )
        plan: dict[int, str | None] = {}
        for lock in locks:
            try:
                access_code_check_pin(lock=lock, code=code, now=now)
                plan[lock.pk] = code
            except ServiceError:
                if behavior == THROW:
                    raise
                plan[lock.pk] = None
        return plan
    pin = _shared_pin(locks, now, preferred_length)
    if pin is not None:
        return {lock.pk: pin for lock in locks}
    if behavior == THROW:
        raise _no_shared_pin(locks)
    group = _largest_sharing_group(locks, preferred_length)
    pin = _shared_pin(group, now, preferred_length) if len(group) > 1 else None
    sharing = {lock.pk for lock in group} if pin else set()
    return {lock.pk: pin if lock.pk in sharing else None for lock in locks}


def access_code_create_multiple(
    *,
    locks: list[Lock],
    now: datetime,
    behavior_when_code_cannot_be_shared: str = THROW,
    code: str | None = None,
    preferred_code_length: int | None = None,
    name: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    allow_external_modification: bool = False,
    prefer_native_scheduling: bool = True,
) -> list[tuple[AccessCode, ActionAttempt]]:
    """One code per lock (in the order given), all with one PIN where the locks allow it; all
    or nothing: a refusal on one door creates no code on any."""
    if behavior_when_code_cannot_be_shared not in (THROW, CREATE_RANDOM_CODE):
        raise ServiceError(
            "behavior_when_code_cannot_be_shared is “throw” or “create_random_code”.",
            field="behavior_when_code_cannot_be_shared",
        )
    if not locks:
        raise ServiceError("Give at least one device in device_ids.", field="device_ids")
    unique = list({lock.pk: lock for lock in locks}.values())
    key = "" if code else LINK_PREFIX + str(uuid.uuid4())
    with transaction.atomic():
        # One writer at a time per lock (in id order, so two such calls cannot deadlock), so
        # the PIN found free on every door stays free until its codes are saved.
        locked = {
            lock.pk: lock
            for lock in Lock.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(pk__in=[lock.pk for lock in unique])
            .order_by("pk")
        }
        doors = [locked[lock.pk] for lock in unique]
        plan = _plan_pins(
            doors,
            code=code,
            behavior=behavior_when_code_cannot_be_shared,
            preferred_length=preferred_code_length,
            now=now,
        )
        return [
            access_code_create(
                lock=door,
                now=now,
                name=name,
                code=plan[door.pk],
                starts_at=starts_at,
                ends_at=ends_at,
                preferred_code_length=preferred_code_length,
                allow_external_modification=allow_external_modification,
                common_code_key=key,
                prefer_native_scheduling=prefer_native_scheduling,
            )
            for door in doors
        ]


def access_codes_update_multiple(
    *, access_codes: list[AccessCode], now: datetime, **changes
) -> list[ActionAttempt]:
    """Change the name or window of every code of one `common_code_key`, all or none; each
    lock follows as after `access_code_update`."""
    unknown = set(changes) - set(LINKED_FIELDS)
    if unknown:
        raise ServiceError(f"Linked codes cannot change {', '.join(sorted(unknown))} together.")
    if any(code.reservation_id for code in access_codes):
        raise ServiceError(
            "These are a stay's guest codes: change the stay (reservations/update) and its "
            "codes follow.",
            field="common_code_key",
        )
    with transaction.atomic():
        return [access_code_update(access_code=c, now=now, **changes) for c in access_codes]
