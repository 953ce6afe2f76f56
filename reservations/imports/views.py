"""Calendar feeds and the CSV import: managers only; another owner's feed or unit is a 404.

The CSV import keeps the previewed rows in the session (never in reservations) until the manager
imports them; each request then imports one batch, so the page can show honest progress.
"""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from locks import selectors as lock_selectors
from locks.errors import ServiceError
from locks.tenancy.decorators import manager_view, owned_or_404
from reservations.imports import csv_import, feeds, polling, sample, selectors
from reservations.imports.forms import CsvUploadForm, FeedForm

SESSION_KEY = "csv_import"
IMPORTABLE = ("create", "update")


def _unit(request, unit_id):
    return owned_or_404(lock_selectors.unit_get, request, unit_id, "No such unit.")


def _feed(request, feed_id):
    return owned_or_404(selectors.feed_get, request, feed_id, "No such feed.")


def _to_feeds(feed_or_unit):
    unit_id = getattr(feed_or_unit, "unit_id", None) or feed_or_unit.pk
    return redirect("unit_feeds", unit_id=unit_id)


# --- feeds ---------------------------------------------------------------------------------------


def _feeds_page(request, *, unit=None, form=None, status=200):
    owner = request.membership.owner
    now = timezone.now()
    units = lock_selectors.units_for(owner)
    if form is None:
        form = FeedForm(units=units, initial={"unit": unit})
    context = {
        "unit": unit,
        "feeds": [
            (feed, feeds.feed_health(feed, now)) for feed in selectors.feeds_for(owner, unit)
        ],
        "form": form,
        "has_units": units.exists(),
        "now": now,
        "empty_after": feeds.EMPTY_BELIEVED_AFTER,
    }
    return render(request, "reservations/imports/feeds.html", context, status=status)


@manager_view
def feed_list(request, unit_id=None):
    unit = _unit(request, unit_id) if unit_id is not None else None
    return _feeds_page(request, unit=unit)


@require_POST
@manager_view
def feed_add(request):
    owner = request.membership.owner
    form = FeedForm(request.POST, units=lock_selectors.units_for(owner))
    if form.is_valid():
        data = form.cleaned_data
        try:
            feed = feeds.feed_create(
                owner=owner,
                unit=data["unit"],
                name=data["name"],
                url=data["url"],
                now=timezone.now(),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Added the {feed.name} feed of {feed.unit.name}.")
            _read_now(request, feed)
            return _to_feeds(feed)
    unit = form.cleaned_data.get("unit")
    return _feeds_page(request, unit=unit, form=form, status=400)


def _read_now(request, feed) -> None:
    now = timezone.now()
    lease = polling.feed_claim(feed_id=feed.pk, now=now, due_only=False)
    if lease is None:
        messages.warning(request, f"The {feed.name} feed is being read right now; look again soon.")
        return
    result = polling.feed_run_claimed(feed_id=feed.pk, token=lease, now=now)
    if result is None:
        return
    level = messages.error if result.error else messages.success
    level(request, result.sentence(feed))


@require_POST
@manager_view
def feed_check(request, feed_id):
    feed = _feed(request, feed_id)
    _read_now(request, feed)
    return _to_feeds(feed)


@require_POST
@manager_view
def feed_remove(request, feed_id):
    feed = _feed(request, feed_id)
    name, unit = feed.name, feed.unit
    kept = feeds.feed_remove(feed=feed, now=timezone.now())
    text = f"Removed the {name} feed of {unit.name}; Innkeeper no longer reads it."
    if kept:
        text += (
            f" Its {kept} stay{pluralize(kept)} still to come {pluralize(kept, 'is,are')} kept: "
            "cancel any that are not coming on the Reservations page."
        )
    messages.success(request, text)
    return _to_feeds(unit)


# --- CSV import ----------------------------------------------------------------------------------


@manager_view
def csv_upload(request):
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = csv_import.csv_preview(
                owner=request.membership.owner, data=upload.read(), now=timezone.now()
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            job = {
                "id": str(uuid.uuid4()),
                "owner_id": request.membership.owner.pk,
                "filename": upload.name[:100],
                "rows": rows,
                "todo": [n for n, row in enumerate(rows) if row["action"] in IMPORTABLE],
                "position": 0,
                "created": 0,
                "updated": 0,
                "failed": [],
            }
            request.session[SESSION_KEY] = job
            return redirect("csv_preview", import_id=job["id"])
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "columns": csv_import.COLUMNS,
        "max_rows": csv_import.MAX_ROWS,
        "has_units": lock_selectors.units_for(request.membership.owner).exists(),
    }
    return render(request, "reservations/imports/csv_upload.html", context, status=status)


@manager_view
def csv_sample(request):
    text = sample.sample_csv(owner=request.membership.owner, now=timezone.now())
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="innkeeper-reservations-sample.csv"'
    return response


def _job(request, import_id) -> dict:
    """The import this session previewed; 404 for any other (or another owner's)."""
    job = request.session.get(SESSION_KEY)
    if not job or job["id"] != str(import_id) or job["owner_id"] != request.membership.owner.pk:
        raise Http404("No such import.")
    return job


def _job_context(job: dict) -> dict:
    rows = job["rows"]
    counts = {action: 0 for action in ("create", "update", "unchanged", "skip", "error")}
    for row in rows:
        counts[row["action"]] += 1
    total = len(job["todo"])
    started = job["position"] > 0
    return {
        "job": job,
        "rows": rows,
        "counts": counts,
        "total": total,
        "started": started,
        "done": started and job["position"] >= total,
        "percent": round(100 * job["position"] / total) if total else 100,
    }


@manager_view
def csv_preview(request, import_id):
    job = _job(request, import_id)
    return render(request, "reservations/imports/csv_preview.html", _job_context(job))


@require_POST
@manager_view
def csv_run(request, import_id):
    job = _job(request, import_id)
    owner = request.membership.owner
    batch = job["todo"][job["position"] : job["position"] + csv_import.BATCH]
    for index in batch:
        row = job["rows"][index]
        try:
            outcome = csv_import.csv_import_row(owner=owner, row=row, now=timezone.now())
        except ServiceError as exc:
            job["failed"].append({"line": row["line"], "message": exc.message})
        else:
            job[outcome] += 1
    job["position"] += len(batch)
    request.session[SESSION_KEY] = job
    if request.htmx:
        return render(request, "reservations/imports/csv_preview.html#progress", _job_context(job))
    return redirect("csv_preview", import_id=job["id"])
