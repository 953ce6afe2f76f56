"""The reconciler's plan, alone: desired codes and what the lock lists in, actions out.

No database here: the codes are unsaved instances, the lock is `LockFacts`, and nothing is
written; the tests read the plan.
"""

from datetime import UTC, datetime, timedelta

from locks.drivers import CodeOnLock, DriverError
from locks.issue_codes import (
    CODE_CONSTRAINTS_VIOLATED,
    CONFLICTING_EXTERNAL_MODIFICATION,
    DEVICE_REMOVED,
    FAILED_TO_REMOVE_FROM_DEVICE,
    FAILED_TO_SET_ON_DEVICE,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PROVIDER_ISSUE,
)
from locks.models import AccessCode
from locks.reconcile import MAX_WRITES_PER_PASS, Action, Hold, LockFacts, plan_pass
from locks.reconcile.changes import change_fields, write_failed
from locks.reconcile.clock import next_check_at
from locks.reconcile.plan import Outcome, admit, hold_reason

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
Status = AccessCode.Status
FACTS = LockFacts(name="Room 101 door", desired_version=7)


def code(pin="4831", *, starts_in=None, lasts=timedelta(days=2), created=0, **fields):
    """An unsaved code: ongoing, or time-bound from `starts_in` after NOW for `lasts`."""
    if starts_in is not None:
        fields |= {
            "type": AccessCode.Type.TIME_BOUND,
            "starts_at": NOW + starts_in,
            "ends_at": NOW + starts_in + lasts,
        }
    return AccessCode(code=pin, created_at=NOW - timedelta(days=30) + created * MINUTE, **fields)


def on_lock(pin="4831", ref="1", **fields):
    return CodeOnLock(ref=ref, code=pin, **fields)


def plan(codes, observed=(), facts=FACTS, now=NOW):
    return plan_pass(
        codes=codes, observed=None if observed is None else list(observed), facts=facts, now=now
    )


def writes(p):
    return [(w.action, w.code, w.ref) for w in p.writes]


def refusal(error_code=FAILED_TO_SET_ON_DEVICE, version=7):
    return {
        "error_code": error_code,
        "message": "Seam refused the request (HTTP 400, invalid_input).",
        "created_at": NOW.isoformat(),
        "desired_version": version,
    }


# --- setting and removing ------------------------------------------------------------------------


def test_it_plans_a_code_due_inside_the_lead_time_for_set():
    soon = code(starts_in=20 * MINUTE)

    p = plan([soon])

    assert writes(p) == [(Action.SET, soon, "")]
    assert p.writes[0].spec().code == "4831"


def test_it_plans_nothing_for_a_code_whose_lead_time_has_not_begun():
    later = code(starts_in=timedelta(hours=2))

    p = plan([later])

    assert p.queue == []
    assert [(c.code, c.status) for c in p.changes] == [(later, Status.UNSET)]


def test_it_plans_a_code_past_its_end_for_removal():
    over = code(starts_in=-timedelta(days=3), status=Status.SET, device_ref="4")

    p = plan([over], [on_lock(ref="4")])

    assert writes(p) == [(Action.REMOVE, over, "4")]


def test_it_confirms_a_code_it_finds_on_the_lock_without_a_write():
    sent = code(status=Status.SETTING, device_ref="2", attempts=1, next_attempt_at=NOW + MINUTE)

    p = plan([sent], [on_lock(ref="2")])

    assert p.queue == []
    [change] = p.changes
    assert change.status == Status.SET
    assert [e.event_type for e in change.events] == ["access_code.set_on_device"]
    assert change.fields["next_attempt_at"] is None


def test_it_finds_a_code_by_its_pin_when_its_reference_was_lost():
    lost = code(status=Status.SETTING)

    p = plan([lost], [on_lock(ref="9")])

    assert p.queue == []
    assert [(c.why, c.fields) for c in p.changes][0] == ("found_by_pin", {"device_ref": "9"})
    assert p.changes[1].status == Status.SET


def test_it_puts_back_a_code_someone_removed_at_the_keypad():
    gone = code(status=Status.SET, device_ref="3")

    p = plan([gone], [])

    assert writes(p) == [(Action.RESET, gone, "")]
    [change] = p.changes
    assert change.errors[0].code == CONFLICTING_EXTERNAL_MODIFICATION
    assert [e.event_type for e in change.events] == ["access_code.deleted_external_to_seam"]


def test_it_honours_a_removal_at_the_keypad_where_edits_are_allowed():
    gone = code(status=Status.SET, device_ref="3", is_external_modification_allowed=True)

    p = plan([gone], [])

    assert p.queue == []
    assert p.changes[0].status == Status.REMOVED


def test_it_takes_off_a_replaced_pin_and_puts_on_the_new_one():
    changed = code("5927", status=Status.SETTING, stale_device_ref="1")

    p = plan([changed], [on_lock("4831", ref="1")])

    assert writes(p) == [(Action.REMOVE, changed, "1"), (Action.SET, changed, "")]


# --- codes nobody here manages -------------------------------------------------------------------


def test_it_reports_a_code_on_the_lock_that_nobody_manages():
    typed_in = on_lock("8642", ref="5", name="Owner's own")

    p = plan([], [typed_in])

    assert p.report_unmanaged == [typed_in]
    assert p.queue == []


def test_it_reports_an_unmanaged_code_only_once():
    known = code("8642", is_managed=False, status=Status.SET, device_ref="5")

    p = plan([known], [on_lock("8642", ref="5")])

    assert p.report_unmanaged == []
    assert p.forget_unmanaged == []


def test_it_forgets_an_unmanaged_code_gone_from_the_lock():
    known = code("8642", is_managed=False, status=Status.SET, device_ref="5")

    p = plan([known], [])

    [change] = p.forget_unmanaged
    assert (change.code, change.status) == (known, Status.REMOVED)


def test_it_sees_a_reset_that_wiped_every_code():
    first = code("4831", status=Status.SET, device_ref="1")
    second = code("5927", status=Status.SET, device_ref="2")

    p = plan([first, second], [])

    assert p.codes_wiped
    assert {w.code for w in p.writes} == {first, second}


# --- the slot limit, priorities and the cap ------------------------------------------------------


def test_it_plans_no_write_for_a_code_that_does_not_fit_and_says_no_space():
    facts = LockFacts(name="Storeroom", max_active_codes=2)
    waiting = code("4831")

    p = plan([waiting], [on_lock("1111", ref="1"), on_lock("2222", ref="2")], facts=facts)

    assert p.writes == []
    assert p.no_space == [waiting]
    assert p.admission.slots_short


def test_it_gives_the_last_slot_to_the_guest_code():
    facts = LockFacts(max_active_codes=3)
    backup = code("1357", kind="backup", created=1)
    guest = code("2468", kind="guest", created=2)

    p = plan([backup, guest], [on_lock("1111", ref="1"), on_lock("2222", ref="2")], facts=facts)

    assert writes(p) == [(Action.SET, guest, "")]
    assert p.no_space == [backup]


def test_it_removes_first_so_a_freed_slot_takes_a_waiting_code():
    facts = LockFacts(max_active_codes=1)
    over = code("1111", starts_in=-timedelta(days=3), status=Status.SET, device_ref="1")
    due = code("2222")

    p = plan([over, due], [on_lock("1111", ref="1")], facts=facts)

    assert writes(p) == [(Action.REMOVE, over, "1"), (Action.SET, due, "")]
    assert p.no_space == []


def test_it_plans_at_most_the_cap_of_writes_per_pass():
    due = [code(f"{4000 + n}", created=n) for n in range(MAX_WRITES_PER_PASS + 3)]

    p = plan(due)

    assert len(p.queue) == MAX_WRITES_PER_PASS + 3
    assert [w.code for w in p.writes] == due[:MAX_WRITES_PER_PASS]
    assert p.no_space == []


def test_a_failed_write_still_takes_its_place_under_the_cap():
    due = [code(f"{4000 + n}", created=n) for n in range(MAX_WRITES_PER_PASS + 1)]
    queue = plan(due).queue

    def pin_refused_first(write):
        return Outcome.FAILED if write.code is due[0] else Outcome.DONE

    done = admit(queue, free=20, hold=lambda w: None, perform=pin_refused_first)

    assert done.sent == MAX_WRITES_PER_PASS
    assert [w.code for w in done.writes] == due[1:MAX_WRITES_PER_PASS]


def test_once_the_lock_refuses_a_write_nothing_more_is_sent_this_pass():
    due = [code(f"{4000 + n}", created=n) for n in range(5)]
    queue = plan(due).queue

    def busy_from_the_second(write):
        return Outcome.DONE if write.code is due[0] else Outcome.LOCK_REFUSED

    done = admit(queue, free=20, hold=lambda w: None, perform=busy_from_the_second)

    assert done.sent == 2
    assert done.refused.code is due[1]
    assert [w.code for w in done.untried] == due[2:]


# --- what waits ----------------------------------------------------------------------------------


def test_it_holds_a_code_whose_pin_the_lock_refused():
    refused_pin = code()
    refused_pin.add_error(CODE_CONSTRAINTS_VIOLATED, "The lock rejected the PIN.", NOW)

    p = plan([refused_pin])

    assert p.writes == []
    assert [reason for _, reason in p.held] == [Hold.PIN_REFUSED]


def test_it_holds_a_code_backing_off_after_a_failed_try():
    failed = code(attempts=2, next_attempt_at=NOW + 2 * MINUTE)

    assert plan([failed]).held[0][1] == Hold.BACKING_OFF
    assert plan([failed], now=NOW + 2 * MINUTE).writes[0].code == failed


def test_it_does_not_retry_a_write_the_lock_refused_for_good():
    refused = code(errors=[refusal(version=7)])

    p = plan([refused])

    assert p.writes == []
    assert [reason for _, reason in p.held] == [Hold.REFUSED]


def test_it_retries_a_refused_write_once_the_desired_state_has_changed():
    refused = code(errors=[refusal(version=6)])

    p = plan([refused])

    assert writes(p) == [(Action.SET, refused, "")]


def test_it_does_not_retry_a_removal_the_lock_refused_for_good():
    stuck = code(
        starts_in=-timedelta(days=3),
        status=Status.SET,
        device_ref="1",
        errors=[refusal(FAILED_TO_REMOVE_FROM_DEVICE)],
    )

    p = plan([stuck], [on_lock(ref="1")])

    assert p.writes == []
    assert p.held[0][1] == Hold.REFUSED


def test_a_refused_code_does_not_bring_the_lock_forward():
    refused = code(errors=[refusal(version=7)], status=Status.UNSET)

    assert next_check_at([refused], FACTS, NOW, reachable=True) == NOW + FACTS.poll


# --- a lock that does not answer -----------------------------------------------------------------


def test_it_plans_no_write_for_a_lock_that_did_not_answer():
    due = code()
    never_sent = code("5927", starts_in=-timedelta(days=3), status=Status.UNSET)

    p = plan([due, never_sent], observed=None)

    assert not p.reachable
    assert p.queue == []
    assert [(c.code, c.status) for c in p.changes] == [(never_sent, Status.REMOVED)]


def test_a_lock_unreachable_for_good_is_retried_at_the_longest_back_off():
    after_one_failure = next_check_at([], FACTS, NOW, reachable=False, consecutive_failures=1)
    for_good = next_check_at(
        [], FACTS, NOW, reachable=False, consecutive_failures=1, unreachable_for_good=True
    )

    assert after_one_failure == NOW + MINUTE
    assert for_good == NOW + timedelta(minutes=15)


# --- what a failed write means -------------------------------------------------------------------


def test_a_transient_failure_backs_off_and_shows_the_providers_issue():
    busy = code(attempts=1)

    change = write_failed(
        busy, DriverError("Busy.", error_code=PROVIDER_ISSUE), NOW, FACTS, removing=False
    )

    assert change.fields == {"attempts": 2, "next_attempt_at": NOW + 2 * MINUTE}
    assert [i.code for i in change.errors] == [PROVIDER_ISSUE]
    [write] = plan([busy]).queue
    change_fields(busy, change, NOW)
    assert hold_reason(write, busy, NOW, FACTS) is Hold.BACKING_OFF


def test_a_permanent_refusal_is_kept_for_the_desired_state_it_answered():
    refused = code()

    change = write_failed(refused, DriverError("No.", permanent=True), NOW, FACTS, removing=False)

    [issue] = change.errors
    assert (issue.code, issue.extra) == (FAILED_TO_SET_ON_DEVICE, {"desired_version": 7})
    assert [e.event_type for e in change.events] == ["access_code.failed_to_set_on_device"]
    change_fields(refused, change, NOW)
    assert plan([refused]).held[0][1] == Hold.REFUSED


def test_a_permanent_pin_error_waits_for_a_new_pin():
    error = DriverError("Rejected.", permanent=True, error_code=CODE_CONSTRAINTS_VIOLATED)

    change = write_failed(code(), error, NOW, FACTS, removing=False)

    assert [(i.code, i.extra) for i in change.errors] == [(CODE_CONSTRAINTS_VIOLATED, {})]


def test_a_permanent_error_about_the_lock_itself_only_backs_off():
    error = DriverError("Gone.", permanent=True, error_code=DEVICE_REMOVED)

    change = write_failed(code(), error, NOW, FACTS, removing=False)

    assert change.errors == ()
    assert change.fields["next_attempt_at"] == NOW + MINUTE


def test_a_lock_fuller_than_it_said_makes_the_code_wait_for_a_slot():
    error = DriverError("Full.", error_code=NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE)

    change = write_failed(code(), error, NOW, FACTS, removing=False)

    assert [i.code for i in change.errors] == [NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE]
    assert change.fields["next_attempt_at"] is None
