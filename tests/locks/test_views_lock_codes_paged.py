"""A shared entrance holds a code for every stay behind it: its page lists them a page at a
time, those with a problem first, and its timeline draws a bounded number of them."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from locks import access_codes, selectors
from locks.issue_codes import FAILED_TO_SET_ON_DEVICE
from locks.models import AccessCode
from locks.timeline import ROWS, lock_timeline, timeline_codes, timeline_span
from locks.views import CODES_PER_PAGE


def add_codes(lock, count: int, *, hours_apart: int = 24) -> list:
    now = timezone.now()
    return [
        access_codes.access_code_create(
            lock=lock,
            now=now,
            name=f"Guest {n:03}",
            starts_at=now + timedelta(hours=(n + 1) * hours_apart),
            ends_at=now + timedelta(hours=(n + 1) * hours_apart + 20),
        )[0]
        for n in range(count)
    ]


def listed(html: str) -> list[str]:
    return re.findall(r'<strong class="code-name">([^<]+)</strong>', html)


def test_the_codes_come_a_page_at_a_time_those_with_a_problem_first(client_for, alice, lock):
    codes = add_codes(lock, CODES_PER_PAGE + 5)
    refused = codes[-1]
    refused.add_error(FAILED_TO_SET_ON_DEVICE, "The lock refused it.", timezone.now())
    refused.save(update_fields=["errors"])
    client = client_for(alice)
    url = reverse("lock_detail", args=[lock.pk])

    first = client.get(url).content.decode()
    names = listed(first)
    assert len(names) == CODES_PER_PAGE
    assert names[0] == refused.name
    assert names[1:] == [c.name for c in codes[: CODES_PER_PAGE - 1]]
    assert f"Codes 1–{CODES_PER_PAGE} of {len(codes)}" in first

    second = client.get(
        url, {"codes_page": 2}, headers={"HX-Request": "true", "HX-Target": "codes"}
    ).content.decode()
    assert listed(second) == [c.name for c in codes[CODES_PER_PAGE - 1 : -1]]
    # Its refresh every 5 seconds stays on the page the clerk is reading.
    assert f'hx-get="{url}?codes_page=2"' in second


def test_the_whole_page_costs_the_same_queries_for_3_or_40_codes(client_for, alice, lock):
    client = client_for(alice)
    url = reverse("lock_detail", args=[lock.pk])
    add_codes(lock, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_codes(lock, 37)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    assert len(listed(html)) == CODES_PER_PAGE


def test_the_timeline_draws_its_first_rows_and_counts_the_rest(client_for, alice, lock):
    add_codes(lock, ROWS + 6, hours_apart=6)  # all within the next 14 days
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert html.count('<g class="tl-bar') == ROWS
    assert "And 6 more codes in these days" in html


def test_the_timeline_reads_only_the_codes_it_draws_and_draws_the_same(lock):
    """Codes starting together are drawn by name, as Python orders names (by code point, not by
    PostgreSQL's collation), then those with a problem first: the database picks the first
    `ROWS` in that order, instead of the page reading every code of the two weeks."""
    now = timezone.now()
    starts = now + timedelta(days=2)
    # By code point: B, Z9, _x, a 1, a-2, a3, a4, b, Ä, é; the drawing stops among the b's.
    names = ["b", "B", "a-2", "a 1", "Ä", "é", "a3", "_x", "Z9", "a4"] * 5
    for name in names:
        access_codes.access_code_create(
            lock=lock, now=now, name=name, starts_at=starts, ends_at=starts + timedelta(hours=5)
        )
    access_codes.access_code_create(lock=lock, now=now, name="zz cleaner")  # ongoing: first
    refused = AccessCode.objects.filter(lock=lock, name="b").order_by("pk").last()
    refused.add_error(FAILED_TO_SET_ON_DEVICE, "The lock refused it.", now)
    refused.save(update_fields=["errors"])

    drawn, meeting = timeline_codes(lock, now)
    assert (len(drawn), meeting) == (ROWS, len(names) + 1)
    picture = lock_timeline(lock, drawn, now, others=meeting - len(drawn))
    start, end = timeline_span(lock, now)
    every = list(selectors.codes_listed(lock).filter(selectors.codes_between(start, end)))
    expected = lock_timeline(lock, every, now)
    assert [bar.code.pk for bar in picture.bars] == [bar.code.pk for bar in expected.bars]
    assert picture.more == expected.more == len(names) + 1 - ROWS
    shown = [bar.code.name for bar in picture.bars]
    assert shown[:2] == ["zz cleaner", "B"] and shown[-4:] == ["b"] * 4
    assert picture.bars[-4].code == refused  # a problem first among the b's
