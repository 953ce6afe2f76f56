"""Guest messages in the dashboard: the Outbox, a stay's messages and the front desk's texts
(a backup code, the arrival message again, a short free message), and Settings → Messages.

Everyone in the company sees the Outbox and texts a stay's guest; settings and templates are for
managers. A message row never holds a PIN: the Outbox and a stay's list show masked previews.
Only the backups a clerk sends are shown to them, as when they give one to read out.
"""

from datetime import UTC

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backups.selectors import backup_offered
from locks.errors import ServiceError
from locks.models import Property
from locks.tenancy.decorators import (
    manager_post,
    manager_view,
    member_view,
    owned_or_404,
)
from messaging import backup_sms, guest_help, owner_settings, selectors, sending, texts
from messaging.forms import (
    FreeMessageForm,
    MessagingSettingsForm,
    OutboxFilterForm,
    TemplateForm,
)
from messaging.models import Message, MessageTemplate
from reservations import selectors as stays
from reservations.models import Reservation

PAGE_SIZE = 25
NOT_OFFERED = (
    "Backup codes are given from the day of arrival until the stay ends: a backup opens the door "
    "from the moment it is given."
)


def _reservation(request, reservation_id) -> Reservation:
    return owned_or_404(stays.reservation_get, request, reservation_id, "No such reservation.")


def _message(request, message_id) -> Message:
    return owned_or_404(selectors.message_get, request, message_id, "No such message.")


# --- the Outbox ----------------------------------------------------------------------------------


@member_view
def outbox(request):
    owner = request.membership.owner
    properties = list(Property.objects.filter(owner=owner))
    form = OutboxFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.outbox_search(
        owner,
        properties,
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        day=filters.get("day"),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "pending": selectors.any_pending(page.object_list),
        "utc": UTC,
        "sms_connected": owner_settings.sms_connected(owner),
    }
    if request.htmx and request.htmx.target == "outbox-results":
        return render(request, "messaging/outbox.html#results", context)
    return render(request, "messaging/outbox.html", context)


@member_view
def message_status(request, message_id):
    """One message's status: the small part of a panel that polls until the message is final."""
    message = _message(request, message_id)
    context = {"message": message, "sms_connected": owner_settings.sms_connected(message.owner)}
    return render(request, "messaging/_message_status.html", context)


# --- a stay's messages ---------------------------------------------------------------------------


def _stay_messages(request, stay: Reservation, *, status: int = 200, **extra):
    """The stay page's Messages card, after an action (or its list alone, when it polls)."""
    now = timezone.now()
    listed = selectors.messages_for_stay(stay)
    context = {
        "stay": stay,
        "tz": stay.unit.property.tz,
        "now": now,
        "stay_messages": listed,
        "messages_pending": selectors.any_pending(listed),
        "can_give_backup": backup_offered(stay, now),
        "message_form": FreeMessageForm(),
        **extra,
    }
    return render(request, "messaging/_stay_messages.html", context, status=status)


def _answer(request, stay: Reservation, *, error: str = "", done: str = "", **extra):
    """An action's answer: the card on the stay's page (htmx), or a redirect with a notice."""
    if request.htmx and request.htmx.target == "stay-messages":
        return _stay_messages(
            request, stay, status=400 if error else 200, error=error, done=done, **extra
        )
    if error:
        messages.error(request, error)
    if done:
        messages.success(request, done)
    return redirect(reverse("reservation_detail", args=[stay.pk]) + "#stay-messages")


@member_view
def reservation_messages(request, reservation_id):
    stay = _reservation(request, reservation_id)
    listed = selectors.messages_for_stay(stay)
    context = {
        "stay": stay,
        "tz": stay.unit.property.tz,
        "stay_messages": listed,
        "messages_pending": selectors.any_pending(listed),
    }
    return render(request, "messaging/_stay_messages.html#list", context)


@member_view
@require_POST
def reservation_backup_sms(request, reservation_id):
    """A guest cannot get in: a backup on every door, texted to them in one click.

    The clerk sees the PINs too (to read out if the text is slow) and the message's status live.
    On Today the answer opens in the `backup-answer` panel; on the stay's page, in its card.
    """
    stay = _reservation(request, reservation_id)
    now = timezone.now()
    sent, given, refused = None, [], ""
    if not backup_offered(stay, now):
        refused = NOT_OFFERED
    else:
        try:
            # A text that cannot go (no number, the daily limit) gives no backups either.
            with transaction.atomic():
                sent, given = backup_sms.backup_codes_send(
                    reservation=stay, now=now, sent_by=request.user
                )
        except ServiceError as exc:
            refused = exc.message
    given.sort(key=lambda door: (door.lock.unit_id is None, door.lock.name))
    connected = owner_settings.sms_connected(stay.owner)
    if request.htmx and request.htmx.target == "backup-answer":
        context = {
            "stay": stay,
            "given": given,
            "refused": refused,
            "message": sent,
            "sms_connected": connected,
        }
        return render(request, "messaging/_backup_sms.html", context)
    done = ""
    if sent and connected:
        done = (
            f"Backup codes are on their way to {stay.guest_name} by SMS; read them out if the "
            "guest is at the door."
        )
    elif sent:
        done = (
            f"The backup codes were kept in the Outbox and not texted to {stay.guest_name}: no "
            f"SMS service is connected. Read them out to the guest. {_connect_hint(request)}"
        )
    return _answer(request, stay, error=refused, done=done, given=given, sent=sent)


def _on_its_way(request, stay: Reservation, what: str) -> str:
    """What the clerk is told once a text is queued: on its way, or honestly kept unsent."""
    if owner_settings.sms_connected(stay.owner):
        return f"{what} is on its way to {stay.guest_name}."
    return (
        f"{what} was kept in the Outbox and not sent to {stay.guest_name}: no SMS service is "
        f"connected. {_connect_hint(request)}"
    )


def _connect_hint(request) -> str:
    if request.membership.is_manager:
        return "Connect Twilio in Settings → Messages to send texts."
    return owner_settings.CONNECT_TWILIO


@member_view
@require_POST
def reservation_arrival_resend(request, reservation_id):
    stay = _reservation(request, reservation_id)
    try:
        sent = sending.arrival_queue(reservation=stay, now=timezone.now(), sent_by=request.user)[0]
    except ServiceError as exc:
        return _answer(request, stay, error=exc.message)
    done = _on_its_way(request, stay, "The arrival message")
    return _answer(request, stay, done=done, sent=sent)


@member_view
@require_POST
def reservation_message_send(request, reservation_id):
    stay = _reservation(request, reservation_id)
    form = FreeMessageForm(request.POST)
    if not form.is_valid():
        error = next(iter(form.errors.values()))[0]
        if request.htmx and request.htmx.target == "stay-messages":
            return _stay_messages(request, stay, status=400, message_form=form)
        return _answer(request, stay, error=error)
    try:
        sent = sending.message_queue(
            reservation=stay,
            kind=Message.Kind.FREE,
            now=timezone.now(),
            text=form.cleaned_data["text"],
            sent_by=request.user,
        )
    except ServiceError as exc:
        if exc.field == "text":
            form.add_error("text", exc.message)
            if request.htmx and request.htmx.target == "stay-messages":
                return _stay_messages(request, stay, status=400, message_form=form)
        return _answer(request, stay, error=exc.message)
    return _answer(request, stay, done=_on_its_way(request, stay, "Your message"), sent=sent)


# --- Settings → Messages (managers) --------------------------------------------------------------


@manager_view
def settings_messages(request):
    owner = request.membership.owner
    current = owner_settings.messaging_settings(owner)
    token_saved = bool(current.twilio_auth_token)
    form = MessagingSettingsForm(request.POST or None, instance=current, token_saved=token_saved)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                owner_settings.messaging_settings_update(owner=owner, **form.settings_fields())
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Message settings saved.")
                return redirect("settings_messages")
        status = 400
    context = {
        "form": form,
        "public_base_url": settings.PUBLIC_BASE_URL,
        # A single-owner install may set Twilio up in the environment instead.
        "install_twilio": bool(settings.TWILIO_ACCOUNT_SID),
        "sms_connected": owner_settings.sms_connected(owner),
        "keypad_rows": guest_help.keypad_rows(owner),
    }
    return render(request, "messaging/settings.html", context, status=status)


@manager_view
@require_POST
def settings_keypad_steps(request):
    """The guest page's keypad steps for one lock model (empty: back to the defaults)."""
    try:
        guest_help.keypad_steps_save(
            owner=request.membership.owner,
            lock_model=request.POST.get("lock_model", "")[:100],
            steps=request.POST.get("steps", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Keypad steps saved.")
    return redirect(reverse("settings_messages") + "#keypad-steps")


def _preview(owner, kind: str, body: str, language: str = "", subject: str = "") -> dict:
    """A template rendered for a made-up stay, with masked PINs, and what is wrong with it."""
    context, doors = selectors.template_sample(owner, timezone.now(), language)
    problems = texts.template_problems(kind, body)
    if kind in texts.EMAIL_KINDS:
        problems += texts.subject_problems(subject)
    try:
        text = texts.render(body, context=context, doors=doors, mask=True)
        subject = texts.render(subject, context=context, doors=[]) if subject else ""
    except (KeyError, IndexError, ValueError, AttributeError):
        text = subject = ""
    # An SMS holds 160 characters; longer texts go in parts of 153.
    segments = 1 if len(text) <= 160 else -(-len(text) // 153)
    return {
        "kind": kind,
        "is_email": kind in texts.EMAIL_KINDS,
        "subject": subject,
        "text": text,
        "problems": problems,
        "length": len(text),
        "segments": segments,
        # Without the site's public address a link is a bare path no phone can open.
        "link_is_path": "{link}" in body and not settings.PUBLIC_BASE_URL,
    }


def _template_cards(owner, forms: dict, language: str) -> list[dict]:
    cards = []
    for kind, label in MessageTemplate.Kind.choices:
        chosen = texts.template_for(owner, kind, language)
        own = chosen.saved and chosen.language == language
        form = forms.get(kind) or TemplateForm(
            initial={
                "kind": kind,
                "language": language,
                "body": chosen.body,
                "subject": chosen.subject,
            }
        )
        body = form.data.get("body", "") if form.is_bound else form.initial["body"]
        subject = form.data.get("subject", "") if form.is_bound else form.initial["subject"]
        cards.append(
            {
                "kind": kind,
                "label": label,
                "form": form,
                "preview": _preview(owner, kind, body, language, subject),
                "is_email": kind in texts.EMAIL_KINDS,
                # Whose text a guest in this language receives now.
                "is_default": not own,
                "from_default": chosen.saved and not own,
            }
        )
    return cards


def _template_language(value: str) -> str:
    return value if value in texts.LANGUAGES else ""


@manager_view
def settings_message_templates(request):
    owner = request.membership.owner
    language = _template_language(request.POST.get("language") or request.GET.get("language", ""))
    bound = {}
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            label = MessageTemplate.Kind(kind).label
            where = reverse("settings_message_templates") + (
                f"?language={language}" if language else ""
            )
            if "reset" in request.POST:
                owner_settings.template_reset(owner=owner, kind=kind, language=language)
                messages.success(request, f"{label}: back to the default.")
                return redirect(where + f"#template-{kind}")
            try:
                owner_settings.template_save(
                    owner=owner,
                    kind=kind,
                    body=form.cleaned_data["body"],
                    language=language,
                    subject=form.cleaned_data["subject"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else "body", exc.message)
                bound[kind] = form
            else:
                messages.success(request, f"{label} saved.")
                return redirect(where + f"#template-{kind}")
    context = {
        "cards": _template_cards(owner, bound, language),
        "placeholders": texts.PLACEHOLDERS,
        "checkout_on": owner_settings.messaging_settings(owner).send_checkout_reminder,
        "language": language,
        "languages": settings.GUEST_LANGUAGES,
        "public_base_url": settings.PUBLIC_BASE_URL,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/templates.html", context, status=status)


@manager_post
def settings_message_template_preview(request):
    """The live preview, as a manager types: rendered for a made-up stay, PINs masked."""
    form = TemplateForm(request.POST)
    if not form.is_valid():
        raise Http404("No such message template.")
    preview = _preview(
        request.membership.owner,
        form.cleaned_data["kind"],
        request.POST.get("body", ""),
        _template_language(form.cleaned_data["language"]),
        request.POST.get("subject", ""),
    )
    return render(request, "messaging/templates.html#preview", {"preview": preview})
