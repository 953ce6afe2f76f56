"""What needs a person's attention across an owner's locks, most urgent first.

Alerts are not stored: they are read from what is known now, in a constant number of queries.
- `ranking`: which problems are open and their order, worked out from light rows; only the
  alerts read are written (`OpenAlerts`: the Alerts page writes one page of them);
- `words`: what each alert says (`Alert`);
- `emails`: urgent (red) alerts emailed to the owner's `alert_email`, once each until they clear.
"""

from reservations.alerts.emails import alerts_email, alerts_email_due
from reservations.alerts.ranking import SOON, OpenAlerts, door_trouble, open_alerts
from reservations.alerts.words import AMBER, RED, Alert

__all__ = [
    "AMBER",
    "RED",
    "SOON",
    "Alert",
    "OpenAlerts",
    "alerts_email",
    "alerts_email_due",
    "door_trouble",
    "open_alerts",
]
