from django.urls import path

from messaging import webhooks

urlpatterns = [
    path(
        "messaging/twilio/status/<uuid:message_id>/", webhooks.twilio_status, name="twilio_status"
    ),
]
