"""URL patterns from a table: one row a page, `(route, view)` or `(route, view, name)`.

The name defaults to the view's own name, so a row says only what differs.
"""

from django.urls import path


def pages(*rows) -> list:
    return [
        path(route, view, name=name[0] if name else view.__name__) for route, view, *name in rows
    ]
