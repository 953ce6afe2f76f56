"""The Outbox: every message of the company, newest first, filterable, with masked previews."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import owner_settings, sending
from messaging.models import Message
from tests import factories
from tests.messaging import desk
from tests.pages import html_of, without_ids
from tests.reservations.front_desk import book


def outbox(client, **query):
    return html_of(client, "outbox", **query)


def free(stay, now, text="See you soon", **fields) -> Message:
    message = sending.message_queue(
        reservation=stay, kind=Message.Kind.FREE, now=now, text=text, **fields
    )
    Message.objects.filter(pk=message.pk).update(created_at=now)
    return message


def test_everyone_in_the_company_sees_it_and_it_is_in_the_nav(client_for, alice, bob, arriving):
    for person in (alice, bob):
        html = outbox(client_for(person))
        assert '<a href="/outbox/" aria-current="page">Outbox</a>' in html


def test_it_lists_messages_newest_first_with_guest_stay_sender_and_status(
    client_for, bob, alice, arriving, frozen
):
    arrival = desk.sent_arrival(arriving, frozen)
    typed = free(arriving, frozen + timedelta(minutes=5), "Parking is at the back", sent_by=alice)
    html = outbox(client_for(bob))
    assert html.index(f'id="message-{typed.pk}"') < html.index(f'id="message-{arrival.pk}"')
    assert f'href="{reverse("reservation_detail", args=[arriving.pk])}"' in html
    assert "Parking is at the back" in html and "by alice" in html
    assert "sent by Innkeeper" in html
    assert "Delivered" in html and "Queued" in html
    assert "Room 101 · Seaside Hotel" in html


def test_it_shows_errors_in_plain_words(client_for, bob, arriving, frozen):
    message = desk.sent_arrival(arriving, frozen)
    Message.objects.filter(pk=message.pk).update(
        status="undelivered",
        error_code="30003",
        error_message="The guest's phone is unreachable or switched off.",
    )
    html = outbox(client_for(bob))
    assert "Not delivered" in html
    assert "The guest&#x27;s phone is unreachable or switched off." in html
    assert "Error 30003" in html


def test_inbound_messages_appear_too(client_for, bob, owner, arriving, frozen):
    Message.objects.create(
        owner=owner,
        reservation=arriving,
        direction="inbound",
        kind="inbound",
        to="+15005550006",
        from_number=desk.GUEST,
        text="CODE",
        status="received",
    )
    html = outbox(client_for(bob))
    assert "From the guest" in html and "from the guest" in html
    assert ">CODE<" in html and "Received" in html


def test_filters_by_status_kind_guest_phone_and_day(
    client_for, bob, owner, room_102, arriving, frozen
):
    other = book(
        owner,
        room_102,
        frozen,
        check_in=frozen + timedelta(hours=2),
        guest_name="Bruno Costa",
        phone="+351937654321",
    )
    arrival = desk.sent_arrival(arriving, frozen)
    note = free(other, frozen, "Late check-in is fine")
    yesterday = free(other, frozen - timedelta(days=1), "Booked!")
    client = client_for(bob)

    def listed(**query):
        html = outbox(client, **query)
        return {m.pk for m in (arrival, note, yesterday) if f'id="message-{m.pk}"' in html}

    assert listed() == {arrival.pk, note.pk, yesterday.pk}
    assert listed(status="kept") == {arrival.pk}
    assert listed(kind="free") == {note.pk, yesterday.pk}
    assert listed(q="bruno") == {note.pk, yesterday.pk}
    assert listed(q="912 345") == {arrival.pk}
    assert listed(day="2026-06-01") == {arrival.pk, note.pk}
    assert listed(day="2026-05-31", q="Bruno") == {yesterday.pk}


def test_the_htmx_refresh_answers_the_results_only_and_polls_while_not_final(
    client_for, bob, arriving, frozen
):
    client = client_for(bob)
    free(arriving, frozen)
    response = client.get(
        reverse("outbox"), {"kind": "free"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="outbox-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="outbox-results"')
    assert 'hx-get="/outbox/?kind=free"' in html and "every 5s" in html
    Message.objects.update(status="delivered")
    assert "every 5s" not in outbox(client)


def test_it_shows_no_other_company_s_messages(client_for, charlie, arriving, frozen):
    desk.sent_arrival(arriving, frozen)
    html = outbox(client_for(charlie))
    assert "Ana Lima" not in html and "0 messages" in html


def test_the_guest_s_own_pin_never_shows(client_for, bob, arriving, frozen):
    desk.sent_arrival(arriving, frozen)
    html = outbox(client_for(bob))
    assert "••••" in html
    assert arriving.pin not in without_ids(html)


def test_it_pages_in_a_constant_number_of_queries(client_for, bob, owner, hotel, arriving, frozen):
    client = client_for(bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            outbox(client)
        return len(captured)

    for _ in range(2):
        free(arriving, frozen, sent_by=bob)
    two = queries()
    for n in range(18):
        unit = factories.UnitFactory(property=hotel, name=f"Room {200 + n}")
        stay = book(owner, unit, frozen, check_in=frozen + timedelta(days=1), phone=desk.GUEST)
        free(stay, frozen, sent_by=bob)
    assert Message.objects.count() == 20
    assert queries() == two
    owner_settings.messaging_settings_update(owner=owner, max_messages_per_stay_per_day=50)
    for _ in range(10):
        free(arriving, frozen)
    html = outbox(client)
    assert "Page 1 of 2" in html and "Older →" in html
