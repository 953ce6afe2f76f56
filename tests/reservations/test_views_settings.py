"""Settings (managers): code handling, properties and units, people and roles."""

from django.urls import reverse

from locks.models import Membership, Property, Unit
from tests import factories

OWNER_SETTINGS = {
    "buffer_before_minutes": "30",
    "buffer_after_minutes": "15",
    "guest_pin_source": "phone",
    "guest_pin_length": "6",
    "program_lead_minutes": "45",
    "native_schedule_lead_hours": "48",
    "pin_quarantine_days": "60",
    "lock_poll_minutes": "20",
    "delay_warning_minutes": "10",
    "failure_error_minutes": "90",
}


def test_a_manager_changes_how_codes_are_handled(client_for, alice, owner):
    response = client_for(alice).post(reverse("settings"), OWNER_SETTINGS)
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.buffer_before_minutes == 30 and owner.guest_pin_source == "phone"
    assert owner.guest_pin_length == 6 and owner.failure_error_minutes == 90


def test_settings_are_checked_with_plain_messages(client_for, alice, owner):
    data = {**OWNER_SETTINGS, "guest_pin_length": "3", "failure_error_minutes": "5"}
    html = client_for(alice).post(reverse("settings"), data).content.decode()
    assert "Use at least 4." in html
    data = {**OWNER_SETTINGS, "failure_error_minutes": "5"}
    html = client_for(alice).post(reverse("settings"), data).content.decode()
    assert "The error must come after the warning" in html
    owner.refresh_from_db()
    assert owner.guest_pin_length == 4


def test_a_manager_sets_when_wrong_pins_are_a_lockout(client_for, alice, owner):
    lockouts = {
        "lockout_attempts": "4",
        "lockout_within_minutes": "15",
        "lockout_hours_before": "3",
        "lockout_night_ends_hour": "11",
    }
    page = client_for(alice).get(reverse("settings")).content.decode()
    assert "Lockouts at check-in" in page and 'name="lockout_attempts" value="3"' in page

    assert (
        client_for(alice).post(reverse("settings"), {**OWNER_SETTINGS, **lockouts}).status_code
        == 302
    )

    owner.refresh_from_db()
    assert (owner.lockout_attempts, owner.lockout_within_minutes) == (4, 15)
    assert (owner.lockout_hours_before, owner.lockout_night_ends_hour) == (3, 11)
    bad = {**OWNER_SETTINGS, **lockouts, "lockout_night_ends_hour": "24"}
    assert "Use at most 23." in client_for(alice).post(reverse("settings"), bad).content.decode()
    owner.refresh_from_db()
    assert owner.lockout_night_ends_hour == 11


def test_the_page_explains_each_setting(client_for, alice):
    html = client_for(alice).get(reverse("settings")).content.decode()
    assert "A guest code starts this long before check-in." in html
    assert "More often drains batteries faster." in html
    assert reverse("api_keys") in html


def test_a_manager_edits_a_property(client_for, alice, hotel):
    data = {
        "name": "Seaside Hotel",
        "address": "2 Beach Road",
        "time_zone": "Europe/Madrid",
        "country": "es",
        "default_check_in": "16:00",
        "default_check_out": "10:30",
    }
    response = client_for(alice).post(reverse("property_edit", args=[hotel.pk]), data)
    assert response.status_code == 302
    hotel.refresh_from_db()
    assert hotel.time_zone == "Europe/Madrid" and hotel.country == "ES"
    assert hotel.default_check_in.strftime("%H:%M") == "16:00"


def test_a_property_needs_a_real_time_zone_and_country(client_for, alice, hotel):
    data = {
        "name": "Seaside Hotel",
        "time_zone": "Lisbon",
        "country": "XX",
        "default_check_in": "15:00",
        "default_check_out": "11:00",
    }
    html = client_for(alice).post(reverse("property_edit", args=[hotel.pk]), data).content.decode()
    assert "“Lisbon” is not a time zone name" in html
    assert "“XX” is not a two-letter country code" in html
    hotel.refresh_from_db()
    assert hotel.time_zone == "Europe/Lisbon"


def test_a_manager_adds_a_property(client_for, alice, owner):
    data = {
        "name": "Olive Cottage",
        "time_zone": "Europe/Lisbon",
        "country": "PT",
        "default_check_in": "15:00",
        "default_check_out": "11:00",
    }
    response = client_for(alice).post(reverse("property_create"), data)
    prop = Property.objects.get(name="Olive Cottage")
    assert prop.owner == owner
    assert response.url == reverse("property_edit", args=[prop.pk])


def test_a_manager_adds_and_renames_units(client_for, alice, hotel, room):
    client = client_for(alice)
    client.post(reverse("unit_create", args=[hotel.pk]), {"name": "Room 102"})
    assert hotel.units.filter(name="Room 102").exists()
    html = client.post(reverse("unit_create", args=[hotel.pk]), {"name": "room 101"}).content
    assert "already has a unit called" in html.decode()
    client.post(reverse("unit_rename", args=[room.pk]), {"name": "Garden Room"})
    room.refresh_from_db()
    assert room.name == "Garden Room"
    assert Unit.objects.filter(property=hotel).count() == 2


def test_the_team_is_invited_by_email_not_given_a_password(client_for, alice):
    # Invites themselves: tests/locks/test_invites.py.
    html = client_for(alice).get(reverse("settings")).content.decode()
    assert "Invite someone" in html and reverse("invite_create") in html
    assert 'type="password"' not in html


def test_a_manager_changes_a_role_and_removes_someone(client_for, alice, bob, owner):
    client = client_for(alice)
    membership = Membership.objects.get(user=bob)
    client.post(reverse("member_role", args=[membership.pk]), {"role": "manager"})
    membership.refresh_from_db()
    assert membership.role == "manager"
    client.post(reverse("member_remove", args=[membership.pk]))
    assert not Membership.objects.filter(user=bob).exists()


def test_the_last_manager_cannot_be_removed_or_demoted(client_for, alice, bob):
    client = client_for(alice)
    membership = Membership.objects.get(user=alice)
    response = client.post(reverse("member_remove", args=[membership.pk]), follow=True)
    assert "alice is the last manager" in response.content.decode()
    response = client.post(
        reverse("member_role", args=[membership.pk]), {"role": "front_desk"}, follow=True
    )
    assert "Make someone else a manager first" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_a_second_manager_can_be_removed(client_for, alice, owner):
    other = factories.member(owner, "erin", role="manager")
    membership = Membership.objects.get(user=other)
    client_for(alice).post(reverse("member_remove", args=[membership.pk]))
    assert not Membership.objects.filter(user=other).exists()
