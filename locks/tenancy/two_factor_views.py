"""Two-factor sign-in's pages: the code after the password, and a person's own set-up (from the
user menu): scan, confirm, see the recovery codes once; new recovery codes; turn it off.

`TwoFactorMiddleware` sends people here; the work is in `locks.tenancy.two_factor`.
"""

from base64 import b32encode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from locks.tenancy import two_factor
from locks.tenancy.forms import TwoFactorCodeForm


def _next_url(request) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and safe else "/"


def _signed_in_with(request, device) -> None:
    """This session's sign-in is now confirmed by `device` (a new session key, as at sign-in)."""
    request.session.cycle_key()
    django_otp.login(request, device)


@never_cache
@login_required
def two_factor_verify(request):
    """The second step of signing in: the app's code, or a recovery code."""
    next_url = _next_url(request)
    if request.user.is_verified() or not two_factor.two_factor_is_on(request.user):
        return redirect(next_url)
    form = TwoFactorCodeForm(request.POST or None, autofocus=True)
    if request.method == "POST" and form.is_valid():
        check = two_factor.two_factor_check(user=request.user, code=form.cleaned_data["code"])
        if check.device is not None:
            _signed_in_with(request, check.device)
            if isinstance(check.device, StaticDevice):
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it is used up ({left} left). Lost "
                    "your phone? Set up the app again, or make new recovery codes, in "
                    "Two-factor sign-in.",
                )
            return redirect(next_url)
        form.add_error("code", check.refusal)
    context = {"form": form, "next": next_url}
    return render(
        request, "registration/two_factor_verify.html", context, status=400 if form.errors else 200
    )


def _qr_svg(device) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#111827", light="#ffffff", title="QR code for your authenticator app"
    )
    return mark_safe(svg)  # noqa: S308 (segno's own markup; nothing typed by a person)


def _key_text(device) -> str:
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# The two changes a person with two-factor sign-in on can make, each asking for a current code.
CHANGES = ("recovery", "turn_off")


def _change_form(action: str, data=None) -> TwoFactorCodeForm:
    return TwoFactorCodeForm(data, auto_id=f"{action}-%s")


def _page(request, *, form=None, status: int = 200, action: str = ""):
    """The set-up page (QR code, key, first code), or, when on, its two changes; `form` is the
    one that was refused (`action` names which change it was)."""
    user = request.user
    required_by = two_factor.two_factor_required_by(request.memberships)
    context = {
        "required": bool(required_by),
        "required_by": " and ".join(required_by),
        "required_by_count": len(required_by),
    }
    device = two_factor.two_factor_device_for(user)
    if device is not None:
        forms = {name: _change_form(name) for name in CHANGES}
        if action:
            forms[action] = form
        context.update(
            device=device,
            recovery_left=two_factor.recovery_codes_left(user),
            recovery_form=forms["recovery"],
            turn_off_form=forms["turn_off"],
        )
    else:
        setup = two_factor.two_factor_start(user=user)
        context.update(
            form=form or TwoFactorCodeForm(recovery=False),
            qr_svg=_qr_svg(setup),
            key_text=_key_text(setup),
            next=_next_url(request),
        )
    return render(request, "registration/two_factor.html", context, status=status)


def _recovery_codes_page(request, codes: list[str], *, first: bool):
    context = {"codes": codes, "first": first, "next": _next_url(request)}
    return render(request, "registration/two_factor_recovery_codes.html", context)


@never_cache
@login_required
def two_factor_page(request):
    """Where a person turns two-factor sign-in on (or sees it on)."""
    return _page(request)


@never_cache
@login_required
@require_POST
def two_factor_confirm(request):
    """The first code from the app: two-factor sign-in is on, and the recovery codes show once."""
    if two_factor.two_factor_is_on(request.user):
        return redirect("two_factor")
    form = TwoFactorCodeForm(request.POST, recovery=False)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    setup = two_factor.two_factor_start(user=request.user)
    done = two_factor.two_factor_confirm(device=setup, code=form.cleaned_data["code"])
    if done.device is None:
        form.add_error("code", done.refusal)
        return _page(request, form=form, status=400)
    _signed_in_with(request, done.device)
    return _recovery_codes_page(request, done.recovery_codes, first=True)


def _checked(request, action: str):
    """The current code a change asks for: (True, None), or (False, the page with the error)."""
    form = _change_form(action, request.POST)
    if form.is_valid():
        check = two_factor.two_factor_check(user=request.user, code=form.cleaned_data["code"])
        if check.device is not None:
            return True, None
        form.add_error("code", check.refusal)
    return False, _page(request, form=form, status=400, action=action)


@never_cache
@login_required
@require_POST
def two_factor_recovery_codes(request):
    """Ten new recovery codes (the old ones stop working), for a current code."""
    if not two_factor.two_factor_is_on(request.user):
        return redirect("two_factor")
    ok, refused = _checked(request, "recovery")
    if not ok:
        return refused
    codes = two_factor.recovery_codes_renew(user=request.user)
    return _recovery_codes_page(request, codes, first=False)


@never_cache
@login_required
@require_POST
def two_factor_turn_off(request):
    """Turn two-factor sign-in off, for a current code: the password alone signs in again."""
    if not two_factor.two_factor_is_on(request.user):
        return redirect("two_factor")
    ok, refused = _checked(request, "turn_off")
    if not ok:
        return refused
    two_factor.two_factor_turn_off(user=request.user)
    if two_factor.two_factor_required(request.memberships):
        messages.warning(
            request,
            "Two-factor sign-in is off. Your company requires it for managers: set it up again "
            "(for example on your new phone) below.",
        )
    else:
        messages.success(request, "Two-factor sign-in is off: your password alone signs you in.")
    return redirect("two_factor")
