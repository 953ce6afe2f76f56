"""Outgoing webhooks: every event recorded for an owner pushed to the endpoints that want it,
signed as Seam signs, from a queue of deliveries written before they are sent.

- `endpoints`: an owner's endpoints (create, change, delete, switch back on);
- `fanout`: the deliveries of events just recorded (called by `locks.records` and
  `locks.door_events`, in the event's own transaction);
- `delivery`: claiming, sending, retrying, giving up; the tick's and the tasks' entry points;
- `signing`: Seam's (Svix's) signature.
"""
