"""Who is acting: set for the length of a request, by the middleware (a person on the dashboard
or in the admin) or by the API's authentication (an API key), and cleared after it.

Engine work (tasks, ticks, the reconciler) runs with no actor, and nothing is recorded then.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from locks.models import ApiKey, AuditEntry


@dataclass(frozen=True)
class Actor:
    label: str
    source: str
    user: object = None
    api_key: ApiKey | None = None
    address: str = ""


_actor: ContextVar[Actor | None] = ContextVar("innkeeper_audit_actor", default=None)


def person_actor(user, *, source: str = AuditEntry.Source.DASHBOARD, address=None) -> Actor:
    return Actor(
        label=user.get_full_name() or user.get_username(),
        source=source,
        user=user,
        address=address or "",
    )


def api_key_actor(api_key: ApiKey, *, address=None) -> Actor:
    return Actor(
        label=f"API key “{api_key.name}” ({api_key.hint}…)",
        source=AuditEntry.Source.API,
        api_key=api_key,
        address=address or "",
    )


def actor_current() -> Actor | None:
    return _actor.get()


def actor_set(actor: Actor | None) -> Token:
    return _actor.set(actor)


def actor_reset(token: Token) -> None:
    _actor.reset(token)


@contextmanager
def acting(actor: Actor | None) -> Iterator[None]:
    """Run a block as `actor`; `acting(None)`: as the engine (a feed read a person asked for)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)
