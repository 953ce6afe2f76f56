from config.routes import pages
from locks.tenancy import audit_views, invite_views, two_factor_views, views, webhook_views

WEBHOOK = "settings/webhooks/<uuid:webhook_id>/"
DELIVERY = "settings/webhooks/deliveries/<uuid:delivery_id>/"

urlpatterns = pages(
    ("settings/", views.settings_page, "settings"),
    ("settings/invites/", views.invite_create),
    ("settings/invites/<int:invite_id>/resend/", views.invite_resend),
    ("settings/invites/<int:invite_id>/revoke/", views.invite_revoke),
    ("invite/<str:token>/", invite_views.invite_accept),
    ("settings/members/<int:membership_id>/role/", views.member_role),
    ("settings/members/<int:membership_id>/remove/", views.member_remove),
    ("settings/properties/new/", views.property_create),
    ("settings/properties/<int:property_id>/", views.property_edit),
    ("settings/properties/<int:property_id>/units/add/", views.unit_create),
    ("settings/units/<int:unit_id>/rename/", views.unit_rename),
    ("switch-owner/", views.owner_switch),
    ("sign-in/code/", two_factor_views.two_factor_verify),
    ("account/two-factor/", two_factor_views.two_factor_page, "two_factor"),
    ("account/two-factor/confirm/", two_factor_views.two_factor_confirm),
    ("account/two-factor/recovery-codes/", two_factor_views.two_factor_recovery_codes),
    ("account/two-factor/turn-off/", two_factor_views.two_factor_turn_off),
    ("api-keys/", views.api_keys),
    ("api-keys/<int:key_id>/revoke/", views.api_key_revoke),
    ("settings/webhooks/", webhook_views.settings_webhooks),
    (WEBHOOK, webhook_views.settings_webhook),
    (WEBHOOK + "edit/", webhook_views.settings_webhook_edit),
    (WEBHOOK + "delete/", webhook_views.settings_webhook_delete),
    (WEBHOOK + "test/", webhook_views.settings_webhook_test),
    (WEBHOOK + "switch-on/", webhook_views.settings_webhook_switch_on),
    (WEBHOOK + "secret/", webhook_views.settings_webhook_secret),
    (DELIVERY + "send-again/", webhook_views.settings_webhook_send_again),
    ("settings/audit-log/", audit_views.audit_log),
)
