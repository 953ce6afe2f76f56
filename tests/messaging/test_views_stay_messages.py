"""A stay's Messages card: the clerk texts a backup code, resends the arrival message or types a
short message, and sees each message's status; the guest's own PIN never shows."""

from datetime import timedelta

from django.urls import reverse

from locks.models import AccessCode
from messaging import owner_settings, sending
from messaging.models import Message
from tests.messaging import desk
from tests.pages import html_of, without_ids
from tests.reservations.front_desk import book

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "stay-messages"}


def stay_page(client, stay) -> str:
    return html_of(client, "reservation_detail", stay.pk)


def test_the_stay_page_offers_the_front_desk_its_three_messages(client_for, bob, arriving):
    html = stay_page(client_for(bob), arriving)
    assert 'id="stay-messages"' in html
    assert "Send backup code by SMS" in html
    assert "Resend the arrival message" in html
    assert 'name="text"' in html and 'maxlength="300"' in html
    assert "No messages to or from Ana Lima yet." in html


def test_send_backup_code_by_sms_pulls_a_backup_and_queues_the_text(
    client_for, bob, arriving, lock
):
    client = client_for(bob)
    response = client.post(reverse("reservation_backup_sms", args=[arriving.pk]), **HTMX)

    assert response.status_code == 200
    message = Message.objects.get(reservation=arriving)
    backup = AccessCode.objects.get(reservation=arriving, kind="backup")
    assert message.kind == "backup" and message.status == "queued"
    assert message.backup_code_ids == [str(backup.pk)]
    assert message.sent_by == bob
    html = response.content.decode()
    # The clerk sees the backup they sent (to read out), and the message waiting to go.
    assert f">{backup.code}<" in html and "Room 101 door" in html
    assert "The backup codes were kept in the Outbox and not texted to Ana Lima" in html
    assert f'id="message-{message.pk}"' in html and "Queued" in html
    assert f'hx-get="{reverse("reservation_messages", args=[arriving.pk])}"' in html


def test_without_htmx_it_redirects_to_the_stay_with_a_notice(client_for, bob, arriving):
    client = client_for(bob)
    response = client.post(reverse("reservation_backup_sms", args=[arriving.pk]), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/reservations/{arriving.pk}/#stay-messages")
    html = response.content.decode()
    assert "The backup codes were kept in the Outbox and not texted to Ana Lima" in html
    assert Message.objects.filter(reservation=arriving, kind="backup").count() == 1


def test_a_refused_text_gives_no_backup_either(client_for, bob, arriving, frozen, owner):
    owner_settings.messaging_settings_update(owner=owner, max_messages_per_stay_per_day=1)
    sending.message_queue(reservation=arriving, kind=Message.Kind.ARRIVAL, now=frozen)
    client = client_for(bob)

    response = client.post(reverse("reservation_backup_sms", args=[arriving.pk]), **HTMX)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ana Lima has had 1 messages in the last 24 hours" in html
    assert "Call the guest instead." in html
    assert not AccessCode.objects.filter(reservation=arriving, kind="backup").exists()
    assert Message.objects.filter(reservation=arriving).count() == 1


def test_backups_are_not_texted_before_the_day_of_arrival(
    client_for, bob, owner, room, lock, frozen
):
    later = book(owner, room, frozen, check_in=frozen + timedelta(days=3), phone=desk.GUEST)
    response = client_for(bob).post(reverse("reservation_backup_sms", args=[later.pk]), **HTMX)
    assert "Backup codes are given from the day of arrival" in response.content.decode()
    assert not Message.objects.exists()
    assert "Send backup code by SMS" not in stay_page(client_for(bob), later)


def test_resend_the_arrival_message_queues_a_new_one(client_for, bob, arriving, frozen):
    first = desk.sent_arrival(arriving, frozen)
    # The clock stands still in these tests: the first message was written a minute earlier.
    Message.objects.filter(pk=first.pk).update(created_at=frozen - timedelta(minutes=1))
    response = client_for(bob).post(
        reverse("reservation_arrival_resend", args=[arriving.pk]), **HTMX
    )
    assert response.status_code == 200
    again = Message.objects.exclude(pk=first.pk).get(reservation=arriving)
    assert (again.kind, again.status, again.sent_by) == ("arrival", "queued", bob)
    html = response.content.decode()
    assert "The arrival message was kept in the Outbox and not sent to Ana Lima" in html
    assert html.index(f'id="message-{again.pk}"') < html.index(f'id="message-{first.pk}"')


def test_a_free_message_is_queued_with_its_text(client_for, bob, arriving):
    response = client_for(bob).post(
        reverse("reservation_message_send", args=[arriving.pk]),
        {"text": "  Your room is ready early. See you soon!  "},
        **HTMX,
    )
    assert response.status_code == 200
    message = Message.objects.get(reservation=arriving)
    assert (message.kind, message.text) == ("free", "Your room is ready early. See you soon!")
    assert "Your room is ready early. See you soon!" in response.content.decode()


def test_an_empty_or_long_free_message_is_refused_beside_the_field(client_for, bob, arriving):
    client = client_for(bob)
    url = reverse("reservation_message_send", args=[arriving.pk])
    empty = client.post(url, {"text": "   "}, **HTMX)
    assert empty.status_code == 400 and "Write the message." in empty.content.decode()
    long = client.post(url, {"text": "x" * 301}, **HTMX)
    assert long.status_code == 400
    assert "Keep it under 300 characters" in long.content.decode()
    assert not Message.objects.exists()


def test_the_limit_is_said_plainly(client_for, bob, arriving, frozen, owner):
    owner_settings.messaging_settings_update(owner=owner, max_messages_per_stay_per_day=1)
    sending.message_queue(reservation=arriving, kind=Message.Kind.ARRIVAL, now=frozen)
    response = client_for(bob).post(
        reverse("reservation_message_send", args=[arriving.pk]), {"text": "Hello"}, **HTMX
    )
    assert response.status_code == 400
    assert "Call the guest instead." in response.content.decode()
    assert Message.objects.filter(reservation=arriving).count() == 1


def test_a_stay_without_a_mobile_number_says_so_and_offers_no_text(
    client_for, bob, owner, room, lock, frozen
):
    stay = book(owner, room, frozen, check_in=frozen + timedelta(hours=1))
    html = stay_page(client_for(bob), stay)
    assert "Ana Lima has no mobile number." in html
    assert "Resend the arrival message" not in html
    response = client_for(bob).post(reverse("reservation_arrival_resend", args=[stay.pk]), **HTMX)
    assert "Ana Lima has no mobile number. Add one to the reservation first." in (
        response.content.decode()
    )
    assert not Message.objects.exists()


def test_a_failed_message_says_why_in_plain_words(client_for, bob, arriving, frozen):
    message = desk.sent_arrival(arriving, frozen)
    Message.objects.filter(pk=message.pk).update(
        status="failed",
        error_code="21211",
        error_message="The guest's phone number is not valid. Check it on the reservation.",
    )
    html = stay_page(client_for(bob), arriving)
    assert "Failed" in html
    assert "The guest&#x27;s phone number is not valid. Check it on the reservation." in html


def test_the_list_polls_only_while_a_message_can_still_change(client_for, bob, arriving, frozen):
    client = client_for(bob)
    poll = f'hx-get="{reverse("reservation_messages", args=[arriving.pk])}"'
    message = desk.sent_arrival(arriving, frozen)
    assert message.status == "kept"
    assert poll not in stay_page(client, arriving)
    sending.message_queue(reservation=arriving, kind=Message.Kind.FREE, now=frozen, text="Hi")
    assert poll in stay_page(client, arriving)
    listed = client.get(reverse("reservation_messages", args=[arriving.pk]))
    assert listed.status_code == 200
    assert listed.content.decode().lstrip().startswith('<div id="stay-message-list"')


def test_the_guest_s_own_pin_never_shows_to_the_front_desk(client_for, bob, arriving, frozen):
    message = desk.sent_arrival(arriving, frozen)
    assert "••••" in message.preview
    html = stay_page(client_for(bob), arriving)
    assert message.preview in html.replace("&#x27;", "'")
    assert arriving.pin not in without_ids(html)
    listed = client_for(bob).get(reverse("reservation_messages", args=[arriving.pk]))
    assert arriving.pin not in without_ids(listed.content.decode())
