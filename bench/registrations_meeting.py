"""The meetings bench/registrations.py registers for, one per measured run, loaded from a meeting file; and the
check afterwards that the database holds exactly what the server answered 303 for, each with one outbox message.
"""

from __future__ import annotations

import json
import time

import harness as bench
from harness import log

MEETING_YAML = """\
# Made by bench/registrations.py for one measured run; not part of the product.
slug: {slug}
title: {{lo: ກອງປະຊຸມທົດລອງການລົງທະບຽນ, en: "Registration benchmark ({slug})"}}
format: in_person
status: published
time_zone: Asia/Vientiane
default_language: lo
starts: "+30d 09:00"
ends: "+31d 16:00"
venue: {{lo: ນະຄອນຫຼວງວຽງຈັນ, en: Vientiane}}
registration:
  mode: open
  opens: "-1d 00:00"
  closes: "+29d 17:00"
  capacity: {capacity}
  show_seats_left: true
  allows_free_text_organization: true
privacy_notice:
  en: Benchmark data, deleted with the benchmark's database.
sessions:
  - title: {{lo: ມື້ທີ 1, en: Day 1}}
    starts: "+30d 09:00"
    ends: "+30d 17:00"
  - title: {{lo: ມື້ທີ 2, en: Day 2}}
    starts: "+31d 09:00"
    ends: "+31d 16:00"
categories:
  - code: observer
    name: {{lo: ຜູ້ສັງເກດການ, en: Observer}}
    needs_approval: false
  - code: delegate
    name: {{lo: ຜູ້ແທນ, en: Delegate}}
    needs_approval: true
{questions}"""

QUESTIONS_YAML = """\
questions:
  - key: dietary
    kind: choice
    label: {lo: ຄວາມຕ້ອງການດ້ານອາຫານ, en: Dietary requirements}
    required: true
    choices:
      - {value: none, lo: ບໍ່ມີ, en: None}
      - {value: vegetarian, lo: ອາຫານມັງສະວິລັດ, en: Vegetarian}
      - {value: halal, lo: ອາຫານຮາລານ, en: Halal}
  - key: arrival
    kind: text
    label: {lo: ຖ້ຽວບິນທີ່ມາຮອດ, en: Arrival flight}
"""

CATEGORY_IDS = """
import json
from prachum.meetings.models import Category
print(json.dumps({c.code: c.pk for c in Category.objects.filter(meeting__slug=%r)}))
"""

# What the database holds after the runs, per meeting (printed as one JSON line by `prachum shell -c`).
VERIFY = """
import json
from django.db.models import Count
from django.db.models.functions import Lower
from prachum.notify.models import Message
from prachum.registration.models import Answer, Registration
out = {}
for slug in %r:
    regs = Registration.objects.filter(meeting__slug=slug)
    msgs = Message.objects.filter(meeting__slug=slug)
    per_registration = msgs.values("registration").annotate(n=Count("pk")).values_list("n", flat=True)
    out[slug] = dict(
        registrations=regs.count(),
        distinct_emails=regs.annotate(e=Lower("email")).values("e").distinct().count(),
        distinct_form_tokens=regs.values("client_token").distinct().count(),
        statuses=dict(regs.values_list("status").annotate(n=Count("pk")).order_by()),
        categories=dict(regs.values_list("category__code").annotate(n=Count("pk")).order_by()),
        answers=Answer.objects.filter(registration__meeting__slug=slug).count(),
        messages=msgs.count(),
        messages_without_registration=msgs.filter(registration__isnull=True).count(),
        registrations_with_a_message=msgs.exclude(registration__isnull=True).values("registration").distinct().count(),
        most_messages_of_one_registration=max(per_registration, default=0),
        message_statuses=dict(msgs.values_list("status").annotate(n=Count("pk")).order_by()),
        message_kinds=dict(msgs.values_list("kind").annotate(n=Count("pk")).order_by()),
        emails=sorted(regs.values_list("email", flat=True)),
    )
print(json.dumps(out))
"""

UNSENT = """
from prachum.notify.models import Message
print(Message.objects.filter(status__in=["queued", "sending"]).count())
"""


# ---------------------------------------------------------------------------- one database


def make_meeting(site: bench.Site, slug: str, *, questions: int, capacity: int) -> dict:
    """A published open meeting from a meeting file (prachum load-meeting); returns {category code: id}."""
    path = site.data_dir / f"{slug}.yaml"
    path.write_text(MEETING_YAML.format(slug=slug, capacity=capacity, questions=QUESTIONS_YAML if questions else ""))
    if site.prachum("load-meeting", str(path), quiet=True).returncode != 0:
        raise RuntimeError(f"prachum load-meeting {path} failed")
    categories = json.loads(site.shell_value(CATEGORY_IDS % slug) or "{}")
    if set(categories) != {"observer", "delegate"}:
        raise RuntimeError(f"meeting {slug}: categories {categories}")
    return categories


def prepare(site: bench.Site) -> None:
    t0 = time.monotonic()
    log(f"  [{site.name}] prachum migrate; prachum collectstatic")
    if site.prachum("migrate", "--noinput", quiet=True).returncode != 0:
        raise RuntimeError("prachum migrate failed")
    if site.prachum("collectstatic", "--noinput", quiet=True).returncode != 0:
        raise RuntimeError("prachum collectstatic failed")
    log(f"  [{site.name}] ready in {time.monotonic() - t0:.0f} s")


def verify(site: bench.Site, registered: dict) -> dict:
    """Every 303 is one registration with one message; nothing else is there."""
    slugs = sorted(registered)
    deadline = time.monotonic() + 60  # messages are held by the workers' background threads after the commit
    while (unsent := site.shell_value(UNSENT)) not in ("0", "") and time.monotonic() < deadline:
        time.sleep(1)
    found = json.loads(site.shell_value(VERIFY % (slugs,)) or "{}")
    problems = []
    total = 0
    for slug in slugs:
        want, got = registered[slug], found.get(slug, {})
        expected = len(want["emails"])
        total += expected
        checks = {
            "registrations": (got.get("registrations"), expected),
            "distinct emails": (got.get("distinct_emails"), expected),
            "distinct form tokens": (got.get("distinct_form_tokens"), expected),
            "approved": (got.get("statuses", {}).get("approved", 0), want["auto"]),
            "pending": (got.get("statuses", {}).get("pending", 0), want["approval"]),
            "answers": (got.get("answers"), expected * (2 if want["questions"] else 0)),
            "messages": (got.get("messages"), expected),
            "registrations with a message": (got.get("registrations_with_a_message"), expected),
            "most messages of one registration": (got.get("most_messages_of_one_registration"), 1 if expected else 0),
            "held messages": (got.get("message_statuses", {}).get("held", 0), expected),
            "'confirmed' messages": (got.get("message_kinds", {}).get("registration.confirmed", 0), want["auto"]),
            "'received' messages": (got.get("message_kinds", {}).get("registration.received", 0), want["approval"]),
        }
        for what, (value, wanted) in checks.items():
            if value != wanted:
                problems.append(f"{slug}: {what} {value}, expected {wanted}")
        if set(got.get("emails", [])) != want["emails"]:
            problems.append(f"{slug}: the registered emails differ from the 303s "
                            f"({len(set(got.get('emails', [])) - want['emails'])} extra, "
                            f"{len(want['emails'] - set(got.get('emails', [])))} missing)")
    if unsent not in ("0", ""):
        problems.append(f"{unsent} message(s) still queued or sending after 60 s")
    return {"meetings": len(slugs), "registrations": total, "problems": problems,
            "found": {s: {k: v for k, v in found.get(s, {}).items() if k != "emails"} for s in slugs}}
