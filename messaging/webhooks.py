"""Twilio's calls to us: delivery receipts and guests' replies, both signed by Twilio."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from messaging import services
from messaging.models import Message


def _signed_by_twilio(request, auth_token: str) -> bool:
    if not auth_token:
        return False
    url = (
        settings.PUBLIC_BASE_URL + request.get_full_path()
        if settings.PUBLIC_BASE_URL
        else (request.build_absolute_uri())
    )
    signature = request.headers.get("X-Twilio-Signature", "")
    return RequestValidator(auth_token).validate(url, request.POST.dict(), signature)


@csrf_exempt
@require_POST
def twilio_status(request, message_id):
    """A delivery receipt for one message; its URL names the message, its owner's token signs it."""
    message = get_object_or_404(Message.objects.select_related("owner"), pk=message_id)
    if not _signed_by_twilio(request, services.twilio_auth_token(message.owner)):
        return HttpResponseForbidden("Not signed by Twilio.")
    if request.POST.get("MessageSid") != message.provider_id:
        return HttpResponseForbidden("That receipt is for another message.")
    services.message_status_update(
        message=message,
        status=request.POST.get("MessageStatus", ""),
        now=timezone.now(),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
