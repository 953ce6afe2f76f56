"""The audit log: who changed what, when, from where, before -> after; never a PIN."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backups.services import backup_pool_enable
from locks import audit, scheduler
from locks.access_codes import access_code_create
from locks.audit.words import entry_sentence
from locks.models import AccessCode, AuditEntry, Membership
from locks.outgoing.endpoints import webhook_create
from locks.tenancy import services as tenancy
from tests.locks.seam_api import reconcile
from tests.messaging.test_views_settings_messages import twilio_form
from tests.messaging.twilio_standin import OWNER_TOKEN
from tests.reservations.front_desk import book
from tests.reservations.test_views_reservation_form import stay_data

LOG = reverse("audit_log")


def _entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("at", "id"))


def _page(client, **params) -> str:
    response = client.get(LOG, params)
    assert response.status_code == 200
    return response.content.decode()


def _sentences(html: str) -> list[str]:
    return re.findall(r'<td class="audit-sentence">(.*?)</td>', html)


def test_a_dashboard_edit_of_a_stay_records_who_when_and_before_after(
    client_for, bob, owner, room, lock, frozen
):
    stay = book(owner, room, frozen, check_in=frozen + timedelta(days=1), guest_name="Maria Silva")
    assert not AuditEntry.objects.exists()  # booked by code, outside a request: nobody acted
    data = stay_data(
        room,
        guest_name="Maria Silva",
        check_in_day="2026-06-02",
        check_out_day="2026-06-05",
        check_in_time="15:00",
        check_out_time="11:00",
    )
    client = client_for(bob)
    assert client.post(reverse("reservation_edit", args=[stay.pk]), data).status_code == 302

    [entry] = _entries(object_type="reservation")
    assert (entry.owner, entry.actor, entry.actor_label) == (owner, bob, "bob")
    assert (entry.source, entry.action, entry.address) == ("dashboard", "changed", "127.0.0.1")
    assert entry.object_id == str(stay.pk) and entry.object_label == "Maria Silva"
    assert entry.at == frozen
    # The stay was booked for 2 nights from 3 June 13:00 (Lisbon): the edit moved both ends.
    assert entry.changes["check_out"] == ["2026-06-04T13:00:00+01:00", "2026-06-05T11:00:00+01:00"]
    assert "phone" in entry.changes and "pin" not in entry.changes
    # The stay's guest codes followed it; the stay's entry says so, not one entry per door.
    assert not _entries(object_type="access_code")


def test_the_page_reads_each_entry_as_a_sentence(client_for, alice, bob, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + timedelta(days=1), guest_name="Maria Silva")
    data = stay_data(
        room,
        guest_name="Maria Silva",
        check_in_day="2026-06-02",
        check_out_day="2026-06-06",
        check_in_time="13:00",
        check_out_time="11:00",
        phone=stay.phone or "",
        guests=str(stay.guests),
    )
    client_for(bob).post(reverse("reservation_edit", args=[stay.pk]), data)

    html = _page(client_for(alice))
    assert "bob (dashboard) changed stay Maria Silva: " in html
    assert "check-out Thu 4 Jun 13:00 -&gt; Sat 6 Jun 11:00" in html


def test_an_api_update_names_the_key_and_a_pin_change_writes_no_pin(seam, key, owner, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), name="Cleaner", code="4826")
    reconcile()
    seam.access_codes.update(access_code_id=code.access_code_id, name="Cleaning crew", code="7315")

    created, changed = _entries(object_type="access_code")
    assert created.action == "created" and created.changes["code"] == [None, "(set)"]
    assert changed.source == "api" and changed.actor is None
    assert changed.api_key.name == "Property system"
    assert changed.actor_label == f"API key “Property system” ({key[:12]}…)"
    assert changed.changes["name"] == ["Cleaner", "Cleaning crew"]
    assert changed.changes["code"] == ["(changed)", "(changed)"]
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "4826" not in everything and "7315" not in everything
    assert entry_sentence(changed) == (
        f"API key “Property system” ({key[:12]}…) changed code Cleaning crew on Room 101 door: "
        "name Cleaner -> Cleaning crew; PIN changed"
    )


def test_a_stay_s_new_pin_is_recorded_without_the_pin(client_for, alice, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + timedelta(days=1))
    old_pin = stay.pin
    client_for(alice).post(reverse("reservation_new_pin", args=[stay.pk]))
    stay.refresh_from_db()
    assert stay.pin != old_pin

    [entry] = _entries(object_type="reservation")
    assert entry.action == "new_pin" and entry.changes == {"pin": ["(changed)", "(changed)"]}
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert old_pin not in everything and stay.pin not in everything
    assert "alice (dashboard) gave a new PIN to stay Ana Lima: PIN changed" in _page(
        client_for(alice)
    )


def test_cancel_check_out_and_a_pin_reveal_are_named_actions(
    client_for, alice, owner, room, lock, frozen
):
    leaving = book(
        owner, room, frozen, check_in=frozen - timedelta(days=1), guest_name="Early Bird"
    )
    client = client_for(alice)
    client.post(reverse("reservation_check_out", args=[leaving.pk]))
    client.post(reverse("reservation_pin_reveal", args=[leaving.pk]))
    later = book(owner, room, frozen, check_in=frozen + timedelta(days=5), guest_name="Later")
    client.post(reverse("reservation_cancel", args=[later.pk]))

    actions = [(e.action, e.object_label) for e in _entries(object_type="reservation")]
    assert actions == [
        ("checked_out", "Early Bird"),
        ("pin_revealed", "Early Bird"),
        ("cancelled", "Later"),
    ]
    assert leaving.pin not in json.dumps(list(AuditEntry.objects.values()), default=str)


def test_settings_members_and_api_keys_are_recorded(client_for, alice, bob, owner):
    client = client_for(alice)
    client.post(reverse("api_keys"), {"name": "PMS"})
    api_key = owner.api_keys.get(name="PMS")
    client.post(reverse("api_key_revoke", args=[api_key.pk]))
    membership = Membership.objects.get(owner=owner, user=bob)
    client.post(reverse("member_role", args=[membership.pk]), {"role": "manager"})
    client.post(reverse("member_remove", args=[membership.pk]))

    got = [(e.object_type, e.action, e.changes) for e in _entries()]
    assert got[0][:2] == ("api_key", "created") and got[0][2]["key_hash"] == [None, "(set)"]
    assert api_key.key_hash not in json.dumps(got)
    assert got[1:] == [
        ("api_key", "revoked", {}),
        ("membership", "changed", {"role": ["front_desk", "manager"]}),
        ("membership", "deleted", {}),
    ]


def test_an_invite_sent_and_revoked_is_recorded_without_its_link(client_for, alice, owner):
    client = client_for(alice)
    client.post(reverse("invite_create"), {"email": "dora@example.com", "role": "front_desk"})
    invite = owner.invites.get()
    client.post(reverse("invite_revoke", args=[invite.pk]))

    got = [(e.object_type, e.action, e.object_label, e.changes) for e in _entries()]
    assert got == [
        (
            "invite",
            "created",
            "dora@example.com",
            {"email": [None, "dora@example.com"], "role": [None, "front_desk"]},
        ),
        ("invite", "revoked", "dora@example.com", {}),
    ]
    assert invite.token_hash not in json.dumps(got)


def test_engine_work_records_nothing(owner, room, lock, t0):
    book(owner, room, t0, check_in=t0 - timedelta(hours=1))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=1))
    assert AccessCode.objects.filter(status=AccessCode.Status.SET).exists()
    assert not AuditEntry.objects.exists()


def test_a_person_acting_outside_a_request_is_recorded_only_while_acting(owner, alice, room, t0):
    with audit.acting(audit.person_actor(alice)):
        stay = book(owner, room, t0, check_in=t0 + timedelta(days=1))
    stay.notes = "Late arrival"
    stay.save()
    assert [e.action for e in _entries()] == ["created"]


def test_front_desk_is_refused_the_page(client_for, bob):
    response = client_for(bob).get(LOG)
    assert response.status_code == 403
    assert "managers" in response.content.decode().lower()


def test_another_owner_s_entries_are_never_shown(client_for, alice, charlie, owner, other_owner):
    with audit.acting(audit.person_actor(charlie)):
        tenancy.owner_settings_update(owner=other_owner, buffer_before_minutes=45)
    with audit.acting(audit.person_actor(alice)):
        tenancy.owner_settings_update(owner=owner, buffer_before_minutes=15)
    assert _sentences(_page(client_for(alice))) == [
        "alice (dashboard) changed settings of Seaside Hotels: buffer before minutes 0 -&gt; 15"
    ]


def test_filters_by_person_key_kind_action_day_and_text(
    client_for, alice, bob, owner, room, frozen
):
    t0 = frozen
    with audit.acting(audit.person_actor(alice)):
        book(owner, room, t0, check_in=t0 + timedelta(days=1), guest_name="Maria Silva")
        tenancy.owner_settings_update(owner=owner, buffer_before_minutes=15)
    with audit.acting(audit.person_actor(bob)):
        book(owner, room, t0, check_in=t0 + timedelta(days=9), guest_name="João Costa")
    AuditEntry.objects.filter(object_label="João Costa").update(at=t0 + timedelta(days=3))
    client = client_for(alice)

    def shown(**params):
        text = " | ".join(_sentences(_page(client, **params)))
        return [name for name in ("Maria Silva", "João Costa", "Seaside Hotels") if name in text]

    assert shown() == ["Maria Silva", "João Costa", "Seaside Hotels"]
    assert shown(who=f"user:{bob.pk}") == ["João Costa"]
    assert shown(kind="owner") == ["Seaside Hotels"]
    assert shown(action="created") == ["Maria Silva", "João Costa"]
    assert shown(q="silva") == ["Maria Silva"]
    assert shown(since=(t0 + timedelta(days=2)).date().isoformat()) == ["João Costa"]
    assert shown(until=(t0 + timedelta(days=2)).date().isoformat()) == [
        "Maria Silva",
        "Seaside Hotels",
    ]


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_costs_the_same_queries_for_2_or_20_entries(client_for, alice, owner, count):
    with audit.acting(audit.person_actor(alice)):
        for n in range(count):
            tenancy.owner_settings_update(owner=owner, lockout_attempts=n % 5 + 4)
    client = client_for(alice)
    client.get(LOG)  # the session and whatever is cached on a first request
    with CaptureQueriesContext(connection) as queries:
        html = _page(client)
    assert html.count('class="audit-entry"') == count
    # The session, the person, their memberships (the middleware, with whether they use
    # two-factor sign-in), the filter's people and keys, the owner's time zone, the count, the
    # page, the nav's badge.
    assert len(queries) == 9, [q["sql"] for q in queries]


def test_entries_are_newest_first_and_paged_by_50(client_for, alice, owner):
    with audit.acting(audit.person_actor(alice)):
        for n in range(51):
            tenancy.owner_settings_update(owner=owner, pin_quarantine_days=n + 1)
    client = client_for(alice)
    first = _page(client)
    assert first.count('class="audit-entry"') == 50
    assert "pin quarantine days 50 -&gt; 51" in first
    assert "pin quarantine days 30 -&gt; 1" not in first
    assert "pin quarantine days 30 -&gt; 1" in _page(client, page=2)


def test_twilio_token_and_webhook_url_are_never_written(client_for, alice, owner):
    client = client_for(alice)
    assert client.post("/settings/messages/", twilio_form()).status_code == 302
    client.post(
        "/settings/messages/", twilio_form(twilio_auth_token="f" * 32, arrival_hours_before="48")
    )
    with audit.acting(audit.person_actor(alice)):
        webhook_create(owner=owner, url="https://hooks.example.com/in?token=s3cr3tpath")

    [first, settings, webhook] = _entries()
    assert first.changes["transport"] == ["console", "twilio"]
    assert first.changes["twilio_auth_token"] == [None, "(set)"]
    assert settings.object_type == "messaging_settings" and settings.changes == {
        "twilio_auth_token": ["(changed)", "(changed)"],
        "arrival_hours_before": [24, 48],
    }
    assert webhook.changes["url"] == [None, "(set)"]
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert OWNER_TOKEN not in everything and "f" * 32 not in everything
    assert "s3cr3tpath" not in everything and webhook.object_label == "Webhook to hooks.example.com"


def test_a_lock_s_name_and_place_changed_on_the_dashboard(client_for, alice, owner, lock):
    response = client_for(alice).post(
        reverse("lock_edit", args=[lock.pk]),
        {"name": "Room 101 front door", "location": "2nd floor", "unit": lock.unit_id},
    )
    assert response.status_code == 302
    [entry] = _entries(object_type="lock")
    assert entry.changes == {
        "name": ["Room 101 door", "Room 101 front door"],
        "location": ["", "2nd floor"],
    }
    assert entry_sentence(entry) == (
        "alice (dashboard) changed door Room 101 front door: name Room 101 door -> "
        "Room 101 front door; place (none) -> 2nd floor"
    )


def test_prune_audit_deletes_entries_before_a_day(owner, alice, frozen):
    with audit.acting(audit.person_actor(alice)):
        tenancy.owner_settings_update(owner=owner, buffer_before_minutes=15)
        tenancy.owner_settings_update(owner=owner, buffer_before_minutes=20)
    AuditEntry.objects.filter(changes__buffer_before_minutes=[0, 15]).update(
        at=frozen - timedelta(days=400)
    )
    out = StringIO()
    call_command(
        "prune_audit", "--before", (frozen - timedelta(days=365)).date().isoformat(), stdout=out
    )
    assert "Deleted 1 audit entry" in out.getvalue()
    assert [e.changes for e in _entries()] == [{"buffer_before_minutes": [15, 20]}]


def test_a_backup_given_and_a_code_deleted_on_the_dashboard_are_named(
    client_for, bob, alice, owner, room, lock, frozen
):
    backup_pool_enable(lock=lock, now=frozen)
    scheduler.run_due_locks(now=frozen)
    scheduler.run_due_locks(now=frozen + timedelta(minutes=1))
    stay = book(owner, room, frozen, check_in=frozen + timedelta(hours=1), guest_name="Maria Silva")
    assert not AuditEntry.objects.exists()  # the pool is the engine's: nothing recorded

    response = client_for(bob).post(reverse("reservation_backups_give", args=[stay.pk]))
    assert response.status_code in (200, 302)
    backup = AccessCode.objects.get(reservation=stay, kind="backup")
    [given] = _entries()
    assert (given.actor, given.action, given.object_type) == (bob, "backup_given", "access_code")
    assert entry_sentence(given).startswith("bob (dashboard) gave a backup code for code ")
    assert backup.code not in json.dumps(list(AuditEntry.objects.values()), default=str)

    staff, _ = access_code_create(lock=lock, now=frozen, name="Cleaner", code="5937")
    client_for(alice).post(reverse("code_revoke", args=[lock.pk, staff.pk]))
    assert [e.action for e in _entries(object_id=str(staff.pk))] == ["deleted"]
