"""The lock page's picture of the next 14 days: one bar per code, coloured by its state."""

import re
from datetime import timedelta

from django.urls import reverse

from locks import access_codes
from locks.scheduler import run_due_locks
from tests.reservations.front_desk import book

DAY = timedelta(days=1)


def timeline(client, lock) -> str:
    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    start = html.index('<section id="timeline"')
    return html[start : html.index("</section>", start)]


def bar(svg: str, code) -> str:
    return re.search(rf'<g class="([^"]*)" data-code="{code.pk}">.*?</g>', svg, re.S).group(0)


def test_it_draws_a_bar_per_code_coloured_by_state(client_for, bob, owner, room, lock, frozen):
    soon = book(owner, room, frozen, check_in=frozen + 20 * timedelta(minutes=1), nights=2)
    later = book(owner, room, frozen, check_in=frozen + 5 * DAY, nights=3, guest_name="Bruno")
    staff, _ = access_codes.access_code_create(
        lock=lock, now=frozen, name="Cleaner", code="5937", kind="staff"
    )
    run_due_locks(now=frozen)
    svg = timeline(client_for(bob), lock)
    assert "<svg" in svg and "Mon 1" in svg and "Sun 14" in svg
    assert "tl-green" in bar(svg, soon.access_codes.get())  # on the lock
    assert "tl-blue" in bar(svg, later.access_codes.get())  # scheduled
    staff_bar = bar(svg, staff)
    assert "tl-ongoing" in staff_bar and 'x="0.0"' in staff_bar and 'width="800.0"' in staff_bar
    assert "Cleaner · Staff" in staff_bar
    assert 'class="tl-now"' in svg
    assert "5937" not in svg


def test_a_stay_is_placed_on_its_local_days(client_for, alice, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + 2 * DAY, nights=2)
    svg = timeline(client_for(alice), lock)
    # The picture starts at local midnight on 1 June (23:00 UTC on 31 May) and spans 14 days.
    span = 14 * 24
    start_x = round((2 * 24 + 13) / span * 800, 1)
    assert f'x="{start_x}"' in bar(svg, stay.access_codes.get())


def test_codes_beyond_two_weeks_are_not_drawn(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + 20 * DAY, nights=2)
    assert "No codes on this door in the next 14 days." in timeline(client_for(alice), lock)


def test_the_timeline_refreshes_on_its_own(client_for, alice, lock, frozen):
    response = client_for(alice).get(
        reverse("lock_detail", args=[lock.pk]), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline"
    )
    assert response.content.decode().lstrip().startswith('<section id="timeline"')
