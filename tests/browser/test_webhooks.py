"""Settings → Webhooks on a laptop and on a phone: a manager adds the PMS's receiver, sends it a
test event and sees it answered, beside an endpoint switched off with a long answer (an alert
too); the pages never scroll sideways. Screenshots go to test-artifacts/ every run."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from locks.models import WebhookDelivery, WebhookEndpoint
from locks.outgoing.delivery import endpoint_send_due
from locks.outgoing.endpoints import webhook_create, webhook_disable
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


def no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page is {width}px wide in a {inner}px window"


@pytest.fixture
def switched_off(owner, loopback_allowed):
    """An old endpoint of Seaside's that failed for five days, with its last long answer."""
    now = timezone.now()
    endpoint = webhook_create(
        owner=owner,
        url="https://pms.seaside-hotels.example.com/integrations/innkeeper/webhooks/v1/receive",
        event_types=["access_code.*", "lock.unlocked"],
    )
    WebhookDelivery.objects.create(
        owner=owner,
        endpoint=endpoint,
        event_type="access_code.set_on_device",
        occurred_at=now - timedelta(hours=2),
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
        last_attempt_at=now - timedelta(hours=1),
        last_status_code=503,
        last_response='{"error":"service_unavailable","message":"The upstream reservation '
        'service did not answer in time; try again later","request_id":"' + "f" * 60 + '"}',
    )
    webhook_disable(
        endpoint=endpoint,
        now=now - timedelta(minutes=30),
        reason=f"Switched off on {now:%d %b %Y}: every delivery failed for five days (the "
        "last: 503).",
    )
    return endpoint


@pytest.mark.parametrize("size", list(SIZES))
def test_a_manager_adds_the_receiver_and_sends_it_a_test_event(
    live_site, browser, alice, hotel, receiver, switched_off, size, shoot
):
    context = browser.new_context(viewport=SIZES[size], locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_site.url, "alice", factories.PASSWORD)
        page.goto(f"{live_site.url}/settings/")
        page.click("a:has-text('Webhooks')")
        expect(page.locator("h1")).to_have_text("Webhooks")
        old = page.locator(f"#webhook-{switched_off.pk}")
        expect(old).to_contain_text("Switched off on")
        expect(old.locator("button:has-text('Switch back on')")).to_be_visible()
        no_sideways_scroll(page)

        page.fill("#id_new_url", receiver.url)
        page.check("#add-webhook label:has-text('Access codes') input")
        page.click("button:has-text('Add endpoint')")
        expect(page.locator(".messages")).to_contain_text("receives events from now on")
        endpoint = WebhookEndpoint.objects.exclude(pk=switched_off.pk).get()
        assert endpoint.event_types == ["access_code.*"]
        card = page.locator(f"#webhook-{endpoint.pk}")
        expect(card.locator(".webhook-url")).to_have_text(receiver.url)
        expect(card).to_contain_text("access_code.*")

        page.evaluate("window.stillTheSamePage = true")
        card.locator("button:has-text('Send a test event')").click()
        expect(card).to_contain_text("A test event is on its way")
        expect(card.locator(".deliveries")).to_contain_text("Waiting to be sent")
        assert endpoint_send_due(endpoint_id=endpoint.pk) == 1
        # The card refreshes itself until the delivery is answered, in place.
        expect(card.locator(".deliveries")).to_contain_text("Delivered · 200")
        expect(card.locator(".deliveries")).to_contain_text('{"received": true}')
        assert page.evaluate("window.stillTheSamePage === true")
        assert len(receiver.received) == 1

        card.locator("button:has-text('Show secret')").click()
        expect(card.locator(".webhook-secret .secret")).to_have_text(endpoint.secret)
        no_sideways_scroll(page)
        shoot(page, size)

        # The endpoint switched off is an urgent alert, long URL and all.
        page.goto(f"{live_site.url}/alerts/")
        expect(page.locator("#alerts")).to_contain_text(
            f"Webhook endpoint switched off: {switched_off.url}"
        )
        no_sideways_scroll(page)
    finally:
        context.close()
