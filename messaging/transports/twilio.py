"""SMS through Twilio's Messages API, with its official SDK."""

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from messaging.transports.base import Sent, TransportError

# Twilio error codes that no retry can fix, in words a front-desk person can act on.
PERMANENT_ERRORS = {
    "21211": "The guest's phone number is not valid. Check it on the reservation.",
    "21614": "The guest's number cannot receive text messages (a landline?). Ask for a mobile.",
    "21610": "The guest has opted out of text messages from this number (they replied STOP).",
    "21408": "Text messages to this country are not enabled on the Twilio account.",
    "21612": "Twilio cannot send to this number from your sender number.",
    "21606": "The sender number cannot send text messages. Check Settings → Messages.",
    "21659": "The sender number is not a valid Twilio number. Check Settings → Messages.",
    "20003": "Twilio refused the account SID or auth token. Check Settings → Messages.",
    "30003": "The guest's phone is unreachable or switched off.",
    "30004": "The message was blocked by the guest's carrier or phone.",
    "30005": "The guest's number is unknown to their carrier.",
    "30006": "The guest's number is a landline or cannot receive texts.",
    "30007": "The carrier filtered the message as spam.",
}
TIMEOUT_SECONDS = 10


class TwilioTransport:
    key = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        **_options,
    ):
        missing = [
            name
            for name, value in (
                ("the account SID", account_sid),
                ("the auth token", auth_token),
                ("a sender number or messaging service", from_number or messaging_service_sid),
            )
            if not value
        ]
        if missing:
            raise TransportError(
                f"Twilio is not fully set up: add {' and '.join(missing)} in Settings → Messages.",
                permanent=True,
                code="twilio_not_set_up",
            )
        self.client = Client(
            account_sid, auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS)
        )
        # A stand-in of Twilio's API (tests, staging) is reached by pointing the SDK at it.
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL
        self.sender = (
            {"messaging_service_sid": messaging_service_sid}
            if messaging_service_sid
            else {"from_": from_number}
        )

    def send(self, *, to: str, body: str, status_callback: str = "") -> Sent:
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **self.sender, **extra)
        except TwilioRestException as exc:
            raise _refused(str(exc.code or ""), exc.status, exc.msg) from None
        except TwilioServiceException as exc:
            raise _refused(str(exc.code or ""), exc.status, exc.title) from None
        except requests.Timeout:
            raise TransportError("Twilio did not answer in time.", code="timeout") from None
        except (requests.RequestException, TwilioException):
            raise TransportError("Twilio could not be reached.", code="unreachable") from None
        status = {"accepted": "queued", "scheduled": "queued"}.get(message.status, message.status)
        return Sent(provider_id=message.sid, status=status)


def _refused(code: str, http_status: int, detail: str) -> TransportError:
    """Twilio answered with an error: final, unless it is Twilio's own trouble or a rate limit."""
    if code in PERMANENT_ERRORS:
        return TransportError(PERMANENT_ERRORS[code], permanent=True, code=code)
    if http_status == 429:
        return TransportError(
            "Twilio asked us to slow down (too many messages at once).", code=code or "429"
        )
    if http_status >= 500:
        return TransportError(
            f"Twilio had a problem on its side (HTTP {http_status}).", code=code or str(http_status)
        )
    # Twilio's own words (they name the number at most, never the message's text).
    return TransportError(
        f"Twilio refused the message (error {code or http_status}): {detail}",
        permanent=True,
        code=code or str(http_status),
    )
