"""The dashboard's plain words as template filters and tags; the words live in `locks.words`."""

import uuid

from django import template
from django.urls import reverse
from django.utils import timezone

from locks import words
from reservations.urgency import urgent_count

register = template.Library()

for _name in (
    "local_time",
    "local_clock",
    "window",
    "pool_tone",
    "explain",
    "event_sentence",
    "code_lengths",
    "constraint_words",
    "since",
    "until",
):
    register.filter(_name, getattr(words, _name))
register.simple_tag(words.code_state, name="code_state")


@register.simple_tag(takes_context=True)
def red_alert_count(context) -> int:
    """How many urgent alerts are open for the nav's badge (0 for a page without an owner)."""
    owner = context.get("owner")
    if owner is None:
        return 0
    return urgent_count(owner, timezone.now())


# A stand-in for a code's id: each of a lock's code URLs is reversed once a page with it, and
# each code's id is put in its place (three reversals a row cost a page of codes more than the
# rest of its rows' markup).
_ANY_CODE = uuid.UUID(int=0)


@register.simple_tag(takes_context=True)
def code_url(context, name: str, lock_id: int, code_id: uuid.UUID) -> str:
    """`{% url name lock_id code_id %}` for a route of one of a lock's codes (`locks.urls.CODE`),
    the same URL for less: reversed once a render for the lock and the route."""
    reversed_once = context.render_context.dicts[0].setdefault(code_url, {})
    key = (name, lock_id)
    if key not in reversed_once:
        reversed_once[key] = reverse(name, args=[lock_id, _ANY_CODE]).split(str(_ANY_CODE))
    before, after = reversed_once[key]
    return f"{before}{code_id}{after}"
