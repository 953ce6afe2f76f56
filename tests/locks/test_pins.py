"""PIN rules: what each lock accepts, what we never hand out, and the reuse quarantine."""

import itertools
from datetime import timedelta

import pytest

from locks import pins, scheduler
from locks.access_codes import (
    access_code_create,
    access_code_delete,
    access_code_generate,
    access_code_update,
)
from locks.errors import ServiceError
from locks.models import AccessCode
from locks.simulator import SIMULATED_MODELS
from tests import factories

DRAWS = 400


def scripted_draws(monkeypatch, *pins_in_order):
    """Make the generator draw these PINs, in order (its randomness is the one seam patched)."""
    digits = iter("".join(pins_in_order))
    monkeypatch.setattr(pins.secrets, "choice", lambda alphabet: next(digits))


@pytest.mark.parametrize("model", sorted(SIMULATED_MODELS))
def test_generated_pins_obey_every_simulated_models_rules(model):
    spec = SIMULATED_MODELS[model]
    lengths, constraints = spec["supported_code_lengths"], spec["code_constraints"]

    drawn = [
        pins.generate_pin(lengths=lengths, constraints=constraints, taken=set())
        for _ in range(DRAWS)
    ]

    for pin in drawn:
        assert pin.isdigit()
        assert len(pin) in lengths
        assert pins.pin_violations(pin, lengths, constraints) == []
        assert pins.weak_pin_reason(pin) == ""
    assert len(set(drawn)) > DRAWS * 0.9  # random, not a short cycle


@pytest.mark.parametrize("model", sorted(SIMULATED_MODELS))
def test_a_preferred_length_is_honoured_where_the_lock_supports_it(model):
    lengths = SIMULATED_MODELS[model]["supported_code_lengths"]
    constraints = SIMULATED_MODELS[model]["code_constraints"]
    for length in lengths:
        pin = pins.generate_pin(
            lengths=lengths, constraints=constraints, taken=set(), preferred_length=length
        )
        assert len(pin) == length
    fallback = pins.generate_pin(
        lengths=lengths, constraints=constraints, taken=set(), preferred_length=11
    )
    assert len(fallback) in lengths


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("0000", "same digit"),
        ("777777", "same digit"),
        ("1234", "sequence"),
        ("9876", "sequence"),
        ("8901", "sequence"),
        ("3210", "sequence"),
        ("2580", "commonly guessed"),
        ("1212", "commonly guessed"),
        ("4747", "commonly guessed"),
        ("123123", "commonly guessed"),
    ],
)
def test_weak_pins_are_named_for_what_makes_them_weak(pin, reason):
    assert reason in pins.weak_pin_reason(pin)


@pytest.mark.parametrize("pin", ["4831", "59270", "736194", "2718281"])
def test_ordinary_pins_are_not_weak(pin):
    assert pins.weak_pin_reason(pin) == ""


def test_the_generator_skips_weak_and_taken_pins(monkeypatch):
    scripted_draws(monkeypatch, "1111", "1234", "2580", "4831", "5927")

    pin = pins.generate_pin(lengths=[4], constraints=[], taken={"4831"})

    assert pin == "5927"


def test_the_generator_gives_up_with_a_clear_message_when_nothing_fits():
    every_pin = {"".join(digits) for digits in itertools.product("123456", repeat=4)}

    with pytest.raises(ValueError, match="No PIN satisfies"):
        pins.generate_pin(lengths=[4], constraints=["cannot_contain_0789"], taken=every_pin)


@pytest.mark.parametrize(
    ("pin", "lengths", "constraints", "message"),
    [
        ("48a1", [4], [], "digits only"),
        ("48312", [4, 6], [], "4, 6 digits, not 5"),
        ("480315", [6], ["no_zeros"], "must not contain the digit 0"),
        ("124835", [6], ["cannot_start_with_12"], "must not start with 12"),
        ("845671", [6], ["no_triple_consecutive_ints"], "three consecutive digits"),
        ("484884", [6], ["at_least_three_unique_digits"], "three different digits"),
        ("5555", [4], ["no_all_same_digits"], "same digit repeated"),
        ("4839", [4], ["cannot_contain_089"], "0, 8 or 9"),
        ("4731", [4], ["cannot_contain_0789"], "0, 7, 8 or 9"),
    ],
)
def test_a_pin_that_breaks_a_rule_is_told_which_rule(pin, lengths, constraints, message):
    problems = pins.pin_violations(pin, lengths, constraints)
    assert any(message in p for p in problems)


# --- on a lock: collisions, quarantine, refusal messages --------------------------------------


def strict_lock(owner, hotel, t0):
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Lever lock", now=t0, model="strict"
    )


def test_a_given_pin_the_lock_cannot_take_is_refused_naming_the_rule(owner, hotel, t0):
    lock = strict_lock(owner, hotel, t0)

    with pytest.raises(ServiceError) as refused:
        access_code_create(lock=lock, now=t0, code="120345")

    message = refused.value.message
    assert "must not contain the digit 0" in message
    assert "must not start with 12" in message
    assert "120345" not in message  # PINs never appear in messages
    assert refused.value.field == "code"
    assert not AccessCode.objects.filter(lock=lock).exists()


def test_a_given_pin_of_the_wrong_length_is_refused(owner, hotel, t0):
    lock = strict_lock(owner, hotel, t0)

    with pytest.raises(ServiceError, match="takes PINs of 6 digits, not 4"):
        access_code_create(lock=lock, now=t0, code="4831")


def test_a_weak_given_pin_is_refused(lock, t0):
    with pytest.raises(ServiceError, match="too easy to guess"):
        access_code_create(lock=lock, now=t0, code="2468")


def test_a_pin_live_on_the_lock_is_refused_as_a_duplicate(lock, t0):
    access_code_create(lock=lock, now=t0, code="4831")

    with pytest.raises(ServiceError) as refused:
        access_code_create(lock=lock, now=t0, code="4831")

    assert refused.value.type == "duplicate_access_code"
    assert refused.value.status == 409


def test_the_same_pin_is_fine_on_another_lock(owner, hotel, lock, t0):
    access_code_create(lock=lock, now=t0, code="4831")
    other = factories.simulated_lock(owner=owner, property=hotel, name="Side gate", now=t0)

    code, _ = access_code_create(lock=other, now=t0, code="4831")

    assert code.code == "4831"


def test_a_generated_pin_is_never_one_already_live_on_the_lock(lock, t0, monkeypatch):
    access_code_create(lock=lock, now=t0, code="4831")
    scripted_draws(monkeypatch, "4831", "5927")

    code, _ = access_code_create(lock=lock, now=t0)

    assert code.code == "5927"


def removed_code(lock, now, pin="4831"):
    """A code that was on the lock and came off at `now`."""
    code, _ = access_code_create(lock=lock, now=now - timedelta(days=2), code=pin)
    scheduler.run_due_locks(now=now - timedelta(days=2))
    access_code_delete(access_code=code, now=now)
    scheduler.run_due_locks(now=now)
    code.refresh_from_db()
    assert code.status == AccessCode.Status.REMOVED
    return code


def test_a_recently_removed_pin_is_refused_when_given(lock, t0):
    removed_code(lock, t0)

    with pytest.raises(ServiceError) as refused:
        access_code_create(lock=lock, now=t0 + timedelta(days=29), code="4831")

    assert "used on “Room 101 door” in the last 30 days" in refused.value.message
    assert refused.value.field == "code"


def test_a_recently_removed_pin_is_never_generated(lock, t0, monkeypatch):
    removed_code(lock, t0)
    scripted_draws(monkeypatch, "4831", "5927")

    code, _ = access_code_create(lock=lock, now=t0 + timedelta(days=29))

    assert code.code == "5927"


def test_a_pin_may_be_given_again_after_the_quarantine(lock, t0):
    removed_code(lock, t0)

    code, _ = access_code_create(lock=lock, now=t0 + timedelta(days=30, minutes=1), code="4831")

    assert code.code == "4831"


def test_a_pin_may_be_generated_again_after_the_quarantine(lock, t0, monkeypatch):
    removed_code(lock, t0)
    scripted_draws(monkeypatch, "4831")

    assert access_code_generate(lock=lock, now=t0 + timedelta(days=30, minutes=1)) == "4831"


def test_the_quarantine_is_the_owners_setting(owner, lock, t0):
    owner.pin_quarantine_days = 3
    owner.save()
    removed_code(lock, t0)

    code, _ = access_code_create(lock=lock, now=t0 + timedelta(days=4), code="4831")

    assert code.code == "4831"


def test_a_new_pin_on_update_obeys_the_same_rules(lock, t0):
    removed_code(lock, t0, pin="4831")
    code, _ = access_code_create(lock=lock, now=t0, code="5927")

    with pytest.raises(ServiceError, match="last 30 days"):
        access_code_update(access_code=code, now=t0 + timedelta(hours=1), code="4831")
    with pytest.raises(ServiceError, match="too easy to guess"):
        access_code_update(access_code=code, now=t0 + timedelta(hours=1), code="2468")

    code.refresh_from_db()
    assert code.code == "5927"


def test_a_pin_replaced_by_a_new_one_is_quarantined_too(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, code="4831")
    scheduler.run_due_locks(now=t0)
    access_code_update(access_code=code, now=t0, code="5927")
    scheduler.run_due_locks(now=t0)

    with pytest.raises(ServiceError) as refused:
        access_code_create(lock=lock, now=t0 + timedelta(days=10), code="4831")

    assert "in the last 30 days" in refused.value.message
