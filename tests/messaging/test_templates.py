"""Templates: what the defaults say, what a saved one may hold, and the Outbox's masked copy."""

from datetime import timedelta

import pytest

from locks.errors import ServiceError
from messaging import owner_settings, texts
from messaging.models import Message
from messaging.texts import DoorPin
from reservations.guest_links import guest_page_url
from tests.messaging import guest_phone
from tests.messaging.guest_phone import pins_in, tick
from tests.reservations.front_desk import book

phone = guest_phone.phone

CONTEXT = {
    "guest_name": "Ana Lima",
    "property": "Seaside Hotel",
    "unit": "Room 101",
    "check_in": "Wed 3 Jun 15:00",
    "check_out": "Fri 5 Jun 11:00",
}


def test_the_default_arrival_message_gives_the_guest_everything_in_the_property_s_time(
    owner, room, lock, t0, phone
):
    # t0 is 13:00 in Lisbon; check-in 14:00 UTC two days later is 15:00 there.
    check_in = t0 + timedelta(days=2, hours=2)
    stay = book(owner, room, t0, check_in=check_in, phone="+351912345678")

    (text,) = tick(check_in - timedelta(hours=24))

    assert text == (
        f"Hello Ana Lima, welcome to Seaside Hotel! Your door code is {stay.pin} "
        f"(Room 101 door {stay.pin}). It works from Wed 3 Jun 15:00 until Fri 5 Jun 15:00. "
        f"Your page with the way in: {guest_page_url(stay)}"
    )
    assert guest_phone.INBOX[0][0] == "+351912345678"


def test_one_pin_for_every_door_or_each_door_with_its_own_backup():
    same = [DoorPin("Street entrance", "4821"), DoorPin("Room 101 door", "4821")]
    mixed = [DoorPin("Street entrance", "4821"), DoorPin("Room 101 door", "7395")]
    body = texts.DEFAULTS[texts.Kind.ARRIVAL]

    assert "Your door code is 4821 (Street entrance 4821, Room 101 door 4821)" in texts.render(
        body, context=CONTEXT, doors=same
    )
    # With a backup on one door there is no single code: {pin} names each door's.
    assert texts.render("Code: {pin}", context=CONTEXT, doors=mixed) == (
        "Code: Street entrance 4821, Room 101 door 7395"
    )


def test_the_masked_copy_hides_every_digit_of_every_pin_and_nothing_else():
    body = "{guest_name}: {pin}, again {pin}. Doors: {doors}. From {check_in}."
    # The PIN's digits are also the check-in time: the time must stay readable, the PIN must go.
    doors = [DoorPin("Street entrance", "1500"), DoorPin("Room 101 door", "7395")]

    sent = texts.render(body, context=CONTEXT, doors=doors)
    kept = texts.render(body, context=CONTEXT, doors=doors, mask=True)

    assert "1500" in sent and "7395" in sent
    assert pins_in(kept) == []
    assert "Wed 3 Jun 15:00" in kept
    assert kept == sent.replace("1500", "••••").replace("7395", "••••")


def test_the_outbox_keeps_the_sent_text_with_the_pin_masked(owner, room, lock, t0, phone):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=5), phone="+351912345678")

    (text,) = tick(t0)

    message = Message.objects.get(reservation=stay)
    assert stay.pin in text
    assert stay.pin not in message.preview and pins_in(message.preview) == []
    # The page's link shows the PIN too: the kept copy hides its token.
    link = guest_page_url(stay)
    assert message.preview == text.replace(link, "/g/…/").replace(stay.pin, "•" * len(stay.pin))
    assert stay.pin not in message.text + message.error_message


@pytest.mark.parametrize(
    ("kind", "body", "says"),
    [
        ("arrival", "Hi {name}, code {pin}", "Unknown placeholder {name}. Use: {guest_name}"),
        ("arrival", "Hi {guest_name}, welcome!", "must give the code: put {pin} or {doors}"),
        ("backup", "Backup for {property}", "must give the code: put {pin} or {doors}"),
        ("arrival", "Code {pin", "A brace is not matched"),
        ("arrival", "Code {pin}}", "A brace is not matched"),
        ("arrival", "Code {pin:>8}", "Write placeholders plainly"),
        ("arrival", "Code {pin!r}", "Write placeholders plainly"),
        ("checkout", "Bye {guest_name}, your code {pin} ends", "does not give the code"),
        ("arrival", "{pin} " + "x" * 700, "Keep it under 640 characters (it has 706)"),
        ("arrival", "   ", "Write the message."),
    ],
)
def test_a_template_is_refused_with_what_to_fix(owner, kind, body, says):
    with pytest.raises(ServiceError) as refused:
        owner_settings.template_save(owner=owner, kind=kind, body=body)

    assert says in refused.value.message
    assert not owner.message_templates.exists()


def test_a_saved_template_is_what_the_guest_gets(owner, room, lock, t0, phone):
    owner_settings.template_save(
        owner=owner, kind="arrival", body="Hi {guest_name}! {doors}. Check-in {check_in}."
    )
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=5), phone="+351912345678")

    (text,) = tick(t0)

    assert text == f"Hi Ana Lima! Room 101 door {stay.pin}. Check-in Mon 1 Jun 18:00."


def test_a_template_broken_before_the_checks_fails_the_message_with_what_to_fix(
    owner, room, lock, t0, phone
):
    # As if saved by an older version, without today's checks.
    owner.message_templates.create(kind="arrival", body="Hi {nickname}, code {pin}")
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=5), phone="+351912345678")

    assert tick(t0) == []

    message = Message.objects.get(reservation=stay)
    assert message.status == "failed"
    assert "template needs fixing in Settings → Messages" in message.error_message
    assert "{nickname}" in message.error_message
