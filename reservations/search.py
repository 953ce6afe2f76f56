"""Finding a stay by a piece of its guest's name or phone, from an index, in an estate of
100,000 stays.

A substring match has no B-tree index; both databases have a trigram one. PostgreSQL: pg_trgm's
GIN indexes on `UPPER(guest_name)` and `phone` (migration 0006), which serve Django's
`icontains` and `contains` as they are. SQLite: an FTS5 table with the trigram tokenizer,
`reservations_search` (the stay's id, name and phone), kept by triggers on the reservations
table; its LIKE is read from the index. Either index needs three characters: a shorter search
reads every stay, as before.

On SQLite, a migration that rebuilds the reservations table drops its triggers: such a
migration must run `SQLITE_TRIGGERS` again (the search tests fail otherwise).
"""

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS reservations_search "
    "USING fts5(reservation_id UNINDEXED, guest_name, phone, tokenize='trigram')"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS reservations_search_insert "
    "AFTER INSERT ON reservations_reservation BEGIN "
    "INSERT INTO reservations_search (reservation_id, guest_name, phone) "
    "VALUES (new.id, new.guest_name, new.phone); END",
    "CREATE TRIGGER IF NOT EXISTS reservations_search_update "
    "AFTER UPDATE OF guest_name, phone ON reservations_reservation BEGIN "
    "UPDATE reservations_search SET guest_name = new.guest_name, phone = new.phone "
    "WHERE reservation_id = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS reservations_search_delete "
    "AFTER DELETE ON reservations_reservation BEGIN "
    "DELETE FROM reservations_search WHERE reservation_id = old.id; END",
]
SQLITE_FILL = (
    "INSERT INTO reservations_search (reservation_id, guest_name, phone) "
    "SELECT id, guest_name, phone FROM reservations_reservation"
)
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS reservation_guest_trigrams ON reservations_reservation "
    "USING gin (UPPER(guest_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS reservation_phone_trigrams ON reservations_reservation "
    "USING gin (phone gin_trgm_ops)",
]
SHORTEST = 3  # a trigram index finds nothing shorter


def _indexed(column: str, text: str) -> Q:
    """Stays whose `column` holds `text`, from SQLite's trigram table."""
    found = RawSQL(
        f"SELECT reservation_id FROM reservations_search WHERE {column} LIKE %s", [f"%{text}%"]
    )
    return Q(pk__in=found)


def _indexable(text: str) -> bool:
    # LIKE's own wildcards in a search are rare: those searches read every stay instead.
    return connection.vendor == "sqlite" and len(text) >= SHORTEST and not set(text) & {"%", "_"}


def stay_match(q: str) -> Q:
    """A piece of a guest's name, or three or more digits of their phone."""
    q = q.strip()
    digits = "".join(ch for ch in q if ch.isdigit())
    match = _indexed("guest_name", q) if _indexable(q) else Q(guest_name__icontains=q)
    if len(digits) >= SHORTEST:
        match |= _indexed("phone", digits) if _indexable(digits) else Q(phone__contains=digits)
    return match
