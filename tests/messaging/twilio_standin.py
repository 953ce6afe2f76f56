"""A local stand-in of Twilio's Messages endpoint, for sending through the real `twilio` SDK.

The `twilio_api` fixture starts it on a free loopback port and points the SDK at it
(`settings.TWILIO_API_BASE_URL`). It knows the accounts in `ACCOUNTS` (SID → auth token) and checks
Basic auth as Twilio does. `twilio_api.sent` lists what it was asked to send; `answer_next(n, ...)`
makes the next n requests answer a Twilio error, a 5xx, a 429 or hang past the client's timeout.
"""

import base64
import json
import secrets
import threading
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import pytest

from tests.local_server import LocalServer, send

# Two Twilio accounts: an owner's own (Settings → Messages) and the install's (environment).
OWNER_SID, OWNER_TOKEN = "AC" + "1" * 32, "owner-auth-token-0123456789abcdef"
INSTALL_SID, INSTALL_TOKEN = "AC" + "2" * 32, "install-auth-token-0123456789abcd"
ACCOUNTS = {OWNER_SID: OWNER_TOKEN, INSTALL_SID: INSTALL_TOKEN}
OWNER_NUMBER, INSTALL_NUMBER = "+15005550006", "+15005550007"

ERROR_TEXTS = {
    20003: "Authenticate",
    21211: "Invalid 'To' Phone Number",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To'",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message",
    21604: "A 'To' phone number is required",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}


@dataclass(frozen=True)
class Request:
    account_sid: str
    to: str
    from_: str
    messaging_service_sid: str
    body: str
    status_callback: str


@dataclass(frozen=True)
class Answer:
    status: int = 201
    code: int | None = None  # a Twilio error code: answered in Twilio's error JSON
    hang: bool = False  # answer nothing until the client has given up


class TwilioStandIn(LocalServer):
    METHODS = ("POST",)

    def __init__(self):
        self.sent: list[Request] = []
        self.planned: list[Answer] = []
        self.lock = threading.Lock()
        self.closing = threading.Event()
        super().__init__()

    def __exit__(self, *exc):
        self.closing.set()  # releases a request held by `hang`
        super().__exit__(*exc)

    def answer_next(self, n: int = 1, *, status: int = 400, code: int | None = None, hang=False):
        """The next n requests get this answer (then messages are accepted again)."""
        with self.lock:
            self.planned.extend([Answer(status=status, code=code, hang=hang)] * n)

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        parts = http.path.strip("/").split("/")
        if (
            len(parts) != 4
            or parts[:2] != ["2010-04-01", "Accounts"]
            or parts[3] != ("Messages.json")
        ):
            return self.reply(http, 404, {"code": 20404, "message": "Not found", "status": 404})
        account_sid = parts[2]
        if not self.authenticated(http, account_sid):
            return self.error(http, 401, 20003)
        length = int(http.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(http.rfile.read(length).decode()).items()}
        request = Request(
            account_sid=account_sid,
            to=form.get("To", ""),
            from_=form.get("From", ""),
            messaging_service_sid=form.get("MessagingServiceSid", ""),
            body=form.get("Body", ""),
            status_callback=form.get("StatusCallback", ""),
        )
        with self.lock:
            self.sent.append(request)
            answer = self.planned.pop(0) if self.planned else Answer()
        if answer.hang:
            self.closing.wait(timeout=30)
            return
        if answer.code:
            return self.error(http, answer.status, answer.code)
        if answer.status >= 400:
            return self.reply(http, answer.status, {"message": "Service unavailable"})
        if not request.to:
            return self.error(http, 400, 21604)
        if not (request.from_ or request.messaging_service_sid):
            return self.error(http, 400, 21603)
        self.reply(http, 201, self.message_resource(request))

    def authenticated(self, http, account_sid: str) -> bool:
        scheme, _, encoded = http.headers.get("Authorization", "").partition(" ")
        if scheme != "Basic":
            return False
        sid, _, token = base64.b64decode(encoded).decode().partition(":")
        return sid == account_sid and ACCOUNTS.get(sid) == token

    def message_resource(self, request: Request) -> dict:
        sid = "SM" + secrets.token_hex(16)
        now = formatdate(usegmt=True)
        return {
            "account_sid": request.account_sid,
            "api_version": "2010-04-01",
            "body": request.body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": request.from_ or None,
            "messaging_service_sid": request.messaging_service_sid or None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            # With a messaging service Twilio first answers `accepted`, then picks a sender.
            "status": "accepted" if request.messaging_service_sid else "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{request.account_sid}/Messages/{sid}/Media.json"
            },
            "to": request.to,
            "uri": f"/2010-04-01/Accounts/{request.account_sid}/Messages/{sid}.json",
        }

    def error(self, http, status: int, code: int) -> None:
        self.reply(
            http,
            status,
            {
                "code": code,
                "message": ERROR_TEXTS.get(code, "Error"),
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def reply(self, http, status: int, payload: dict) -> None:
        send(http, status, json.dumps(payload).encode(), "application/json; charset=utf-8")


@pytest.fixture
def twilio_api(settings, monkeypatch):
    """The stand-in, with the SDK pointed at it and no edge or region to send it elsewhere."""
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    with TwilioStandIn() as standin:
        settings.TWILIO_API_BASE_URL = standin.base_url
        yield standin


def owner_uses_twilio(owner, **fields):
    """The owner's own Twilio account, as saved in Settings → Messages."""
    from messaging.owner_settings import messaging_settings_update

    return messaging_settings_update(
        owner=owner,
        **{
            "transport": "twilio",
            "twilio_account_sid": OWNER_SID,
            "twilio_auth_token": OWNER_TOKEN,
            "twilio_from_number": OWNER_NUMBER,
            **fields,
        },
    )


def install_uses_twilio(settings):
    """A single-owner install: Twilio from the environment."""
    settings.TWILIO_ACCOUNT_SID = INSTALL_SID
    settings.TWILIO_AUTH_TOKEN = INSTALL_TOKEN
    settings.TWILIO_FROM_NUMBER = INSTALL_NUMBER


def post_signed(client, path: str, params: dict, *, token: str, signed_url: str = ""):
    """Post a webhook as Twilio does: form data, signed over the address Twilio was given."""
    from twilio.request_validator import RequestValidator

    url = signed_url or f"http://testserver{path}"
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
