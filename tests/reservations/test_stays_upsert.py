"""A system that pushes the same stay again updates it; it never makes a second one."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from locks.errors import ServiceError
from locks.models import Event
from reservations.models import Reservation
from reservations.stays import reservation_check_out_early, reservation_upsert
from tests import factories
from tests.reservations.stays import CHECK_IN, CHECK_OUT

DAY = timedelta(days=1)
WRITES = ("INSERT", "UPDATE", "DELETE")


def push(owner, unit, now, external_id="HM-1001", source="api", **fields):
    fields = {
        "guest_name": " Ana Lima ",
        "check_in": CHECK_IN,
        "check_out": CHECK_OUT,
        "phone": "912 384 716",
        "email": "ana@example.pt ",
        **fields,
    }
    return reservation_upsert(
        owner=owner, source=source, external_id=external_id, unit=unit, now=now, **fields
    )


@pytest.fixture
def portugal(hotel):
    hotel.country = "PT"
    hotel.save()
    return hotel


def test_the_first_push_creates_the_stay_with_its_code(owner, portugal, room, lock, t0):
    stay, created = push(owner, room, t0)
    assert created
    assert stay.phone == "+351912384716"
    assert stay.access_codes.get().lock == lock


def test_a_second_push_with_new_dates_updates_the_same_stay(owner, portugal, room, lock, t0):
    first, _ = push(owner, room, t0)
    pin = first.pin
    again, created = push(owner, room, t0, check_out=CHECK_OUT + DAY)
    assert not created
    assert again.pk == first.pk
    assert Reservation.objects.count() == 1
    assert again.check_out == CHECK_OUT + DAY
    assert again.pin == pin
    assert again.access_codes.get().ends_at == CHECK_OUT + DAY


def test_a_second_push_with_a_new_room_moves_the_code(owner, portugal, room, lock, t0):
    suite = factories.UnitFactory(property=portugal, name="Suite")
    suite_door = factories.simulated_lock(
        owner=owner, property=portugal, unit=suite, name="Suite door", now=t0
    )
    push(owner, room, t0)
    stay, _ = push(owner, suite, t0)
    live = stay.access_codes.filter(deleted_at__isnull=True)
    assert [c.lock for c in live] == [suite_door]


def test_pushing_unchanged_data_records_nothing_and_writes_nothing(owner, portugal, room, lock, t0):
    stay, _ = push(owner, room, t0)
    events = Event.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again, created = push(owner, room, t0 + timedelta(minutes=15))
    assert not created
    assert Event.objects.count() == events
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]
    assert writes == []


def test_a_cancelled_stay_pushed_again_is_reinstated_with_its_code(owner, portugal, room, lock, t0):
    from reservations.stays import reservation_cancel

    stay, _ = push(owner, room, t0)
    reservation_cancel(reservation=stay, now=t0)
    again, created = push(owner, room, t0 + timedelta(hours=1))
    assert not created
    assert again.status == "confirmed" and again.cancelled_at is None
    assert again.events.filter(event_type="reservation.reinstated").exists()
    live = again.access_codes.filter(deleted_at__isnull=True, removed_at__isnull=True)
    assert [(c.lock, c.code) for c in live] == [(lock, again.pin)]


def test_the_same_id_from_another_source_is_another_stay(owner, portugal, room, lock, t0):
    push(owner, room, t0, source="api")
    push(owner, room, t0, source="ical")
    assert Reservation.objects.count() == 2


def test_the_same_id_at_another_owner_is_another_stay(owner, other_owner, portugal, room, lock, t0):
    theirs = factories.UnitFactory(
        property=factories.PropertyFactory(owner=other_owner, country="PT"), name="Loft"
    )
    push(owner, room, t0)
    push(other_owner, theirs, t0)
    assert Reservation.objects.filter(external_id="HM-1001").count() == 2


def test_a_push_without_an_external_id_is_refused(owner, room, t0):
    with pytest.raises(ServiceError, match="external id") as refused:
        push(owner, room, t0, external_id="  ")
    assert refused.value.field == "external_id"


def test_a_finished_stay_is_left_as_it_was(owner, portugal, room, lock, t0):
    stay, _ = push(owner, room, t0)
    reservation_check_out_early(reservation=stay, now=CHECK_IN + DAY)
    again, _ = push(owner, room, CHECK_IN + DAY, check_out=CHECK_OUT + 3 * DAY)
    again.refresh_from_db()
    assert again.check_out == CHECK_OUT
    assert not again.access_codes.filter(deleted_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_push_works_outside_any_transaction(owner, portugal, room, lock, t0):
    # A feed poller calls it in autocommit mode; PostgreSQL refuses row locks there.
    push(owner, room, t0)
    stay, created = push(owner, room, t0, check_out=CHECK_OUT + DAY)
    assert not created
    assert stay.check_out == CHECK_OUT + DAY
