"""Templates per guest language, and the arrival email's, on Settings → Messages → Templates."""

from django.test import override_settings

from messaging import texts
from messaging.models import MessageTemplate

URL = "/settings/messages/templates/"
PREVIEW = "/settings/messages/templates/preview/"


def test_a_manager_writes_the_portuguese_arrival_message(client_for, alice, owner, lock):
    client = client_for(alice)
    html = client.get(URL + "?language=pt").content.decode()
    assert "Seaside Hotel dá-lhe as boas-vindas" in html  # the built-in Portuguese text

    body = "Olá {guest_name}, o código é {pin}. {link}"
    response = client.post(URL, {"kind": "arrival", "language": "pt", "body": body}, follow=True)

    assert "Arrival message saved." in response.content.decode()
    assert texts.template_body(owner, "arrival", "pt") == body
    assert texts.template_body(owner, "arrival", "") == texts.DEFAULTS["arrival"]
    client.post(URL, {"kind": "arrival", "language": "pt", "reset": "1"})
    assert not MessageTemplate.objects.exists()


def test_the_email_template_has_a_subject_and_refuses_the_pin(client_for, alice, owner, lock):
    client = client_for(alice)
    response = client.post(
        URL, {"kind": "email", "subject": "Welcome", "body": "Code {pin} at {link}"}
    )
    assert response.status_code == 400
    assert "never the code" in response.content.decode()
    client.post(URL, {"kind": "email", "subject": "Welcome to {property}", "body": "See {link}"})
    chosen = texts.template_for(owner, "email")
    assert (chosen.subject, chosen.body) == ("Welcome to {property}", "See {link}")


@override_settings(PUBLIC_BASE_URL="")
def test_without_the_public_address_the_pages_say_links_need_it(client_for, alice, lock):
    client = client_for(alice)
    assert "Links need the site's public address" in client.get(URL).content.decode()
    settings_page = client.get("/settings/messages/").content.decode()
    assert "Guests' page links need it too" in settings_page
    preview = client.post(PREVIEW, {"kind": "arrival", "body": "{pin} {link}"}).content.decode()
    assert "/g/…/" in preview and "bare path" in preview  # the link, as a path, token hidden
