"""The dashboard's plain words as template filters and tags; the words live in `locks.words`."""

from django import template
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
