"""`webhooks/*` through Seam's own SDK: a PMS registers where its events go."""

import pytest
from seam.exceptions import SeamHttpApiError, SeamHttpInvalidInputError

from tests.locks.seam_api import api_key_for, seam_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def seam(owner):
    with seam_client(api_key_for(owner)) as client:
        yield client


def test_a_webhook_is_created_listed_got_updated_and_deleted_with_seams_sdk(seam, owner):
    hook = seam.webhooks.create(url="https://pms.example.com/seam", event_types=["lock.*"])
    assert hook.url == "https://pms.example.com/seam"
    assert hook.event_types == ["lock.*"]
    # Secrets in the format Seam's verifier (Svix) reads.
    assert hook.secret.startswith("whsec_") and len(hook.secret) > 30
    assert [w.webhook_id for w in seam.webhooks.list()] == [hook.webhook_id]
    assert seam.webhooks.get(webhook_id=hook.webhook_id).secret == hook.secret

    seam.webhooks.update(webhook_id=hook.webhook_id, event_types=["access_code.set_on_device"])
    assert seam.webhooks.get(webhook_id=hook.webhook_id).event_types == [
        "access_code.set_on_device"
    ]
    owner.refresh_from_db()
    assert owner.sends_webhooks

    seam.webhooks.delete(webhook_id=hook.webhook_id)
    assert seam.webhooks.list() == []
    with pytest.raises(SeamHttpApiError) as exc:
        seam.webhooks.get(webhook_id=hook.webhook_id)
    assert exc.value.status_code == 404 and exc.value.code == "webhook_not_found"
    owner.refresh_from_db()
    assert not owner.sends_webhooks  # recording events costs nothing again


def test_no_event_types_means_every_event(seam):
    hook = seam.webhooks.create(url="https://pms.example.com/all")
    assert hook.event_types == []


@pytest.mark.parametrize(
    "url, why",
    [
        ("http://pms.example.com/seam", "https"),
        ("https://127.0.0.1/seam", "loopback"),
        ("https://[::1]:8000/seam", "loopback"),
        ("https://localhost:6379/", "loopback"),
        ("https://10.1.2.3/seam", "private"),
        ("https://192.168.0.10/seam", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("ftp://pms.example.com/seam", "https://"),
        ("pms.example.com/seam", "https://"),
    ],
)
def test_urls_that_would_reach_inside_or_are_not_https_are_refused_saying_why(seam, url, why):
    with pytest.raises(SeamHttpInvalidInputError) as exc:
        seam.webhooks.create(url=url)
    assert why in str(exc.value)
    assert seam.webhooks.list() == []


def test_addresses_inside_the_allowed_networks_may_be_called_even_over_http(
    seam,
    loopback_allowed,  # noqa: F811
):
    hook = seam.webhooks.create(url="http://127.0.0.1:9000/hooks")
    assert hook.url == "http://127.0.0.1:9000/hooks"


def test_an_unknown_event_type_is_refused_saying_what_event_types_look_like(seam):
    with pytest.raises(SeamHttpInvalidInputError) as exc:
        seam.webhooks.create(url="https://pms.example.com/x", event_types=["door.opened"])
    assert "event types start with one of" in str(exc.value)
