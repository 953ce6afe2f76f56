"""Backup codes in the dashboard: a lock's pool (managers), a manual backup (managers), and the
front desk's one click when a guest cannot get in.

A backup's PIN reaches the front desk only once it is given to a stay: they read it out to the
guest. Until then only a manager sees it, through the recorded reveal on the lock page.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backups import services
from backups.selectors import backup_offered
from locks import selectors as locks
from locks.errors import ServiceError
from locks.forms import BackupPoolForm
from locks.tenancy.decorators import (
    manager_post,
    member_view,
    owned_or_404,
)
from reservations import selectors as stays


def _lock(request, lock_id):
    return owned_or_404(locks.lock_get, request, lock_id, "No such lock.")


def _reservation(request, reservation_id):
    return owned_or_404(stays.reservation_get, request, reservation_id, "No such reservation.")


def _to_backups(lock):
    return redirect(reverse("lock_detail", args=[lock.pk]) + "#backups")


@manager_post
def pool_update(request, lock_id):
    lock = _lock(request, lock_id)
    form = BackupPoolForm(request.POST, lock=lock)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return _to_backups(lock)
    enabled = form.cleaned_data["enabled"]
    try:
        services.backup_pool_enable(
            lock=lock, now=timezone.now(), enabled=enabled, size=form.size_for_lock()
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        target = lock.backup_pool_target(lock.owner)
        messages.success(
            request,
            f"“{lock.name}” keeps {target} backup code{'s' if target != 1 else ''} ready; "
            "they go on the lock now."
            if enabled
            else f"“{lock.name}” keeps no backup codes now; the waiting ones come off the lock. "
            "Backups already given to guests keep working until their stay ends.",
        )
    return _to_backups(lock)


@manager_post
def backup_generate(request, lock_id):
    """One click: a new backup goes on the lock at once; its PIN shows once it is there."""
    lock = _lock(request, lock_id)
    try:
        services.backup_generate(lock=lock, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"A backup code is being programmed on “{lock.name}”. Once it is on the lock, "
            "“Reveal” beside it shows its PIN.",
        )
    return _to_backups(lock)


@member_view
@require_POST
def backups_give(request, reservation_id):
    """A guest cannot get in: a backup on every door of their stay, each PIN to read out.

    Clicking again gives the same backups. On Today the answer opens in a panel (`backup-answer`)
    that the page's refresh leaves alone; on the stay's page it replaces the backups card.
    """
    stay = _reservation(request, reservation_id)
    now = timezone.now()
    given, refused = [], ""
    if not backup_offered(stay, now):
        refused = (
            "Backup codes are given from the day of arrival until the stay ends: a backup opens "
            "the door from the moment it is given."
        )
    else:
        try:
            given = services.reservation_backups_give(reservation=stay, now=now, every_door=True)
        except ServiceError as exc:
            refused = exc.message
    # The room's own doors first, as on the stay's page.
    given.sort(key=lambda door: (door.lock.unit_id is None, door.lock.name))
    target = request.htmx.target if request.htmx else None
    if target == "backup-answer":
        context = {"stay": stay, "given": given, "refused": refused}
        return render(request, "backups/_given.html", context)
    if target == "stay-backups":
        stay = stays.reservation_get(stay.owner, stay.pk)  # with the backups just given
        context = {
            "stay": stay,
            "tz": stay.unit.property.tz,
            "now": now,
            "state": stays.guest_code_state(stay, now),
            "can_give_backup": backup_offered(stay, now),
            "given": given,
            "refused": refused,
        }
        return render(request, "reservations/detail.html#stay-backups", context)
    if refused:
        messages.error(request, refused)
    for door in given:
        if door.problem:
            messages.error(request, door.problem)
    if any(door.backup for door in given):
        messages.success(
            request, f"Backup codes for {stay.guest_name} are below: read them out to the guest."
        )
    return redirect(reverse("reservation_detail", args=[stay.pk]) + "#stay-backups")
