"""Every messaging URL of the dashboard: charlie (Hilltop) gets 404 on Seaside's stays and
messages, bob (front desk) 403 on the managers' settings and texts a guest, and every page asks
for a login. The webhooks (Twilio's calls) are checked with their signatures elsewhere."""

import pytest
from django.urls import URLPattern, resolve, reverse

from locks.models import AccessCode
from messaging.models import Message, MessageTemplate, MessagingSettings
from messaging.urls import urlpatterns
from tests.messaging import desk

WEBHOOKS = {"twilio_status", "twilio_inbound"}
MANAGERS_ONLY = {
    "settings_messages",
    "settings_message_templates",
    "settings_message_template_preview",
}
FORM = {"text": "Hello", "kind": "arrival", "body": "Hi {pin}", "transport": "console"}


@pytest.fixture
def message(arriving, frozen):
    return desk.sent_arrival(arriving, frozen)


@pytest.fixture
def seaside_urls(arriving, message):
    """URLs naming one of Seaside's objects."""
    return [
        ("get", reverse("message_status", args=[message.pk])),
        ("get", reverse("reservation_messages", args=[arriving.pk])),
        ("post", reverse("reservation_backup_sms", args=[arriving.pk])),
        ("post", reverse("reservation_arrival_resend", args=[arriving.pk])),
        ("post", reverse("reservation_message_send", args=[arriving.pk])),
    ]


@pytest.fixture
def pages():
    return [
        ("get", reverse("outbox")),
        ("get", reverse("settings_messages")),
        ("post", reverse("settings_messages")),
        ("get", reverse("settings_message_templates")),
        ("post", reverse("settings_message_templates")),
        ("post", reverse("settings_message_template_preview")),
    ]


def test_an_outsider_gets_404_on_every_seaside_url(client_for, charlie, seaside_urls, arriving):
    client = client_for(charlie)
    for method, url in seaside_urls:
        response = getattr(client, method)(url, FORM)
        assert response.status_code == 404, url
    assert Message.objects.filter(reservation=arriving).count() == 1
    assert not AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).exists()


def test_every_messaging_url_that_names_an_object_is_in_the_outsider_check(seaside_urls):
    naming_an_object = {
        p.name
        for p in urlpatterns
        if isinstance(p, URLPattern) and p.pattern.converters and p.name not in WEBHOOKS
    }
    checked = {resolve(url).url_name for _, url in seaside_urls}
    assert naming_an_object - checked == set()


def test_an_outsider_s_own_pages_show_none_of_seaside(client_for, charlie, message):
    client = client_for(charlie)
    assert "Ana Lima" not in client.get(reverse("outbox")).content.decode()
    assert client.get(reverse("settings_messages")).status_code == 200


def test_the_front_desk_texts_guests_but_not_the_managers_settings(
    client_for, bob, seaside_urls, pages, arriving
):
    client = client_for(bob)
    for method, url in seaside_urls + pages:
        response = getattr(client, method)(url, FORM)
        if resolve(url).url_name in MANAGERS_ONLY:
            assert response.status_code == 403, url
        else:
            assert response.status_code in (200, 302), url
    assert Message.objects.filter(reservation=arriving, sent_by=bob).count() == 3
    assert not MessageTemplate.objects.exists()
    assert not MessagingSettings.objects.exclude(max_messages_per_stay_per_day=10).exists()


def test_pages_ask_for_a_login(client, seaside_urls, pages, arriving):
    for method, url in seaside_urls + pages:
        response = getattr(client, method)(url, FORM)
        assert response.status_code == 302 and "/login/" in response.url, url
    assert Message.objects.filter(reservation=arriving).count() == 1
