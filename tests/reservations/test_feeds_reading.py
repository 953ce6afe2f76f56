"""Reading real-world-shaped calendars: Airbnb, Vrbo, Booking.com and a PMS export."""

from datetime import UTC, datetime

from locks.models import AccessCode
from reservations.imports.feeds import feed_create
from reservations.models import Reservation
from tests.reservations.feed_server import ics, read_now


def add_feed(owner, unit, server, name, fixture, now):
    url = server.answer(f"/{fixture}", ics(fixture))
    return feed_create(owner=owner, unit=unit, name=name, url=url, now=now)


def stay(uid_start: str) -> Reservation:
    return Reservation.objects.get(external_id__startswith=uid_start)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_airbnb_stays_take_the_propertys_check_in_and_out_times(owner, room, server, t0):
    feed = add_feed(owner, room, server, "Airbnb", "airbnb.ics", t0)

    result = read_now(feed, t0)

    june = stay("1418fb94e984-5c2e")
    # 15:00 and 11:00 in Lisbon, on summer time (UTC+1).
    assert (june.check_in, june.check_out) == (utc(2026, 6, 10, 14), utc(2026, 6, 12, 10))
    assert (june.source, june.feed, june.unit, june.status) == ("ical", feed, room, "confirmed")
    assert june.guest_name == "Airbnb guest, 10–12 Jun"
    assert result.created == 3 and feed.last_event_count == 3


def test_a_feed_stay_without_a_guest_name_is_named_by_the_feed_and_its_days(
    owner, room, lock, server, t0
):
    read_now(add_feed(owner, room, server, "Airbnb", "airbnb.ics", t0), t0)

    stays = Reservation.objects.order_by("check_in")
    assert [r.guest_name for r in stays] == [
        "Airbnb guest, 10–12 Jun",
        "Airbnb guest, 15–20 Jun",
        "Airbnb guest, 24–26 Oct",
    ]
    codes = AccessCode.objects.filter(reservation__in=stays).order_by("starts_at")
    assert [c.name for c in codes] == [r.guest_name for r in stays]
    # Neither the calendar's UIDs nor Innkeeper's own ids are in any name people see.
    for name in [r.guest_name for r in stays] + [c.name for c in codes]:
        assert "@" not in name and "1418fb94" not in name
        assert not any(str(r.pk)[:8] in name for r in stays)


def test_a_stay_across_months_names_both_months(owner, room, server, t0):
    calendar = ics("airbnb.ics").replace("20260612", "20260703")

    read_now(add_feed(owner, room, server, "Airbnb", "airbnb.ics", t0), t0)
    server.answer("/airbnb.ics", calendar)
    read_now(Reservation.objects.first().feed, t0)

    assert stay("1418fb94e984-5c2e").guest_name == "Airbnb guest, 10 Jun – 3 Jul"


def test_an_all_day_stay_over_the_night_the_clocks_go_back_keeps_local_times(
    owner, room, server, t0
):
    read_now(add_feed(owner, room, server, "Airbnb", "airbnb.ics", t0), t0)

    october = stay("1418fb94e984-3e4f")
    # In at 15:00 summer time, out at 11:00 winter time: 45 hours, not 44 or 46.
    assert (october.check_in, october.check_out) == (utc(2026, 10, 24, 14), utc(2026, 10, 26, 11))


def test_blocked_nights_and_stays_that_are_over_are_not_imported(owner, room, server, t0):
    read_now(add_feed(owner, room, server, "Airbnb", "airbnb.ics", t0), t0)

    imported = set(Reservation.objects.values_list("external_id", flat=True))
    assert not any(uid.startswith("7f3a2b1c9e8d") for uid in imported)  # Not available
    assert not any(uid.startswith("1418fb94e984-0a1b") for uid in imported)  # ended in May
    assert len(imported) == 3


def test_airbnbs_last_four_phone_digits_and_the_booking_link_go_into_the_notes(
    owner, room, server, t0
):
    read_now(add_feed(owner, room, server, "Airbnb", "airbnb.ics", t0), t0)

    june = stay("1418fb94e984-5c2e")
    assert june.phone == ""
    assert "Phone (last 4 digits): 4821" in june.notes
    # The link was folded over two lines in the file.
    assert "https://www.airbnb.com/hosting/reservations/details/HMXK4ZQ2TB" in june.notes


def test_a_vrbo_stay_gives_the_guests_name_and_full_phone_and_its_blocks_are_ignored(
    owner, room, server, t0
):
    result = read_now(add_feed(owner, room, server, "Vrbo", "vrbo.ics", t0), t0)

    jane = Reservation.objects.get()
    assert (jane.guest_name, jane.phone) == ("Jane Doe", "+12125550147")
    assert (jane.check_in, jane.check_out) == (utc(2026, 7, 3, 14), utc(2026, 7, 7, 10))
    assert result.listed == 1


def test_timed_events_are_read_in_their_own_time_zones(owner, room, server, t0):
    read_now(add_feed(owner, room, server, "PMS", "pms.ics", t0), t0)

    lisbon = stay("pms-1001")
    assert (lisbon.check_in, lisbon.check_out) == (utc(2026, 6, 5, 15), utc(2026, 6, 8, 9))
    new_york = stay("pms-1002")  # an IANA name, no VTIMEZONE in the file
    assert (new_york.check_in, new_york.check_out) == (utc(2026, 6, 10, 19), utc(2026, 6, 12, 15))
    # Outlook's own name, defined by the file's VTIMEZONE; US clocks go back on 1 November.
    outlook = stay("pms-1003")
    assert (outlook.check_in, outlook.check_out) == (utc(2026, 10, 31, 20), utc(2026, 11, 2, 15))
    in_utc = stay("pms-1004")
    assert (in_utc.check_in, in_utc.check_out) == (utc(2026, 6, 20, 14), utc(2026, 6, 22, 10))


def test_a_floating_time_is_the_propertys_local_time(owner, room, server, t0):
    read_now(add_feed(owner, room, server, "PMS", "pms.ics", t0), t0)

    floating = stay("pms-1005")
    assert (floating.check_in, floating.check_out) == (utc(2026, 6, 25, 14), utc(2026, 6, 27, 10))


def test_a_timed_stay_over_the_night_the_clocks_go_back(owner, room, server, t0):
    read_now(add_feed(owner, room, server, "PMS", "pms.ics", t0), t0)

    emma = stay("pms-1006")
    assert (emma.check_in, emma.check_out) == (utc(2026, 10, 24, 14), utc(2026, 10, 25, 11))


def test_guest_names_and_phones_come_from_the_summary_or_the_description(
    owner, hotel, room, server, t0
):
    hotel.country = "PT"
    hotel.save()

    read_now(add_feed(owner, room, server, "PMS", "pms.ics", t0), t0)

    assert (stay("pms-1001").guest_name, stay("pms-1001").phone) == ("Anna Silva", "+351912345678")
    assert stay("pms-1002").guest_name == "Tom Becker"
    assert stay("pms-1003").guest_name == "Carlos Mendes"
    # "Reserved" names nobody; the description does, and its phone is read as a PT number.
    assert (stay("pms-1005").guest_name, stay("pms-1005").phone) == ("Lukas Braun", "+4930901820")


def test_an_event_listed_twice_counts_once_in_its_latest_version(owner, room, server, t0):
    read_now(add_feed(owner, room, server, "PMS", "pms.ics", t0), t0)

    sofia = Reservation.objects.get(external_id="pms-1007@harbourline.example")
    assert (sofia.check_in, sofia.check_out) == (utc(2026, 7, 15, 14), utc(2026, 7, 18, 10))


def test_bad_events_are_skipped_and_counted_and_the_rest_are_read(owner, room, server, t0):
    feed = add_feed(owner, room, server, "PMS", "pms.ics", t0)

    result = read_now(feed, t0)

    assert len(result.problems) == 2
    assert "“Broken Export”" in feed.last_error and "(and 1 more)" in feed.last_error
    assert feed.consecutive_failures == 0 and feed.last_success_at == t0
    imported = set(Reservation.objects.values_list("external_id", flat=True))
    assert imported == {f"pms-100{n}@harbourline.example" for n in range(1, 8)}


def test_repeating_entries_and_cancelled_events_of_unknown_stays_are_not_imported(
    owner, room, server, t0
):
    read_now(add_feed(owner, room, server, "PMS", "pms.ics", t0), t0)

    assert not Reservation.objects.filter(external_id__startswith="pms-housekeeping").exists()
    assert not Reservation.objects.filter(external_id__startswith="pms-1008").exists()


def test_a_booking_com_feed_of_closed_nights_imports_nothing(owner, room, server, t0):
    feed = add_feed(owner, room, server, "Booking.com", "booking_closed.ics", t0)

    result = read_now(feed, t0)

    assert (result.error, result.listed) == ("", 0)
    assert not Reservation.objects.exists()
