"""Forgotten passwords reset by email; known ones changed when signed in."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests import factories

NEW = "harbour-lights-42"


@pytest.fixture
def alice_with_email(alice):
    alice.email = "alice@seaside.example"
    alice.save()
    return alice


def reset_link(client, email="alice@seaside.example"):
    client.post(reverse("password_reset"), {"email": email})
    (message,) = mail.outbox
    return re.search(r"https?://\S+", message.body).group(0)


def signs_in(password, username="alice"):
    """Through the login page, as a person does (and as django-axes counts)."""
    answer = Client().post(reverse("login"), {"username": username, "password": password})
    return answer.status_code == 302


def test_the_login_page_links_to_a_reset(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "Forgot your password?" in html
    assert reverse("password_reset") in html


def test_the_reset_page_opens_signed_out(client, db):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "Reset your password" in response.content.decode()


def test_asking_for_a_reset_emails_a_link(client, alice_with_email):
    response = client.post(reverse("password_reset"), {"email": "Alice@Seaside.example"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert "Check your email" in client.get(response.url).content.decode()
    (message,) = mail.outbox
    assert message.to == ["alice@seaside.example"]
    assert message.subject == "Reset your Innkeeper password"
    assert "http://testserver/password/reset/" in message.body
    assert "for 3 days" in message.body
    assert "If you did not ask for this, ignore this email; your password stays as it is." in (
        message.body
    )


def test_the_link_uses_the_public_address_when_set(client, alice_with_email, settings):
    settings.PUBLIC_BASE_URL = "https://locks.example.com"
    assert reset_link(client).startswith("https://locks.example.com/password/reset/")


def test_the_link_sets_a_new_password(client, alice_with_email):
    link = reset_link(client)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert "Your password is changed" in client.get(response.url).content.decode()
    assert signs_in(NEW)
    assert not signs_in(factories.PASSWORD)


def test_the_new_password_must_be_typed_the_same_twice(client, alice_with_email):
    set_password_url = client.get(reset_link(client), follow=True).redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW + "x"})

    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    assert signs_in(factories.PASSWORD)


def test_a_used_link_does_not_work_again(client, alice_with_email):
    link = reset_link(client)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})

    again = Client().get(link, follow=True)
    html = again.content.decode()
    assert "This link does not work" in html
    assert "Choose a new password" not in html
    assert reverse("password_reset") in html
    response = Client().post(
        link, {"new_password1": "other-pass-99", "new_password2": "other-pass-99"}
    )
    assert signs_in(NEW)
    assert not signs_in("other-pass-99")
    assert response.status_code == 200


def test_an_unknown_email_looks_the_same_and_sends_nothing(client, alice_with_email):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_changing_needs_to_be_signed_in(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_header_links_to_changing_the_password(client_for, alice):
    html = client_for(alice).get(reverse("home")).content.decode()
    assert "Change password" in html
    assert reverse("password_change") in html


def test_changing_needs_the_old_password(client_for, alice):
    client = client_for(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly. Please enter it again." in (
        response.content.decode()
    )
    assert signs_in(factories.PASSWORD)


def test_changing_says_what_is_wrong_with_the_new_password(client_for, alice):
    response = client_for(alice).post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too short. It must contain at least 8 characters." in html
    assert signs_in(factories.PASSWORD)


def test_changing_keeps_this_session_and_ends_the_others(client_for, alice):
    elsewhere = Client()
    elsewhere.force_login(alice)
    client = client_for(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert "Your password is changed" in client.get(response.url).content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).url.startswith(reverse("login"))
    assert signs_in(NEW)
    assert not signs_in(factories.PASSWORD)


def test_the_front_desk_changes_its_own_password(client_for, bob):
    response = client_for(bob).post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert signs_in(NEW, username="bob")


def test_the_demo_manager_can_try_a_reset(client, db, capsys):
    call_command("seed_demo")

    link = reset_link(client, email="demo@example.com")

    assert "Choose a new password" in client.get(link, follow=True).content.decode()
