"""The reconciler: for one lock, make what is on the lock agree with what should be.

Desired state: the lock's AccessCode rows. Observed state: what its driver lists. Scheduling
ahead, expiry, retries, drift after someone fiddles with the lock and a factory reset are all
"desired and observed differ", handled by one pass, in two steps:

- `plan`: decides, purely (no driver, no database), what the pass should do, in the words of
  `changes` (what changes on a code, and why) and `clock` (back-offs, due times);
- `apply`: does it (driver calls, read-back, saving, events, the escalation clock).

A status changes only on what the lock reports, never on what was sent.
"""

from locks.issue_codes import PIN_ERRORS
from locks.reconcile.apply import (
    CODE_FIELDS,
    LOCK_FIELDS,
    Pass,
    code_change,
    lock_reconcile,
    pass_load,
)
from locks.reconcile.changes import Change
from locks.reconcile.clock import (
    LOCK_BACKOFF_MAX,
    RETRY_BASE,
    RETRY_MAX,
    RETRY_SOON,
    LockFacts,
    backoff,
)
from locks.reconcile.plan import (
    KIND_PRIORITY,
    MAX_WRITES_PER_PASS,
    Action,
    Hold,
    Plan,
    Write,
    plan_pass,
)

__all__ = [
    "CODE_FIELDS",
    "KIND_PRIORITY",
    "LOCK_BACKOFF_MAX",
    "LOCK_FIELDS",
    "MAX_WRITES_PER_PASS",
    "PIN_ERRORS",
    "RETRY_BASE",
    "RETRY_MAX",
    "RETRY_SOON",
    "Action",
    "Change",
    "Hold",
    "LockFacts",
    "Pass",
    "Plan",
    "Write",
    "backoff",
    "code_change",
    "lock_reconcile",
    "pass_load",
    "plan_pass",
]
