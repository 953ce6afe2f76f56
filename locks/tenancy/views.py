"""Settings (managers only): how codes are handled, properties and their units, the team, API
keys; and the owner a person works for.

Another owner's property, unit or member answers 404. The last manager cannot be removed or
demoted, so somebody can always change settings.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from locks import selectors, services
from locks.account_views import public_base_url
from locks.errors import ServiceError
from locks.models import ApiKey, Invite, Membership, Property, Unit
from locks.tenancy import invites, two_factor
from locks.tenancy import services as tenancy
from locks.tenancy.decorators import (
    form_error,
    manager_post,
    manager_view,
    owned_or_404,
)
from locks.tenancy.forms import (
    ApiKeyForm,
    InviteForm,
    MemberRoleForm,
    OwnerSettingsForm,
    PropertyForm,
    UnitForm,
)
from locks.tenancy.middleware import SESSION_KEY


def _settings_page(request, *, status: int = 200, **forms):
    owner = request.membership.owner
    members = Membership.objects.filter(owner=owner).select_related("user")
    members = list(members.order_by("role", "user__username"))
    context = {
        "settings_form": forms.get("settings_form") or OwnerSettingsForm(instance=owner),
        "invite_form": forms.get("invite_form") or InviteForm(),
        "invites": invites.invites_open(owner).select_related("invited_by"),
        "now": timezone.now(),
        "invite_days": Invite.LIFETIME_DAYS,
        "properties": selectors.properties_for(owner),
        "members": members,
        "two_factor_on": two_factor.two_factor_users(m.user_id for m in members),
        "role_choices": Membership.Role.choices,
    }
    return render(request, "reservations/settings.html", context, status=status)


@manager_view
def settings_page(request):
    owner = request.membership.owner
    if request.method != "POST":
        return _settings_page(request)
    form = OwnerSettingsForm(request.POST, instance=owner)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        owner.refresh_from_db()  # the form wrote onto the instance; the service decides
        try:
            tenancy.owner_settings_update(owner=owner, **fields)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Settings saved. Codes follow them from their next check.")
            return redirect("settings")
    return _settings_page(request, settings_form=form, status=400)


# --- properties and units ------------------------------------------------------------------------


def _property(request, property_id) -> Property:
    return owned_or_404(selectors.property_get, request, property_id, "No such property.")


def _property_page(request, prop: Property | None, form, unit_form=None, status: int = 200):
    context = {"property": prop, "form": form, "unit_form": unit_form or UnitForm()}
    return render(request, "reservations/property_form.html", context, status=status)


@manager_view
def property_create(request):
    form = PropertyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            prop = services.property_create(owner=request.membership.owner, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{prop.name} is added. Add its rooms or homes below.")
            return redirect("property_edit", prop.pk)
    return _property_page(request, None, form, status=400 if form.errors else 200)


@manager_view
def property_edit(request, property_id):
    prop = _property(request, property_id)
    form = PropertyForm(request.POST or None, request.FILES or None, instance=prop)
    if request.method == "POST" and form.is_valid():
        prop = _property(request, property_id)  # the form wrote onto its instance
        try:
            services.property_update(property=prop, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{prop.name} is saved.")
            return redirect("property_edit", prop.pk)
    return _property_page(request, prop, form, status=400 if form.errors else 200)


@manager_post
def unit_create(request, property_id):
    prop = _property(request, property_id)
    form = UnitForm(request.POST)
    if form.is_valid():
        try:
            unit = services.unit_save(property=prop, name=form.cleaned_data["name"])
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{unit.name} is added to {prop.name}.")
            return redirect("property_edit", prop.pk)
    return _property_page(request, prop, PropertyForm(instance=prop), form, status=400)


@manager_post
def unit_rename(request, unit_id):
    unit = get_object_or_404(
        Unit.objects.select_related("property"),
        property__owner=request.membership.owner,
        pk=unit_id,
    )
    form = UnitForm(request.POST)
    old = unit.name
    if not form.is_valid():
        messages.error(request, form.errors["name"][0])
    else:
        try:
            services.unit_save(property=unit.property, unit=unit, name=form.cleaned_data["name"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{old} is now called {unit.name}.")
    return redirect("property_edit", unit.property_id)


# --- members -------------------------------------------------------------------------------------


def _membership(request, membership_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        owner=request.membership.owner,
        pk=membership_id,
    )


@manager_post
def invite_create(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invite = invites.invite_create(
                owner=request.membership.owner,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                now=timezone.now(),
                base_url=public_base_url(request),
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                f"An invite to join as {invite.get_role_display().lower()} is on its way to "
                f"{invite.email}. Its link works once, for {Invite.LIFETIME_DAYS} days.",
            )
            return redirect(reverse("settings") + "#members")
    return _settings_page(request, invite_form=form, status=400)


def _invite(request, invite_id) -> Invite:
    return get_object_or_404(invites.invites_open(request.membership.owner), pk=invite_id)


@manager_post
def invite_resend(request, invite_id):
    invite = _invite(request, invite_id)
    try:
        invites.invite_resend(
            invite=invite,
            invited_by=request.user,
            now=timezone.now(),
            base_url=public_base_url(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"A new invite link is on its way to {invite.email}, for {Invite.LIFETIME_DAYS} "
            "days; the one sent before no longer works.",
        )
    return redirect(reverse("settings") + "#members")


@manager_post
def invite_revoke(request, invite_id):
    invite = _invite(request, invite_id)
    invites.invite_revoke(invite=invite, now=timezone.now())
    messages.success(
        request, f"The invite to {invite.email} is withdrawn; its link no longer works."
    )
    return redirect(reverse("settings") + "#members")


@manager_post
def member_role(request, membership_id):
    membership = _membership(request, membership_id)
    form = MemberRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("Pick manager or front desk.")
        tenancy.membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{membership.user.get_username()} is now {membership.get_role_display().lower()}.",
        )
    return redirect("settings")


@manager_post
def member_remove(request, membership_id):
    membership = _membership(request, membership_id)
    try:
        tenancy.membership_remove(membership=membership, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{membership.user.get_username()} can no longer sign in to this company; pages "
            "they have open are refused from their next click.",
        )
    return redirect("settings")


# --- the owner one works for, and API keys ---------------------------------------------------


@login_required
@require_POST
def owner_switch(request):
    membership = get_object_or_404(
        Membership.objects.select_related("owner"),
        user=request.user,
        owner_id=request.POST.get("owner_id") or None,
    )
    request.session[SESSION_KEY] = membership.owner_id
    messages.success(request, f"You are now working for {membership.owner.name}.")
    return redirect("today")


@manager_view
def api_keys(request):
    owner = request.membership.owner
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = tenancy.api_key_create(
                owner=owner, name=form.cleaned_data["name"], created_by=request.user
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            # Shown on this response only: the secret is not stored, so there is no redirect.
            created = {"key": key, "secret": secret}
            form = ApiKeyForm()
    context = {
        "form": form,
        "created": created,
        "keys": selectors.api_keys_for(owner),
        "api_url": request.build_absolute_uri("/api"),
    }
    return render(request, "locks/api_keys.html", context)


@manager_post
def api_key_revoke(request, key_id):
    key = get_object_or_404(ApiKey, owner=request.membership.owner, pk=key_id)
    tenancy.api_key_revoke(api_key=key, now=timezone.now())
    messages.success(request, f"The key “{key.name}” is revoked; programs using it are refused.")
    return redirect("api_keys")
