"""A person's own password: reset by email when forgotten, change when signed in.

Django's auth views do the work. These add how long a reset link works (PASSWORD_RESET_TIMEOUT,
3 days unless set) to the pages and the email, and point the email's link at PUBLIC_BASE_URL when
it is set (the address people reach the site by), else at the host the request came to.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views

DAY = 24 * 60 * 60


def reset_link_lifetime() -> str:
    """PASSWORD_RESET_TIMEOUT in words: "3 days", "1 day", "12 hours"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    count, unit = (seconds // DAY, "day") if seconds % DAY == 0 else (seconds // 3600, "hour")
    return f"{count} {unit}{'' if count == 1 else 's'}"


def public_base_url(request) -> str:
    """Where people reach this site, for links in emails: PUBLIC_BASE_URL, else this request's
    host."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


class LinkLifetime:
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "valid_for": reset_link_lifetime()}


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"

    @property
    def extra_email_context(self):
        return {"base_url": public_base_url(self.request), "valid_for": reset_link_lifetime()}


class PasswordResetDoneView(LinkLifetime, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(LinkLifetime, auth_views.PasswordResetConfirmView):
    pass
