from config.routes import pages
from messaging import views, webhooks

STAY = "reservations/<uuid:reservation_id>/messages/"
TEMPLATES = "settings/messages/templates/"

urlpatterns = pages(
    ("messaging/twilio/status/<uuid:message_id>/", webhooks.twilio_status),
    ("messaging/twilio/inbound/", webhooks.twilio_inbound),
    # The dashboard.
    ("outbox/", views.outbox),
    ("messages/<uuid:message_id>/status/", views.message_status),
    (STAY, views.reservation_messages),
    (STAY + "backup/", views.reservation_backup_sms),
    (STAY + "arrival/", views.reservation_arrival_resend),
    (STAY + "send/", views.reservation_message_send),
    ("settings/messages/", views.settings_messages),
    ("settings/messages/keypad/", views.settings_keypad_steps),
    (TEMPLATES, views.settings_message_templates),
    (TEMPLATES + "preview/", views.settings_message_template_preview),
)
