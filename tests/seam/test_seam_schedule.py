"""Seam keeps a code's schedule: time-bound codes, windows updated in place, Seam's own word on a
code (pre-loaded, errors), and a code Seam failed to remove at its end. Against Seam's fake."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from locks.access_codes import access_code_create, access_code_update
from locks.models import AccessCode, Event
from reservations.alerts import open_alerts
from tests.seam.test_seam_fake_server import register, run

Status = AccessCode.Status
DAY = timedelta(days=1)


def stay_code(door, t0, **fields):
    starts = t0 + 2 * DAY
    code, _ = access_code_create(
        lock=door, now=t0, name="Anna Smith", starts_at=starts, ends_at=starts + 2 * DAY, **fields
    )
    return code


def events_of(code):
    return list(Event.objects.filter(access_code=code).values_list("event_type", flat=True))


def test_a_code_seam_preloads_reads_unset_and_stored_then_set_at_its_start(
    owner, hotel, workspace, fake_seam, client_for, bob
):
    t0 = timezone.now()  # the lock page shows the code at the wall clock's time
    door = register(owner, hotel, workspace, "august_device_1", t0)
    code = stay_code(door, t0)
    run(t0, code)
    (on_fake,) = fake_seam.codes("august_device_1")

    # What Seam says once the lock holds the code with its window.
    fake_seam.command(
        "update_access_code",
        access_code_id=on_fake["access_code_id"],
        status="unset",
        is_scheduled_on_device=True,
    )
    run(t0 + timedelta(minutes=15), code)
    assert (code.status, code.is_scheduled_on_device) == (Status.UNSET, True)
    assert "access_code.scheduled_on_device" in events_of(code)
    html = client_for(bob).get(reverse("lock_detail", args=[door.pk])).content.decode()
    row = html[html.index(f'id="code-{code.pk}"') :]
    row = row[: row.index("</li>")]
    assert "Stored on the lock, works from" in row

    fake_seam.set_status(on_fake["access_code_id"], "set")
    run(code.starts_at, code)
    assert (code.status, code.is_scheduled_on_device) == (Status.SET, False)
    assert "access_code.set_on_device" in events_of(code)


def test_a_new_window_updates_the_code_on_seam_keeping_its_id_and_pin(
    owner, hotel, workspace, fake_seam, t0
):
    door = register(owner, hotel, workspace, "august_device_1", t0)
    code = stay_code(door, t0)
    run(t0, code)
    (before,) = fake_seam.codes("august_device_1")

    now = t0 + timedelta(hours=1)
    later = code.ends_at + DAY
    access_code_update(access_code=code, now=now, ends_at=later)
    run(now, code)

    (after,) = fake_seam.codes("august_device_1")
    assert (after["access_code_id"], after["code"]) == (before["access_code_id"], code.code)
    assert after["ends_at"] == later.isoformat().replace("+00:00", ".000Z")
    assert code.device_ref == before["access_code_id"]


def test_errors_seam_puts_on_a_code_reach_it_in_our_words_and_go_when_seam_drops_them(
    owner, hotel, workspace, fake_seam, t0
):
    door = register(owner, hotel, workspace, "august_device_1", t0)
    code = stay_code(door, t0)
    run(t0, code)
    (on_fake,) = fake_seam.codes("august_device_1")

    fake_seam.command(
        "update_access_code",
        access_code_id=on_fake["access_code_id"],
        errors=[
            {
                "error_code": "duplicate_code_on_device",
                "message": f"Code {code.code} is already on the device",
                "is_access_code_error": True,
                "created_at": "2026-06-01T12:00:00.000Z",
            }
        ],
        warnings=[
            {
                "warning_code": "delay_in_setting_on_device",
                "message": f"Setting {code.code} is slow",
                "created_at": "2026-06-01T12:00:00.000Z",
            }
        ],
    )
    run(t0 + timedelta(minutes=15), code)
    assert code.has_error("duplicate_code_on_device")
    assert code.has_warning("delay_in_setting_on_device")
    assert code.code not in str(code.errors) + str(code.warnings)  # Seam's text quotes the PIN

    fake_seam.command(
        "update_access_code", access_code_id=on_fake["access_code_id"], errors=[], warnings=[]
    )
    run(t0 + timedelta(minutes=30), code)
    assert (code.errors, code.warnings) == ([], [])


def test_a_code_seam_still_reports_after_its_end_is_removed_here_and_a_person_is_told(
    owner, hotel, workspace, fake_seam, t0
):
    door = register(owner, hotel, workspace, "august_device_1", t0)
    code = stay_code(door, t0)
    run(t0, code)
    (on_fake,) = fake_seam.codes("august_device_1")
    fake_seam.set_status(on_fake["access_code_id"], "set")
    run(code.starts_at, code)

    run(code.ends_at, code)  # Seam's to remove: nothing sent yet
    assert fake_seam.codes("august_device_1") != []
    door.refresh_from_db()
    assert door.next_check_at <= code.ends_at + timedelta(minutes=15)

    run(code.ends_at + timedelta(minutes=15), code)  # Seam never did
    assert fake_seam.codes("august_device_1") == []
    assert code.status == Status.REMOVED
    assert "access_code.failed_to_remove_from_device" in events_of(code)
    (alert,) = [a for a in open_alerts(owner, code.ends_at + timedelta(hours=1)) if a.lock == door]
    assert alert.title == "1 code stayed on Front Door after its end"
    assert "Innkeeper removed it" in alert.detail
    assert not [a for a in open_alerts(owner, code.ends_at + 2 * DAY) if a.lock == door]


def test_a_code_that_prefers_no_native_schedule_goes_to_seam_just_in_time(
    owner, hotel, workspace, fake_seam, t0
):
    door = register(owner, hotel, workspace, "august_device_1", t0)
    code = stay_code(door, t0, prefer_native_scheduling=False)
    run(t0, code)
    assert fake_seam.codes("august_device_1") == []

    run(code.starts_at - timedelta(minutes=30), code)
    (on_fake,) = fake_seam.codes("august_device_1")
    assert on_fake["type"] == "time_bound"  # Seam still removes it at its end
