"""Today: "Send backup code by SMS" beside "Give a backup code", answered in the panel with the
PINs to read out and the message's status, which polls until it is final."""

from datetime import timedelta

from django.urls import reverse

from locks.models import AccessCode
from messaging import sending
from messaging.models import Message
from tests.messaging import desk
from tests.messaging.twilio_standin import owner_uses_twilio
from tests.reservations import front_desk

PANEL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "backup-answer"}


def test_today_offers_the_text_beside_the_backup_code(client_for, bob, arriving):
    html = client_for(bob).get(reverse("today")).content.decode()
    row = html[html.index(f'id="stay-{arriving.pk}"') :]
    assert "Give a backup code" in row
    assert f'hx-post="{reverse("reservation_backup_sms", args=[arriving.pk])}"' in row
    assert "Send backup code by SMS" in row


def test_the_panel_shows_the_pins_and_the_message_queued(client_for, bob, arriving):
    response = client_for(bob).post(reverse("reservation_backup_sms", args=[arriving.pk]), **PANEL)
    assert response.status_code == 200
    html = response.content.decode()
    message = Message.objects.get(reservation=arriving, kind="backup")
    backup = AccessCode.objects.get(reservation=arriving, kind="backup")
    assert "Backup code for Ana Lima, not texted" in html
    assert f">{backup.code}<" in html
    assert f"SMS to {desk.GUEST}" in html
    assert f'hx-get="{reverse("message_status", args=[message.pk])}"' in html
    assert "Queued" in html
    # No SMS service is connected: the queued text is never said to be on its way.
    assert "Being sent" not in html and "Not sent: no SMS service is connected" in html


def test_the_status_partial_follows_the_message_and_stops_polling_once_final(
    client_for, bob, arriving, frozen
):
    client = client_for(bob)
    client.post(reverse("reservation_backup_sms", args=[arriving.pk]), **PANEL)
    message = Message.objects.get(reservation=arriving)
    url = reverse("message_status", args=[message.pk])

    waiting = client.get(url).content.decode()
    assert "every 3s" in waiting and "Being sent" not in waiting
    sending.message_send(message_id=message.pk, now=frozen)  # the console keeps it
    html = client.get(url).content.decode()
    assert "Not sent" in html and "Delivered" not in html and "hx-get" not in html
    assert "On the guest's phone" not in html and "A manager can connect Twilio" in html


def test_a_guest_without_a_mobile_number_has_no_text_button(
    client_for, bob, owner, room, lock, frozen
):
    stay = front_desk.book(owner, room, frozen, check_in=frozen + timedelta(hours=1))
    html = client_for(bob).get(reverse("today")).content.decode()
    row = html[html.index(f'id="stay-{stay.pk}"') :]
    assert "Give a backup code" in row
    assert "Send backup code by SMS" not in row


def test_with_twilio_connected_the_queued_text_is_being_sent(client_for, bob, owner, arriving):
    owner_uses_twilio(owner)
    client = client_for(bob)
    html = client.post(reverse("reservation_backup_sms", args=[arriving.pk]), **PANEL)
    message = Message.objects.get(reservation=arriving, kind="backup")
    status = client.get(reverse("message_status", args=[message.pk])).content.decode()
    for page in (html.content.decode(), status):
        assert "Being sent…" in page and "no SMS service is connected" not in page
