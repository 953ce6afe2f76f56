"""API keys: `Authorization: Bearer seam_...`, one owner per key, stored only as a hash.

`request.user` stays None; `request.auth` is the ApiKey, so views read `request.auth.owner`.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from locks import audit
from locks.client_address import client_address
from locks.models import ApiKey, hash_api_key

# Writing `last_used_at` on every request would make each read a write; a minute is precise
# enough to tell a key in use from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].decode(errors="replace").lower() != self.keyword.lower() or len(header) != 2:
            raise AuthenticationFailed(
                "Send your API key as the header “Authorization: Bearer seam_...”."
            )
        secret = header[1].decode(errors="replace")
        try:
            # `key_hash` is unique: a plain get, with no ORDER BY for `first()` to add.
            api_key = ApiKey.objects.select_related("owner").get(key_hash=hash_api_key(secret))
        except ApiKey.DoesNotExist:
            raise AuthenticationFailed(
                "That API key is not known. Check that it was copied whole."
            ) from None
        if api_key.revoked_at is not None:
            raise AuthenticationFailed(
                "That API key was revoked. Ask a manager for a new one (Settings, API keys)."
            )
        now = timezone.now()
        if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=api_key.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
            ).update(last_used_at=now)
        # The key acts (the audit log names it) until the request ends: the middleware clears it.
        audit.actor_set(audit.api_key_actor(api_key, address=client_address(request)))
        return (None, api_key)

    def authenticate_header(self, request) -> str:
        # A value here makes DRF answer 401 (not 403) when the key is missing or wrong.
        return f'{self.keyword} realm="api"'


class HasApiKey(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiKey)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "seam_..."}
