"""Today's first-run checklist: a new owner's managers see the first hour's steps, ticked from
their own data, each linking to its page; the front desk never sees it; a manager puts it away."""

import re
from datetime import timedelta

from django.urls import reverse

from messaging.models import MessagingSettings
from tests import factories
from tests.pages import html_of
from tests.reservations.front_desk import book

TITLES = (
    "Connect your locks",
    "Add a property",
    "Import your stays",
    "Turn on backup codes",
    "Connect Twilio",
)


def checklist(html: str) -> dict[str, tuple[str, str]] | None:
    """Each step's title -> (its state, the page it links to); None without a checklist."""
    if 'id="first-run-title"' not in html:
        return None
    part = html[html.index('id="first-run-title"') : html.index("</ol>")]
    found = {}
    for item in re.findall(r"<li.*?</li>", part, re.S):
        title = re.search(r"<strong>(.*?)</strong>", item).group(1)
        state = re.search(r'<span class="pill[^"]*">(.*?)</span>', item).group(1)
        link = re.search(r'<a href="([^"]*)"', item).group(1)
        found[title] = (state, link)
    return found


def test_a_new_owners_manager_sees_every_step_to_do_with_its_page(client_for, alice):
    steps = checklist(html_of(client_for(alice), "today"))

    assert steps == {
        "Connect your locks": ("To do", reverse("devices")),
        "Add a property": ("To do", reverse("property_create")),
        "Import your stays": ("To do", reverse("csv_import")),
        "Turn on backup codes": ("To do", reverse("settings") + "#codes-settings"),
        "Connect Twilio": ("To do", reverse("settings_messages")),
    }
    for _, link in steps.values():
        assert client_for(alice).get(link.split("#")[0]).status_code == 200


def test_the_front_desk_never_sees_it(client_for, bob):
    html = html_of(client_for(bob), "today")

    assert checklist(html) is None
    assert reverse("first_run_dismiss") not in html


def test_steps_are_ticked_from_the_owners_data(client_for, alice, owner, hotel, room, frozen):
    client = client_for(alice)
    states = {title: state for title, (state, _) in checklist(html_of(client, "today")).items()}
    assert states == {
        "Connect your locks": "To do",
        "Add a property": "Done",
        "Import your stays": "To do",
        "Turn on backup codes": "To do",
        "Connect Twilio": "To do",
    }

    factories.simulated_lock(owner=owner, property=hotel, unit=room, name="Door", now=frozen)
    book(owner, room, frozen, check_in=frozen + timedelta(days=3))
    owner.backup_pool_on_new_locks = True
    owner.save()
    states = {title: state for title, (state, _) in checklist(html_of(client, "today")).items()}
    assert states == {title: "Done" for title in TITLES[:4]} | {"Connect Twilio": "To do"}


def test_a_backup_pool_on_one_lock_counts_as_backups_turned_on(client_for, alice, owner, lock):
    lock.backup_pool_enabled = True
    lock.save()

    steps = checklist(html_of(client_for(alice), "today"))
    assert steps["Turn on backup codes"][0] == "Done"


def test_it_goes_once_every_step_is_done(client_for, alice, owner, hotel, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + timedelta(days=3))
    owner.backup_pool_on_new_locks = True
    owner.save()
    client = client_for(alice)
    assert checklist(html_of(client, "today"))["Connect Twilio"][0] == "To do"

    MessagingSettings.objects.create(
        owner=owner,
        transport=MessagingSettings.Transport.TWILIO,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="secret-token",
        twilio_from_number="+15005550006",
    )
    assert checklist(html_of(client, "today")) is None


def test_a_manager_puts_it_away_for_good(client_for, alice, owner):
    client = client_for(alice)
    assert checklist(html_of(client, "today")) is not None

    response = client.post(reverse("first_run_dismiss"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("today")
    html = response.content.decode()
    assert "The first-run checklist is put away." in html
    assert checklist(html) is None
    assert checklist(html_of(client, "today")) is None


def test_the_front_desk_cannot_put_it_away(client_for, alice, bob, owner):
    client_for(bob).post(reverse("first_run_dismiss"))

    owner.refresh_from_db()
    assert owner.first_run_dismissed is False
    assert checklist(html_of(client_for(alice), "today")) is not None


def test_reading_today_does_not_write_messaging_settings(client_for, alice, owner):
    html_of(client_for(alice), "today")

    assert not MessagingSettings.objects.filter(owner=owner).exists()
