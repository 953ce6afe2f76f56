"""The support admin of guest messages: texts with their digits masked, no Twilio secret."""

import pytest

from locks.admin_lookup import digits_masked
from messaging import sending
from messaging.models import GuestHelp, KeypadSteps, Message, MessageTemplate, MessagingSettings
from reservations.models import Reservation
from tests import admin_pages
from tests.admin_pages import PIN, change_page, changelist, project_models
from tests.messaging import desk, guest_phone
from tests.reservations import front_desk

support = admin_pages.support
support_client = admin_pages.support_client
frozen = front_desk.frozen
arriving = desk.arriving
phone = guest_phone.phone

TWILIO_SID = "AC5f0c3e9b27d14a6c8e1f2b3a4d5c6e7f"
TWILIO_TOKEN = "9d2e7c41b8f6a03e5d1c9b7a2f4e6d80"


@pytest.fixture
def messages(owner, other_owner, arriving, frozen, phone):
    """Ana's arrival message (which gave her PIN), a free text and her answer that repeat it."""
    Reservation.objects.filter(pk=arriving.pk).update(pin=PIN)
    arriving.access_codes.update(code=PIN)
    arrival = desk.sent_arrival(arriving, frozen)
    assert arrival.status == Message.Status.DELIVERED
    assert any(PIN in body for _, body in phone), "the guest got her PIN"
    sending.message_queue(
        reservation=arriving,
        kind=Message.Kind.FREE,
        now=frozen,
        text=f"Hi Ana, your code is {PIN}, from 15:00.",
    )
    Message.objects.create(
        owner=owner,
        reservation=arriving,
        direction=Message.Direction.INBOUND,
        kind=Message.Kind.INBOUND,
        to="+351300000001",
        from_number=desk.GUEST,
        transport="twilio",
        text="Code 482 913 does not work",
        preview="Code 482 913 does not work",
        status=Message.Status.RECEIVED,
        provider_id="SM0f1e2d3c",
        created_at=frozen,
    )
    Message.objects.create(
        owner=other_owner, kind=Message.Kind.FREE, to="+15550101999", text="Hello from Hilltop"
    )
    MessagingSettings.objects.update_or_create(
        owner=owner,
        defaults={
            "transport": MessagingSettings.Transport.TWILIO,
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_from_number": "+351300000001",
        },
    )
    MessageTemplate.objects.create(
        owner=owner,
        kind=MessageTemplate.Kind.CHECKOUT,
        body=f"Bye {{guest_name}}! Leave the garage key in the box, code {PIN}.",
    )
    KeypadSteps.objects.create(owner=owner, lock_model="", steps=f"Enter {{pin}} or {PIN}.")
    GuestHelp.objects.create(
        owner=owner,
        reservation=arriving,
        lock=arriving.access_codes.first().lock,
        finding=GuestHelp.Finding.BACKUP,
        reason="the lock is offline",
        backup=arriving.access_codes.first(),
        at=frozen,
    )
    return arrival


def every_messaging_page(client) -> list[str]:
    pages = []
    for model in project_models("messaging"):
        pages.append(changelist(client, model))
        pages.extend(change_page(client, row) for row in model.objects.all())
    return pages


def test_every_page_of_the_messaging_admin_opens(support_client, messages):
    admin_pages.every_page_opens(support_client, ["messaging"])


def test_no_pin_and_no_twilio_secret_shows_on_any_page_of_the_messaging_admin(
    support_client, messages
):
    for html in every_messaging_page(support_client):
        assert PIN not in html and "482 913" not in html
        assert TWILIO_TOKEN not in html and TWILIO_SID not in html


def test_twilio_settings_say_only_that_a_token_is_set_and_the_sids_last_characters(
    support_client, owner, messages
):
    html = change_page(support_client, MessagingSettings.objects.get(owner=owner))
    assert '<div class="readonly">set</div>' in html
    assert f'<div class="readonly">…{TWILIO_SID[-4:]}</div>' in html
    assert "+351300000001" in html


def test_a_message_shows_its_text_with_its_digits_masked(support_client, messages):
    free = Message.objects.get(kind=Message.Kind.FREE, owner=messages.owner)
    assert "Hi Ana, your code is ••••, from 15:00." in change_page(support_client, free)
    inbound = Message.objects.get(kind=Message.Kind.INBOUND)
    assert "Code •••• does not work" in change_page(support_client, inbound)
    html = change_page(support_client, messages)
    assert "Hello Ana Lima" in html and "••••" in html
    template = MessageTemplate.objects.get()
    assert "Leave the garage key in the box, code ••••." in change_page(support_client, template)


@pytest.mark.parametrize(
    "text, shown",
    [
        ("482913", "••••"),
        ("Code 482 913, or 4829-13", "Code ••••, or ••••"),
        ("Check-in 15:00, room 12", "Check-in 15:00, room 12"),
        ("+351 912 345 678", "+••••"),
    ],
)
def test_digits_are_masked_when_four_or_more_run_together(text, shown):
    assert digits_masked(text) == shown


def test_no_text_nor_secret_can_be_searched_or_filtered_on(support_client, messages):
    assert "Hi Ana" not in changelist(support_client, Message, q=PIN)
    for url, query in [
        ("/admin/messaging/message/", {"text__contains": "4829"}),
        ("/admin/messaging/message/", {"preview__contains": "4829"}),
        ("/admin/messaging/messagetemplate/", {"body__contains": "4829"}),
        ("/admin/messaging/messagingsettings/", {"twilio_auth_token__startswith": "9"}),
        ("/admin/messaging/messagingsettings/", {"twilio_account_sid__startswith": "AC"}),
    ]:
        assert support_client.get(url, query).status_code == 400, query


@pytest.mark.parametrize("words", ["912345678", "Ana Lima", "SM0f1e2d3c"])
def test_search_finds_messages_by_phone_guest_or_twilio_id(support_client, messages, words):
    html = changelist(support_client, Message, q=words)
    assert desk.GUEST in html and "+15550101999" not in html


def test_the_owner_filter_narrows_messages_to_that_owner(
    support_client, owner, other_owner, messages
):
    html = changelist(support_client, Message, owner__id__exact=other_owner.pk)
    assert "+15550101999" in html and desk.GUEST not in html
    html = changelist(support_client, Message, owner__id__exact=owner.pk)
    assert desk.GUEST in html and "+15550101999" not in html
