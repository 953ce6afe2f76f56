"""Guests' texts: recorded on their stay; HELP or CODE answered with their code, or a backup."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backups.services import backup_pool_enable
from locks.models import AccessCode, Event
from locks.simulator import simulated_set_online
from messaging import owner_settings, sending
from messaging.models import Message
from tests.backups.lockside import run
from tests.messaging.twilio_standin import (
    INSTALL_NUMBER,
    INSTALL_TOKEN,
    OWNER_NUMBER,
    OWNER_SID,
    OWNER_TOKEN,
    install_uses_twilio,
    owner_uses_twilio,
    post_signed,
)
from tests.reservations.front_desk import book

GUEST = "+351912345678"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


@pytest.fixture
def at(monkeypatch, t0):
    """The webhook's clock stands at t0."""
    monkeypatch.setattr(timezone, "now", lambda: t0)
    return t0


@pytest.fixture
def stay(owner, room, lock, t0):
    """Ana arrives in two hours; Seaside texts from its own Twilio number."""
    owner_uses_twilio(owner)
    return book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=GUEST)


def keywords_on(owner):
    owner_settings.messaging_settings_update(owner=owner, reply_keywords_enabled=True)


def text_in(client, body, *, sender=GUEST, to=OWNER_NUMBER, token=OWNER_TOKEN, sid=None):
    sid = sid or "SM" + uuid.uuid4().hex
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": OWNER_SID,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }
    return post_signed(client, reverse("twilio_inbound"), params, token=token)


def inbound():
    return list(Message.objects.filter(direction=Message.Direction.INBOUND))


def replies():
    return list(Message.objects.filter(kind=Message.Kind.REPLY))


def history(stay):
    return list(
        Event.objects.filter(reservation=stay, event_type="message.received").values_list(
            "message", flat=True
        )
    )


def test_a_guest_s_text_is_recorded_on_their_stay_and_twilio_gets_empty_twiml(client, stay, at):
    response = text_in(client, "We'll be late, around 11pm")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content.decode() == EMPTY_TWIML
    [message] = inbound()
    assert message.reservation == stay and message.owner == stay.owner
    assert (message.kind, message.status) == ("inbound", "received")
    assert message.text == "We'll be late, around 11pm"
    assert (message.from_number, message.to) == (GUEST, OWNER_NUMBER)
    assert history(stay) == ["The guest sent a text message."]
    assert replies() == []


@pytest.mark.parametrize("body", ["CODE", " code ", "Help\n"])
def test_code_or_help_gets_the_guest_their_code_again(client, owner, stay, at, twilio_api, body):
    keywords_on(owner)

    assert text_in(client, body).status_code == 200

    [reply] = replies()
    assert (reply.reservation, reply.to, reply.text) == (stay, GUEST, "")
    keyword = body.strip().upper()
    assert history(stay) == [f"The guest texted {keyword}: their door code is being sent again."]
    sending.message_send(message_id=reply.pk, now=at)
    reply.refresh_from_db()
    assert reply.status == "queued" and reply.provider_id.startswith("SM")
    assert stay.pin in twilio_api.sent[0].body
    assert stay.pin not in reply.preview


def test_a_guest_whose_code_is_not_working_gets_a_backup(
    client, owner, room, lock, t0, twilio_api, monkeypatch
):
    owner_uses_twilio(owner)
    keywords_on(owner)
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=1), phone=GUEST)
    run(t0 + timedelta(minutes=30))
    arrival = stay.check_in
    simulated_set_online(lock=lock, online=False, now=arrival)
    run(arrival)
    monkeypatch.setattr(timezone, "now", lambda: arrival)

    text_in(client, "code")
    [reply] = replies()
    sending.message_send(message_id=reply.pk, now=arrival)

    backup = AccessCode.objects.get(reservation=stay, kind=AccessCode.Kind.BACKUP)
    body = twilio_api.sent[0].body
    assert backup.code in body and stay.pin not in body


def test_with_keywords_off_code_is_only_recorded(client, stay, at):
    text_in(client, "CODE")

    assert len(inbound()) == 1
    assert replies() == []
    assert history(stay) == ["The guest sent a text message."]


def test_a_word_that_only_contains_a_keyword_gets_no_reply(client, owner, stay, at):
    keywords_on(owner)

    text_in(client, "Where do I find the code for the garage?")

    assert replies() == []


def test_an_unknown_sender_is_recorded_without_a_stay_and_gets_no_reply(client, owner, stay, at):
    keywords_on(owner)

    response = text_in(client, "CODE", sender="+447700900123")

    assert response.status_code == 200
    [message] = inbound()
    assert message.owner == owner and message.reservation is None
    assert replies() == []
    assert Event.objects.filter(event_type="message.received").count() == 0


def test_a_stay_more_than_a_day_away_is_not_the_sender_s(client, owner, room, lock, t0, at):
    owner_uses_twilio(owner)
    keywords_on(owner)
    book(owner, room, t0, check_in=t0 + timedelta(days=3), phone=GUEST)

    text_in(client, "CODE")

    assert inbound()[0].reservation is None
    assert replies() == []


def test_twilio_calling_twice_for_one_text_records_and_answers_it_once(client, owner, stay, at):
    keywords_on(owner)

    text_in(client, "CODE", sid="SM" + "a" * 32)
    text_in(client, "CODE", sid="SM" + "a" * 32)

    assert len(inbound()) == 1 and len(replies()) == 1


def test_the_stay_s_message_limit_also_holds_for_replies(client, owner, stay, at):
    owner_settings.messaging_settings_update(
        owner=owner, reply_keywords_enabled=True, max_messages_per_stay_per_day=1
    )

    text_in(client, "CODE", sid="SM" + "1" * 32)
    text_in(client, "CODE", sid="SM" + "2" * 32)

    assert len(inbound()) == 2 and len(replies()) == 1
    # Both texts came in at the same moment: which one the stay's history lists first is open.
    answers = sorted(history(stay))
    assert answers[0].startswith("The guest texted CODE for their code. Not sent:")
    assert answers[1] == "The guest texted CODE: their door code is being sent again."


def test_a_forged_text_is_refused_and_not_recorded(client, owner, stay, at):
    keywords_on(owner)

    forged = text_in(client, "CODE", token="guessed-token")
    unsigned = client.post(
        reverse("twilio_inbound"), {"From": GUEST, "To": OWNER_NUMBER, "Body": "CODE"}
    )

    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert inbound() == [] and replies() == []


def test_a_text_to_a_number_nobody_here_has_is_refused(client, stay, at):
    assert text_in(client, "CODE", to="+15005550999").status_code == 403
    assert inbound() == []


def test_another_owner_s_token_cannot_post_texts_to_this_owner_s_number(
    client, owner, other_owner, stay, at
):
    keywords_on(owner)
    owner_uses_twilio(other_owner, twilio_from_number="+15005550008", twilio_auth_token="hill")

    response = text_in(client, "CODE", token="hill")

    assert response.status_code == 403
    assert inbound() == [] and replies() == []


def test_a_single_owner_install_s_number_finds_the_stay_with_the_environment_s_token(
    client, owner, room, lock, t0, at, settings
):
    install_uses_twilio(settings)
    keywords_on(owner)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=GUEST)

    assert text_in(client, "CODE", to=INSTALL_NUMBER).status_code == 403
    assert text_in(client, "CODE", to=INSTALL_NUMBER, token=INSTALL_TOKEN).status_code == 200

    [message] = inbound()
    assert message.reservation == stay
    assert len(replies()) == 1


def test_on_a_shared_install_number_a_stranger_s_text_is_not_handed_to_an_owner(
    client, owner, other_owner, at, settings
):
    install_uses_twilio(settings)

    response = text_in(client, "hello?", to=INSTALL_NUMBER, token=INSTALL_TOKEN)

    assert response.status_code == 200
    assert inbound() == []
