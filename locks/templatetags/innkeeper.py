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
    "pool_words",
    "slots_used",
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


# Stand-ins for a row's id, by its type: a route is reversed once a render with the stand-in,
# and each row's id is put in its place (a page of codes reversed three URLs a row, which cost
# it more than the rest of its rows' markup).
_STAND_INS = {uuid.UUID: uuid.UUID(int=0), int: 7_306_418_952_013_846_527}


@register.simple_tag(takes_context=True)
def row_url(context, name: str, *args) -> str:
    """`{% url name *args %}` for a row of a list, whose id is the last argument, the same URL
    for less: reversed once a render for the route and the arguments before the id."""
    *fixed, row_id = args
    stand_in = _STAND_INS.get(type(row_id))
    if stand_in is None:
        return reverse(name, args=args)
    reversed_once = context.render_context.dicts[0].setdefault(row_url, {})
    key = (name, *fixed)
    if key not in reversed_once:
        parts = reverse(name, args=[*fixed, stand_in]).split(str(stand_in))
        reversed_once[key] = parts if len(parts) == 2 else None
    if reversed_once[key] is None:
        return reverse(name, args=args)
    before, after = reversed_once[key]
    return f"{before}{row_id}{after}"
