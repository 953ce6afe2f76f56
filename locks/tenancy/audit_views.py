"""Settings → Audit log (managers only): every change a person or an API key made to this
owner's things, newest first, 50 a page, with filters. Another owner's entries are never read."""

from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from locks.audit import KINDS
from locks.audit.selectors import audit_actors, audit_entries
from locks.audit.words import ACTIONS, entry_sentence
from locks.models import Property
from locks.tenancy.decorators import manager_view
from locks.times import local_day_bounds
from locks.words import local_time

PAGE_SIZE = 50
UTC = ZoneInfo("UTC")


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label="What",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "A guest, a door, a key…"}),
    )
    who = forms.ChoiceField(label="Who", required=False)
    kind = forms.ChoiceField(label="Kind", required=False)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *ACTIONS]
    )
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date."},
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date."},
    )

    def __init__(self, *args, actors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [("", "Anyone"), *actors]
        kinds = sorted({(t.kind, t.noun.removesuffix(" of")) for t in KINDS.values()}, key=str)
        self.fields["kind"].choices = [("", "Anything"), *((k, n.capitalize()) for k, n in kinds)]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The last day comes after the first: swap them.")
        return data


def _owner_time_zone(owner) -> ZoneInfo:
    """Days are the owner's when all its properties share one time zone; UTC otherwise."""
    zones = list(
        Property.objects.filter(owner=owner)
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()[:2]
    )
    return ZoneInfo(zones[0]) if len(zones) == 1 else UTC


def _row(entry, owner_tz: ZoneInfo) -> dict:
    """An entry's time in its object's time zone; the owner's for what has none (settings,
    members, keys)."""
    tz = owner_tz if entry.time_zone in ("", "UTC") else ZoneInfo(entry.time_zone)
    return {"entry": entry, "when": local_time(entry.at, tz), "sentence": entry_sentence(entry)}


@manager_view
def audit_log(request):
    owner = request.membership.owner
    form = AuditFilterForm(request.GET or None, actors=audit_actors(owner))
    filters = form.cleaned_data if form.is_valid() else {}
    tz = _owner_time_zone(owner)
    since = until = None
    if filters.get("since"):
        since = local_day_bounds(filters["since"], tz)[0]
    if filters.get("until"):
        until = local_day_bounds(filters["until"], tz)[1]
    found = audit_entries(
        owner,
        who=filters.get("who", ""),
        kind=filters.get("kind", ""),
        action=filters.get("action", ""),
        since=since,
        until=until,
        q=filters.get("q", ""),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [_row(entry, tz) for entry in page.object_list],
        "query": query.urlencode(),
        "time_zone": tz,
    }
    if request.htmx and request.htmx.target == "audit-results":
        return render(request, "locks/audit_log.html#results", context)
    return render(request, "locks/audit_log.html", context)
