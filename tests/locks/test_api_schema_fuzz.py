"""Every operation in /api/schema/ answers as the schema says, whatever it is sent (schemathesis).

Schemathesis reads the schema from the app, then sends each operation requests it makes from
the schema (valid ones and broken ones, its boundary values, without a key and with unlisted
methods) with a real key, and fails on any 5xx and on any answer whose status, content type or
body the schema does not document. Bounded: a fixed seed, a few random examples per operation
and a deadline per request, so the file takes about a minute and fails the same way each time.
"""

from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from locks.access_codes import access_code_create
from locks.models import Event
from reservations.stays import reservation_create
from tests.locks.seam_api import api_key_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {"generation": {"mode": "all", "max-examples": 6, "deterministic": True}}
)


@pytest.fixture
def in_process():
    """Requests in this process share the test's transaction (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Generating the schema reads no database, so it is read once, as the module loads.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)

# The ids of the objects each test starts with: a generated request names them half the time,
# so the fuzzing reaches past "not found" into the answers of real devices, codes and stays.
KNOWN: dict = {}


def _with_known_ids(params):
    if not isinstance(params, dict):
        return st.just(params)
    return st.sampled_from([params, {**params, **{k: KNOWN[k] for k in params if k in KNOWN}}])


@schema.hook
def flatmap_body(context, body):
    return _with_known_ids(body)


@schema.hook
def flatmap_query(context, query):
    return _with_known_ids(query)


@pytest.fixture
def known(owner, hotel, room, lock):
    """A time-bound code on Room 101's door (linked by a common_code_key), its action attempt
    and event, the door's account, and a stay in the room."""
    now = timezone.now()
    code, attempt = access_code_create(
        lock=lock,
        now=now,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
        common_code_key="auto_set_by_create_multiple_fuzz",
    )
    stay = reservation_create(
        owner=owner,
        unit=room,
        guest_name="Anna Smith",
        check_in=now + timedelta(days=3),
        check_out=now + timedelta(days=5),
        now=now,
    )
    KNOWN.update(
        device_id=str(lock.public_id),
        access_code_id=str(code.pk),
        action_attempt_id=str(attempt.pk),
        action_attempt_ids=[str(attempt.pk)],
        device_ids=[str(lock.public_id)],
        common_code_key=code.common_code_key,
        event_id=str(Event.objects.get(access_code=code).pk),
        connected_account_id=str(lock.account_id),
        reservation_id=str(stay.pk),
        unit_id=room.pk,
        property_id=hotel.pk,
    )
    yield
    KNOWN.clear()


@schema.parametrize()
@hypothesis.settings(
    max_examples=6,
    derandomize=True,
    # A request is a few milliseconds; one that takes seconds is a bug, not a slow machine.
    deadline=timedelta(seconds=10),
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_the_schema_documents(case, in_process, known, owner):
    key = api_key_for(owner)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
