from datetime import timedelta

from django.urls import reverse

from locks import access_codes, scheduler, simulator
from locks.models import AccessCode, SimulatedDevice


def device_of(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def test_it_shows_the_controls_to_a_manager(client_for, alice, lock):
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Simulate the hardware" in html
    assert "Take offline" in html
    assert "Factory reset" in html


def test_taking_the_lock_offline_shows_on_the_page_after_a_check(client_for, alice, lock):
    client = client_for(alice)
    response = client.post(reverse("simulate_connection", args=[lock.pk]), {"online": "0"})
    assert response.status_code == 302
    assert device_of(lock).online is False
    scheduler.run_due_locks()
    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Offline" in html
    assert "The lock is offline." in html
    assert "Bring online" in html


def test_bringing_it_back_online(client_for, alice, lock, t0):
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    client_for(alice).post(reverse("simulate_connection", args=[lock.pk]), {"online": "1"})
    assert device_of(lock).online is True


def test_losing_a_code_deletes_it_from_the_lock(client_for, alice, lock):
    code, _ = access_codes.access_code_create(
        lock=lock, now=lock.last_read_at, name="Anna", code="5937"
    )
    scheduler.run_due_locks()
    stored = device_of(lock).codes.get()
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert f'value="{stored.slot}"' in html
    assert "5937" not in html
    response = client_for(alice).post(
        reverse("simulate_lose_code", args=[lock.pk]), {"slot": str(stored.slot)}
    )
    assert response.status_code == 302
    assert not device_of(lock).codes.exists()


def test_losing_a_code_that_is_gone_says_so(client_for, alice, lock):
    response = client_for(alice).post(
        reverse("simulate_lose_code", args=[lock.pk]), {"slot": "7"}, follow=True
    )
    assert "no longer on the lock" in response.content.decode()


def test_adding_a_code_at_the_keypad(client_for, alice, lock):
    client_for(alice).post(
        reverse("simulate_add_code", args=[lock.pk]), {"code": "5937", "name": "Plumber"}
    )
    assert device_of(lock).codes.get().code == "5937"
    scheduler.run_due_locks()
    assert AccessCode.objects.get(lock=lock, is_managed=False).name == "Plumber"


def test_adding_a_bad_code_at_the_keypad_says_why(client_for, alice, lock):
    response = client_for(alice).post(
        reverse("simulate_add_code", args=[lock.pk]), {"code": "1111"}, follow=True
    )
    assert "The lock rejects that PIN" in response.content.decode()


def test_refusing_writes_for_ten_minutes(client_for, alice, lock):
    client_for(alice).post(reverse("simulate_refuse_writes", args=[lock.pk]), {"refuse": "1"})
    assert device_of(lock).refuse_writes_until is not None
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Refusing until" in html
    client_for(alice).post(reverse("simulate_refuse_writes", args=[lock.pk]), {"refuse": "0"})
    assert device_of(lock).refuse_writes_until is None


def test_a_factory_reset_wipes_the_lock(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    scheduler.run_due_locks(now=t0)
    response = client_for(alice).post(
        reverse("simulate_factory_reset", args=[lock.pk]), follow=True
    )
    assert "came back as a new device" in response.content.decode()
    assert device_of(lock).wiped is True
    assert SimulatedDevice.objects.filter(owner=lock.owner, wiped=False).count() == 1


def test_check_now_queues_a_reconcile(client_for, alice, lock, t0):
    lock.next_check_at = t0 + timedelta(days=365)
    lock.save()
    response = client_for(alice).post(reverse("lock_check", args=[lock.pk]))
    assert response.status_code == 302
    lock.refresh_from_db()
    assert lock.next_check_at < t0 + timedelta(days=365)


def test_the_keypad_opens_for_a_code_on_the_lock(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    scheduler.run_due_locks(now=t0)
    response = client_for(alice).post(
        reverse("keypad_try", args=[lock.pk]), {"code": "5937"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Door opens" in html
    assert "<html" not in html


def test_the_keypad_stays_locked_for_an_unknown_pin(client_for, alice, lock):
    response = client_for(alice).post(reverse("keypad_try", args=[lock.pk]), {"code": "5937"})
    assert response.status_code == 200
    assert "Door stays locked" in response.content.decode()


def test_the_keypad_stays_locked_for_a_code_not_yet_on_the_lock(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    response = client_for(alice).post(reverse("keypad_try", args=[lock.pk]), {"code": "5937"})
    assert "Door stays locked" in response.content.decode()


def test_front_desk_cannot_use_the_controls(client_for, bob, lock):
    client = client_for(bob)
    for name, data in [
        ("simulate_connection", {"online": "0"}),
        ("simulate_lose_code", {"slot": "1"}),
        ("simulate_add_code", {"code": "5937"}),
        ("simulate_refuse_writes", {"refuse": "1"}),
        ("simulate_factory_reset", {}),
        ("lock_check", {}),
        ("keypad_try", {"code": "5937"}),
    ]:
        response = client.post(reverse(name, args=[lock.pk]), data)
        assert response.status_code == 403, name
    device = device_of(lock)
    assert device.online and not device.wiped and device.refuse_writes_until is None
    assert not device.codes.exists()
    assert not device.events.exists()  # no PIN was tried at the keypad either
    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Try a PIN at the keypad" not in html


def test_a_keypad_try_shows_in_the_locks_activity(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Cleaner", code="5937")
    scheduler.run_due_locks(now=t0)
    client = client_for(alice)
    client.post(reverse("keypad_try", args=[lock.pk]), {"code": "5937"})
    client.post(reverse("keypad_try", args=[lock.pk]), {"code": "8264"})
    page = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Door opened with “Cleaner”" in page
    assert "Wrong PIN typed at the keypad" in page
    assert "8264" not in page
