"""Every kind of AuditEvent the code records, and every field it writes by name in an event's before or
after, has a label for people (registered by its app, audit/kinds.py), in Lao too."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

import prachum
from prachum.audit.kinds import FIELD_LABELS, KIND_LABELS, kind_label

# The calls that record an AuditEvent, and where their kind is: a keyword `kind`, else this positional argument.
RECORDING_CALLS = {"record_audit": None, "audit": 1, "AuditEvent": None, "_change_status": None}
SOURCE = Path(prachum.__file__).resolve().parent


def recorded_kinds() -> dict[str, str]:
    """kind → where it is recorded, for every kind written as a string in a recording call (both branches
    of a conditional too) or in a module constant named *AUDIT_KIND."""
    kinds = {}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            expressions = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in RECORDING_CALLS:
                    expressions += [k.value for k in node.keywords if k.arg == "kind"]
                    position = RECORDING_CALLS[name]
                    if position is not None and len(node.args) > position:
                        expressions.append(node.args[position])
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "").endswith("AUDIT_KIND") for t in node.targets):
                expressions.append(node.value)
            for expression in expressions:
                for constant in ast.walk(expression):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                        kinds.setdefault(constant.value, f"{path.relative_to(SOURCE)}:{node.lineno}")
    return kinds


def recorded_fields() -> dict[str, str]:
    """field → where it is recorded, for every key written as a string in a dict given as `before` or
    `after` (a call's keyword); the fields of a model snapshot (meetings/setup.py) read as the model's."""
    fields = {}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg in ("before", "after") and isinstance(node.value, ast.Dict):
                for key in node.value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        fields.setdefault(key.value, f"{path.relative_to(SOURCE)}:{node.value.lineno}")
    return fields


def test_every_field_written_by_name_has_a_label():
    fields = recorded_fields()
    assert {"status", "members", "bytes", "wanted"} <= set(fields)  # the scan finds them
    missing = {name: where for name, where in fields.items() if name not in FIELD_LABELS}
    assert not missing, f"add these fields to FIELD_LABELS in prachum/audit/kinds.py: {missing}"


@pytest.mark.parametrize("name", sorted(FIELD_LABELS))
def test_every_field_label_reads_in_lao(name):
    with translation.override("en"):
        english = str(FIELD_LABELS[name])
    with translation.override("lo"):
        lao = str(FIELD_LABELS[name])
    assert lao != english and any("\u0e80" <= character <= "\u0eff" for character in lao)


def test_the_scan_finds_the_kinds_it_should():
    kinds = recorded_kinds()
    # A keyword, a positional argument, both branches of a conditional, a module constant.
    assert {"registration.approved", "registration.submitted", "delegation.submitted", "delegation.resubmitted",
            "news.unpublished", "invitation.created", "meeting.published"} <= set(kinds)


def test_every_recorded_kind_has_a_label():
    missing = {kind: where for kind, where in recorded_kinds().items() if kind not in KIND_LABELS}
    assert not missing, f"register these kinds (AUDIT_KINDS in the apps.py of the app recording them): {missing}"


@pytest.mark.parametrize("kind", sorted(KIND_LABELS))
def test_every_label_reads_in_lao(kind):
    with translation.override("en"):
        english = str(kind_label(kind))
    with translation.override("lo"):
        lao = str(kind_label(kind))
    assert lao != english and any("\u0e80" <= character <= "\u0eff" for character in lao)


def test_an_unknown_kind_reads_as_its_code():
    assert kind_label("something.new") == "something.new"


def test_two_apps_cannot_give_one_kind_two_labels():
    from django.core.exceptions import ImproperlyConfigured

    from prachum.audit.kinds import register_kinds

    register_kinds({"registration.approved": KIND_LABELS["registration.approved"]})  # the same again: harmless
    with pytest.raises(ImproperlyConfigured):
        register_kinds({"registration.approved": "Approved twice"})
    assert str(kind_label("registration.approved")) != "Approved twice"


def test_fields_and_values_read_as_words_in_the_pages_language():
    from prachum.audit.changes import field_name
    from prachum.audit.kinds import value_label

    with translation.override("en"):
        assert str(field_name(None, "status")) == "Status" and field_name(None, "something-old") == "something-old"
        assert str(value_label("registration.approved", "status", "waitlisted")) == "On the waiting list"
        assert str(value_label("meeting.published", "status", "closed")) == "Registration closed"
        assert str(value_label("registration.submitted", "participation", "in_person")) == "In person"
        assert str(value_label("role.given", "role", "checkin")) == "Check-in staff"
        assert str(value_label("badges.printed", "single", True)) == "Yes"
        assert value_label("registration.approved", "status", "something-old") == "something-old"
        assert value_label("registration.updated", "category", 7) == 7
    with translation.override("lo"):
        assert str(field_name(None, "status")) == "ສະຖານະ"
        assert str(value_label("registration.approved", "status", "pending")) == "ລໍຖ້າພິຈາລະນາ"


def test_a_loaded_files_counts_and_the_file_as_actor_read_as_words():
    from prachum.audit.kinds import actor_label, value_label

    counts = {"categories": {"created": 5}, "sessions": {"created": 4, "updated": 1}}
    with translation.override("en"):
        assert value_label("meeting.loaded", "changes", counts) == "categories: 5 created; sessions: 4 created, 1 updated"
        assert str(actor_label("meeting file adgsom.yaml")) == "the meeting file adgsom.yaml"
        assert str(actor_label("participant")) == "the participant" and actor_label("keo") == "keo"
    with translation.override("lo"):
        assert value_label("meeting.loaded", "changes", counts) == "ປະເພດຜູ້ເຂົ້າຮ່ວມ: ສ້າງໃໝ່ 5; ພາກປະຊຸມ: ສ້າງໃໝ່ 4, ປັບປຸງ 1"
        assert str(actor_label("meeting file adgsom.yaml")) == "ໄຟລ໌ກອງປະຊຸມ adgsom.yaml"
