"""A job whose pace the test sets, for tests that kill the worker running it (jobs run in another process).

`gated_emails(job, addresses=[...], gate="/tmp/dir")` writes one email per address into the outbox, each in
its own transaction with its checkpoint, and before each step waits until the file `<gate>/<step>` exists:
the test opens the gates one by one and knows where the worker stands when it kills it."""

import time
from pathlib import Path

from django.db import transaction

from prachum.core.outbox import RenderedEmail, queue_message


def gated_emails(job, *, addresses: list, gate: str, timeout: float = 120.0) -> dict:
    step = job.checkpoint.get("next", 0)
    while step < len(addresses):
        deadline = time.monotonic() + timeout
        while not (Path(gate) / str(step)).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"gate {step} stayed shut")
            time.sleep(0.05)
        with transaction.atomic():
            queue_message(kind="test.gated", to_email=addresses[step], language="en",
                          rendered=RenderedEmail(subject=f"Step {step}", text=f"Step {step} of a gated job."))
            job.save_checkpoint({"next": step + 1})
        step += 1
        job.report(step, len(addresses))
    return {"steps": len(addresses)}
