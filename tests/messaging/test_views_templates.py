"""Message templates (managers): each editable with a live preview for a sample stay (PINs
masked), the placeholders explained, validation beside the field, and a reset."""

from django.urls import reverse
from django.utils.html import escape

from messaging import texts
from messaging.models import MessageTemplate

URL = "/settings/messages/templates/"
PREVIEW = "/settings/messages/templates/preview/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_page_lists_the_three_messages_and_the_placeholders(client_for, alice, lock):
    html = client_for(alice).get(URL).content.decode()
    for label in ("Arrival message", "Backup code message", "Check-out reminder"):
        assert label in html
    for name, description in texts.PLACEHOLDERS.items():
        assert "{" + name + "}" in html
        assert escape(description) in html
    # The preview of the defaults: a sample stay at the owner's own room and doors.
    assert "Hello Anna Smith, welcome to Seaside Hotel!" in html
    assert "Room 101 door ••••" in html


def test_the_front_desk_gets_the_managers_only_page(client_for, bob):
    client = client_for(bob)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "arrival", "body": "Hi {pin}"}).status_code == 403
    assert client.post(PREVIEW, {"kind": "arrival", "body": "Hi {pin}"}).status_code == 403
    assert not MessageTemplate.objects.exists()


def test_the_live_preview_renders_what_is_typed_with_masked_pins(client_for, alice, lock):
    response = client_for(alice).post(
        PREVIEW, {"kind": "arrival", "body": "Hi {guest_name}, {unit}: {pin}"}, **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="template-preview" id="preview-arrival"')
    assert "Hi Anna Smith, Room 101: ••••" in html
    assert "characters" in html


def test_the_live_preview_says_what_is_wrong(client_for, alice):
    client = client_for(alice)
    html = client.post(PREVIEW, {"kind": "backup", "body": "Hi {name}"}, **HTMX).content.decode()
    assert "Unknown placeholder {name}" in html
    assert "This message must give the code" in html
    broken = client.post(PREVIEW, {"kind": "checkout", "body": "Bye {"}, **HTMX).content.decode()
    [problem] = texts.template_problems("checkout", "Bye {")
    assert escape(problem) in broken


def test_saving_validates_and_shows_the_error_beside_the_field(client_for, alice, owner):
    client = client_for(alice)
    response = client.post(URL, {"kind": "arrival", "body": "Welcome {guest}!"})
    assert response.status_code == 400
    html = response.content.decode()
    card = html[html.index('id="template-arrival"') : html.index('id="template-backup"')]
    assert "Unknown placeholder {guest}" in card and 'class="error"' in card
    assert "Welcome {guest}!" in card  # what was typed is kept
    assert not MessageTemplate.objects.exists()


def test_saving_a_good_template_and_resetting_it(client_for, alice, owner):
    client = client_for(alice)
    body = "Welcome {guest_name}! Door code {pin}."
    response = client.post(URL, {"kind": "arrival", "body": body}, follow=True)
    assert "Arrival message saved." in response.content.decode()
    assert texts.template_body(owner, "arrival") == body
    assert "Reset to the default" in response.content.decode()

    response = client.post(URL, {"kind": "arrival", "reset": "1"}, follow=True)
    assert "Arrival message: back to the default." in response.content.decode()
    assert texts.template_body(owner, "arrival") == texts.DEFAULTS["arrival"]


def test_templates_belong_to_their_company(client_for, alice, charlie, other_owner):
    client_for(alice).post(URL, {"kind": "arrival", "body": "Seaside says {pin}"})
    assert texts.template_body(other_owner, "arrival") == texts.DEFAULTS["arrival"]
    assert "Seaside says" not in client_for(charlie).get(URL).content.decode()


def test_the_url_names_are_stable():
    assert reverse("settings_message_templates") == URL
    assert reverse("settings_message_template_preview") == PREVIEW
