"""Run one action from several threads at the same moment, each with its own connection."""

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(action: Callable[[], object], times: int = 2) -> list[Exception]:
    """Start `action` in `times` threads released together; return what any of them raised."""
    barrier = threading.Barrier(times)
    errors: list[Exception] = []

    def run():
        try:
            barrier.wait()
            action()
        except Exception as exc:  # surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
