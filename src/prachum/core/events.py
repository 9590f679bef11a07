"""Domain events: what happened to a registration, a check-in or a delegation, told to whoever listens.

A use case calls `emit(kind, meeting_id=…, subject_id=…, data=…)` INSIDE the transaction of the change it
tells of, at the one place the change happens (registration/services/events.py builds the data of a
registration). Apps above register a receiver at start-up (`register_receiver(fn)` in their AppConfig.ready;
the api app's writes one webhook delivery per matching hook), so this module, at the bottom of the layers,
imports none of them. A receiver runs in the caller's transaction: what it writes commits or rolls back with
the change, and it must not talk to the network (it hands work to the background engine after the commit).

The kinds: "registration.created", "registration.status_changed", "registration.cancelled",
"checkin.created", "delegation.submitted". `data` holds what a receiver may send on: ids, codes, names,
statuses — never a private manage link or token, never sensitive answers. It may be given as a function that
returns the dict: then it is built only when a receiver wants it (a meeting without webhooks pays one query
per event, not the payload's); receivers read it through `resolve(data)`.
"""

import contextlib
import contextvars
from typing import Callable

from django.db import connection

KINDS = (
    "registration.created",
    "registration.status_changed",
    "registration.cancelled",
    "checkin.created",
    "delegation.submitted",
)

_receivers: list[Callable] = []
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("prachum_events_batch", default=None)


@contextlib.contextmanager
def batch():
    """Around many emits in one transaction (an import of 5,000 rows): receivers may keep what they read
    once for the whole block in `batch_cache()` (the api's receiver reads a meeting's hooks once, not per row)."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def batch_cache() -> dict | None:
    """A dict that lives as long as the enclosing `batch()` block, or None outside one."""
    return _batch.get()


def register_receiver(function: Callable) -> None:
    """`function(kind, *, meeting_id, subject_id, data)`; registered once (a second ready() adds nothing)."""
    if function not in _receivers:
        _receivers.append(function)


def resolve(data: dict | Callable[[], dict]) -> dict:
    return data() if callable(data) else data


def emit(kind: str, *, meeting_id: int, subject_id: int | str, data: dict | Callable[[], dict]) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if not _receivers:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("emit() must run inside the transaction of the change it tells of")
    for receiver in list(_receivers):
        receiver(kind, meeting_id=meeting_id, subject_id=subject_id, data=data)
