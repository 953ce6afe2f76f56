"""A database dump opens no door: after the demo data and a day of stays, no PIN and no secret
(Twilio token, Seam API key, webhook secret, API key) can be read in any row of any table.

Runs on SQLite (`make test`) and on PostgreSQL (the suite run with DATABASE_URL=postgres://...).
"""

import base64
import pickle
import re
import zlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from backups.services import reservation_backups_give
from locks import simulator
from locks.access_codes import access_code_generate, access_code_update
from locks.door_events import accounts_events_read_due
from locks.models import (
    AccessCode,
    DriverAccount,
    Owner,
    RetiredPin,
    SimulatedCode,
    SimulatedDevice,
    WebhookEndpoint,
)
from locks.outgoing.delivery import webhooks_queue_due
from locks.outgoing.signing import secret_generate
from messaging.models import Message, MessagingSettings
from reservations.guest_codes import doors_of, reservation_new_pin
from reservations.models import Reservation
from tests.backups.lockside import run
from tests.locks.dump_scan import database_values, leaks, pins_shown, raw_dump
from tests.messaging.guest_phone import phone, pins_in, tick  # noqa: F401  (the `phone` fixture)

TWILIO_TOKEN = "twl0token8f3a9c1d2e4b6a7f9e0d1c2b3a4f5e6"
SEAM_KEY = "seam_testkey_5Gq2Lk9ZrW8xVb3NmT7yHc4D"


def _all_pins() -> set[str]:
    """Every PIN the database holds, read through the ORM (decrypted)."""
    pins = set(AccessCode.objects.values_list("code", flat=True))
    pins |= set(RetiredPin.objects.values_list("code", flat=True))
    pins |= set(SimulatedCode.objects.values_list("code", flat=True))
    pins |= {stay.pin for stay in Reservation.objects.all()}
    return pins - {""}


@pytest.fixture
def demo_day(db, capsys, client, phone):  # noqa: F811
    """seed_demo, secrets saved in Settings, then 24 hours of passes, texts, door entries,
    backups handed out and a new PIN; returns the secrets that were saved."""
    call_command("seed_demo")
    api_key = re.search(r"seam_ik_\S+", capsys.readouterr().out).group()
    SimulatedDevice.objects.update(latency_ms=0)  # the demo's locks are slow on purpose
    owner = Owner.objects.get(slug="demo")
    MessagingSettings.objects.update_or_create(
        owner=owner,
        defaults={"twilio_account_sid": "AC" + "1" * 32, "twilio_auth_token": TWILIO_TOKEN},
    )
    DriverAccount.objects.create(
        owner=owner,
        driver="seam",
        name="Seam workspace",
        account_ref="ws_dump_test",
        credentials={"api_key": SEAM_KEY},
    )
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url="https://hooks.example.com/innkeeper", secret=secret_generate()
    )
    Owner.objects.filter(pk=owner.pk).update(sends_webhooks=True)

    start = timezone.now()
    stays = [s for s in Reservation.objects.filter(owner=owner) if s.pin and s.is_confirmed]
    stays = [s for s in stays if s.ends_at > start + timedelta(hours=6)]
    assert len(stays) >= 2, "the demo has stays in progress or coming"
    at = start
    while at <= start + timedelta(hours=24):
        run(at)
        accounts_events_read_due(now=at)
        webhooks_queue_due(now=at)
        tick(at)
        if at == start + timedelta(hours=1):
            for stay in stays:
                for door in doors_of(stay.unit):
                    simulator.simulated_keypad_entry(lock=door, code=stay.pin, now=at)
        if at == start + timedelta(hours=2):
            reservation_backups_give(reservation=stays[0], now=at)
            # The manager signs in (a session) and reveals a stay's PIN on its page.
            client.force_login(User.objects.get(username="demo"))
            shown = client.post(f"/reservations/{stays[0].pk}/reveal/", headers={"HX-Request": "1"})
            assert stays[0].pin in shown.content.decode()
        if at == start + timedelta(hours=3):
            reservation_new_pin(reservation=stays[1], now=at)
            # A staff code's PIN changed by hand: the old one is kept out of reuse.
            staff = AccessCode.objects.filter(owner=owner, kind="staff", removed_at=None).first()
            new_pin = access_code_generate(lock=staff.lock, now=at)
            access_code_update(access_code=staff, now=at, code=new_pin)
        at += timedelta(minutes=30)
    return {TWILIO_TOKEN, SEAM_KEY, WebhookEndpoint.objects.get(pk=endpoint.pk).secret, api_key}


def test_no_pin_and_no_secret_is_in_the_dump(demo_day, phone):  # noqa: F811
    # The day really put PINs on the locks' memories, in texts, in backups and retired PINs
    # (a dump of an empty database would prove nothing).
    assert SimulatedCode.objects.count() >= 10
    assert AccessCode.objects.filter(pulled_at__isnull=False).exists()
    assert RetiredPin.objects.exists()
    assert Message.objects.filter(status__in=["sent", "delivered"]).exists()
    assert any(pins_in(body) for _, body in phone), "guests were texted their PINs"
    pins = _all_pins()
    assert len(pins) >= 10

    values = database_values()
    assert leaks(values, pins=pins, secrets=demo_day) == []
    dump = raw_dump()
    # Both read the rows (the encrypted ones among them), not an empty database.
    assert "Seaside Stays" in dump and "gAAAAA" in dump
    assert any(text.startswith("gAAAAA") for _, text in values)
    assert [secret[:4] for secret in demo_day if secret in dump] == []


def test_the_scan_finds_a_pin_or_secret_stored_in_clear(db, capsys):
    """The same scan over rows written raw with SQL, as a clear-text column would hold them."""
    call_command("seed_demo")
    MessagingSettings.objects.create(
        owner=Owner.objects.get(slug="demo"), twilio_auth_token=TWILIO_TOKEN
    )
    stay = next(s for s in Reservation.objects.all() if s.pin)
    table = connection.ops.quote_name(Reservation._meta.db_table)
    with connection.cursor() as cursor:
        pk = Reservation._meta.pk.get_db_prep_value(stay.pk, connection)
        cursor.execute(f"UPDATE {table} SET notes = %s WHERE id = %s", [stay.pin, pk])
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(MessagingSettings._meta.db_table)} "
            "SET twilio_from_number = %s",
            [TWILIO_TOKEN[:20]],
        )

    found = leaks(database_values(), pins={stay.pin}, secrets={TWILIO_TOKEN[:20]})

    assert found == [
        f"{MessagingSettings._meta.db_table}: a secret (twl0…)",
        f"{Reservation._meta.db_table}: a PIN ({len(stay.pin)} digits)",
    ]


def test_a_pin_counts_as_a_value_of_its_own_not_as_digits_of_a_timestamp_or_id():
    assert pins_shown("Your PIN is 2026.", {"2026"}) == {"2026"}
    assert pins_shown('{"code": "2026", "name": "Guest"}', {"2026"}) == {"2026"}
    assert pins_shown("2026", {"2026"}) == {"2026"}
    assert pins_shown("2026-06-01 12:00:00.202600", {"2026", "202600"}) == set()
    assert pins_shown("2026-06-01T12:00:00+00:00", {"2026"}) == set()
    assert pins_shown("e3b0c442-2026-4fc1-9afb-f4c8996fb924", {"2026"}) == set()
    assert pins_shown("seam_ik_20261234", {"2026", "1234"}) == set()


def test_a_pin_inside_a_queued_task_payload_is_found_too():
    """The task queue keeps base64 of compressed pickles: one decode away from readable."""
    payload = base64.urlsafe_b64encode(zlib.compress(pickle.dumps({"args": ("4827",)}))).decode()

    assert pins_shown(payload + ":1tXy2:signature", {"4827"}) == {"4827"}
