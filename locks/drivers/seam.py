"""The Seam driver: locks connected to Seam's cloud (August, Schlage, Yale, ...), via its SDK.

One driver instance serves one reconcile pass (or one discovery) of one Seam workspace. It is
stateless towards the database.

Seam keeps the schedule of every lock that takes access codes: a time-bound code is programmed
by Seam itself (days ahead, with its window, on the providers that hold schedules; shortly
before it starts elsewhere) and removed by Seam at `ends_at`, even if Innkeeper is down then.
So codes go to Seam time-bound, with their window, and a new window is an update in place.

Calls use a short timeout and no SDK retries: a reconcile pass must not stall a worker on one
slow cloud. A failed call becomes a retryable `provider_issue`, and the engine's own back-off
(per lock and per code) retries it later, without blocking other locks. A refusal that sending
again cannot cure (a bad key, a PIN the lock rejects, a removed device) is `permanent`.
"""

from datetime import datetime

import httpx
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from seam import Seam
from seam.exceptions import (
    SeamActionAttemptError,
    SeamActionAttemptTimeoutError,
    SeamError,
    SeamHttpApiError,
    SeamHttpInvalidInputError,
)

from locks import outbound
from locks.drivers.base import (
    CALL_TIMEOUT_SECONDS,
    CodeOnLock,
    CodeSpec,
    DeviceInfo,
    DriverError,
    EventBatch,
)
from locks.drivers.seam_events import events_read
from locks.drivers.seam_issues import code_issues
from locks.issue_codes import (
    ACCESS_CODE_NOT_FOUND,
    ACCOUNT_DISCONNECTED,
    CODE_CONSTRAINTS_VIOLATED,
    DEVICE_DISCONNECTED,
    DEVICE_NOT_FOUND,
    DEVICE_OFFLINE,
    DEVICE_REMOVED,
    DUPLICATE_ACCESS_CODE,
    DUPLICATE_CODE_ON_DEVICE,
    HUB_DISCONNECTED,
    INVALID_CODE,
    INVALID_CODE_LENGTH,
    PROVIDER_ISSUE,
)

TIMEOUT_SECONDS = CALL_TIMEOUT_SECONDS  # httpx's: connecting, and each read or write
# Seam's own API, where the SDK goes without an `endpoint`.
SEAM_API = "https://connect.getseam.com"
# How long an unlock or lock waits for the lock to confirm it (Seam's action attempt), polling.
ACTION_WAIT = {"timeout": CALL_TIMEOUT_SECONDS, "polling_interval": 0.5}
# Page size for code lists; every page is read (Seam also lists codes it holds for later).
CODES_LIMIT = 500
# A bound on the pages of one list, in case a server keeps answering with new cursors.
MAX_PAGES = 100

# Seam's constraint types that our PIN rules (locks.pins) know by the same name; others are
# vendor-specific and are left to Seam to enforce (its refusal still maps to an error here).
KNOWN_CONSTRAINTS = {
    "no_zeros",
    "cannot_start_with_12",
    "no_triple_consecutive_ints",
    "no_ascending_or_descending_sequence",
    "at_least_three_unique_digits",
    "no_all_same_digits",
    "cannot_contain_089",
    "cannot_contain_0789",
}
DUPLICATE_TYPES = {DUPLICATE_ACCESS_CODE, DUPLICATE_CODE_ON_DEVICE}
CONSTRAINT_TYPES = {CODE_CONSTRAINTS_VIOLATED, INVALID_CODE, INVALID_CODE_LENGTH}
DEVICE_GONE_TYPES = {DEVICE_NOT_FOUND, DEVICE_REMOVED}
# On a device's `errors`, and as the type of a refused request: the lock cannot be reached now.
OFFLINE_ERRORS = {DEVICE_DISCONNECTED, DEVICE_OFFLINE, HUB_DISCONNECTED}


def _get(obj, key: str, default=None):
    """A field of an SDK resource or of a plain dict (recorded responses), absent or None alike."""
    if obj is None:
        return default
    value = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
    return default if value is None else value


def _error_codes(obj) -> set[str]:
    return {_get(e, "error_code", "") for e in _get(obj, "errors", [])}


def device_info(device) -> DeviceInfo:
    """Map a Seam device (SDK resource or recorded dict) to what we keep about a lock."""
    props = _get(device, "properties", {})
    battery = _get(props, "battery_level")
    if battery is None:
        battery = _get(_get(props, "battery"), "level")
    constraints = [_get(c, "constraint_type", "") for c in _get(props, "code_constraints", [])]
    errors = _error_codes(device)
    return DeviceInfo(
        device_id=_get(device, "device_id"),
        # The name the owner gave the door in the vendor's app reads best in the inbox; Seam's
        # display name is often a generic model label.
        name=_get(_get(props, "appearance"), "name")
        or _get(device, "display_name")
        or _get(props, "name")
        or _get(device, "device_id"),
        model_name=_get(_get(props, "model"), "display_name") or _get(device, "device_type", ""),
        online=bool(_get(props, "online", False)) and not errors & OFFLINE_ERRORS,
        battery_level=float(battery) if battery is not None else None,
        supported_code_lengths=sorted(int(n) for n in _get(props, "supported_code_lengths", [])),
        code_constraints=[c for c in constraints if c in KNOWN_CONSTRAINTS],
        max_active_codes=_get(props, "max_active_codes_supported"),
        supports_native_scheduling=native_scheduling(device),
        capabilities=tuple(_get(device, "capabilities_supported", [])),
        locked=_get(props, "locked"),
        can_remotely_unlock=bool(_get(device, "can_remotely_unlock", False)),
        can_remotely_lock=bool(_get(device, "can_remotely_lock", False)),
    )


def native_scheduling(device) -> bool:
    """Whether a code's schedule is kept for this lock, so it goes on days ahead with its window.

    Seam keeps it for every lock that takes access codes: it pre-loads the code with its window
    where the provider can, programs it shortly before it starts elsewhere, and removes it at
    its end. A lock that takes no codes gets none.
    """
    return "access_code" in _get(device, "capabilities_supported", [])


def code_on_lock(code) -> CodeOnLock:
    """Map a Seam access code (managed or unmanaged) to a code on the lock.

    `set` is confirmed, and so is `removing` (its PIN still opens, it holds a slot). `unset` is
    confirmed when Seam has pre-loaded it with its schedule (`is_scheduled_on_device`);
    otherwise Seam holds it and programs the lock itself before it starts. `setting` (and
    `unknown`, while the lock's account is unreachable) are known to Seam but not proven on the
    lock, so they are neither re-sent nor counted as set. The errors and warnings Seam puts on
    the code come along, in our words.
    """
    status = _get(code, "status")
    scheduled = status == "unset" and bool(_get(code, "is_scheduled_on_device", False))
    errors, warnings = code_issues(_get(code, "errors", []), _get(code, "warnings", []))
    return CodeOnLock(
        ref=_get(code, "access_code_id"),
        code=_get(code, "code", ""),
        name=_get(code, "name", ""),
        starts_at=_datetime(_get(code, "starts_at")),
        ends_at=_datetime(_get(code, "ends_at")),
        confirmed=status in ("set", "removing") or scheduled,
        scheduled_on_device=scheduled,
        held_by_cloud=status == "unset" and not scheduled,
        errors=errors,
        warnings=warnings,
    )


def _datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_datetime(value)


def _window(spec: CodeSpec) -> dict:
    if spec.starts_at is None or spec.ends_at is None:
        return {}
    return {"starts_at": spec.starts_at.isoformat(), "ends_at": spec.ends_at.isoformat()}


def driver_error(exc: Exception) -> DriverError:
    """Map what the SDK raised to our error. Seam's own messages are never passed on: they can
    quote the PIN.

    `permanent` is the engine's cue: a transient error is retried on its back-off; a permanent
    one is not sent again until something changes (a new PIN, a reconnected account, a
    replaced device, another desired state)."""
    if isinstance(exc, httpx.TimeoutException):
        return DriverError("Seam did not answer in time; will retry.", error_code=PROVIDER_ISSUE)
    if isinstance(exc, httpx.TransportError):
        return DriverError("Could not reach Seam; will retry.", error_code=PROVIDER_ISSUE)
    if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code >= 500:
        # A failure without Seam's error body (a gateway's page, or an empty one).
        return DriverError(
            f"Seam's service failed (HTTP {exc.response.status_code}); will retry.",
            error_code=PROVIDER_ISSUE,
        )
    if not isinstance(exc, SeamHttpApiError):
        return DriverError("Seam sent an unexpected answer; will retry.", error_code=PROVIDER_ISSUE)
    status, kind = exc.status_code, exc.code or ""
    if status == 401:
        return DriverError(
            "Seam refused the API key: reconnect the Seam workspace on the Devices page.",
            permanent=True,
            error_code=ACCOUNT_DISCONNECTED,
        )
    if status == 408:
        return DriverError("Seam did not answer in time; will retry.", error_code=PROVIDER_ISSUE)
    if status == 429:
        return DriverError("Seam is limiting requests; will retry.", error_code=PROVIDER_ISSUE)
    if status >= 500:
        return DriverError(
            f"Seam's service failed (HTTP {status}); will retry.", error_code=PROVIDER_ISSUE
        )
    if kind in OFFLINE_ERRORS:
        # The lock (or its hub) is offline: it will take the request once it is back.
        return DriverError(
            "The lock is offline: Seam cannot reach it.", error_code=DEVICE_DISCONNECTED
        )
    if kind in DEVICE_GONE_TYPES:
        return DriverError(
            "Seam no longer knows this lock (removed from the workspace or factory reset).",
            permanent=True,
            error_code=DEVICE_REMOVED,
        )
    if kind in DUPLICATE_TYPES:
        return DriverError(
            "The same PIN is already on the lock.",
            permanent=True,
            error_code=DUPLICATE_CODE_ON_DEVICE,
        )
    if kind in CONSTRAINT_TYPES or (
        isinstance(exc, SeamHttpInvalidInputError) and exc.get_validation_error_messages("code")
    ):
        return DriverError(
            "The lock's rules (via Seam) do not allow this PIN.",
            permanent=True,
            error_code=CODE_CONSTRAINTS_VIOLATED,
        )
    return DriverError(
        f"Seam refused the request (HTTP {status}, {kind or 'no reason given'}).", permanent=True
    )


class SeamDriver:
    key = "seam"
    # Seam takes a time-bound code off the lock at its end by itself.
    removes_codes_at_end = True

    def __init__(
        self,
        *,
        api_key: str = "",
        endpoint: str | None = None,
        now: datetime | None = None,
        **_options,
    ):
        self.api_key = api_key
        self.endpoint = endpoint or None
        self.now = now
        self._client: Seam | None = None

    def _seam(self) -> Seam:
        # Built on first use, so a bad key surfaces as a DriverError where the engine expects one.
        if self._client is None:
            if not self.api_key:
                raise DriverError(
                    "No Seam API key is saved for this account.",
                    permanent=True,
                    error_code=ACCOUNT_DISCONNECTED,
                )
            try:
                self._client = Seam(
                    api_key=self.api_key,
                    endpoint=self.endpoint,
                    wait_for_action_attempt=False,
                    timeout=TIMEOUT_SECONDS,
                    # Never into this server's own network (`locks.outbound`), and no retries
                    # (a custom transport has none): the reconciler retries on its own clock.
                    httpx_options={"transport": outbound.transport(self.endpoint or SEAM_API)},
                )
            except SeamError:
                raise DriverError(
                    "The saved Seam API key is not a valid Seam key.",
                    permanent=True,
                    error_code=ACCOUNT_DISCONNECTED,
                ) from None
        return self._client

    def _call(self, fn, *, gone_ok: bool = False):
        seam = self._seam()
        try:
            return fn(seam)
        except outbound.OutboundRefused as exc:
            raise DriverError(
                f"Innkeeper does not call that Seam address: {exc.message}.",
                permanent=True,
                error_code=ACCOUNT_DISCONNECTED,
            ) from None
        except (SeamError, httpx.HTTPError) as exc:
            if gone_ok and getattr(exc, "code", None) == ACCESS_CODE_NOT_FOUND:
                return None
            raise driver_error(exc) from exc

    def discover(self, account: str) -> list[DeviceInfo]:
        return [device_info(d) for d in self._call(lambda s: s.devices.list())]

    def read_device(self, device_id: str) -> DeviceInfo:
        info = device_info(self._call(lambda s: s.devices.get(device_id=device_id)))
        if not info.online:
            raise DriverError(
                "The lock is offline: Seam cannot reach it.", error_code=DEVICE_DISCONNECTED
            )
        return info

    def list_codes(self, device_id: str) -> list[CodeOnLock]:
        managed = self._every_page(
            lambda s, **page: s.access_codes.list(device_id=device_id, **page)
        )
        unmanaged = self._every_page(
            lambda s, **page: s.access_codes.unmanaged.list(device_id=device_id, **page)
        )
        # Filtered here too: a list must never hand us another lock's codes.
        return [code_on_lock(c) for c in [*managed, *unmanaged] if c.device_id == device_id]

    def _every_page(self, list_page) -> list:
        """Every page of a list, following Seam's `next_page_cursor` (an answer without
        `pagination` is one page, as Seam's fake sends)."""
        items: list = []
        cursors: set[str] = set()
        page_args: dict = {"limit": CODES_LIMIT}
        for _ in range(MAX_PAGES):
            page = self._call(lambda s, args=page_args: list_page(s, **args))
            items.extend(page)
            pagination = getattr(page, "pagination", None) or {}
            cursor = pagination.get("next_page_cursor") if pagination.get("has_next_page") else None
            if not cursor or cursor in cursors:
                break
            cursors.add(cursor)
            page_args = {"limit": CODES_LIMIT, "page_cursor": cursor}
        return items

    def set_code(self, device_id: str, spec: CodeSpec) -> str:
        created = self._call(
            lambda s: s.access_codes.create(
                device_id=device_id,
                code=spec.code,
                name=spec.name,
                prefer_native_scheduling=spec.prefer_native_scheduling,
                **_window(spec),
            )
        )
        return created.access_code_id

    def update_code(self, device_id: str, ref: str, spec: CodeSpec) -> str:
        """A new window (or name) for a code Seam holds: same id, same PIN, no gap on the lock."""
        window = _window(spec) or {"type": "ongoing"}
        # A POST with a JSON body: Seam takes it, and so does its fake (which refuses PATCH).
        self._call(
            lambda s: s.client.post(
                "/access_codes/update",
                json={"access_code_id": ref, "device_id": device_id, "name": spec.name, **window},
            )
        )
        return ref

    def remove_code(self, device_id: str, ref: str) -> None:
        # A POST with a JSON body: Seam takes it everywhere, while the SDK's DELETE with query
        # parameters is not understood by every Seam-compatible server (Seam's fake included).
        self._call(
            lambda s: s.client.post("/access_codes/delete", json={"access_code_id": ref}),
            gone_ok=True,
        )

    def read_events(self, account: str, cursor: str | None) -> EventBatch:
        """What the workspace's locks reported at their doors since `cursor`, a page at a time
        (`seam_events`). The API key is the workspace: `account` names nothing more."""
        return events_read(
            lambda **params: self._call(lambda s: s.events.list(**params)),
            cursor,
            now=self.now or timezone.now(),
        )

    def unlock(self, device_id: str) -> None:
        self._turn(device_id, unlock=True)

    def lock(self, device_id: str) -> None:
        self._turn(device_id, unlock=False)

    def _turn(self, device_id: str, *, unlock: bool) -> None:
        """Seam's `locks/unlock_door` (or `lock_door`), waiting for the lock to confirm it."""
        verb = "unlock" if unlock else "lock"

        def turn(s: Seam):
            send = s.locks.unlock_door if unlock else s.locks.lock_door
            try:
                return send(device_id=device_id, wait_for_action_attempt=ACTION_WAIT)
            except SeamActionAttemptError as exc:
                raise attempt_error(exc, verb) from exc

        self._call(turn)


def attempt_error(exc: SeamActionAttemptError, verb: str) -> DriverError:
    """An unlock or lock Seam took but the lock did not carry out (or did not confirm in time).
    Seam's message is not passed on."""
    if isinstance(exc, SeamActionAttemptTimeoutError):
        return DriverError(
            f"The lock did not confirm the {verb} in time (via Seam). It may still {verb}: "
            "check the door before trying again.",
            error_code=PROVIDER_ISSUE,
        )
    return DriverError(
        f"The lock did not {verb}: Seam reports the attempt failed.", error_code=PROVIDER_ISSUE
    )
