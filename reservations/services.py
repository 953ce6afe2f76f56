"""Transitional: the two names locks/ still imports from here, while locks/ is restructured.

Reservations' writes live by sub-domain: stays in `reservations.stays`, the stay's PIN and its
guest codes in `reservations.guest_codes`, phone numbers in `reservations.phones`. Import from
those; this module goes once `locks.services` and `locks`' `seed_demo` command import
`guest_codes_resync` and `reservation_create` from their homes.
"""

from reservations.guest_codes import guest_codes_resync
from reservations.stays import reservation_create

__all__ = ["guest_codes_resync", "reservation_create"]
