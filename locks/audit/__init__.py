"""The audit log: who changed what, when, from where, before -> after (never a secret).

`actor` (who is acting, per request), `capture` (the registry of models and what a save of
one records), `words` (an entry in plain words), `selectors` (the Audit log page's search).
"""

from locks.audit.actor import (
    Actor,
    acting,
    actor_current,
    actor_reset,
    actor_set,
    api_key_actor,
    person_actor,
)
from locks.audit.capture import KINDS, REGISTRY, SECRET, audit_record, audit_register

__all__ = [
    "Actor",
    "acting",
    "actor_current",
    "actor_reset",
    "actor_set",
    "api_key_actor",
    "person_actor",
    "KINDS",
    "REGISTRY",
    "SECRET",
    "audit_record",
    "audit_register",
]
