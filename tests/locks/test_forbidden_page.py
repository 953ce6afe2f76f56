from django.urls import reverse


def test_the_managers_only_page_offers_the_way_back_to_today(client_for, bob):
    response = client_for(bob).get(reverse("api_keys"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only managers can do that" in html
    assert f'href="{reverse("today")}">Back to Today</a>' in html
