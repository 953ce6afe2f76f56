"""A backup's PIN is shown to nobody until it is given to a guest: every dashboard page the front
desk can open, with a full pool, a manual backup and one given to a stay, shows none of the
others' PINs."""

from datetime import timedelta

import pytest
from django.urls import reverse

from backups.services import backup_generate, backup_pool_enable, backup_pull
from locks.models import AccessCode
from locks.scheduler import run_due_locks
from tests import factories
from tests.reservations.front_desk import book

MINUTE = timedelta(minutes=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def backups(owner, hotel, room, lock, frozen):
    """Pools on two doors, a manual backup, and a stay that was given one backup."""
    entrance = factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", now=frozen
    )
    for door in (lock, entrance):
        backup_pool_enable(lock=door, now=frozen)
    run_due_locks(now=frozen)
    run_due_locks(now=frozen + MINUTE)
    stay = book(owner, room, frozen, check_in=frozen - timedelta(hours=2), nights=2)
    given = backup_pull(access_code=stay.access_codes.get(lock=lock, kind="guest"), now=frozen)
    backup_generate(lock=lock, now=frozen)
    run_due_locks(now=frozen + 2 * MINUTE)  # the pool refills behind the one given
    run_due_locks(now=frozen + 3 * MINUTE)
    hidden = AccessCode.objects.filter(kind="backup", pulled_at__isnull=True)
    assert hidden.filter(status="set").count() == 11  # 5 + 5 + the manual one
    # Distinctive PINs, so that no date, time or id on a page can match one by chance.
    for n, backup in enumerate(hidden.order_by("created_at")):
        AccessCode.objects.filter(pk=backup.pk).update(code=f"7{n:02d}93{n:02d}8")
    AccessCode.objects.filter(pk=given.pk).update(code="86420975")
    return {
        "stay": stay,
        "entrance": entrance,
        "hidden": set(hidden.values_list("code", flat=True)),
    }


def test_no_page_the_front_desk_opens_shows_a_backup_nobody_was_given(
    client_for, bob, lock, backups
):
    stay, entrance = backups["stay"], backups["entrance"]
    client = client_for(bob)
    lock_urls = [reverse("lock_detail", args=[door.pk]) for door in (lock, entrance)]
    pages = [
        (reverse("home"), {}),
        (reverse("home"), {"HTTP_HX_TARGET": "locks", **HTMX}),
        *[(url, {}) for url in lock_urls],
        *[
            (url, {"HTTP_HX_TARGET": part, **HTMX})
            for url in lock_urls
            for part in ("lock-status", "codes", "backups", "events", "timeline")
        ],
        (reverse("today"), {}),
        (reverse("today"), {"HTTP_HX_TARGET": "today", **HTMX}),
        (reverse("reservations"), {}),
        (reverse("reservations") + "?date_from=", {"HTTP_HX_TARGET": "results", **HTMX}),
        (reverse("reservation_detail", args=[stay.pk]), {}),
        (reverse("reservation_detail", args=[stay.pk]), {"HTTP_HX_TARGET": "guest-code", **HTMX}),
        (reverse("reservation_edit", args=[stay.pk]), {}),
    ]
    seen = ""
    for url, headers in pages:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not [pin for pin in backups["hidden"] if pin in html], url
        seen += html
    # The pages did list the backups, masked, and the one given to Ana, whose PIN the desk reads
    # out to her from her stay's page.
    assert "Backup code (manual)" in seen and "5 of 5 ready" in seen
    assert "Given to" in seen and ">86420975</span>" in seen

    settings = client.get(reverse("settings"))
    assert settings.status_code == 403
    assert not [pin for pin in backups["hidden"] if pin in settings.content.decode()]


def test_the_desk_s_answers_show_only_the_backups_given(client_for, bob, backups):
    stay = backups["stay"]
    client = client_for(bob)
    url = reverse("reservation_backups_give", args=[stay.pk])
    for target in ("backup-answer", "stay-backups"):
        html = client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target).content.decode()
        given = set(
            AccessCode.objects.filter(reservation=stay, kind="backup").values_list(
                "code", flat=True
            )
        )
        assert {"86420975"} < given  # the room's, and now one for the entrance too
        assert all(pin in html for pin in given)
        assert not [pin for pin in backups["hidden"] - given if pin in html]


def test_a_manager_sees_a_hidden_pin_only_by_revealing_it(client_for, alice, lock, backups):
    client = client_for(alice)
    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert not [pin for pin in backups["hidden"] if pin in html]
    backup = AccessCode.objects.filter(lock=lock, kind="backup", pulled_at__isnull=True).first()
    revealed = client.post(reverse("code_reveal", args=[lock.pk, backup.pk]), **HTMX)
    assert f">{backup.code}<" in revealed.content.decode()
