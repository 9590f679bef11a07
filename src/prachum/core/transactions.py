"""Use cases that own their transaction, and may also run inside a caller's.

    @use_case
    def reject_registration(*, registration_id, ...): ...

    reject_registration(registration_id=1)                    # its own durable transaction
    with transaction.atomic():                                # an all-or-nothing batch, or a use case
        check_focal_point(...)                                # that checks something first
        reject_registration.in_transaction(registration_id=1)

A durable transaction refuses to be nested, which is right for a web request's one change (its commit is
the change's commit, its after-commit work runs then) and wrong for a batch that must save every row or
none. `in_transaction` runs the same body in the caller's transaction, which must be open.
"""

import functools

from django.db import connection, transaction


def use_case(function):
    @functools.wraps(function)
    def durable(*args, **kwargs):
        with transaction.atomic(durable=True):
            return function(*args, **kwargs)

    @functools.wraps(function)
    def in_transaction(*args, **kwargs):
        if not connection.in_atomic_block:
            raise RuntimeError(f"{function.__name__}.in_transaction must run inside the caller's transaction")
        return function(*args, **kwargs)

    durable.in_transaction = in_transaction
    return durable
