"""A guest cannot get in: the clerk on Today texts them a backup code in one click and watches
the message go from queued to delivered, as Twilio's signed delivery receipt arrives.

The text goes through the real `twilio` SDK to the local stand-in of Twilio's Messages endpoint;
the receipt is posted to the live server, signed with the owner's auth token as Twilio signs it.
Screenshots go to test-artifacts/ every run."""

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from backups.services import backup_pool_enable
from locks.models import AccessCode
from messaging import sending
from messaging.models import Message
from tests import factories
from tests.browser.conftest import anna_arrives, log_in, midday_inn
from tests.messaging import twilio_standin
from tests.messaging.twilio_standin import OWNER_TOKEN, owner_uses_twilio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def arriving(owner):
    """Anna arrives in 20 minutes at an inn where it is around midday; her door keeps a full
    pool of backups, and her mobile number is on the reservation."""
    now = timezone.now()
    prop, unit = midday_inn(owner, now)
    door = factories.simulated_lock(
        owner=owner, property=prop, unit=unit, name="Room 7 door", now=now
    )
    backup_pool_enable(lock=door, now=now)
    stay = anna_arrives(owner, unit, now)
    assert AccessCode.objects.filter(kind="backup", status="set").count() == 5
    return stay


def post_receipt(base_url: str, message: Message, status: str) -> int:
    """Twilio's status callback for one message, signed with the owner's auth token."""
    url = base_url + reverse("twilio_status", args=[message.pk])
    params = {
        "MessageSid": message.provider_id,
        "MessageStatus": status,
        "AccountSid": twilio_standin.OWNER_SID,
    }
    signature = RequestValidator(OWNER_TOKEN).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}).status_code


def test_a_clerk_texts_a_backup_code_and_sees_it_delivered(
    live_site, page, bob, owner, arriving, twilio_api, settings, shoot
):
    settings.PUBLIC_BASE_URL = live_site.url
    owner_uses_twilio(owner)
    log_in(page, live_site.url, "bob", factories.PASSWORD)
    row = page.locator(f"#stay-{arriving.pk}")
    expect(row).to_contain_text("Send backup code by SMS")
    shoot(page, "1-today")

    page.evaluate("window.stillTheSamePage = true")
    row.locator("button:has-text('Send backup code by SMS')").click()
    panel = page.locator("#backup-answer .backup-answer-card")
    expect(panel.locator("h2")).to_have_text("Backup code texted to Anna Smith")
    status = panel.locator(".message-status")
    expect(status.locator(".pill")).to_have_text("Queued")
    message = Message.objects.get(reservation=arriving, kind="backup")
    backup = AccessCode.objects.get(reservation=arriving, kind="backup")
    expect(panel.locator(".backup-pin")).to_have_text(backup.code)
    shoot(page, "2-queued")

    # The task worker's part: the SDK hands the text to "Twilio", which accepts it.
    sending.message_send(message_id=message.pk, now=timezone.now())
    [sent] = twilio_api.sent
    assert sent.to == "+351912345678" and backup.code in sent.body
    assert sent.status_callback == live_site.url + reverse("twilio_status", args=[message.pk])
    message.refresh_from_db()
    assert message.provider_id.startswith("SM") and backup.code not in message.preview

    # A forged receipt changes nothing; Twilio's signed one makes the panel say Delivered.
    forged = requests.post(
        sent.status_callback,
        data={"MessageSid": message.provider_id, "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "forged"},
    )
    assert forged.status_code == 403
    assert post_receipt(live_site.url, message, "delivered") == 204
    expect(status.locator(".pill")).to_have_text("Delivered", timeout=10_000)
    expect(status).to_contain_text("On the guest's phone.")
    assert page.evaluate("window.stillTheSamePage === true")
    shoot(page, "3-delivered")

    # The Outbox has it, with the PIN hidden.
    page.click("#backup-answer button:has-text('Done')")
    page.click("nav >> text=Outbox")
    listed = page.locator(f"#message-{message.pk}")
    expect(listed).to_contain_text("Anna Smith")
    expect(listed).to_contain_text("Delivered")
    expect(listed).to_contain_text("Room 7 door ••••")
    assert backup.code not in page.locator("#outbox-results").inner_text()
    shoot(page, "4-outbox")

    # The stay's page lists it too, and the clerk can type a short message.
    listed.locator("a:has-text('Anna Smith')").click()
    card = page.locator("#stay-messages")
    expect(card.locator(f"#message-{message.pk}")).to_contain_text("Delivered")
    card.locator("textarea[name=text]").fill("Your room is ready: come straight up.")
    card.locator(".free-message button").click()
    expect(card.locator(".notice-done")).to_contain_text("Your message is on its way")
    expect(card.locator(".message-item").first).to_contain_text("come straight up")
    shoot(page, "5-stay")


def test_a_manager_edits_the_arrival_message_with_a_live_preview(
    live_site, page, alice, arriving, shoot
):
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.goto(f"{live_site.url}/settings/messages/")
    shoot(page, "6-settings")
    page.click("text=Edit the messages")
    card = page.locator("#template-arrival")
    card.locator("textarea").fill("Hi {guest_name}! {unit} opens with {pin}. See you {check_in}.")
    expect(card.locator(".sms-bubble")).to_contain_text("Hi Anna Smith! Room 7 opens with ••••.")
    card.locator("textarea").fill("Hi {guest}!")
    expect(card.locator(".preview-problems")).to_contain_text("Unknown placeholder {guest}")
    shoot(page, "7-template-error")
    card.locator("textarea").fill("Hi {guest_name}, your code: {doors}")
    card.locator("button:has-text('Save')").click()
    expect(page.locator(".messages")).to_contain_text("Arrival message saved.")
    shoot(page, "8-template-saved")


def test_a_refused_message_shows_its_error_in_place(live_site, page, bob, arriving):
    """A form the server refuses (400) answers in the card it came from, as a success does:
    an empty message says what to fix, and nothing is sent."""
    log_in(page, live_site.url, "bob", factories.PASSWORD)
    page.goto(f"{live_site.url}/reservations/{arriving.pk}/")
    card = page.locator("#stay-messages")
    card.locator("button:has-text('Send the message')").click()
    expect(card.locator(".free-message .error")).to_be_visible()
    assert not Message.objects.filter(reservation=arriving, kind=Message.Kind.FREE).exists()
