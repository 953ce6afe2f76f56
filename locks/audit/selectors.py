"""The Audit log page's reads: an owner's entries, newest first, by the page's filters."""

from datetime import datetime

from django.db.models import QuerySet

from locks.models import ApiKey, AuditEntry, Membership


def audit_entries(
    owner,
    *,
    who: str = "",
    kind: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    q: str = "",
) -> QuerySet[AuditEntry]:
    """`who`: `user:<id>` or `key:<id>`; `since` and `until` bound `at` (until excluded)."""
    entries = AuditEntry.objects.filter(owner=owner)
    what, _, pk = who.partition(":")
    if pk.isdigit():
        if what == "user":
            entries = entries.filter(actor_id=int(pk))
        elif what == "key":
            entries = entries.filter(api_key_id=int(pk))
    if kind:
        entries = entries.filter(object_type=kind)
    if action:
        entries = entries.filter(action=action)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    if q.strip():
        entries = entries.filter(object_label__icontains=q.strip())
    return entries.order_by("-at", "-id")


def audit_actors(owner) -> list[tuple[str, str]]:
    """Who may appear in the log, for the filter: the owner's people, then its API keys."""
    people = [
        (f"user:{m.user_id}", m.user.get_full_name() or m.user.get_username())
        for m in Membership.objects.filter(owner=owner)
        .select_related("user")
        .order_by("user__username")
    ]
    keys = [
        (f"key:{key.pk}", f"API key “{key.name}” ({key.hint}…)")
        for key in ApiKey.objects.filter(owner=owner).order_by("name", "pk")
    ]
    return people + keys
