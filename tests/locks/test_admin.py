"""The support admin: every model is there to look up, view-only, and no PIN or secret shows."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from locks import access_codes, audit, simulator
from locks.models import (
    AccessCode,
    AlertNotice,
    DiscoveredDevice,
    DriverAccount,
    Lock,
    RetiredPin,
    SimulatedCode,
    Unit,
    WebhookEndpoint,
)
from locks.outgoing.endpoints import webhook_create
from locks.outgoing.fanout import webhook_test_send
from locks.reconcile import lock_reconcile
from locks.tenancy import attempt_limits, invites
from locks.tenancy import services as tenancy
from tests import admin_pages, factories
from tests.admin_pages import PIN, change_page, changelist, model_admin, project_models

support = admin_pages.support
support_client = admin_pages.support_client

RETIRED_PIN = "730561"
SEAM_API_KEY = "seam_test_Zq8vN2kLw5"
WEBHOOK_TOKEN = "pms-token-Hq2Lx9"
# Field names that may hold a PIN or a secret; each such field must be excluded from its admin.
SECRET_NAME = re.compile(
    r"(^|_)(code|pin|secret|token|key|hash|credentials|password|body|text|preview|url)$"
)
# Fields whose names sound secret but are not, each with the reason.
NOT_SECRET = {
    ("locks", "accesscode", "common_code_key"): "groups a stay's codes: reservation_<id>",
    ("locks", "alertnotice", "key"): "an alert's identity: its kind, lock and stay",
    ("messaging", "message", "error_code"): "Twilio's error number, e.g. 30003",
    ("messaging", "message", "idempotency_key"): "a random id sent with the message",
    ("locks", "webhookdelivery", "last_status_code"): "the receiver's HTTP status, e.g. 503",
}


@pytest.fixture
def codes(owner, alice, lock, other_lock, t0):
    """A guest code put on Room 101's simulated lock, with the history and devices around it."""
    code, _ = access_codes.access_code_create(
        lock=lock, now=t0, name="Anna Smith", code=PIN, kind=AccessCode.Kind.GUEST
    )
    lock_reconcile(lock=lock, now=t0)
    assert SimulatedCode.objects.filter(code=PIN).exists()
    simulator.simulated_keypad_entry(lock=lock, code=PIN, now=t0)
    RetiredPin.objects.create(lock=lock, code=RETIRED_PIN, retired_at=t0)
    AlertNotice.objects.create(
        owner=owner, key=f"offline:{lock.pk}", title="Room 101 door is offline", sent_at=t0
    )
    DiscoveredDevice.objects.create(
        account=lock.account,
        device_id="sim-garage",
        name="Garage door",
        first_seen_at=t0,
        last_seen_at=t0,
    )
    DriverAccount.objects.create(
        owner=owner,
        driver="seam",
        name="Seam workspace",
        account_ref="ws_seaside",
        credentials={"api_key": SEAM_API_KEY},
    )
    with override_settings(OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        endpoint = webhook_create(
            owner=owner, url=f"http://127.0.0.1:9/hooks?token={WEBHOOK_TOKEN}"
        )
    webhook_test_send(endpoint=endpoint, now=t0)
    return code


@pytest.fixture
def api_key(owner, alice):
    """An API key and its secret (shown once, to whoever created it)."""
    with audit.acting(audit.person_actor(alice)):  # an audit log's entry too
        api_key = tenancy.api_key_create(owner=owner, name="Our PMS", created_by=alice)
    attempt_limits.attempt_record(  # a wrong one
        limit=attempt_limits.API_KEY_FAILURES, subject="203.0.113.9", now=timezone.now()
    )
    invites.invite_create(
        owner=owner,
        email="dora@example.com",
        role="front_desk",
        invited_by=alice,
        now=timezone.now(),
        base_url="http://testserver",
    )
    return api_key


def every_locks_page(client) -> list[str]:
    pages = []
    for model in project_models("locks"):
        pages.append(changelist(client, model))
        pages.extend(change_page(client, row) for row in model.objects.all())
    return pages


def test_every_model_of_the_project_has_an_admin():
    missing = [m.__name__ for m in project_models() if m not in admin.site._registry]
    assert not missing, f"register these in their app's admin.py: {missing}"


def test_every_admin_is_view_only_even_for_a_superuser(support):
    request = RequestFactory().get("/admin/")
    request.user = support
    for model in project_models():
        model_admin_ = model_admin(model)
        assert model_admin_.has_view_permission(request), model
        assert not model_admin_.has_add_permission(request), model
        assert not model_admin_.has_change_permission(request), model
        assert not model_admin_.has_delete_permission(request), model


def test_no_field_that_may_hold_a_secret_is_shown_searched_listed_or_filtered(support):
    request = RequestFactory().get("/admin/")
    request.user = support
    for model in project_models():
        opts, model_admin_ = model._meta, model_admin(model)
        for field in opts.get_fields():
            where = (opts.app_label, opts.model_name, field.name)
            if not SECRET_NAME.search(field.name) or where in NOT_SECRET or field.is_relation:
                continue
            assert field.name in (model_admin_.exclude or ()), where
            assert field.name not in model_admin_.get_form(request).base_fields, where
            assert field.name not in model_admin_.get_fields(request), where
            shown = [*model_admin_.list_display, *model_admin_.readonly_fields]
            assert field.name not in shown, where
            searched = [s.lstrip("^=@").split("__")[0] for s in model_admin_.search_fields]
            assert field.name not in searched, where
            assert not model_admin_.lookup_allowed(field.name, PIN, request), where


def test_every_page_of_the_locks_admin_opens(support_client, codes, api_key):
    admin_pages.every_page_opens(support_client, ["locks"])


def test_no_pin_shows_on_any_page_of_the_locks_admin(support_client, codes):
    for html in every_locks_page(support_client):
        assert PIN not in html
        assert RETIRED_PIN not in html


def test_a_code_shows_its_pin_masked_with_only_its_length(support_client, codes):
    html = changelist(support_client, AccessCode)
    assert "Anna Smith" in html and "•••• (6 digits)" in html
    html = change_page(support_client, codes)
    assert "•••• (6 digits)" in html and "Room 101 door" in html
    simulated = SimulatedCode.objects.get(code=PIN)
    assert "•••• (6 digits)" in change_page(support_client, simulated)


def test_a_pin_can_be_neither_searched_nor_filtered_on(support_client, codes):
    assert "Anna Smith" not in changelist(support_client, AccessCode, q=PIN)
    assert "Anna Smith" not in changelist(support_client, SimulatedCode, q=PIN)
    # A filter on the PIN would let anyone find it digit by digit: the admin refuses it.
    for query in ({"code": PIN}, {"code__startswith": "4"}):
        response = support_client.get("/admin/locks/accesscode/", query)
        assert response.status_code == 400
    assert support_client.get("/admin/locks/simulatedcode/", {"code": PIN}).status_code == 400
    assert support_client.get("/admin/locks/retiredpin/", {"code": PIN}).status_code == 400


def test_an_api_key_shows_neither_its_secret_nor_its_hash(support_client, api_key):
    key, secret = api_key
    pages = [changelist(support_client, type(key)), change_page(support_client, key)]
    for html in pages:
        assert secret not in html and key.key_hash not in html
    assert "Our PMS" in pages[0] and key.hint in pages[0]


def test_a_driver_account_says_which_credentials_it_has_not_what_they_are(support_client, codes):
    seam = DriverAccount.objects.get(driver="seam")
    pages = [changelist(support_client, DriverAccount), change_page(support_client, seam)]
    for html in pages:
        assert SEAM_API_KEY not in html
        assert "set: api_key" in html


def test_a_webhook_shows_neither_its_secret_nor_its_urls_token(support_client, codes):
    endpoint = WebhookEndpoint.objects.get()
    pages = [changelist(support_client, WebhookEndpoint), change_page(support_client, endpoint)]
    for html in pages:
        assert endpoint.secret not in html and WEBHOOK_TOKEN not in html
        assert "127.0.0.1 (rest hidden)" in html


def test_search_finds_a_lock_by_name_or_device_id(support_client, lock, other_lock):
    html = changelist(support_client, Lock, q="Room 101")
    assert "Room 101 door" in html and "Hilltop front door" not in html
    html = changelist(support_client, Lock, q=other_lock.device_id)
    assert "Hilltop front door" in html and "Room 101 door" not in html


def test_the_owner_filter_narrows_locks_and_codes_to_that_owner(
    support_client, owner, other_owner, codes, other_lock, t0
):
    access_codes.access_code_create(lock=other_lock, now=t0, name="Hilltop cleaner", code="615027")
    html = changelist(support_client, Lock, owner__id__exact=other_owner.pk)
    assert "Hilltop front door" in html and "Room 101 door" not in html
    html = changelist(support_client, AccessCode, owner__id__exact=owner.pk)
    assert "Anna Smith" in html and "Hilltop cleaner" not in html


def test_the_owner_filter_reaches_through_a_property_or_a_lock(
    support_client, owner, other_owner, codes, other_lock, t0
):
    factories.UnitFactory(property=other_lock.property, name="Hilltop loft")
    html = changelist(support_client, Unit, property__owner__id__exact=other_owner.pk)
    assert "Hilltop loft" in html and "Room 101" not in html
    RetiredPin.objects.create(lock=other_lock, code="902746", retired_at=t0)
    html = changelist(support_client, RetiredPin, lock__owner__id__exact=other_owner.pk)
    assert "Hilltop front door" in html and "Room 101 door" not in html


def test_a_lock_links_to_its_codes(support_client, codes, lock, other_lock, t0):
    access_codes.access_code_create(lock=other_lock, now=t0, name="Hilltop cleaner", code="615027")
    assert f'<a href="/admin/locks/accesscode/?lock__id__exact={lock.pk}">' in change_page(
        support_client, lock
    )
    html = changelist(support_client, AccessCode, lock__id__exact=lock.pk)
    assert "Anna Smith" in html and "Hilltop cleaner" not in html


def test_the_codes_list_reads_the_same_few_queries_for_many_codes(
    support_client, owner, hotel, lock, t0
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            changelist(support_client, AccessCode)
        return len(captured)

    access_codes.access_code_create(lock=lock, now=t0, name="Code 0")
    few = queries()
    for n in range(1, 6):
        door = factories.simulated_lock(owner=owner, property=hotel, name=f"Door {n}", now=t0)
        access_codes.access_code_create(lock=door, now=t0, name=f"Code {n}")
    assert queries() == few
