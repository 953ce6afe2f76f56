"""Arrival instructions and photos: a manager writes them in the property and door forms; the
photo must be a picture, is stored privately, and the audit log says what changed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from locks.models import AuditEntry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def property_data(**extra):
    return {
        "name": "Seaside Hotel",
        "time_zone": "Europe/Lisbon",
        "country": "PT",
        "default_check_in": "15:00",
        "default_check_out": "11:00",
        **extra,
    }


def lock_data(lock, **extra):
    return {"name": lock.name, "location": "", "unit": lock.unit_id or "", **extra}


def test_a_manager_writes_a_propertys_instructions_and_adds_a_photo(
    client_for, alice, hotel, media
):
    data = property_data(
        arrival_instructions="The green door by the bakery.",
        arrival_photo=SimpleUploadedFile("IMG_0042 key box.png", PNG),
    )
    response = client_for(alice).post(reverse("property_edit", args=[hotel.pk]), data)
    assert response.status_code == 302
    hotel.refresh_from_db()
    assert hotel.arrival_instructions == "The green door by the bakery."
    assert hotel.arrival_photo.name.startswith("arrival/")
    assert "key box" not in hotel.arrival_photo.name  # a random name, not the phone's
    assert (media / hotel.arrival_photo.name).read_bytes() == PNG
    entry = AuditEntry.objects.get(object_type="property", action="changed")
    assert entry.changes["arrival_photo"] == ["", "(a file)"]
    assert entry.changes["arrival_instructions"][1] == "The green door by the bakery."
    page = client_for(alice).get(reverse("property_edit", args=[hotel.pk])).content.decode()
    assert "A photo is set." in page and hotel.arrival_photo.name not in page


def test_a_file_that_is_not_a_picture_is_refused(client_for, alice, hotel):
    data = property_data(arrival_photo=SimpleUploadedFile("x.png", b"<html>not a photo</html>"))
    response = client_for(alice).post(reverse("property_edit", args=[hotel.pk]), data)
    assert response.status_code == 400
    assert "That file is not a photo" in response.content.decode()
    hotel.refresh_from_db()
    assert not hotel.arrival_photo


def test_a_manager_sets_and_removes_a_doors_photo(
    client_for, alice, lock, media, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    url = reverse("lock_edit", args=[lock.pk])
    data = lock_data(
        lock,
        arrival_instructions="Press the lock button first.",
        arrival_photo=SimpleUploadedFile("door.png", PNG),
    )
    assert client.post(url, data).status_code == 302
    lock.refresh_from_db()
    assert lock.arrival_instructions == "Press the lock button first."
    stored = media / lock.arrival_photo.name
    assert stored.exists()
    page = client.get(url).content.decode()
    assert "A photo is set." in page and "Press the lock button first." in page
    data = lock_data(lock, arrival_instructions="", **{"arrival_photo-clear": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    lock.refresh_from_db()
    assert not lock.arrival_photo and lock.arrival_instructions == ""
    assert not stored.exists()


def test_the_front_desk_cannot_change_arrival_instructions(client_for, bob, hotel, lock):
    client = client_for(bob)
    data = property_data(arrival_instructions="Changed")
    assert client.post(reverse("property_edit", args=[hotel.pk]), data).status_code == 403
    data = lock_data(lock, arrival_instructions="Changed")
    assert client.post(reverse("lock_edit", args=[lock.pk]), data).status_code == 403
    hotel.refresh_from_db()
    lock.refresh_from_db()
    assert hotel.arrival_instructions == "" and lock.arrival_instructions == ""
