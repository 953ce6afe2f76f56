"""The arrival email: handed to Django's email backend (settings `EMAIL_*`).

The email gives the guest's page and never a PIN, so neither the backend nor any log can leak
one. With the console backend (the default) nothing is sent: the message is kept in the Outbox,
as texts are without an SMS service, rather than printed with the guest's link in the log.
"""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from messaging.transports import Sent, TransportError

CONSOLE = "django.core.mail.backends.console.EmailBackend"
NOT_SET_UP = (
    "Kept in the Outbox, not emailed: the server has no email service set up. The operator "
    "sets EMAIL_BACKEND and EMAIL_HOST (docs/OPERATIONS.md)."
)


def email_connected() -> bool:
    """Whether an arrival email really leaves the machine."""
    return settings.EMAIL_BACKEND != CONSOLE


def email_send(*, to: str, subject: str, body: str) -> Sent:
    if not email_connected():
        return Sent(provider_id="", status="kept")
    try:
        EmailMessage(subject=subject, body=body, to=[to]).send()
    except smtplib.SMTPRecipientsRefused:
        raise TransportError(
            f"Not sent: the email server refused the address {to}. Check the guest's email.",
            permanent=True,
            code="email_refused",
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        # The server is down or refused us: worth trying again, with back-off.
        raise TransportError(
            f"The email server could not take the email ({type(exc).__name__}).",
            code="email_server",
        ) from None
    return Sent(provider_id="", status="sent")
