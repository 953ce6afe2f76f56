"""The API's answers are built in one go (for speed); each must be, key for key and in the
same order, what DRF's declared fields give field by field, which the schema documents."""

from datetime import timedelta

import pytest
from rest_framework import serializers

from locks.access_codes import access_code_create
from locks.api.serializers import AccessCodeSerializer, ActionAttemptSerializer, DeviceSerializer
from locks.models import AccessCode, ActionAttempt
from locks.reconcile.clock import REFUSED_AT

pytestmark = pytest.mark.django_db


def field_by_field(serializer_class, obj, **kwargs) -> dict:
    """What DRF's own `Serializer.to_representation` makes of the declared fields."""
    return serializers.Serializer.to_representation(serializer_class(obj, **kwargs), obj)


def same(built: dict, generic: dict) -> None:
    assert list(built.items()) == list(generic.items())


@pytest.fixture
def codes(lock, t0):
    ongoing, _ = access_code_create(lock=lock, now=t0, name="Cleaner", code="4827")
    timed, _ = access_code_create(
        lock=lock,
        now=t0,
        name="Ana",
        starts_at=t0 + timedelta(hours=2),
        ends_at=t0 + timedelta(days=2),
    )
    backup, _ = access_code_create(lock=lock, now=t0, kind=AccessCode.Kind.BACKUP)
    AccessCode.objects.filter(pk=backup.pk).update(status=AccessCode.Status.SET)
    removing, _ = access_code_create(lock=lock, now=t0, name="Leaving", common_code_key="k1")
    AccessCode.objects.filter(pk=removing.pk).update(
        deleted_at=t0,
        status=AccessCode.Status.SET,
        is_scheduled_on_device=True,
        errors=[{"error_code": "failed_to_remove", "message": "No.", REFUSED_AT: "x"}],
        warnings=[{"warning_code": "delay_in_removing", "message": "Soon."}],
    )
    AccessCode.objects.filter(pk=timed.pk).update(pulled_backup=backup, pulled_at=t0)
    return list(AccessCode.objects.filter(lock=lock).select_related("lock").order_by("created_at"))


def test_an_access_code_is_what_its_fields_give(codes, t0):
    for code in codes:
        same(
            AccessCodeSerializer(code, context={"now": t0}).data,
            field_by_field(AccessCodeSerializer, code, context={"now": t0}),
        )


def test_a_page_of_access_codes_is_what_their_fields_give(codes, t0):
    page = AccessCodeSerializer(codes, many=True, context={"now": t0}).data
    child = AccessCodeSerializer(codes, many=True, context={"now": t0}).child
    assert len(page) == len(codes)
    for built, code in zip(page, codes, strict=True):
        same(built, serializers.Serializer.to_representation(child, code))


def test_a_device_is_what_its_fields_give(lock):
    lock.battery_level = 0.15
    lock.errors = [{"error_code": "device_offline", "message": "Offline."}]
    same(DeviceSerializer(lock).data, field_by_field(DeviceSerializer, lock))


def test_an_action_attempt_is_what_its_fields_give(codes, t0):
    code = codes[0]
    pending = ActionAttempt.objects.filter(access_code=code).get()
    done = ActionAttempt.objects.create(
        owner_id=code.owner_id,
        action_type=ActionAttempt.CREATE_ACCESS_CODE,
        access_code=code,
        lock_id=code.lock_id,
        status=ActionAttempt.Status.SUCCESS,
    )
    failed = ActionAttempt.objects.create(
        owner_id=code.owner_id,
        action_type=ActionAttempt.DELETE_ACCESS_CODE,
        lock_id=code.lock_id,
        status=ActionAttempt.Status.ERROR,
        error={"type": "failed", "message": "No."},
    )
    for attempt in (pending, done, failed):
        same(
            ActionAttemptSerializer(attempt, context={"now": t0}).data,
            field_by_field(ActionAttemptSerializer, attempt, context={"now": t0}),
        )
