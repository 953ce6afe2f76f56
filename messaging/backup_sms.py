"""Backup codes by SMS: the front desk's one click when a guest cannot get in."""

from datetime import datetime

from backups.services import reservation_backups_give
from locks.errors import ServiceError
from messaging.models import Message
from messaging.sending import message_queue
from reservations.models import Reservation

Kind = Message.Kind


def backup_codes_send(*, reservation: Reservation, now: datetime, sent_by=None):
    """The front desk's one click: pull a backup for every door and text them to the guest."""
    given = reservation_backups_give(reservation=reservation, now=now, every_door=True)
    backups = [door.backup for door in given if door.backup is not None]
    if not backups:
        raise ServiceError(
            "No backup code could be given: "
            + " ".join(door.problem for door in given if door.problem)
        )
    message = message_queue(
        reservation=reservation, kind=Kind.BACKUP, now=now, backup_codes=backups, sent_by=sent_by
    )
    return message, given
