"""The guest's language and page link in messages: {link} opens the stay's page, a Portuguese
stay reads Portuguese, and the arrival email goes out (or says plainly why not)."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from messaging import owner_settings
from messaging.models import Message
from reservations.guest_links import guest_page_path, guest_token
from tests.messaging import guest_phone
from tests.messaging.guest_phone import pins_in, tick
from tests.reservations.front_desk import book

phone = guest_phone.phone
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SITE = "https://locks.example.com"


def upcoming(owner, room, **fields):
    """A stay checking in tomorrow (the page opens on today's clock); its arrival is due now."""
    now = timezone.now()
    return now, book(owner, room, now, check_in=now + timedelta(hours=20), **fields)


@override_settings(PUBLIC_BASE_URL=SITE)
def test_the_link_in_the_arrival_message_opens_the_stays_page(client, owner, room, lock, phone):
    now, stay = upcoming(owner, room, phone="+351912345678")

    (text,) = tick(now)

    link = SITE + guest_page_path(stay)
    assert f"Your page with the way in: {link}" in text
    response = client.get(link.removeprefix(SITE))
    assert response.status_code == 200
    assert "Seaside Hotel" in response.content.decode()


def test_a_portuguese_stay_gets_the_portuguese_arrival_message(owner, room, lock, phone):
    now, stay = upcoming(owner, room, phone="+351912345678", language="pt")

    (text,) = tick(now)

    assert text.startswith("Olá Ana Lima! Seaside Hotel dá-lhe as boas-vindas.")
    assert f"O seu código da porta é {stay.pin}" in text
    assert guest_page_path(stay) in text


def test_an_owners_template_in_the_guests_language_wins_then_their_default(
    owner, room, lock, phone
):
    owner_settings.template_save(owner=owner, kind="arrival", body="Hi {guest_name}: {pin}")
    owner_settings.template_save(
        owner=owner, kind="arrival", body="Hola {guest_name}: {pin}", language="es"
    )
    now, spanish = upcoming(owner, room, phone="+34612345678", language="es")
    german = book(
        owner, room, now, check_in=spanish.check_out, phone="+4915112345678", language="de"
    )

    assert tick(now) == [f"Hola Ana Lima: {spanish.pin}"]
    # No German text of the owner's: their own default, not the built-in German one.
    assert tick(german.check_in - timedelta(hours=20)) == [f"Hi Ana Lima: {german.pin}"]


def test_the_closed_page_speaks_the_stays_language(client, owner, room, t0):
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), language="pt")  # over now

    response = client.get(guest_page_path(stay))

    assert response.status_code == 404
    assert "Esta ligação não abre nenhuma estadia" in response.content.decode()
    assert response["Content-Language"] == "pt"


def test_the_guest_picks_their_language_on_the_page(client, owner, room, lock):
    _, stay = upcoming(owner, room)
    url = reverse("guest_language", args=[guest_token(stay)])

    response = client.post(url, {"language": "fr"})

    assert response.status_code == 302 and response["Location"] == guest_page_path(stay)
    stay.refresh_from_db()
    assert stay.language == "fr"
    client.post(url, {"language": "xx"})  # not a guest language: nothing changes
    stay.refresh_from_db()
    assert stay.language == "fr"


@override_settings(EMAIL_BACKEND=LOCMEM, PUBLIC_BASE_URL=SITE)
def test_a_stay_with_an_email_gets_the_arrival_email_with_its_link(owner, room, lock, phone):
    now, stay = upcoming(owner, room, phone="+351912345678", email="ana@example.com")

    tick(now)

    (email,) = mail.outbox
    assert email.to == ["ana@example.com"]
    assert email.subject == "Your stay at Seaside Hotel: the way in"
    assert SITE + guest_page_path(stay) in email.body
    assert stay.pin not in email.body and pins_in(email.body) == []
    sent = Message.objects.get(reservation=stay, channel="email")
    assert (sent.kind, sent.status, sent.to) == ("arrival", "sent", "ana@example.com")
    assert guest_token(stay) not in sent.preview  # the kept copy hides the link's token
    assert Message.objects.filter(reservation=stay, channel="sms").count() == 1


@override_settings(EMAIL_BACKEND=LOCMEM)
def test_a_portuguese_stay_gets_the_portuguese_email(owner, room, lock):
    now, _ = upcoming(owner, room, email="ana@example.com", language="pt")

    tick(now)

    (email,) = mail.outbox
    assert email.subject == "A sua estadia em Seaside Hotel: como entrar"
    assert email.body.startswith("Olá Ana Lima,")


@override_settings(EMAIL_BACKEND=LOCMEM)
def test_a_failed_email_is_on_the_stays_messages(client_for, alice, owner, room, lock, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"ana@example.com": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    now, stay = upcoming(owner, room, email="ana@example.com")

    tick(now)

    failed = Message.objects.get(reservation=stay, channel="email")
    assert failed.status == "failed"
    assert "refused the address ana@example.com" in failed.error_message
    page = client_for(alice).get(reverse("reservation_detail", args=[stay.pk])).content.decode()
    assert "refused the address ana@example.com" in page


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_without_an_email_service_the_email_is_kept_and_says_so(owner, room, lock, capsys):
    now, stay = upcoming(owner, room, email="ana@example.com")

    tick(now)

    kept = Message.objects.get(reservation=stay, channel="email")
    assert kept.status == "kept" and "no email service" in kept.error_message
    assert mail.outbox == []
    assert guest_token(stay) not in capsys.readouterr().out  # nothing printed in the log


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("Your code {pin}, page {link}", "never the code"),
        ("Welcome to {property}!", "put {link} in it"),
    ],
)
def test_the_email_template_gives_the_page_and_never_the_code(owner, body, says):
    with pytest.raises(Exception) as refused:
        owner_settings.template_save(owner=owner, kind="email", body=body, subject="Hi")
    assert says in str(refused.value)


def test_the_page_speaks_portuguese_to_a_portuguese_stay(client, owner, room, t0, monkeypatch):
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), language="pt")
    monkeypatch.setattr(timezone, "now", lambda: stay.check_in)
    html = client.get(guest_page_path(stay)).content.decode()
    assert '<html lang="pt">' in html
    assert "Já fiz o check-out" in html and "checked out" not in html
