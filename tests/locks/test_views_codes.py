from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from locks import access_codes, simulator
from locks.models import AccessCode, Event


def add_url(lock):
    return reverse("code_create", args=[lock.pk])


def local(dt, lock):
    return dt.astimezone(lock.property.tz).strftime("%Y-%m-%dT%H:%M")


def post_code(client, lock, **fields):
    start = timezone.now() + timedelta(days=1)
    data = {
        "name": "Anna Smith",
        "kind": "guest",
        "code": "",
        "type": "time_bound",
        "starts_at": local(start, lock),
        "ends_at": local(start + timedelta(days=2), lock),
        **fields,
    }
    return client.post(add_url(lock), data)


def test_it_adds_a_code_with_a_generated_pin(client_for, alice, lock):
    response = post_code(client_for(alice), lock)
    assert response.status_code == 302
    code = AccessCode.objects.get(lock=lock)
    assert code.name == "Anna Smith"
    assert code.kind == "guest"
    assert code.type == "time_bound"
    assert len(code.code) == 4 and code.code.isdigit()


def test_it_reads_the_window_in_the_property_time_zone(client_for, alice, lock):
    post_code(client_for(alice), lock, starts_at="2030-07-01T15:00", ends_at="2030-07-03T11:00")
    code = AccessCode.objects.get(lock=lock)
    # 15:00 in Lisbon in July is 14:00 UTC.
    assert code.starts_at.isoformat() == "2030-07-01T14:00:00+00:00"
    assert code.ends_at.isoformat() == "2030-07-03T10:00:00+00:00"


def test_it_adds_an_ongoing_code_with_a_given_pin(client_for, alice, lock):
    response = post_code(
        client_for(alice), lock, type="ongoing", starts_at="", ends_at="", code="5937"
    )
    assert response.status_code == 302
    code = AccessCode.objects.get(lock=lock)
    assert code.type == "ongoing"
    assert code.starts_at is None
    assert code.code == "5937"


def test_it_confirms_without_showing_the_pin(client_for, alice, lock):
    response = post_code(client_for(alice), lock, code="5937", type="ongoing")
    page = client_for(alice).get(response.url)
    html = page.content.decode()
    assert "Code “Anna Smith” added" in html
    assert "5937" not in html


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"code": "12ab"}, "code", "A PIN is digits only"),
        ({"code": "123"}, "code", "takes PINs of 4, 5, 6, 7, 8 digits, not 3"),
        ({"code": "1234"}, "code", "too easy to guess"),
        ({"code": "1111"}, "code", "must not be the same digit repeated"),
        ({"name": ""}, "name", "Give the code a name"),
        ({"starts_at": ""}, "starts_at", "Give the start time, or choose “Always”."),
        ({"ends_at": "tomorrow"}, "ends_at", "Enter a date and time"),
        (
            {"starts_at": "2030-07-03T15:00", "ends_at": "2030-07-01T11:00"},
            "ends_at",
            "The end time must be after the start time.",
        ),
        (
            {"starts_at": "2020-07-01T15:00", "ends_at": "2020-07-03T11:00"},
            "ends_at",
            "The end time is already in the past.",
        ),
        (
            # Lisbon's clocks jump from 01:00 to 02:00 on 31 March 2030.
            {"starts_at": "2030-03-31T01:30", "ends_at": "2030-04-02T11:00"},
            "starts_at",
            "does not exist on 31 Mar",
        ),
    ],
)
def test_it_says_what_to_fix(client_for, alice, lock, fields, field, words):
    response = post_code(client_for(alice), lock, **fields)
    assert response.status_code == 400
    form = response.context["code_form"]
    assert any(words in error for error in form.errors[field]), form.errors
    assert words in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert not AccessCode.objects.filter(lock=lock).exists()


def test_it_refuses_a_pin_already_on_the_lock(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Other", code="5937")
    response = post_code(client_for(alice), lock, code="5937")
    assert response.status_code == 400
    assert "already in use" in response.context["code_form"].errors["code"][0]


def test_front_desk_cannot_add_a_code(client_for, bob, lock):
    response = post_code(client_for(bob), lock)
    assert response.status_code == 403
    assert "Only managers can do that" in response.content.decode()
    assert not AccessCode.objects.exists()


# --- revoke ----------------------------------------------------------------------------------


def test_it_revokes_a_code(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    response = client_for(alice).post(reverse("code_revoke", args=[lock.pk, code.pk]))
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.deleted_at is not None


def test_front_desk_cannot_revoke_a_code(client_for, bob, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    response = client_for(bob).post(reverse("code_revoke", args=[lock.pk, code.pk]))
    assert response.status_code == 403
    code.refresh_from_db()
    assert code.deleted_at is None


def test_it_answers_404_for_a_code_of_another_lock(client_for, alice, owner, hotel, lock, t0):
    from tests import factories

    second = factories.simulated_lock(owner=owner, property=hotel, name="Gate", now=t0)
    code, _ = access_codes.access_code_create(lock=second, now=t0, name="Anna")
    response = client_for(alice).post(reverse("code_revoke", args=[lock.pk, code.pk]))
    assert response.status_code == 404


# --- reveal ----------------------------------------------------------------------------------


def test_it_reveals_the_pin_to_a_manager_and_records_it(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    response = client_for(alice).post(
        reverse("code_reveal", args=[lock.pk, code.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "5937" in html
    assert "<html" not in html
    event = Event.objects.get(event_type="access_code.pin_revealed")
    assert event.access_code == code
    assert event.data["revealed_by"] == "alice"
    assert "5937" not in event.message


def test_it_reveals_the_pin_without_javascript(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    response = client_for(alice).post(reverse("code_reveal", args=[lock.pk, code.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="pin pin-revealed"' in html
    assert "5937" in html
    assert "PIN of “Anna” shown to alice" in html


def test_it_never_reveals_a_pin_to_front_desk(client_for, bob, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    client = client_for(bob)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(reverse("code_reveal", args=[lock.pk, code.pk]), **headers)
        assert response.status_code == 403
        assert "5937" not in response.content.decode()
    assert not Event.objects.filter(event_type="access_code.pin_revealed").exists()


def test_it_refuses_a_reveal_by_get(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    response = client_for(alice).get(reverse("code_reveal", args=[lock.pk, code.pk]))
    assert response.status_code == 405


def test_it_reveals_an_unmanaged_pin_to_a_manager(client_for, alice, lock, t0):
    from locks import scheduler

    simulator.simulated_add_unmanaged_code(lock=lock, code="5937", name="Plumber", now=t0)
    scheduler.run_due_locks(now=t0)
    code = AccessCode.objects.get(is_managed=False)
    response = client_for(alice).post(
        reverse("code_reveal", args=[lock.pk, code.pk]), HTTP_HX_REQUEST="true"
    )
    assert "5937" in response.content.decode()


# --- change PIN ------------------------------------------------------------------------------


def test_it_changes_a_pin(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    response = client_for(alice).post(
        reverse("code_change_pin", args=[lock.pk, code.pk]), {"code": "4826"}
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.code == "4826"


def test_it_picks_a_new_pin_when_none_is_given(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    client_for(alice).post(reverse("code_change_pin", args=[lock.pk, code.pk]), {"code": ""})
    code.refresh_from_db()
    assert code.code != "5937"


def test_it_says_why_a_new_pin_is_refused(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    response = client_for(alice).post(
        reverse("code_change_pin", args=[lock.pk, code.pk]), {"code": "1234"}, follow=True
    )
    assert "too easy to guess" in response.content.decode()
    code.refresh_from_db()
    assert code.code == "5937"
