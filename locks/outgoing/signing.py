"""Signatures as Seam signs its webhooks (Svix, the Standard Webhooks scheme), so that Seam's
SDK's own verifier, `seam.SeamWebhook(secret).verify(body, headers)`, accepts ours.

The secret is `whsec_` and 24 random bytes in base64; a message is signed as
`v1,` + base64(HMAC-SHA256(secret bytes, f"{id}.{timestamp}.{body}")).
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(*, secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(*, secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The headers of one attempt: Standard Webhooks' names, and Svix's (which Seam sends and
    receivers written for Seam may read)."""
    values = {
        "id": message_id,
        "timestamp": str(timestamp),
        "signature": signature(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
    return {
        "Content-Type": "application/json",
        "User-Agent": "Innkeeper-Webhooks/1",
        **{f"webhook-{name}": value for name, value in values.items()},
        **{f"svix-{name}": value for name, value in values.items()},
    }
