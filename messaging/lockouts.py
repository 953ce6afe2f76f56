"""A guest locked out at check-in gets a backup for that door by SMS, once, by themselves.

`reservations.entries` raises the lockout (wrong PINs at the stay's door, no entry since) once
per stay and door; this texts the guest a backup for that door through the front desk's own
flow (a backup pulled from the door's pool, then the backup message), when the owner turned it
on, and records on the lockout what was done or why nothing could be.
"""

from datetime import datetime

from backups.services import reservation_backups_give
from locks.errors import ServiceError
from messaging.models import Message
from messaging.owner_settings import CONNECT_TWILIO, messaging_settings, sms_connected
from messaging.sending import message_queue
from reservations.entries import entry_alert_help_record


def lockout_backup_text(*, alert, now: datetime) -> None:
    stay, lock = alert.reservation, alert.lock
    if not messaging_settings(alert.owner).lockout_text_backup:
        return  # the front desk sees the alert and decides
    if not stay.phone:
        entry_alert_help_record(
            alert=alert, help_given="No backup was texted: the stay has no mobile number.", now=now
        )
        return
    try:
        given = reservation_backups_give(reservation=stay, now=now, lock=lock)
        backups = [door.backup for door in given if door.backup is not None]
        if not backups:
            problems = " ".join(door.problem for door in given if door.problem)
            raise ServiceError(problems or f"{lock.name} has no guest code of this stay.")
        message_queue(reservation=stay, kind=Message.Kind.BACKUP, now=now, backup_codes=backups)
    except ServiceError as exc:
        entry_alert_help_record(
            alert=alert, help_given=f"No backup could be texted: {exc.message}", now=now
        )
        return
    help_given = f"A backup code for {lock.name} was texted to the guest automatically."
    if not sms_connected(alert.owner):
        help_given = (
            f"A backup code for {lock.name} was kept in the Outbox, not texted: no SMS service "
            f"is connected. {CONNECT_TWILIO}"
        )
    entry_alert_help_record(alert=alert, help_given=help_given, now=now)
