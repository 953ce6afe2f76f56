"""Settings → Messages (managers): the transport, Twilio's account with a write-only token, what
goes out by itself, and whether delivery receipts can reach us."""

from django.urls import reverse

from messaging.models import MessagingSettings
from messaging.owner_settings import messaging_settings
from tests.messaging.twilio_standin import OWNER_NUMBER, OWNER_SID, OWNER_TOKEN

URL = "/settings/messages/"


def twilio_form(**fields) -> dict:
    return {
        "transport": "twilio",
        "twilio_account_sid": OWNER_SID,
        "twilio_auth_token": OWNER_TOKEN,
        "twilio_from_number": OWNER_NUMBER,
        "twilio_messaging_service_sid": "",
        "send_arrival_automatically": "on",
        "arrival_hours_before": "24",
        "checkout_reminder_hours_before": "2",
        "max_messages_per_stay_per_day": "10",
        **fields,
    }


def test_it_is_linked_from_settings_and_its_url_is_stable(client_for, alice):
    assert reverse("settings_messages") == URL
    html = client_for(alice).get(reverse("settings")).content.decode()
    assert f'href="{URL}"' in html


def test_a_manager_sees_every_setting(client_for, alice):
    html = client_for(alice).get(URL).content.decode()
    for words in (
        "Outbox only (no SMS is sent)",
        "Twilio",
        "Account SID",
        "Auth token",
        "Sender number",
        "or messaging service SID",
        "Send the arrival message by itself",
        "Hours before check-in",
        "Send a check-out reminder",
        "Answer guests who reply HELP or CODE",
        "Most messages per stay in 24 hours",
    ):
        assert words in html, words


def test_the_front_desk_gets_the_managers_only_page(client_for, bob):
    client = client_for(bob)
    assert client.get(URL).status_code == 403
    assert client.post(URL, twilio_form()).status_code == 403
    assert not MessagingSettings.objects.filter(transport="twilio").exists()


def test_saving_twilio_keeps_the_token_and_never_shows_it_again(client_for, alice, owner):
    client = client_for(alice)
    response = client.post(URL, twilio_form(arrival_hours_before="48"), follow=True)
    html = response.content.decode()
    assert "Message settings saved." in html
    saved = messaging_settings(owner)
    assert (saved.transport, saved.twilio_auth_token) == ("twilio", OWNER_TOKEN)
    assert saved.arrival_hours_before == 48
    assert OWNER_TOKEN not in html
    assert "Saved — paste a new one to replace it." in html
    assert OWNER_TOKEN not in client.get(URL).content.decode()


def test_an_empty_token_keeps_the_saved_one(client_for, alice, owner):
    client = client_for(alice)
    client.post(URL, twilio_form())
    client.post(URL, twilio_form(twilio_auth_token="", max_messages_per_stay_per_day="3"))
    saved = messaging_settings(owner)
    assert saved.twilio_auth_token == OWNER_TOKEN
    assert saved.max_messages_per_stay_per_day == 3


def test_errors_are_shown_beside_their_field(client_for, alice, owner):
    client = client_for(alice)
    response = client.post(URL, twilio_form(twilio_account_sid="XY123"))
    assert response.status_code == 400
    html = response.content.decode()
    field = html[
        html.index('for="id_twilio_account_sid"') : html.index('for="id_twilio_auth_token"')
    ]
    assert "A Twilio account SID starts with AC" in field
    assert OWNER_TOKEN not in html
    no_sender = client.post(URL, twilio_form(twilio_from_number="")).content.decode()
    assert "Give a sender" in no_sender
    assert messaging_settings(owner).transport == "console"


def test_it_says_delivery_receipts_need_a_public_address(client_for, alice, settings):
    settings.PUBLIC_BASE_URL = ""
    client = client_for(alice)
    assert "Delivery receipts need the site's public address." in client.get(URL).content.decode()
    settings.PUBLIC_BASE_URL = "https://locks.example.com"
    html = client.get(URL).content.decode()
    assert "Delivery receipts need" not in html
    assert "https://locks.example.com/messaging/twilio/status/" in html


def test_each_company_has_its_own_settings(client_for, alice, charlie, owner, other_owner):
    client_for(alice).post(URL, twilio_form())
    assert messaging_settings(other_owner).transport == "console"
    html = client_for(charlie).get(URL).content.decode()
    assert OWNER_SID not in html
