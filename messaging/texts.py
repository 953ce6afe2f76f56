"""Message templates: the defaults, the placeholders they may use, and rendering."""

import string
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import dateformat, translation

from messaging import default_texts
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
    "link": "the guest's own page: the way in, and the code from the start of the stay",
}
# A message meant to let the guest in is useless without a PIN.
NEEDS_PIN = {Kind.ARRIVAL, Kind.BACKUP, Kind.CHANGED}
GIVES_CODE = {"pin", "doors"}
# The email never carries a PIN (mail is kept and forwarded): it gives the page, which shows
# the code from the start of the stay only.
EMAIL_KINDS = {Kind.EMAIL}
# The guest languages an owner may write a template in; "" is the owner's default text.
LANGUAGES = [code for code, _ in settings.GUEST_LANGUAGES]

DEFAULTS = {kind: default_texts.EN[kind] for kind in Kind.values}
MAX_LENGTH = 640  # four SMS segments: longer texts cost more and arrive split
EMAIL_MAX_LENGTH = 5000
SUBJECT_MAX_LENGTH = 200


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
    if kind in EMAIL_KINDS:
        if names & GIVES_CODE:
            problems.append(
                "The email gives the guest's page, never the code: take out {pin} and {doors} "
                "(the page shows the code when the stay starts)."
            )
        if "link" not in names:
            problems.append("The email must give the guest's page: put {link} in it.")
    elif kind not in NEEDS_PIN and names & GIVES_CODE:
        problems.append("A check-out reminder does not give the code: take out {pin} and {doors}.")
    longest = EMAIL_MAX_LENGTH if kind in EMAIL_KINDS else MAX_LENGTH
    if len(body) > longest:
        problems.append(f"Keep it under {longest} characters (it has {len(body)}).")
    return problems


def subject_problems(subject: str) -> list[str]:
    """What is wrong with an email's subject line (empty when it is fine)."""
    if not subject.strip():
        return ["Write the subject."]
    if "\n" in subject or "\r" in subject:
        return ["Keep the subject on one line."]
    if len(subject) > SUBJECT_MAX_LENGTH:
        return [f"Keep the subject under {SUBJECT_MAX_LENGTH} characters."]
    problems = template_problems(Kind.CHECKOUT, subject)
    return [p.replace("A check-out reminder", "The subject") for p in problems]


@dataclass(frozen=True)
class Chosen:
    """The template a guest in `language` receives: the owner's own (`saved`) or built in."""

    body: str
    subject: str
    language: str  # the template's language: "" for the owner's default text
    saved: bool


def builtin_body(kind: str, language: str) -> str:
    return default_texts.BODIES.get(language or "en", default_texts.EN)[kind]


def builtin_subject(language: str) -> str:
    return default_texts.SUBJECTS.get(language or "en", default_texts.SUBJECTS["en"])


def _builtin(kind: str, language: str) -> Chosen:
    return Chosen(builtin_body(kind, language), builtin_subject(language), language, False)


def _saved(template: MessageTemplate) -> Chosen:
    subject = template.subject or builtin_subject(template.language)
    return Chosen(template.body, subject, template.language, True)


def template_for(owner, kind: str, language: str = "") -> Chosen:
    """What a guest in `language` receives: the owner's template in that language; else, while
    the owner has not rewritten their default text, the built-in one in that language; else the
    owner's default text (so what they wrote for every guest reaches every guest)."""
    saved = {
        t.language: t
        for t in MessageTemplate.objects.filter(owner=owner, kind=kind, language__in={language, ""})
    }
    if language and language in saved:
        return _saved(saved[language])
    if "" in saved:
        return _saved(saved[""])
    return _builtin(kind, language)


def template_body(owner, kind: str, language: str = "") -> str:
    return template_for(owner, kind, language).body


def when(moment: datetime, tz, language: str = "") -> str:
    """A moment as a message says it, in the guest's language: "Wed 3 Jun 15:00" in English,
    "qua 3 jun 15:00" in Portuguese (Django's names of days and months)."""
    with translation.override(language or "en"):
        return dateformat.format(moment.astimezone(tz), "D j M H:i")


def mask_link(link: str) -> str:
    """A guest page's link with its token hidden: "https://example.com/g/…/"."""
    head, found, _ = link.partition("/g/")
    return f"{head}/g/…/" if found else link


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
        # The link opens the page that shows the PIN: the kept copy does not give it either.
        "link": mask_link(context.get("link", "")) if mask else context.get("link", ""),
        # Backups differ per door: then the one PIN is the list of doors with theirs.
        "pin": shown(next(iter(pins))) if len(pins) == 1 else door_list,
        "doors": door_list,
    }
    return body.format(**values)
