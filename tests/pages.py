"""What the page tests read: a dashboard page's HTML, once it has answered 200."""

from django.urls import reverse


def html_of(client, url_name: str, *args, **query) -> str:
    """The page `url_name` (its URL's `args`; `query` as the query string) answered with 200."""
    response = client.get(reverse(url_name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()
