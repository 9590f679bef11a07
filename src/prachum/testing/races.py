"""Run callables at the same moment, one thread each, for tests of races against a real database."""

import threading

from django.db import connection


def race(jobs, *, allowed=(Exception,)):
    """Start every callable of `jobs` at once (a barrier) and return what each returned or raised, in order.

    Each thread closes its database connection at the end. An exception that is not one of `allowed`
    fails the test (pass the exceptions the use case may answer with, to catch the others)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i):
        try:
            barrier.wait(timeout=60)
            results[i] = jobs[i]()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, allowed)]
    assert not unexpected, unexpected
    return results
