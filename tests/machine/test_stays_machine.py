"""The state machine of tests/machine/stays.py, seeded and bounded for every `make test`.

Every `make test` runs the same examples (derandomized). `make stays-machine` runs it longer,
on fresh random examples (`STAYS_MACHINE_EXAMPLES`, default 500; `--hypothesis-seed=N` to
replay a run); a failing example it finds is kept as a regular test in
tests/machine/test_examples.py.
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.machine.stays import StaysAndDoors

LONG_RUN = os.environ.get("STAYS_MACHINE_EXAMPLES")
EXAMPLES = int(LONG_RUN or 25)


@pytest.mark.django_db
def test_every_stay_keeps_its_pin_and_its_doors_under_faults():
    run_state_machine_as_test(
        StaysAndDoors,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=40,
            deadline=None,
            derandomize=LONG_RUN is None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            print_blob=True,
        ),
    )
