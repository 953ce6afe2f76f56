"""Settings → Webhooks (managers only): the URLs the owner's events are pushed to, a test event,
the last deliveries of each with their answers, and sending one again.

Every action answers the endpoint's card in place (htmx, `hx-target="webhook-<id>"`), or, without
JavaScript, redirects to it with a notice. Another owner's endpoint or delivery answers 404. The
secret is only in the page once a manager asks to see it, and never in a log or a notice.
"""

from datetime import UTC
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from locks.errors import ServiceError
from locks.models import Property, WebhookEndpoint
from locks.outgoing import selectors as hooks
from locks.outgoing.delivery import delivery_resend
from locks.outgoing.endpoints import webhook_create, webhook_delete, webhook_enable, webhook_update
from locks.outgoing.fanout import webhook_test_send
from locks.tenancy.decorators import form_error, manager_post, manager_view, owned_or_404
from locks.tenancy.forms import WebhookForm

DELIVERIES_SHOWN = 20
# A card polls while a delivery is due this soon (a test event, a retry in 5 seconds).
POLL_WITHIN_SECONDS = 60


def _tz(owner) -> ZoneInfo:
    """Times in the owner's (first) property's zone, as its other pages show them; UTC without
    a property."""
    zone = Property.objects.filter(owner=owner).order_by("pk").values_list("time_zone", flat=True)
    first = zone.first()
    return ZoneInfo(first) if first else UTC


def _endpoint(request, webhook_id) -> WebhookEndpoint:
    return owned_or_404(hooks.webhook_get, request, webhook_id, "No such webhook.")


def _edit_form(endpoint: WebhookEndpoint, data=None) -> WebhookForm:
    initial = None if data is not None else WebhookForm.initial_for(endpoint)
    return WebhookForm(data, initial=initial, auto_id=f"id_{endpoint.pk.hex[:8]}_%s")


def _card(endpoint: WebhookEndpoint, now, **extra) -> dict:
    deliveries = hooks.webhook_deliveries(endpoint, limit=DELIVERIES_SHOWN)
    soon = [
        d
        for d in deliveries
        if d.status == "pending"
        and d.next_attempt_at
        and (d.next_attempt_at - now).total_seconds() < POLL_WITHIN_SECONDS
    ]
    return {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "polling": endpoint.enabled and bool(soon),
        "edit_form": extra.pop("edit_form", None) or _edit_form(endpoint),
        **extra,
    }


def _page(request, *, new_form=None, status: int = 200, open_card=None):
    """The whole page; `open_card`: what one endpoint's card shows besides (its edit form, as
    posted; its secret). `?edit=<id>` opens that endpoint's edit form (without JavaScript)."""
    owner = request.membership.owner
    now = timezone.now()
    open_card = dict(open_card or {"pk": request.GET.get("edit"), "editing": True})
    opened = str(open_card.pop("pk", None))
    cards = [
        _card(endpoint, now, **(open_card if str(endpoint.pk) == opened else {}))
        for endpoint in hooks.webhooks_for(owner)
    ]
    context = {
        "cards": cards,
        "new_form": new_form or WebhookForm(auto_id="id_new_%s"),
        "tz": _tz(owner),
        "now": now,
    }
    return render(request, "locks/webhooks.html", context, status=status)


def _answer(request, endpoint: WebhookEndpoint, *, done: str = "", error: str = "", **extra):
    """An action's answer: the endpoint's card (htmx), or a redirect to it with a notice."""
    if request.htmx and request.htmx.target == f"webhook-{endpoint.pk}":
        now = timezone.now()
        context = {
            **_card(endpoint, now, done=done, error=error, **extra),
            "tz": _tz(request.membership.owner),
            "now": now,
        }
        refused = error or (extra.get("edit_form") and extra["edit_form"].errors)
        return render(
            request, "locks/webhooks.html#endpoint", context, status=400 if refused else 200
        )
    if error:
        messages.error(request, error)
    if done:
        messages.success(request, done)
    return redirect(reverse("settings_webhooks") + f"#webhook-{endpoint.pk}")


@manager_view
def settings_webhooks(request):
    """The page, and adding an endpoint (a post)."""
    if request.method != "POST":
        return _page(request)
    form = WebhookForm(request.POST, auto_id="id_new_%s")
    if form.is_valid():
        try:
            endpoint = webhook_create(
                owner=request.membership.owner,
                url=form.cleaned_data["url"],
                event_types=form.wanted(),
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                f"{endpoint.url} receives events from now on. Send it a test event to see "
                "that it answers.",
            )
            return redirect(reverse("settings_webhooks") + f"#webhook-{endpoint.pk}")
    return _page(request, new_form=form, status=400)


@manager_view
def settings_webhook(request, webhook_id):
    """One endpoint's card (it refreshes itself while a delivery is about to go), with its edit
    form when asked (`?edit`)."""
    endpoint = _endpoint(request, webhook_id)
    editing = "edit" in request.GET
    if not request.htmx:
        query = f"?edit={endpoint.pk}" if editing else ""
        return redirect(reverse("settings_webhooks") + f"{query}#webhook-{endpoint.pk}")
    now = timezone.now()
    context = {
        **_card(endpoint, now, editing=editing),
        "tz": _tz(request.membership.owner),
        "now": now,
    }
    return render(request, "locks/webhooks.html#endpoint", context)


@manager_post
def settings_webhook_edit(request, webhook_id):
    endpoint = _endpoint(request, webhook_id)
    form = _edit_form(endpoint, request.POST)
    if form.is_valid():
        try:
            webhook_update(
                endpoint=endpoint, url=form.cleaned_data["url"], event_types=form.wanted()
            )
        except ServiceError as exc:
            form_error(form, exc)
            endpoint = _endpoint(request, webhook_id)  # as saved, not as typed
        else:
            return _answer(request, endpoint, done="Saved.")
    if request.htmx:
        return _answer(request, endpoint, edit_form=form, editing=True)
    return _page(
        request, status=400, open_card={"pk": endpoint.pk, "edit_form": form, "editing": True}
    )


@manager_post
def settings_webhook_delete(request, webhook_id):
    endpoint = _endpoint(request, webhook_id)
    url = endpoint.url
    webhook_delete(endpoint=endpoint)
    messages.success(request, f"{url} no longer receives events.")
    return redirect("settings_webhooks")


@manager_post
def settings_webhook_test(request, webhook_id):
    endpoint = _endpoint(request, webhook_id)
    webhook_test_send(endpoint=endpoint, now=timezone.now())
    if not endpoint.enabled:
        return _answer(
            request, endpoint, done="The test event waits until the endpoint is switched on."
        )
    return _answer(
        request, endpoint, done="A test event is on its way; its answer shows below once sent."
    )


@manager_post
def settings_webhook_switch_on(request, webhook_id):
    endpoint = _endpoint(request, webhook_id)
    webhook_enable(endpoint=endpoint, now=timezone.now())
    return _answer(
        request,
        endpoint,
        done="Switched back on: what was waiting goes out now, in order, then every new event.",
    )


@manager_post
def settings_webhook_secret(request, webhook_id):
    """Show the signing secret to a manager who asks (it is in no page until then)."""
    endpoint = _endpoint(request, webhook_id)
    if request.htmx and request.htmx.target == f"secret-{endpoint.pk}":
        return render(request, "locks/webhooks.html#secret", {"endpoint": endpoint})
    return _page(request, open_card={"pk": endpoint.pk, "show_secret": True})


@manager_post
def settings_webhook_send_again(request, delivery_id):
    delivery = owned_or_404(hooks.delivery_get, request, delivery_id, "No such webhook delivery.")
    endpoint = _endpoint(request, delivery.endpoint_id)
    delivery_resend(delivery=delivery, now=timezone.now())
    done = f"The {delivery.event_type} event goes out again, with the same message id"
    done += "." if endpoint.enabled else ", once the endpoint is switched back on."
    return _answer(request, endpoint, done=done)
