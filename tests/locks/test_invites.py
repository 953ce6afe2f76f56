"""A manager invites people by email with a role; the person chooses their own name and password
from the link (single use, 3 days). Removed members are out from their next request."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from locks.models import Invite, Membership
from tests import factories

PASSWORD = "harbour-lights-42"
NEW_PERSON = {
    "first_name": "Dora",
    "last_name": "Reis",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.fixture
def clock(monkeypatch, t0):
    """`clock.now`: what timezone.now() answers; move it by setting it."""

    class Clock:
        now = t0

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


def invite(client, email="dora@example.com", role="front_desk"):
    """Post the invite form; returns (response, the emailed link or None)."""
    before = len(mail.outbox)
    response = client.post(reverse("invite_create"), {"email": email, "role": role})
    if len(mail.outbox) == before:
        return response, None
    return response, re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def signs_in(username, password):
    """Through the login page, as a person does (and as django-axes counts)."""
    answer = Client().post(reverse("login"), {"username": username, "password": password})
    return answer.status_code == 302


def test_an_invited_person_chooses_name_and_password_and_lands_on_today(
    client_for, alice, owner, clock
):
    response, link = invite(client_for(alice), email="Dora@Example.com")

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["dora@example.com"]
    assert message.subject == "Join Seaside Hotels on Innkeeper"
    assert "alice invites you to Seaside Hotels on Innkeeper, as front desk." in message.body
    assert "The link works once, for 3 days." in message.body
    assert link.startswith("http://testserver/invite/")
    token = link.rstrip("/").rpartition("/")[2]
    stored = Invite.objects.get()
    assert len(token) >= 40 and token not in stored.token_hash
    assert stored.token_hash == Invite.hash_token(token)
    assert stored.expires_at == clock.now + timedelta(days=3)

    dora = Client()
    page = dora.get(link)
    assert page.status_code == 200
    assert "Join Seaside Hotels" in page.content.decode()
    assert "you sign in with dora@example.com" in page.content.decode()
    response = dora.post(link, NEW_PERSON)

    assert response.status_code == 302 and response.url == reverse("today")
    today = dora.get(response.url).content.decode()
    assert "Welcome to Seaside Hotels. You are signed in as front desk." in today
    user = get_user_model().objects.get(email="dora@example.com")
    assert user.get_username() == "dora@example.com" and user.get_full_name() == "Dora Reis"
    assert Membership.objects.get(user=user).role == "front_desk"
    assert Membership.objects.get(user=user).owner == owner
    assert dora.get(reverse("settings")).status_code == 403  # front desk, as invited
    assert signs_in("dora@example.com", PASSWORD)


def test_a_manager_invite_makes_a_manager(client_for, alice, clock):
    _, link = invite(client_for(alice), email="erin@example.com", role="manager")
    person = Client()
    person.post(link, NEW_PERSON)
    assert person.get(reverse("settings")).status_code == 200


def test_the_link_uses_the_public_address_when_set(client_for, alice, settings, clock):
    settings.PUBLIC_BASE_URL = "https://locks.example.com"
    _, link = invite(client_for(alice))
    assert link.startswith("https://locks.example.com/invite/")


def test_each_problem_with_the_form_is_said_beside_it(client_for, alice, clock):
    _, link = invite(client_for(alice))
    person = Client()
    cases = [
        ({"first_name": ""}, "Type your first name, as your colleagues will see it."),
        ({"password2": "harbour-lights-43"}, "The two passwords differ"),
        ({"password1": "short1", "password2": "short1"}, "This password is too short."),
        ({"password1": "password123", "password2": "password123"}, "too common"),
        ({"password1": "", "password2": ""}, "Choose a password."),
    ]
    for change, error in cases:
        response = person.post(link, {**NEW_PERSON, **change})
        assert response.status_code == 400, change
        assert error in response.content.decode(), change
    assert not get_user_model().objects.filter(email="dora@example.com").exists()
    assert person.post(link, NEW_PERSON).status_code == 302  # the link still works


def test_a_link_works_once(client_for, alice, clock):
    _, link = invite(client_for(alice))
    assert Client().post(link, NEW_PERSON).status_code == 302

    again = Client()
    page = again.get(link)
    assert page.status_code == 410
    html = page.content.decode()
    assert "It was used already" in html and "Ask your manager to invite you again" in html
    assert again.post(link, {**NEW_PERSON, "first_name": "Mallory"}).status_code == 410
    assert get_user_model().objects.filter(email="dora@example.com").count() == 1
    assert not get_user_model().objects.filter(first_name="Mallory").exists()


def test_a_link_runs_out_after_3_days(client_for, alice, clock, t0):
    _, link = invite(client_for(alice))

    clock.now = t0 + timedelta(days=3) - timedelta(minutes=1)
    assert Client().get(link).status_code == 200
    clock.now = t0 + timedelta(days=3)
    page = Client().get(link)
    assert page.status_code == 410
    assert "It has run out: an invite link works for 3 days." in page.content.decode()
    assert Client().post(link, NEW_PERSON).status_code == 410
    assert not get_user_model().objects.filter(email="dora@example.com").exists()


def test_a_revoked_invite_is_refused_and_leaves_the_list(client_for, alice, clock):
    manager = client_for(alice)
    _, link = invite(manager)
    pending = manager.get(reverse("settings")).content.decode()
    assert "dora@example.com" in pending and "Resend" in pending and "Revoke" in pending

    response = manager.post(reverse("invite_revoke", args=[Invite.objects.get().pk]), follow=True)

    assert "The invite to dora@example.com is withdrawn" in response.content.decode()
    assert 'id="invites"' not in response.content.decode()
    page = Client().get(link)
    assert page.status_code == 410 and "It was withdrawn" in page.content.decode()
    assert Client().post(link, NEW_PERSON).status_code == 410
    assert not get_user_model().objects.filter(email="dora@example.com").exists()


def test_settings_lists_pending_invites_and_members_emails(client_for, alice, bob, clock):
    bob.email = "bob@seaside.example"
    bob.save()
    manager = client_for(alice)
    invite(manager, email="dora@example.com", role="manager")
    html = manager.get(reverse("settings")).content.decode()
    row = re.search(r'<tr id="invite-\d+">.*?</tr>', html, re.S).group(0)
    assert "dora@example.com" in row and "Manager" in row and "4 Jun, 12:00" in row
    assert "bob@seaside.example" in html


def test_inviting_again_replaces_the_old_invite(client_for, alice, clock):
    manager = client_for(alice)
    _, first = invite(manager, role="manager")
    _, second = invite(manager, role="front_desk")

    assert Client().get(first).status_code == 410
    (open_invite,) = Invite.objects.filter(revoked_at__isnull=True)
    assert open_invite.role == "front_desk"
    person = Client()
    assert person.post(second, NEW_PERSON).status_code == 302
    assert person.get(reverse("settings")).status_code == 403


def test_resend_emails_a_new_link_for_3_more_days(client_for, alice, clock, t0):
    manager = client_for(alice)
    _, first = invite(manager)
    clock.now = t0 + timedelta(days=2)

    manager.post(reverse("invite_resend", args=[Invite.objects.get().pk]))

    assert len(mail.outbox) == 2
    second = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    assert second != first
    assert Client().get(first).status_code == 410
    clock.now = t0 + timedelta(days=4)  # past the first link's end, within the new one's
    assert Client().post(second, NEW_PERSON).status_code == 302


def test_inviting_a_member_is_a_form_error(client_for, alice, bob, clock):
    bob.email = "bob@seaside.example"
    bob.save()
    response, link = invite(client_for(alice), email="BOB@seaside.example")
    assert response.status_code == 400
    assert "bob@seaside.example is already a member here" in response.content.decode()
    assert link is None and not Invite.objects.exists()


def test_a_bad_address_is_a_form_error(client_for, alice, clock):
    response, link = invite(client_for(alice), email="dora at example")
    assert response.status_code == 400
    assert "Enter an email address, e.g. ana@example.com." in response.content.decode()
    assert link is None


@pytest.fixture
def charlie_with_email(charlie):
    charlie.email = "charlie@hilltop.example"
    charlie.save()
    return charlie


def test_someone_with_an_account_joins_with_it(client_for, alice, owner, charlie_with_email, clock):
    accounts = get_user_model().objects.count()
    _, link = invite(client_for(alice), email="charlie@hilltop.example")
    assert "join with your Innkeeper account, charlie" in mail.outbox[0].body

    person = Client()
    page = person.get(link).content.decode()
    assert "has an Innkeeper account already, charlie" in page
    assert 'type="password"' not in page  # no second account to make
    signed_in = person.post(
        reverse("login") + f"?next={link}",
        {"username": "charlie", "password": factories.PASSWORD, "next": link},
    )
    assert signed_in.status_code == 302
    assert "Join Seaside Hotels" in person.get(signed_in.url).content.decode()
    response = person.post(link)

    assert response.url == reverse("today")
    assert get_user_model().objects.count() == accounts
    roles = dict(
        Membership.objects.filter(user=charlie_with_email).values_list("owner__slug", "role")
    )
    assert roles == {"hilltop": "manager", "seaside": "front_desk"}
    today = person.get(reverse("today")).content.decode()
    assert "Welcome to Seaside Hotels" in today
    assert Client().get(link).status_code == 410


def test_signed_in_as_someone_else_the_invite_is_not_taken(client_for, alice, bob, clock):
    _, link = invite(client_for(alice), email="dora@example.com")
    other = client_for(bob)
    page = other.get(link).content.decode()
    assert "This invite is for dora@example.com, and you are signed in as bob." in page
    assert other.post(link, NEW_PERSON).status_code == 200
    assert Invite.objects.get().accepted_at is None
    assert not get_user_model().objects.filter(email="dora@example.com").exists()


def test_an_unknown_link_says_so(client, db):
    page = client.get(reverse("invite_accept", args=["not-a-token-we-sent"]))
    assert page.status_code == 404
    assert "This link is not one we sent" in page.content.decode()


def test_another_owner_s_invite_cannot_be_revoked_or_resent(
    client_for, alice, charlie, clock, other_owner
):
    _, link = invite(client_for(alice))
    pk = Invite.objects.get().pk
    outsider = client_for(charlie)
    assert outsider.post(reverse("invite_revoke", args=[pk])).status_code == 404
    assert outsider.post(reverse("invite_resend", args=[pk])).status_code == 404
    assert len(mail.outbox) == 1
    assert Client().get(link).status_code == 200


def test_the_front_desk_cannot_invite(client_for, bob, alice, clock):
    response, link = invite(client_for(bob), role="manager")
    assert response.status_code == 403
    assert link is None and not Invite.objects.exists()
    _, link = invite(client_for(alice))
    pk = Invite.objects.get().pk
    desk = client_for(bob)
    assert desk.post(reverse("invite_revoke", args=[pk])).status_code == 403
    assert desk.post(reverse("invite_resend", args=[pk])).status_code == 403


def bob_sessions(bob):
    return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(bob.pk)]


def test_a_removed_member_is_signed_out_at_once(alice, bob, lock, clock):
    manager, desk = Client(), Client()
    manager.force_login(alice)
    desk.force_login(bob)
    laptop = Client()
    laptop.force_login(bob)  # a second browser of theirs
    assert desk.get(reverse("today")).status_code == 200
    assert len(bob_sessions(bob)) == 2

    manager.post(reverse("member_remove", args=[Membership.objects.get(user=bob).pk]))

    assert bob_sessions(bob) == []
    for browser in (desk, laptop):
        for url in (reverse("today"), reverse("lock_detail", args=[lock.pk])):
            response = browser.get(url)
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert manager.get(reverse("today")).status_code == 200  # only bob's sessions ended


def test_a_member_removed_from_one_owner_keeps_the_other_but_not_that_one(
    alice, bob, lock, other_owner, clock
):
    Membership.objects.create(user=bob, owner=other_owner, role="front_desk")
    manager, desk = Client(), Client()
    manager.force_login(alice)
    desk.force_login(bob)
    desk.post(reverse("owner_switch"), {"owner_id": lock.owner_id})
    assert "Seaside Hotels" in desk.get(reverse("today")).content.decode()

    manager.post(
        reverse("member_remove", args=[Membership.objects.get(user=bob, owner=lock.owner).pk])
    )

    today = desk.get(reverse("today"))
    assert today.status_code == 200
    assert today.context["request"].membership.owner == other_owner
    assert desk.get(reverse("lock_detail", args=[lock.pk])).status_code == 404
    assert desk.post(reverse("owner_switch"), {"owner_id": lock.owner_id}).status_code == 404
