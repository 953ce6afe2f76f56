"""Every backup URL of the dashboard: charlie (Hilltop) gets 404 on Seaside's locks and stays, bob
(front desk) 403 on the managers' controls and a backup code when a guest cannot get in."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, resolve, reverse

from backups.services import backup_pool_enable
from backups.urls import urlpatterns
from locks.models import AccessCode
from locks.scheduler import run_due_locks
from tests.reservations.front_desk import book

MANAGERS_ONLY = {"backup_pool_update", "backup_generate"}


@pytest.fixture
def stay(owner, room, lock, frozen):
    backup_pool_enable(lock=lock, now=frozen)
    run_due_locks(now=frozen)
    run_due_locks(now=frozen + timedelta(minutes=1))
    return book(owner, room, frozen, check_in=frozen + timedelta(hours=1))


@pytest.fixture
def seaside_urls(lock, stay):
    return [
        ("post", reverse("backup_pool_update", args=[lock.pk])),
        ("post", reverse("backup_generate", args=[lock.pk])),
        ("post", reverse("reservation_backups_give", args=[stay.pk])),
    ]


def test_an_outsider_gets_404_on_every_seaside_url(client_for, charlie, seaside_urls, lock):
    client = client_for(charlie)
    for _, url in seaside_urls:
        response = client.post(url, {"enabled": "", "size": "2"})
        assert response.status_code == 404, url
    lock.refresh_from_db()
    assert lock.backup_pool_enabled and lock.backup_pool_size is None
    assert not AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).exists()
    assert not AccessCode.objects.filter(kind="backup", is_pool_backup=False).exists()


def test_every_backup_url_that_names_an_object_is_in_the_outsider_check(seaside_urls):
    naming_an_object = {
        p.name for p in urlpatterns if isinstance(p, URLPattern) and p.pattern.converters
    }
    checked = {resolve(url).url_name for _, url in seaside_urls}
    assert naming_an_object - checked == set()


def test_the_front_desk_gives_backups_but_not_the_managers_controls(
    client_for, bob, seaside_urls, stay
):
    client = client_for(bob)
    for _, url in seaside_urls:
        response = client.post(url, {"enabled": "", "size": "2"})
        if resolve(url).url_name in MANAGERS_ONLY:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302, url
    assert AccessCode.objects.filter(reservation=stay, kind="backup").count() == 1


def test_pages_ask_for_a_login(client, seaside_urls):
    for _, url in seaside_urls:
        assert client.post(url).status_code == 302
    assert not AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).exists()
