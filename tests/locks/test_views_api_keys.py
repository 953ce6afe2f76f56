from django.urls import reverse

from locks.models import ApiKey, hash_api_key
from locks.tenancy import services as tenancy


def test_it_lists_the_keys(client_for, alice, owner, other_owner):
    tenancy.api_key_create(owner=owner, name="PMS")
    tenancy.api_key_create(owner=other_owner, name="Theirs")
    html = client_for(alice).get(reverse("api_keys")).content.decode()
    assert "PMS" in html
    assert "Theirs" not in html


def test_it_shows_a_new_key_once_and_stores_only_its_hash(client_for, alice):
    client = client_for(alice)
    response = client.post(reverse("api_keys"), {"name": "Property system"})
    assert response.status_code == 200
    secret = response.context["created"]["secret"]
    html = response.content.decode()
    assert secret in html
    assert f'Seam(api_key="{secret}", endpoint="http://testserver/api")' in html
    key = ApiKey.objects.get()
    assert key.key_hash == hash_api_key(secret)
    assert key.created_by == alice
    assert secret not in {key.name, key.hint, key.key_hash}
    assert secret not in client.get(reverse("api_keys")).content.decode()


def test_it_asks_for_a_name(client_for, alice):
    response = client_for(alice).post(reverse("api_keys"), {"name": ""})
    assert "Give the key a name" in response.context["form"].errors["name"][0]
    assert not ApiKey.objects.exists()


def test_it_revokes_a_key(client_for, alice, owner):
    key, _ = tenancy.api_key_create(owner=owner, name="PMS")
    response = client_for(alice).post(reverse("api_key_revoke", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_front_desk_cannot_see_or_change_keys(client_for, bob, owner):
    key, _ = tenancy.api_key_create(owner=owner, name="PMS")
    client = client_for(bob)
    assert client.get(reverse("api_keys")).status_code == 403
    assert client.post(reverse("api_keys"), {"name": "Mine"}).status_code == 403
    assert client.post(reverse("api_key_revoke", args=[key.pk])).status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None
    assert ApiKey.objects.count() == 1


def test_another_owner_cannot_revoke_a_key(client_for, charlie, owner):
    key, _ = tenancy.api_key_create(owner=owner, name="PMS")
    assert client_for(charlie).post(reverse("api_key_revoke", args=[key.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
