from django.urls import reverse

from locks.models import Membership
from tests import factories


def test_it_shows_the_login_page(client, owner):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()


def test_it_logs_in_with_the_login_form(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("today")


def test_it_says_when_the_password_is_wrong(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_it_logs_out(client_for, alice):
    client = client_for(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_user_without_a_company_sees_a_polite_page(client_for, db):
    loner = factories.UserFactory(username="dora")
    response = client_for(loner).get(reverse("home"))
    assert response.status_code == 403
    assert "You are not part of any company yet" in response.content.decode()


def test_the_header_offers_a_switch_to_other_companies(client_for, alice, other_owner):
    Membership.objects.create(user=alice, owner=other_owner, role="front_desk")
    html = client_for(alice).get(reverse("home")).content.decode()
    assert "Hilltop Homes" in html
    assert reverse("owner_switch") in html


def test_it_switches_to_another_own_company(client_for, alice, lock, other_owner, other_lock):
    Membership.objects.create(user=alice, owner=other_owner, role="front_desk")
    client = client_for(alice)
    response = client.post(reverse("owner_switch"), {"owner_id": other_owner.pk})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert "Hilltop front door" in html
    assert "Room 101 door" not in html
    assert "Front desk" in html
    assert client.get(reverse("lock_detail", args=[lock.pk])).status_code == 404


def test_it_refuses_a_switch_to_a_company_one_is_not_part_of(client_for, alice, lock, other_owner):
    client = client_for(alice)
    response = client.post(reverse("owner_switch"), {"owner_id": other_owner.pk})
    assert response.status_code == 404
    assert client.session.get("owner_id") is None
    assert "Room 101 door" in client.get(reverse("home")).content.decode()


def test_it_refuses_a_switch_without_a_company(client_for, alice):
    assert client_for(alice).post(reverse("owner_switch"), {}).status_code == 404


def test_an_invited_person_signs_in_with_their_email_in_any_capitals(client, owner):
    dora = factories.UserFactory(username="dora@example.com", email="dora@example.com")
    Membership.objects.create(user=dora, owner=owner, role="front_desk")
    page = client.get(reverse("login")).content.decode()
    assert "Email or username" in page
    data = {"username": "Dora@Example.COM", "password": factories.PASSWORD}
    response = client.post(reverse("login"), data)
    assert response.status_code == 302 and response.url == reverse("today")


def test_an_older_account_signs_in_by_its_email_too_but_not_with_a_wrong_password(client, alice):
    alice.email = "alice@example.com"
    alice.save()
    wrong = client.post(reverse("login"), {"username": "ALICE@example.com", "password": "nope"})
    assert wrong.status_code == 200 and "do not match" in wrong.content.decode()
    right = {"username": "ALICE@example.com", "password": factories.PASSWORD}
    assert client.post(reverse("login"), right).status_code == 302


def test_an_email_two_accounts_share_signs_in_neither(client, alice, bob):
    for person in (alice, bob):
        person.email = "desk@example.com"
        person.save()
    data = {"username": "desk@example.com", "password": factories.PASSWORD}
    response = client.post(reverse("login"), data)
    assert response.status_code == 200 and "do not match" in response.content.decode()
