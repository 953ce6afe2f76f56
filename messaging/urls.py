from django.urls import path

from messaging import views, webhooks

urlpatterns = [
    path(
        "messaging/twilio/status/<uuid:message_id>/", webhooks.twilio_status, name="twilio_status"
    ),
    path("messaging/twilio/inbound/", webhooks.twilio_inbound, name="twilio_inbound"),
    # The dashboard.
    path("outbox/", views.outbox, name="outbox"),
    path("messages/<uuid:message_id>/status/", views.message_status, name="message_status"),
    path(
        "reservations/<uuid:reservation_id>/messages/",
        views.reservation_messages,
        name="reservation_messages",
    ),
    path(
        "reservations/<uuid:reservation_id>/messages/backup/",
        views.reservation_backup_sms,
        name="reservation_backup_sms",
    ),
    path(
        "reservations/<uuid:reservation_id>/messages/arrival/",
        views.reservation_arrival_resend,
        name="reservation_arrival_resend",
    ),
    path(
        "reservations/<uuid:reservation_id>/messages/send/",
        views.reservation_message_send,
        name="reservation_message_send",
    ),
    path("settings/messages/", views.settings_messages, name="settings_messages"),
    path(
        "settings/messages/templates/",
        views.settings_message_templates,
        name="settings_message_templates",
    ),
    path(
        "settings/messages/templates/preview/",
        views.settings_message_template_preview,
        name="settings_message_template_preview",
    ),
]
