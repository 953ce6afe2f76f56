"""Two-factor sign-in in the support admin: whose app and recovery codes exist, never their
secrets (django-otp's own admins show a device's key, QR code and tokens, and edit them).

View-only like the rest: a person who lost their phone is reset with
`manage.py two_factor_reset USERNAME` (docs/OPERATIONS.md).
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from locks.admin_lookup import LookupAdmin

for model in (TOTPDevice, StaticDevice, StaticToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

DEVICE_FIELDS = (
    "user",
    "name",
    "confirmed",
    "created_at",
    "last_used_at",
    "throttling_failure_count",
    "throttling_failure_timestamp",
)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(LookupAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    # The shared secret: with it anyone makes the person's codes.
    exclude = ("key",)
    fields = DEVICE_FIELDS
    readonly_fields = DEVICE_FIELDS


@admin.register(StaticDevice)
class StaticDeviceAdmin(LookupAdmin):
    list_display = ("user", "name", "codes_left", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    fields = (*DEVICE_FIELDS, "codes_left")
    readonly_fields = fields

    @admin.display(description="Recovery codes left")
    def codes_left(self, obj):
        return obj.token_set.count()
