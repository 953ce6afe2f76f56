"""Right after a lock's device vanishes (a factory reset), its page says so: not Online, and
its codes not "On the lock" (nothing confirms them now)."""

from django.urls import reverse
from django.utils import timezone

from locks import access_codes, scheduler, simulator
from locks.models import AccessCode
from reservations.selectors import guest_code_state, reservation_get
from tests.backups.lockside import run
from tests.reservations.front_desk import book


def test_a_reset_shows_the_device_gone_before_the_next_pass(client_for, alice, lock):
    now = timezone.now()
    access_codes.access_code_create(lock=lock, now=now, name="Cleaner", code="5937")
    scheduler.run_due_locks(now=now + timezone.timedelta(minutes=6))
    assert AccessCode.objects.get(name="Cleaner").status == "set"

    simulator.simulated_factory_reset(lock=lock, now=timezone.now())
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    status = html[
        html.index('id="lock-status"') : html.index("</section>", html.index('id="lock-status"'))
    ]
    assert "Device gone" in status and "Online" not in status
    assert "it may have been reset or removed" in status
    code = html[html.index('id="code-') :]
    assert "Unknown" in code[:2000] and "On the lock" not in code[:2000]
    assert "The lock&#x27;s device is gone" in code[:2000]
    home = client_for(alice).get(reverse("home")).content.decode()
    assert "Device gone" in home


def test_an_in_house_guest_whose_code_is_on_an_offline_door_is_not_at_risk(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 + timezone.timedelta(hours=1), guest_name="Ana Costa")
    run(t0 + timezone.timedelta(hours=1))
    simulator.simulated_set_online(lock=lock, online=False, now=t0 + timezone.timedelta(hours=2))
    run(t0 + timezone.timedelta(hours=2))
    state = guest_code_state(reservation_get(owner, stay.pk), t0 + timezone.timedelta(hours=2))
    assert state.label == "Ready"
    assert "Room 101 door is offline; their code is on the lock." in state.detail


def test_today_shows_an_in_house_guest_on_an_offline_door_ready_not_at_risk(
    client_for, bob, owner, room, lock, t0, monkeypatch
):
    hour = timezone.timedelta(hours=1)
    stay = book(owner, room, t0 - 3 * hour, check_in=t0 - 2 * hour, guest_name="Ana Costa")
    run(t0 - 2 * hour)
    simulator.simulated_set_online(lock=lock, online=False, now=t0 - hour)
    run(t0 - hour)
    monkeypatch.setattr(timezone, "now", lambda: t0)
    html = client_for(bob).get(reverse("today")).content.decode()
    row = html[html.index(f'id="stay-{stay.pk}"') :]
    row = row[: row.index("</li>")]
    assert "Ready" in row and "At risk" not in row
    assert "Room 101 door is offline; their code is on the lock." in row


def test_a_lock_page_and_the_locks_list_count_slots_in_the_same_words(client_for, alice, lock):
    now = timezone.now()
    access_codes.access_code_create(lock=lock, now=now, name="Cleaner", code="5937")
    access_codes.access_code_create(lock=lock, now=now, name="Porter", code="6048")
    scheduler.run_due_locks(now=now + timezone.timedelta(minutes=6))
    client = client_for(alice)
    words = f"2 of {lock.max_active_codes} slots used"
    assert words in client.get(reverse("home")).content.decode()
    assert words in client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
