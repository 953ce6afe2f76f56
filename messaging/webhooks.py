"""Twilio's calls to us: delivery receipts and guests' replies, both signed by Twilio."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from messaging import receipts, replies, sending
from messaging.models import Message


def _signed_by_twilio(request, auth_token: str) -> bool:
    if not auth_token:
        return False
    # Twilio signs the address it was given: ours as configured when we know it (behind a proxy
    # the request's own address may differ in scheme or host), else the one it reached.
    url = (
        settings.PUBLIC_BASE_URL + request.get_full_path()
        if settings.PUBLIC_BASE_URL
        else request.build_absolute_uri()
    )
    signature = request.headers.get("X-Twilio-Signature", "")
    return RequestValidator(auth_token).validate(url, request.POST.dict(), signature)


@csrf_exempt
@require_POST
def twilio_status(request, message_id):
    """A delivery receipt for one message; its URL names the message, its owner's token signs it."""
    message = get_object_or_404(Message.objects.select_related("owner"), pk=message_id)
    if not _signed_by_twilio(request, sending.twilio_auth_token(message.owner)):
        return HttpResponseForbidden("Not signed by Twilio.")
    sid = request.POST.get("MessageSid", "")
    # While we are still saving Twilio's answer, the signed URL naming the message is enough.
    still_sending = message.status == Message.Status.SENDING and not message.provider_id
    if sid != message.provider_id and not still_sending:
        return HttpResponseForbidden("That receipt is for another message.")
    receipts.message_status_update(
        message=message,
        status=request.POST.get("MessageStatus", ""),
        now=timezone.now(),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request):
    """Twilio's "a message comes in" webhook: whose number received it says whose token signs it.

    The answer is empty TwiML: a reply, when one is due, is queued as a message of its own.
    """
    to = request.POST.get("To", "")
    candidates = replies.recipients(
        to=to, messaging_service_sid=request.POST.get("MessagingServiceSid", "")
    )
    owners = [
        owner
        for auth_token, its_owners in candidates
        if _signed_by_twilio(request, auth_token)
        for owner in its_owners
    ]
    if not owners:
        return HttpResponseForbidden("Not signed by Twilio for any sender here.")
    replies.message_receive(
        owners=owners,
        from_number=request.POST.get("From", ""),
        to=to,
        body=request.POST.get("Body", ""),
        provider_id=request.POST.get("MessageSid", ""),
        now=timezone.now(),
    )
    return HttpResponse(str(MessagingResponse()), content_type="text/xml")
