from datetime import timedelta

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from locks.models import AccessCode, ApiKey, Lock, Membership, Owner, Property, hash_api_key
from locks.scheduler import run_due_locks
from locks.times import local_day_bounds
from reservations.models import Reservation


def _seed(capsys, *args):
    call_command("seed_demo", *args)
    return capsys.readouterr().out


def test_it_creates_an_owner_with_a_manager_and_a_front_desk_login(db, capsys):
    out = _seed(capsys)
    owner = Owner.objects.get(slug="demo")
    roles = dict(Membership.objects.filter(owner=owner).values_list("user__username", "role"))
    assert roles == {"demo": "manager", "demo-desk": "front_desk"}
    # django-axes' backend checks each sign-in against its request.
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="demo", password="innkeeper-demo") is not None
    assert "demo / innkeeper-demo" in out


def test_it_builds_a_hotel_and_a_home_with_room_and_shared_doors(db, capsys):
    _seed(capsys)
    locks = Lock.objects.filter(owner__slug="demo")
    assert set(locks.values_list("property__name", flat=True)) == {
        "Harbour Hotel",
        "Olive Tree Cottage",
    }
    assert locks.filter(unit__isnull=True).exists()  # the street entrance is shared
    assert locks.filter(supports_native_scheduling=True).exists()
    assert len(set(locks.values_list("model_name", flat=True))) >= 3


def test_the_printed_api_key_works_and_the_previous_one_is_revoked(db, capsys):
    first = _seed(capsys).split("API key:")[1].split()[0]
    second = _seed(capsys).split("API key:")[1].split()[0]
    assert first != second
    assert ApiKey.objects.get(key_hash=hash_api_key(first)).revoked_at is not None
    assert ApiKey.objects.get(key_hash=hash_api_key(second)).revoked_at is None


def test_running_it_twice_keeps_one_copy_of_everything(db, capsys):
    _seed(capsys)
    _seed(capsys)
    assert Lock.objects.filter(owner__slug="demo").count() == 6
    assert Reservation.objects.filter(owner__slug="demo").count() == 6
    assert Owner.objects.filter(slug="demo").count() == 1


def test_the_demo_codes_reach_their_locks(db, capsys):
    _seed(capsys)
    run_due_locks()
    codes = AccessCode.objects.filter(owner__slug="demo", is_managed=True)
    assert codes.get(name="Housekeeping").status == "set"
    maria = codes.filter(reservation__guest_name="Maria Silva")
    assert {(c.lock.name, c.status) for c in maria} == {
        ("Room 102", "set"),
        ("Street entrance", "set"),
    }
    # Starts in 35 minutes, so it waits for its 30-minute lead on the room's plain keypad;
    # the street entrance holds a schedule itself and has it already (`unset` until it starts).
    tom = codes.filter(reservation__guest_name="Tom Becker")
    assert {(c.lock.name, c.status, c.is_scheduled_on_device) for c in tom} == {
        ("Room 101", "unset", False),
        ("Street entrance", "unset", True),
    }
    assert AccessCode.objects.filter(owner__slug="demo", is_managed=False).count() == 1


def test_the_demo_has_stays_instead_of_loose_guest_codes(db, capsys):
    _seed(capsys)
    assert not AccessCode.objects.filter(
        owner__slug="demo", kind="guest", reservation__isnull=True
    ).exists()
    stays = Reservation.objects.filter(owner__slug="demo")
    assert stays.filter(unit__property__name="Harbour Hotel").count() >= 4
    assert stays.filter(unit__property__name="Olive Tree Cottage").count() >= 1
    assert set(stays.values_list("source", flat=True)) >= {"manual", "ical", "api"}
    assert all(phone.startswith("+3519") for phone in stays.values_list("phone", flat=True))
    assert set(Property.objects.filter(owner__slug="demo").values_list("country", flat=True)) == {
        "PT"
    }


def test_the_demo_shows_todays_arrivals_a_departure_and_a_flagged_overlap(db, capsys):
    before = timezone.now()
    _seed(capsys)
    after = timezone.now()
    hotel = Property.objects.get(owner__slug="demo", name="Harbour Hotel")
    start, end = local_day_bounds(timezone.localdate(after, hotel.tz), hotel.tz)
    stays = Reservation.objects.filter(owner__slug="demo")
    tom = stays.get(guest_name="Tom Becker")
    assert before + timedelta(minutes=35) <= tom.check_in <= after + timedelta(minutes=35)
    assert "João Pereira" in stays.filter(check_in__gte=start, check_in__lt=end).values_list(
        "guest_name", flat=True
    )
    assert "Inês Carvalho" in stays.filter(check_out__gte=start, check_out__lt=end).values_list(
        "guest_name", flat=True
    )
    flagged = stays.filter(has_conflict=True)
    assert set(flagged.values_list("unit__name", flat=True)) == {"Whole house"}
    assert flagged.count() == 2


def test_every_door_of_a_stay_gets_the_same_pin(db, capsys):
    _seed(capsys)
    for stay in Reservation.objects.filter(owner__slug="demo", check_out__gt=timezone.now()):
        assert set(stay.access_codes.values_list("code", flat=True)) == {stay.pin}


def test_another_owner_can_be_seeded_beside_the_demo(db, capsys):
    _seed(capsys)
    _seed(capsys, "--owner", "acme")
    assert Lock.objects.filter(owner__slug="acme").count() == 6
    assert Membership.objects.filter(owner__slug="acme", user__username="acme").exists()


def test_every_demo_lock_keeps_a_backup_pool(db, capsys):
    _seed(capsys)
    run_due_locks()
    for lock in Lock.objects.filter(owner__slug="demo"):
        assert lock.backup_pool_enabled
        ready = AccessCode.objects.filter(lock=lock, kind="backup", status="set").count()
        # The 6-slot lock has room for fewer once its guests' codes are on.
        assert ready == 5 if lock.max_active_codes >= 20 else 0 < ready <= 5


def test_the_guest_in_house_came_in_at_her_doors_keypads(db, capsys):
    _seed(capsys)
    maria = Reservation.objects.get(owner__slug="demo", guest_name="Maria Silva")

    entries = maria.events.filter(event_type="lock.unlocked").order_by("occurred_at")
    assert [e.lock.name for e in entries] == ["Street entrance", "Room 102"]
    assert maria.arrived_at == entries[0].occurred_at > maria.check_in
    assert all(e.data == {"method": "keycode", "is_backup": False} for e in entries)


def test_it_prints_the_api_endpoint_at_the_address_it_is_served_on(db, capsys):
    out = _seed(capsys, "--base-url", "http://0.0.0.0:8123/")

    assert 'endpoint="http://0.0.0.0:8123/api"' in out
    assert "Dashboard:         http://0.0.0.0:8123/\n" in out
    assert ":8000" not in out


def test_without_an_address_it_prints_make_runs_default(db, capsys):
    assert 'endpoint="http://127.0.0.1:8000/api"' in _seed(capsys)
