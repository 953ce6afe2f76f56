from datetime import timedelta

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from locks import access_codes, scheduler, simulator
from locks.models import AccessCode
from tests.pages import html_of


def url(lock):
    return reverse("lock_detail", args=[lock.pk])


def test_it_shows_the_lock_facts(client_for, alice, lock):
    html = html_of(client_for(alice), "lock_detail", lock.pk)
    assert "Simulated keypad deadbolt" in html
    assert "4 to 8 digits" in html
    assert "Must not be the same digit repeated" in html
    assert "0 of 20 slots used" in html
    assert "No: codes go on 30 min before they start" in html


def test_it_shows_codes_with_their_window_in_the_property_time(client_for, alice, lock):
    # Lisbon in summer is UTC+1 (WEST).
    now = timezone.now()
    starts = now.replace(month=7, day=1, hour=14, minute=0, second=0, microsecond=0)
    if starts < now:
        starts = starts.replace(year=now.year + 1)
    access_codes.access_code_create(
        lock=lock, now=now, name="Anna Smith", starts_at=starts, ends_at=starts + timedelta(days=2)
    )
    html = client_for(alice).get(url(lock)).content.decode()
    assert "Anna Smith" in html
    assert "15:00 WEST" in html
    assert "Scheduled" in html


def test_it_hides_every_pin(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="4821")
    html = client_for(alice).get(url(lock)).content.decode()
    assert "4821" not in html
    assert "••••" in html


def test_it_shows_a_code_on_the_lock(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Staff")
    scheduler.run_due_locks(now=t0)
    html = client_for(alice).get(url(lock)).content.decode()
    assert "On the lock" in html
    assert "“Staff” is on the lock" in html


def test_it_explains_a_code_error_and_what_to_do(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    code.add_error("no_space_for_access_code_on_device", "All 20 slots are in use.", t0)
    code.save()
    html = client_for(alice).get(url(lock)).content.decode()
    assert "All code slots on the lock are in use, so this code is waiting." in html
    assert "Revoke a code that is no longer needed" in html


def test_it_lists_codes_nobody_manages_with_hidden_pins(client_for, alice, lock, t0):
    simulator.simulated_add_unmanaged_code(lock=lock, code="5937", name="Plumber", now=t0)
    scheduler.run_due_locks(now=t0)
    html = client_for(alice).get(url(lock)).content.decode()
    assert "managed by nobody here" in html
    assert "Plumber" in html
    assert "5937" not in html


def test_it_shows_front_desk_no_reveal_and_no_controls(client_for, bob, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="4821")
    html = client_for(bob).get(url(lock)).content.decode()
    assert "Anna" in html
    assert "4821" not in html
    assert "Reveal" not in html
    assert "Revoke" not in html
    assert "Add a code" not in html
    assert "Simulate the hardware" not in html
    assert "Check now" not in html
    assert "Try a PIN at the keypad" not in html  # the keypad is an oracle: managers only


def test_it_returns_the_codes_partial_to_htmx(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    response = client_for(alice).get(url(lock), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="codes")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="codes"')
    assert "Anna" in html
    assert "<html" not in html
    assert "Recent activity" not in html


def test_it_returns_the_status_and_events_partials_to_htmx(client_for, alice, lock):
    client = client_for(alice)
    status = client.get(url(lock), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lock-status")
    assert status.content.decode().lstrip().startswith('<section id="lock-status"')
    events = client.get(url(lock), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="events")
    assert events.content.decode().lstrip().startswith('<section id="events"')
    assert "Lock added" in events.content.decode()


def test_it_answers_404_for_an_unknown_lock(client_for, alice, lock):
    assert client_for(alice).get(reverse("lock_detail", args=[lock.pk + 999])).status_code == 404


def test_it_shows_a_revoked_code_being_removed(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    scheduler.run_due_locks(now=t0)
    access_codes.access_code_delete(access_code=AccessCode.objects.get(pk=code.pk), now=t0)
    html = client_for(alice).get(url(lock)).content.decode()
    assert "Being removed" in html


def test_a_code_the_lock_would_not_take_has_a_red_badge_with_the_error(client_for, alice, lock, t0):
    simulator.simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=3), now=t0)
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    for minute in range(62):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    html = client_for(alice).get(url(lock)).content.decode()
    row = html[html.index(f'id="code-{code.pk}"') :]
    badge = row[row.index('class="pill') :]
    badge = badge[: badge.index("</span>")]
    assert "pill-red" in badge and "Could not be programmed" in badge
    assert "Being programmed" not in badge


def test_a_codes_forms_post_to_the_urls_django_reverses(client_for, alice, lock, t0):
    """The page reverses each code route once and puts every code's id in (`row_url`)."""
    codes = [access_codes.access_code_create(lock=lock, now=t0, name=n)[0] for n in "AB"]
    simulator.simulated_add_unmanaged_code(lock=lock, code="4862", name="Cleaner", now=t0)
    scheduler.run_due_locks()
    html = html_of(client_for(alice), "lock_detail", lock.pk)
    for code in codes:
        for route in ("code_reveal", "code_change_pin", "code_revoke"):
            assert f'action="{reverse(route, args=[lock.pk, code.pk])}"' in html
    unmanaged = AccessCode.objects.get(lock=lock, is_managed=False)
    for route in ("unmanaged_take_over", "unmanaged_remove"):
        assert f'action="{reverse(route, args=[lock.pk, unmanaged.pk])}"' in html


def test_row_url_gives_the_url_django_reverses(lock, t0):
    """For a row's id (an int or a UUID), then for anything else, reversed as it is."""
    code = access_codes.access_code_create(lock=lock, now=t0, name="A")[0]
    page = Template(
        "{% load innkeeper %}"
        "{% url 'lock_detail' lock.pk %} {% row_url 'lock_detail' lock.pk %}|"
        "{% url 'code_revoke' lock.pk code.pk %} {% row_url 'code_revoke' lock.pk code.pk %}|"
        "{% url 'code_revoke' lock.pk key %} {% row_url 'code_revoke' lock.pk key %}"
    ).render(Context({"lock": lock, "code": code, "key": str(code.pk)}))
    for pair in page.split("|"):
        reversed_by_django, by_row_url = pair.split(" ")
        assert by_row_url == reversed_by_django
