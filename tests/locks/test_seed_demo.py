from django.contrib.auth import authenticate
from django.core.management import call_command

from locks.models import AccessCode, ApiKey, Lock, Membership, Owner, hash_api_key
from locks.scheduler import run_due_locks


def _seed(capsys, *args):
    call_command("seed_demo", *args)
    return capsys.readouterr().out


def test_it_creates_an_owner_with_a_manager_and_a_front_desk_login(db, capsys):
    out = _seed(capsys)
    owner = Owner.objects.get(slug="demo")
    roles = dict(Membership.objects.filter(owner=owner).values_list("user__username", "role"))
    assert roles == {"demo": "manager", "demo-desk": "front_desk"}
    assert authenticate(username="demo", password="innkeeper-demo") is not None
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
    assert Owner.objects.filter(slug="demo").count() == 1


def test_the_demo_codes_reach_their_locks(db, capsys):
    _seed(capsys)
    run_due_locks()
    codes = AccessCode.objects.filter(owner__slug="demo", is_managed=True)
    assert codes.get(name="Housekeeping").status == "set"
    assert codes.get(name__startswith="Maria Silva").status == "set"
    # Starts in 35 minutes, so it waits for its 30-minute lead.
    assert codes.get(name__startswith="Tom Becker").status == "unset"
    assert AccessCode.objects.filter(owner__slug="demo", is_managed=False).count() == 1


def test_another_owner_can_be_seeded_beside_the_demo(db, capsys):
    _seed(capsys)
    _seed(capsys, "--owner", "acme")
    assert Lock.objects.filter(owner__slug="acme").count() == 6
    assert Membership.objects.filter(owner__slug="acme", user__username="acme").exists()
