"""Urgent alerts emailed to the owner's `alert_email`, once each until they clear."""

import logging
import smtplib
from datetime import datetime

from django.core.mail import send_mail

from locks.models import AlertNotice, Owner
from reservations.alerts.ranking import OpenAlerts
from reservations.alerts.words import RED, Alert

log = logging.getLogger(__name__)


def alerts_email(*, owner: Owner, now: datetime) -> int:
    """Email the owner's red alerts that are new, once each; returns how many were sent.

    An alert that has cleared is forgotten, so it is emailed again if it comes back.
    """
    if not owner.alert_email:
        return 0
    urgent = {a.key: a for a in OpenAlerts(owner, now).urgent() if a.severity == RED}
    notices = AlertNotice.objects.filter(owner=owner)
    notices.exclude(key__in=list(urgent)).delete()
    already = set(notices.values_list("key", flat=True))
    new = [a for key, a in urgent.items() if key not in already]
    if not new:
        return 0
    try:
        send_mail(_subject(owner, new), _body(owner, new), None, [owner.alert_email])
    except (smtplib.SMTPException, OSError) as exc:
        # Not recorded as sent, so the next run tries again.
        log.warning("Could not email alerts to %s's alert address: %s", owner.slug, exc)
        return 0
    AlertNotice.objects.bulk_create(
        [AlertNotice(owner=owner, key=a.key, title=a.title[:300], sent_at=now) for a in new]
    )
    return len(new)


def alerts_email_due(*, now: datetime) -> int:
    """Every owner with an alert address (run with device discovery, every few minutes)."""
    return sum(
        alerts_email(owner=owner, now=now) for owner in Owner.objects.exclude(alert_email="")
    )


def _subject(owner: Owner, alerts: list[Alert]) -> str:
    if len(alerts) == 1:
        return f"Innkeeper: {alerts[0].title}"
    return f"Innkeeper: {len(alerts)} urgent problems at {owner.name}"


def _body(owner: Owner, alerts: list[Alert]) -> str:
    blocks = [f"{a.title}\n{a.detail}\nWhat to do: {a.action}" for a in alerts]
    return (
        f"Urgent at {owner.name}:\n\n"
        + "\n\n".join(blocks)
        + "\n\nThe Alerts page in Innkeeper lists every open problem. You get each urgent alert "
        "once; if it clears and comes back, you get it again.\n"
    )
