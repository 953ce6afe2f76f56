from datetime import timedelta

from locks.scheduler import run_due_locks
from reservations.selectors import guest_code_state, reservation_get
from tests import factories
from tests.reservations.front_desk import book


def test_a_stay_half_programmed_ahead_says_which_doors_wait(owner, hotel, room, lock, t0):
    factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", model="scheduling", now=t0
    )
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=2))
    run_due_locks(now=t0)

    state = guest_code_state(reservation_get(owner, stay.pk), t0)

    assert state.state == "scheduled"
    assert state.detail.startswith("On 1 of 2 doors already; the rest go on at ")
