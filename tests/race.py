"""Threads released at the same instant, for the tests of what must happen once under a race."""

import threading

import pytest
from django.db import connection


def on_postgresql(cannot_race: str) -> list:
    """A race test's marks: PostgreSQL, real transactions; skipped on SQLite, which serialises
    writers, saying what therefore `cannot_race`."""
    return [
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason=f"SQLite serialises writers, so {cannot_race}; runs on PostgreSQL",
        ),
    ]


def at_once(workers: int, work) -> tuple[list, bool]:
    """Run `work(n)` in `workers` threads released together. Returns what each returned or the
    exception it raised (None if it never finished), and whether every thread finished."""
    barrier = threading.Barrier(workers)
    outcomes = [None] * workers

    def worker(n):
        try:
            barrier.wait(timeout=10)
            outcomes[n] = work(n)
        except Exception as exc:
            outcomes[n] = exc
        finally:
            connection.close()  # each thread has its own connection; leave none behind

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, not any(thread.is_alive() for thread in threads)
