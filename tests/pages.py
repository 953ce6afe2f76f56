"""What the page tests read: a dashboard page's HTML, once it has answered 200."""

import re

from django.urls import reverse

# Ids in links and forms, the CSRF token and the guest's phone number (E.164): a random PIN may
# happen to stand inside one (9123 in +351912345678).
IDS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r'|name="csrfmiddlewaretoken" value="[^"]*"'
    r"|\+\d{8,15}"
)


def html_of(client, url_name: str, *args, **query) -> str:
    """The page `url_name` (its URL's `args`; `query` as the query string) answered with 200."""
    response = client.get(reverse(url_name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def without_ids(html: str) -> str:
    """The page with its ids, CSRF token and phone numbers taken out, to check that a PIN is not
    shown."""
    return IDS.sub("", html)
