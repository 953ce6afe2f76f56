"""What the benchmarks share: a throwaway database to fill, timing, and how times are told."""

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime


def configure() -> tuple[bool, str | None]:
    """Point Django at a throwaway database before it starts; True when it is a temp SQLite."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    # Throwaway keys for the encrypted fields (locks/crypto.py), as the tests have.
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "aW5ua2VlcGVyLWJlbmNoLWZpZWxkLWtleS0wMDAwMDA=")
    os.environ.setdefault("FIELD_HASH_KEY", "innkeeper-bench-hash-key-not-for-production-01234")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # django-q2 logs every enqueue at INFO
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")  # the benchmarks speak plain http
    if os.environ.get("DATABASE_URL"):
        return False, None
    folder = tempfile.mkdtemp(prefix="innkeeper-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    return True, folder


@contextmanager
def throwaway_database() -> Iterator[None]:
    """Django set up on a migrated throwaway database (see `configure`), dropped afterwards."""
    temporary, folder = configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    test_db = None
    if temporary:
        call_command("migrate", verbosity=0, interactive=False)
    else:
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        if test_db:
            connection.creation.destroy_test_db(test_db, verbosity=0)
        elif folder:
            connection.close()
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))
            os.rmdir(folder)


def built_in(build: Callable[[datetime], None], now: datetime) -> float:
    """Fill the database with `build(now)`, then its planner statistics; the seconds it took."""
    from django.db import connection

    started = time.perf_counter()
    build(now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum keeps them in production
    return time.perf_counter() - started


def database() -> str:
    """Which database the benchmark runs on, for its first line."""
    from django.db import connection

    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def seconds(times: list[float]) -> str:
    if len(times) == 1:
        return f"{times[0]:.3f} s"
    return f"best {min(times):.3f} s, median {statistics.median(times):.3f} s ({len(times)} runs)"


def innkeepers_own(queries: list[str]) -> list[str]:
    """Innkeeper's own queries: the simulated lock keeps its state in the same database, and
    its queries (and the transactions around them) stand for the lock's side of a call."""
    return [
        sql
        for sql in queries
        if "locks_simulated" not in sql and "SAVEPOINT" not in sql and sql != "BEGIN IMMEDIATE"
    ]
