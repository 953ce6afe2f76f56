"""Message templates: the defaults, the placeholders they may use, and rendering."""

import string
from dataclasses import dataclass

from messaging.models import MessageTemplate

Kind = MessageTemplate.Kind

PLACEHOLDERS = {
    "guest_name": "the guest's name",
    "property": "the property's name",
    "unit": "the room or home",
    "check_in": "check-in, in the property's time",
    "check_out": "check-out, in the property's time",
    "pin": "the PIN (the same on every door)",
    "doors": "each door with its PIN, e.g. “Street entrance 4821, Room 101 4821”",
}
# A message meant to let the guest in is useless without a PIN.
NEEDS_PIN = {Kind.ARRIVAL, Kind.BACKUP, Kind.CHANGED}
GIVES_CODE = {"pin", "doors"}

DEFAULTS = {
    Kind.ARRIVAL: (
        "Hello {guest_name}, welcome to {property}! Your door code is {pin} "
        "({doors}). It works from {check_in} until {check_out}."
    ),
    Kind.BACKUP: (
        "Hello {guest_name}, here is a backup code for {property}: {doors}. "
        "It works until {check_out}."
    ),
    Kind.CHECKOUT: (
        "Hello {guest_name}, a reminder that check-out at {property} is at {check_out}. "
        "Safe travels!"
    ),
    Kind.CHANGED: (
        "Hello {guest_name}, your stay at {property} changed: {unit}, from {check_in} until "
        "{check_out}. Your door code is {pin} ({doors})."
    ),
}
MAX_LENGTH = 640  # four SMS segments: longer texts cost more and arrive split


def template_problems(kind: str, body: str) -> list[str]:
    """What is wrong with a template, in words that say what to fix (empty when it is fine)."""
    if not body.strip():
        return ["Write the message."]
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(body)
            if name is not None
        ]
    except ValueError:
        return [
            "A brace is not matched: write placeholders as {guest_name}, and a brace itself "
            "as {{ or }}."
        ]
    problems = []
    names = {name for name, _, _ in fields}
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        problems.append(
            f"Unknown placeholder{'s' if len(unknown) > 1 else ''} "
            f"{', '.join('{' + n + '}' for n in unknown)}. Use: {allowed}."
        )
    # Formatting inside a placeholder ({pin:>8}, {pin!r}) could show part of a PIN the Outbox's
    # masked copy cannot account for; nothing a guest needs requires it.
    fancy = sorted({name for name, spec, conversion in fields if spec or conversion})
    if fancy:
        problems.append(
            "Write placeholders plainly, without “:” or “!” inside the braces: "
            + ", ".join("{" + n + "}" for n in fancy)
            + "."
        )
    if kind in NEEDS_PIN and not names & GIVES_CODE:
        problems.append("This message must give the code: put {pin} or {doors} in it.")
    if kind not in NEEDS_PIN and names & GIVES_CODE:
        problems.append("A check-out reminder does not give the code: take out {pin} and {doors}.")
    if len(body) > MAX_LENGTH:
        problems.append(f"Keep it under {MAX_LENGTH} characters (it has {len(body)}).")
    return problems


def template_body(owner, kind: str) -> str:
    saved = MessageTemplate.objects.filter(owner=owner, kind=kind).first()
    return saved.body if saved else DEFAULTS[kind]


@dataclass(frozen=True)
class DoorPin:
    door: str
    pin: str


def render(body: str, *, context: dict, doors: list[DoorPin], mask: bool = False) -> str:
    """The text of a message. With `mask`, every PIN is replaced by dots (what is stored).

    The masked copy is rendered from the same doors rather than by finding PINs in the text, so
    no digit of a PIN survives in it, while text that merely looks like one (a check-in at 15:00
    when the PIN is 1500) stays as it is.
    """

    def shown(pin: str) -> str:
        return "•" * len(pin) if mask else pin

    pins = {d.pin for d in doors}
    door_list = ", ".join(f"{d.door} {shown(d.pin)}" for d in doors)
    values = {
        **context,
        # Backups differ per door: then the one PIN is the list of doors with theirs.
        "pin": shown(next(iter(pins))) if len(pins) == 1 else door_list,
        "doors": door_list,
    }
    return body.format(**values)
