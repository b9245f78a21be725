"""Running test code in real threads at once, each thread with its own database connection.

The in-memory SQLite test database exists per connection, so tests using this skip on SQLite
(the ``requires_shared_database`` fixture of tests/conftest.py) and run on PostgreSQL
(scripts/test-postgres.sh, CI).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def race(calls: list[Callable], *, timeout: float = 60) -> list:
    """Run each zero-argument callable in its own thread, all released together by a barrier;
    return what each returned or raised, in order. Each thread closes its connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def work(i, call):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = call()
        except BaseException as exc:  # noqa: BLE001 - recorded and checked by the test
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def race_each(work: Callable[[int], object], count: int, *, timeout: float = 60) -> list:
    """``race`` of ``work(0)`` ... ``work(count - 1)``."""
    return race([lambda i=i: work(i) for i in range(count)], timeout=timeout)


def raised(outcomes: list) -> list[BaseException]:
    """The exceptions among ``race``'s outcomes."""
    return [o for o in outcomes if isinstance(o, BaseException)]
