"""The feeds and CSV import pages, with the cast: alice (manager), bob (front desk), charlie
(another company's manager)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from reservations.imports import csv_import
from reservations.imports.urls import urlpatterns
from reservations.models import Reservation, ReservationFeed
from tests import factories
from tests.reservations.feed_server import ics, read_now
from tests.reservations.stays import book


def upload(client, text: str, name="bookings.csv"):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(reverse("csv_import"), {"file": file})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- feeds ---------------------------------------------------------------------------------------


def test_a_manager_sees_the_units_feeds_and_their_health(client_for, alice, feed, t0):
    read_now(feed, t0)

    response = client_for(alice).get(reverse("unit_feeds", args=[feed.unit_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Calendar feeds of Room 101" in page
    assert "Airbnb" in page and "Working" in page
    assert "3 stays upcoming" in page
    assert client_for(alice).get(reverse("feeds")).status_code == 200


def test_the_feed_form_picks_the_unit_under_its_property(client_for, alice, owner, room):
    cottage = factories.PropertyFactory(owner=owner, name="Olive Cottage")
    factories.UnitFactory(property=cottage, name="Whole house")
    page = client_for(alice).get(reverse("unit_feeds", args=[room.pk])).content.decode()
    assert '<optgroup label="Olive Cottage">' in page
    assert '<optgroup label="Seaside Hotel">' in page
    assert f'<option value="{room.pk}" selected>Room 101</option>' in page


def test_adding_a_feed_reads_it_at_once_and_says_what_it_found(client_for, alice, room, server):
    url = server.answer("/vrbo.ics", ics("vrbo.ics").replace("2026", "2099"))

    response = client_for(alice).post(
        reverse("feed_add"), {"unit": room.pk, "name": "Vrbo", "url": url}, follow=True
    )

    feed = ReservationFeed.objects.get()
    assert response.redirect_chain[-1][0] == reverse("unit_feeds", args=[room.pk])
    assert (feed.name, feed.url, feed.unit) == ("Vrbo", url, room)
    assert "Read the Vrbo feed: 1 new; 1 stay upcoming in all." in messages_of(response)
    assert Reservation.objects.get().guest_name == "Jane Doe"


def test_a_webcal_link_is_read_as_https(client_for, alice, room, monkeypatch):
    monkeypatch.setattr("reservations.imports.views._read_now", lambda request, feed: None)

    client_for(alice).post(
        reverse("feed_add"),
        {"unit": room.pk, "name": "Airbnb", "url": "webcal://www.airbnb.com/calendar/ical/1.ics"},
    )

    assert ReservationFeed.objects.get().url == "https://www.airbnb.com/calendar/ical/1.ics"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"name": "Airbnb", "url": "not a link"}, "This is not a web address"),
        ({"name": "", "url": "https://a.example/x.ics"}, "Give the feed a name"),
        ({"name": "Airbnb", "url": ""}, "Paste the calendar&#x27;s export link"),
    ],
)
def test_a_feed_that_cannot_be_added_says_what_to_fix(client_for, alice, room, data, words):
    response = client_for(alice).post(reverse("feed_add"), {"unit": room.pk, **data})

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ReservationFeed.objects.exists()


def test_the_same_address_twice_on_one_unit_is_refused(client_for, alice, feed):
    response = client_for(alice).post(
        reverse("feed_add"), {"unit": feed.unit_id, "name": "Again", "url": feed.url}
    )

    assert response.status_code == 400
    assert "Room 101 already has a feed with this address." in response.content.decode()


def test_check_now_reads_the_feed_and_says_so(client_for, alice, feed, server):
    server.answer("/airbnb.ics", "down", status=503)

    response = client_for(alice).post(reverse("feed_check", args=[feed.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("unit_feeds", args=[feed.unit_id])
    (message,) = messages_of(response)
    assert message.startswith("Could not read the Airbnb feed: The booking site had a problem")
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1


def test_removing_a_feed_keeps_its_stays(client_for, alice, feed, server):
    server.answer("/airbnb.ics", ics("airbnb.ics").replace("2026", "2099"))
    read_now(feed, timezone.now())
    stays = Reservation.objects.filter(status="confirmed").count()

    response = client_for(alice).post(reverse("feed_remove", args=[feed.pk]), follow=True)

    assert not ReservationFeed.objects.exists()
    assert Reservation.objects.filter(status="confirmed").count() == stays == 4
    (message,) = messages_of(response)
    assert "Its 4 stays still to come are kept" in message


# --- CSV import ----------------------------------------------------------------------------------

GOOD_AND_BAD = (
    "unit,guest name,check-in,check-out,external id\n"
    "Room 101,Anna Silva,2099-07-10,2099-07-12,BK-1\n"
    "Room 999,Tom Becker,2099-07-10,2099-07-12,BK-2\n"
    "Room 101,Mia Wong,2099-07-12,2099-07-14,BK-3\n"
)


def test_the_upload_page_explains_the_format_and_offers_a_sample(client_for, alice, room):
    client = client_for(alice)

    page = client.get(reverse("csv_import"))
    sample = client.get(reverse("csv_sample"))

    assert page.status_code == 200 and "Download a sample file" in page.content.decode()
    assert "There is no property with units yet" not in page.content.decode()
    assert sample["Content-Type"] == "text/csv; charset=utf-8"
    assert "Room 101,Seaside Hotel,Anna Silva" in sample.content.decode()


def test_the_sample_names_the_owners_units_and_imports_every_row_around_their_stays(
    client_for, alice, owner, hotel, room
):
    room_102 = factories.UnitFactory(property=hotel, name="Room 102")
    factories.UnitFactory(property=factories.PropertyFactory(owner=owner, name="Zebra Lodge"))
    now = timezone.now()
    # Room 101 is booked from in five days to in twelve: the sample's stay there comes after.
    booked = book(
        owner, room, now, check_in=now + timedelta(days=5), check_out=now + timedelta(days=12)
    )
    client = client_for(alice)

    sample = client.get(reverse("csv_sample")).content.decode()
    preview_url = upload(client, sample, name="innkeeper-reservations-sample.csv")["Location"]
    preview = client.get(preview_url).content.decode()
    client.post(reverse("csv_run", args=[resolve(preview_url).kwargs["import_id"]]))

    assert "Seaside Hotel" in sample and "Zebra Lodge" not in sample
    assert preview.count("Will create") == 2 and "pill-red" not in preview
    summary = client.get(preview_url).content.decode()
    assert re.search(r"2 reservations created, 0 updated", summary)
    imported = Reservation.objects.filter(source="csv").order_by("guest_name")
    assert [(r.guest_name, r.unit) for r in imported] == [
        ("Anna Silva", room),
        ("Tom Becker", room_102),
    ]
    assert imported[0].check_in > booked.check_out
    assert all(r.check_in > now for r in imported)


def test_without_a_property_the_page_and_the_sample_say_to_add_one_first(client_for, alice):
    client = client_for(alice)

    page = client.get(reverse("csv_import")).content.decode()
    sample = client.get(reverse("csv_sample")).content.decode()
    response = upload(client, sample)

    assert "There is no property with units yet" in page
    assert reverse("property_create") in page
    assert response.status_code == 400
    assert "Add a property and its units in Settings → Properties first" in (
        response.content.decode()
    )


def test_a_preview_lists_every_line_and_imports_nothing(client_for, alice, room):
    client = client_for(alice)

    response = upload(client, GOOD_AND_BAD, name="from-excel.csv")

    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert page.count("Will create") == 2 and page.count("pill-red") == 1
    assert "There is no unit called “Room 999”" in page
    assert "Import 2 reservations" in page
    assert not Reservation.objects.exists()


def test_an_unreadable_file_is_refused_on_the_upload_page(client_for, alice, room):
    response = upload(client_for(alice), "name,phone\nAnna,123\n")

    assert response.status_code == 400
    assert "The file has no column for the unit (or room)" in response.content.decode()


NOT_CSV = (
    "This is not a CSV file. Export your spreadsheet as CSV (File → Save as → CSV) and upload that."
)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("screenshot.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"),
        ("photo.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"),
        ("bookings.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml"),
        ("bookings.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        ("export.csv", b"unit,guest name,check-in,check-out\nRoom 101,An\x00na,x,y\n"),
        ("utf16.csv", "unit,guest name\n".encode("utf-16")),
        ("garbled.csv", b"unit,guest name\n\x81\x8d\x8f\x90\x9d\n"),
    ],
)
def test_a_file_that_is_not_a_csv_is_told_so_with_how_to_export_one(
    client_for, alice, room, name, data
):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")

    response = client_for(alice).post(reverse("csv_import"), {"file": file})

    assert response.status_code == 400
    page = response.content.decode()
    assert NOT_CSV in page
    assert "has no column" not in page
    assert not Reservation.objects.exists()


def test_a_latin_text_file_from_excel_on_windows_is_still_a_csv(client_for, alice, room):
    text = "unit,guest name,check-in,check-out\nRoom 101,José Nuñez,2099-07-10,2099-07-12\n"
    file = SimpleUploadedFile("bookings.csv", text.encode("cp1252"), content_type="text/csv")

    response = client_for(alice).post(reverse("csv_import"), {"file": file})

    assert response.status_code == 302


def test_importing_runs_in_batches_with_progress_until_a_summary(
    client_for, alice, room, monkeypatch
):
    monkeypatch.setattr(csv_import, "BATCH", 1)
    client = client_for(alice)
    preview_url = upload(client, GOOD_AND_BAD)["Location"]
    run_url = reverse("csv_run", args=[resolve(preview_url).kwargs["import_id"]])

    first = client.post(run_url, headers={"HX-Request": "true"})
    assert "1 of 2 done" in first.content.decode()
    assert 'hx-trigger="load"' in first.content.decode()  # asks for the next batch by itself
    assert Reservation.objects.count() == 1

    last = client.post(run_url, headers={"HX-Request": "true"})
    page = last.content.decode()
    assert "Import finished" in page
    assert re.search(r"2 reservations created, 0 updated", page)
    assert 'hx-trigger="load"' not in page
    assert set(Reservation.objects.values_list("source", flat=True)) == {"csv"}


def test_without_javascript_each_batch_returns_to_the_preview(client_for, alice, room):
    client = client_for(alice)
    preview_url = upload(client, GOOD_AND_BAD)["Location"]
    run_url = reverse("csv_run", args=[resolve(preview_url).kwargs["import_id"]])

    response = client.post(run_url)

    assert response.status_code == 302 and response["Location"] == preview_url
    assert "Import finished" in client.get(preview_url).content.decode()


def test_an_import_of_another_session_or_an_unknown_one_is_not_found(
    client, client_for, alice, charlie, room
):
    preview_url = upload(client_for(alice), GOOD_AND_BAD)["Location"]
    run_url = reverse("csv_run", args=[resolve(preview_url).kwargs["import_id"]])
    client.logout()

    outsider = client_for(charlie)
    assert outsider.get(preview_url).status_code == 404
    assert outsider.post(run_url).status_code == 404
    assert not Reservation.objects.exists()


# --- roles and tenancy ---------------------------------------------------------------------------


@pytest.fixture
def seaside_urls(feed):
    job = "00000000-0000-4000-8000-000000000000"
    return [
        ("get", reverse("feeds")),
        ("get", reverse("unit_feeds", args=[feed.unit_id])),
        ("post", reverse("feed_add")),
        ("post", reverse("feed_check", args=[feed.pk])),
        ("post", reverse("feed_remove", args=[feed.pk])),
        ("get", reverse("csv_import")),
        ("get", reverse("csv_sample")),
        ("get", reverse("csv_preview", args=[job])),
        ("post", reverse("csv_run", args=[job])),
    ]


def test_the_front_desk_is_told_kindly_that_these_pages_are_for_managers(
    client_for, bob, seaside_urls
):
    client = client_for(bob)
    for method, url in seaside_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert "Only managers can do that" in response.content.decode()
    assert ReservationFeed.objects.count() == 1


def test_signed_out_visitors_are_sent_to_log_in(client, seaside_urls):
    for method, url in seaside_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_an_outsider_gets_404_on_every_url_that_names_a_seaside_object(
    client_for, charlie, feed, seaside_urls
):
    client = client_for(charlie)
    naming = [(m, url) for m, url in seaside_urls if resolve(url).kwargs]
    for method, url in naming:
        assert getattr(client, method)(url).status_code == 404, url
    assert ReservationFeed.objects.filter(pk=feed.pk).exists()


def test_an_outsider_cannot_add_a_feed_to_a_seaside_unit(client_for, charlie, room):
    response = client_for(charlie).post(
        reverse("feed_add"), {"unit": room.pk, "name": "Mine", "url": "https://a.example/x.ics"}
    )

    assert response.status_code == 400
    assert not ReservationFeed.objects.exists()


def test_an_outsiders_feeds_page_shows_none_of_seasides_feeds(client_for, charlie, feed):
    page = client_for(charlie).get(reverse("feeds")).content.decode()

    assert feed.url not in page and "Room 101" not in page
    assert "No calendar feeds yet." in page


def test_every_url_here_that_names_an_object_is_in_the_outsider_check(seaside_urls):
    naming_an_object = {p.name for p in urlpatterns if p.pattern.converters}
    checked = {resolve(url).url_name for _, url in seaside_urls if resolve(url).kwargs}
    assert naming_an_object - checked == set()
