"""Settings → Webhooks: a manager adds a receiver's URL, sends it a test event, reads what it
answered and sends a delivery again; a URL this server will not call is refused beside the field
with nothing lost; the front desk and other companies see none of it; an endpoint switched off
after days of failures is an urgent alert until a manager switches it back on."""

import logging
import re
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from seam import SeamWebhook

from locks.models import WebhookDelivery, WebhookEndpoint
from locks.outgoing.delivery import endpoint_send_due
from locks.outgoing.endpoints import webhook_create, webhook_disable
from locks.outgoing.fanout import webhook_test_send
from locks.tenancy import services as tenancy
from reservations.alerts import alerts_email

PAGE = reverse("settings_webhooks")


def htmx(endpoint) -> dict:
    return {"HX-Request": "true", "HX-Target": f"webhook-{endpoint.pk}"}


def text(response) -> str:
    return unescape(response.content.decode())


def card(html: str, endpoint) -> str:
    start = html.index(f'id="webhook-{endpoint.pk}"')
    return html[start : html.index("</section>", start)]


def test_a_manager_adds_an_endpoint_tests_it_and_sends_a_delivery_again(
    client_for, alice, owner, hotel, receiver
):
    client = client_for(alice)
    assert f'href="{PAGE}"' in client.get(reverse("settings")).content.decode()

    response = client.post(
        PAGE,
        {
            "url": receiver.url,
            "families": ["access_code.*", "lock.*"],
            "event_types": "device.low_battery, device.disconnected",
        },
    )
    endpoint = WebhookEndpoint.objects.get(owner=owner)
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#webhook-{endpoint.pk}"
    assert endpoint.url == receiver.url
    assert endpoint.event_types == [
        "access_code.*",
        "lock.*",
        "device.low_battery",
        "device.disconnected",
    ]
    html = text(client.get(PAGE))
    assert f"{receiver.url} receives events from now on." in html
    shown = card(html, endpoint)
    assert (
        "<code>access_code.*</code>, <code>lock.*</code>, <code>device.low_battery</code>" in shown
    )
    assert "Nothing sent yet" in shown and ">On</span>" in shown

    response = client.post(reverse("settings_webhook_test", args=[endpoint.pk]))
    assert response.status_code == 302
    assert "Waiting to be sent" in card(text(client.get(PAGE)), endpoint)
    assert endpoint_send_due(endpoint_id=endpoint.pk) == 1

    [got] = receiver.received
    verified = SeamWebhook(endpoint.secret).verify(got.body, got.headers)
    assert verified.event_type == "webhook.test"
    shown = card(text(client.get(PAGE)), endpoint)
    assert "<code>webhook.test</code>" in shown
    assert "Delivered · 200" in shown
    assert '{"received": true}' in shown  # the receiver's answer
    assert re.search(r"\d\d:\d\d WES?T<", shown)  # in the hotel's time, Lisbon's

    delivery = WebhookDelivery.objects.get()
    response = client.post(
        reverse("settings_webhook_send_again", args=[delivery.pk]), headers=htmx(endpoint)
    )
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith(f'<section id="webhook-{endpoint.pk}"')
    assert "The webhook.test event goes out again, with the same message id." in html
    assert "Waiting to be sent" in html
    assert 'hx-trigger="every 3s' in html  # it refreshes itself until it is sent
    assert endpoint_send_due(endpoint_id=endpoint.pk) == 1
    first, again = receiver.received
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == delivery.message_id
    refreshed = text(
        client.get(reverse("settings_webhook", args=[endpoint.pk]), headers=htmx(endpoint))
    )
    assert "Delivered · 200" in refreshed and "every 3s" not in refreshed

    response = client.post(reverse("settings_webhook_delete", args=[endpoint.pk]))
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    html = text(client.get(PAGE))
    assert f"{receiver.url} no longer receives events." in html
    assert "No webhooks yet" in html


def test_a_test_event_answers_the_card_in_place(client_for, alice, owner, receiver):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    response = client_for(alice).post(
        reverse("settings_webhook_test", args=[endpoint.pk]), headers=htmx(endpoint)
    )
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "A test event is on its way; its answer shows below once sent." in html
    assert "<code>webhook.test</code>" in html


def test_a_failed_delivery_shows_the_status_the_error_and_when_it_is_tried_again(
    client_for, alice, owner, receiver, sender_clock
):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.statuses = [500, 500]
    webhook_test_send(endpoint=endpoint, now=sender_clock.now)
    # Tried, tried again 5 seconds later, then left for the retry in 5 minutes.
    assert endpoint_send_due(endpoint_id=endpoint.pk, clock=sender_clock) == 2
    html = card(text(client_for(alice).get(PAGE)), endpoint)
    assert "Retrying · 500" in html
    assert "Failing since" in html and "after five days without a success" in html
    assert re.search(r'data-label="Tries">2<', html)
    assert "in 5 min" in html
    assert "Send again" in html


def test_a_refused_url_says_why_beside_the_field_and_keeps_what_was_typed(client_for, alice):
    response = client_for(alice).post(
        PAGE,
        {
            "url": "https://127.0.0.1:8080/hooks",
            "families": ["lock.*"],
            "event_types": "access_code.set_on_device",
        },
    )
    assert response.status_code == 400
    form = response.context["new_form"]
    assert "loopback" in form.errors["url"][0]
    assert "OUTBOUND_ALLOWED_NETWORKS" in form.errors["url"][0]
    html = text(response)
    field = html[html.index('id="id_new_url"') - 300 : html.index('id="id_new_url"') + 300]
    assert 'value="https://127.0.0.1:8080/hooks"' in field
    assert re.search(r'value="lock\.\*"[^>]*checked', html)
    assert 'value="access_code.set_on_device"' in html
    assert not WebhookEndpoint.objects.exists()


def test_an_unknown_event_type_is_refused_beside_its_field(client_for, alice, loopback_allowed):
    response = client_for(alice).post(
        PAGE, {"url": "https://pms.example.com/hooks", "event_types": "guest.arrived"}
    )
    assert response.status_code == 400
    assert (
        "There are no guest.arrived events" in response.context["new_form"].errors["event_types"][0]
    )
    assert 'value="https://pms.example.com/hooks"' in text(response)
    assert not WebhookEndpoint.objects.exists()


def test_a_manager_edits_an_endpoint_and_a_bad_edit_keeps_the_input(
    client_for, alice, owner, receiver
):
    endpoint = webhook_create(
        owner=owner, url=receiver.url, event_types=["lock.*", "access_code.set_on_device"]
    )
    client = client_for(alice)
    edit = reverse("settings_webhook_edit", args=[endpoint.pk])

    # The form opens filled in: the families ticked, the single types written.
    opened = card(text(client.get(PAGE, {"edit": endpoint.pk})), endpoint)
    assert re.search(r'value="lock\.\*"[^>]*checked', opened)
    assert 'value="access_code.set_on_device"' in opened
    in_place = text(
        client.get(
            reverse("settings_webhook", args=[endpoint.pk]), {"edit": 1}, headers=htmx(endpoint)
        )
    )
    assert 'class="webhook-form webhook-edit"' in in_place and "<html" not in in_place
    assert 'class="webhook-form webhook-edit"' not in card(text(client.get(PAGE)), endpoint)

    response = client.post(edit, {"url": "https://10.1.2.3/hooks", "families": ["device.*"]})
    assert response.status_code == 400
    shown = card(text(response), endpoint)
    assert "10.1.2.3 is a private address" in shown
    assert 'class="webhook-form webhook-edit"' in shown  # the form stays open
    assert 'value="https://10.1.2.3/hooks"' in shown
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url
    assert endpoint.event_types == ["lock.*", "access_code.set_on_device"]

    # In place: the card with its form open and the refusal beside the field (a 200, as htmx
    # swaps in only those).
    response = client.post(edit, {"url": "ftp://x"}, headers=htmx(endpoint))
    html = text(response)
    assert "<html" not in html and 'class="webhook-form webhook-edit"' in html
    assert "Give a full URL starting with https://" in html and 'value="ftp://x"' in html

    new_url = receiver.url + "/v2"
    response = client.post(edit, {"url": new_url, "families": [], "event_types": ""})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == new_url and endpoint.event_types == []
    assert "All events" in card(text(client.get(PAGE)), endpoint)


def test_the_secret_shows_only_when_asked_and_never_in_the_logs(
    client_for, alice, owner, receiver, sender_clock, caplog
):
    caplog.set_level(logging.DEBUG)
    client = client_for(alice)
    client.post(PAGE, {"url": receiver.url})
    endpoint = WebhookEndpoint.objects.get()
    receiver.statuses = [500]
    client.post(reverse("settings_webhook_test", args=[endpoint.pk]))
    sender_clock.now = timezone.now()
    endpoint_send_due(endpoint_id=endpoint.pk, clock=sender_clock)
    assert "failed" in caplog.text  # the failure was logged, with no secret

    page = text(client.get(PAGE))
    assert endpoint.secret not in page
    assert "Show secret" in page
    secret = reverse("settings_webhook_secret", args=[endpoint.pk])
    shown = client.post(
        secret, headers={"HX-Request": "true", "HX-Target": f"secret-{endpoint.pk}"}
    )
    assert endpoint.secret in text(shown) and "<html" not in text(shown)
    assert endpoint.secret in card(text(client.post(secret)), endpoint)  # without JavaScript

    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret not in caplog.text
    assert endpoint.secret.removeprefix("whsec_") not in caplog.text


def test_the_front_desk_gets_the_managers_only_page(client_for, bob, owner, receiver):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    delivery = webhook_test_send(endpoint=endpoint, now=timezone.now())
    client = client_for(bob)
    response = client.get(PAGE)
    assert response.status_code == 403
    assert "Only managers can do that" in text(response)
    assert endpoint.secret not in text(response)
    for name in ("edit", "delete", "test", "switch_on", "secret"):
        response = client.post(reverse(f"settings_webhook_{name}", args=[endpoint.pk]))
        assert response.status_code == 403, name
        assert endpoint.secret not in text(response)
    assert client.post(PAGE, {"url": receiver.url}).status_code == 403
    again = reverse("settings_webhook_send_again", args=[delivery.pk])
    assert client.post(again).status_code == 403
    assert WebhookEndpoint.objects.count() == 1 and WebhookDelivery.objects.count() == 1


def test_another_companys_endpoint_answers_not_found(client_for, charlie, owner, receiver):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    delivery = webhook_test_send(endpoint=endpoint, now=timezone.now())
    client = client_for(charlie)
    assert receiver.url not in text(client.get(PAGE))
    assert client.get(reverse("settings_webhook", args=[endpoint.pk])).status_code == 404
    for name in ("edit", "delete", "test", "switch_on", "secret"):
        response = client.post(reverse(f"settings_webhook_{name}", args=[endpoint.pk]))
        assert response.status_code == 404, name
        assert endpoint.secret not in text(response)
    again = reverse("settings_webhook_send_again", args=[delivery.pk])
    assert client.post(again).status_code == 404
    assert WebhookEndpoint.objects.filter(owner=owner).count() == 1
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


@pytest.fixture
def switched_off(owner, receiver, sender_clock):
    """Seaside's receiver answering 500 for five days, until Innkeeper switched it off."""
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.statuses = [500] * 20
    webhook_test_send(endpoint=endpoint, now=sender_clock.now)
    endpoint_send_due(endpoint_id=endpoint.pk, clock=sender_clock)
    sender_clock.wait(5 * 24 * 3600)
    webhook_test_send(endpoint=endpoint, now=sender_clock.now)
    endpoint_send_due(endpoint_id=endpoint.pk, clock=sender_clock)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    receiver.statuses = []
    return endpoint


def test_an_endpoint_switched_off_is_an_urgent_alert_until_it_is_switched_back_on(
    client_for, alice, bob, owner, switched_off
):
    url = switched_off.url
    client = client_for(alice)
    html = text(client.get(reverse("alerts")))
    alerts = html[html.index('id="alerts"') :]
    assert f"Webhook endpoint switched off: {url}" in alerts
    assert "every delivery failed for five days" in alerts
    assert "What to do:</strong> Fix the receiver" in alerts
    assert "switch the endpoint back on in Settings → Webhooks" in alerts
    assert f'href="{PAGE}#webhook-{switched_off.pk}"' in alerts
    assert "Urgent</span>" in alerts
    assert '<span class="nav-badge" aria-label="1 urgent">1</span>' in html

    desk = text(client_for(bob).get(reverse("alerts")))
    assert f"Webhook endpoint switched off: {url}" in desk
    assert "A manager switches it back on in Settings → Webhooks." in desk
    assert f'href="{PAGE}' not in desk

    # Emailed once, like every urgent alert.
    tenancy.owner_settings_update(owner=owner, alert_email="ops@seaside.example")
    owner.refresh_from_db()
    assert alerts_email(owner=owner, now=timezone.now()) == 1
    assert alerts_email(owner=owner, now=timezone.now()) == 0
    [message] = mail.outbox
    assert message.subject == f"Innkeeper: Webhook endpoint switched off: {url}"
    assert "Settings → Webhooks" in message.body

    client = client_for(alice)
    shown = card(text(client.get(PAGE)), switched_off)
    assert "Switched off: Switched off on" not in shown  # the reason is not said twice
    assert "Switched off</span>" in shown and "Switch back on" in shown
    assert "Send a test event" not in shown
    response = client.post(
        reverse("settings_webhook_switch_on", args=[switched_off.pk]), headers=htmx(switched_off)
    )
    assert ">On</span>" in text(response) and "Switched back on" in text(response)
    switched_off.refresh_from_db()
    assert switched_off.enabled and switched_off.failing_since is None
    html = text(client.get(reverse("alerts")))
    assert "Webhook endpoint switched off" not in html and "nav-badge" not in html


def test_the_alerts_page_costs_one_query_more_at_most_for_endpoints_switched_off(
    client_for, alice, owner, loopback_allowed
):
    client = client_for(alice)
    with CaptureQueriesContext(connection) as none_off:
        client.get(reverse("alerts"))
    for n in range(3):
        endpoint = webhook_create(owner=owner, url=f"https://pms{n}.example.com/hooks")
        webhook_disable(endpoint=endpoint, now=timezone.now(), reason="Switched off for a test.")
    with CaptureQueriesContext(connection) as three_off:
        html = text(client.get(reverse("alerts")))
    assert html.count("Webhook endpoint switched off:") == 3
    assert '<span class="nav-badge" aria-label="3 urgent">3</span>' in html
    assert len(three_off) == len(none_off)
