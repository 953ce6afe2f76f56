"""Who came in at a door, as template filters; the words live in `locks.entry_words`."""

from django import template

from locks import entry_words
from locks.remote import UNLOCK_REASONS

register = template.Library()

for _name in ("entry_how", "entry_code", "entry_kind", "bolt_state", "unlock_refusal"):
    register.filter(_name, getattr(entry_words, _name))


register.simple_tag(entry_words.arrived, name="arrived")


@register.simple_tag
def stay_presence(stay, now, tz) -> str:
    return entry_words.presence(stay.check_in, now, tz)


@register.simple_tag
def unlock_reasons() -> tuple[str, ...]:
    """The reasons *Unlock now* offers (a person may type another)."""
    return UNLOCK_REASONS
