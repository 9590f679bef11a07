"""Every management command that takes text or files from a person, run with hostile arguments and files:
it succeeds or stops with a CommandError that says what is wrong, never another exception."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import example, given, settings
from hypothesis import strategies as st

from prachum.testing.hostile import HOSTILE, TALLY, deep_json_text, hostile_json, hostile_text
from prachum.testing.world import World

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo" / "asean-japan-symposium-2020.yaml"
slugs = st.one_of(st.just("hx"), hostile_text().map(lambda t: t[:300]))
# A command line cannot carry NUL (execve refuses it): it can reach a command only through call_command.
arg = hostile_text().map(lambda t: t[:2000])


def run_command(command, *args, **options):
    """The command's outcome: "ok", or the CommandError's message; any other exception fails the test."""
    sid = transaction.savepoint()
    cache.clear()
    try:
        call_command(command, *args, stdout=io.StringIO(), stderr=io.StringIO(), **options)
        outcome = "ok"
    except CommandError as error:
        assert str(error).strip(), f"{command}: a CommandError without a message"
        outcome = str(error)
    except Exception as error:
        TALLY.add("commands", server_error=True, detail=f"{command}: {type(error).__name__}: {str(error)[:200]}")
        raise
    finally:
        transaction.savepoint_rollback(sid)
    TALLY.add("commands")
    return outcome


@pytest.fixture
def world(db):
    return World()


def test_create_administrator(world):
    @HOSTILE
    @given(email=arg, username=arg, given=arg, family=arg)
    def run(email, username, given, family):
        run_command("create_administrator", email=email, username=username, given_name=given, family_name=family)

    run()


def test_device_token(world):
    @HOSTILE
    @given(slug=slugs, name=arg, days=st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6)))
    def run(slug, name, days):
        run_command("device_token", slug, name=name, **({"days": days} if days is not None else {}))

    run()


def test_export_and_reports(world, tmp_path):
    @settings(HOSTILE, max_examples=max(4, HOSTILE.max_examples // 6))  # each writes three files (XLSX, PDF)
    @given(slug=slugs, columns=arg, status=arg, report=st.sampled_from(["lop", "attendance", "statistics"]),
           file_format=st.sampled_from(["xlsx", "csv", "pdf"]))
    def run(slug, columns, status, report, file_format):
        out = str(tmp_path / "out")
        run_command("export", slug, output=out, columns=columns, status=status,
                    file_format="csv" if file_format == "pdf" else file_format)
        run_command("report", report, slug, output=out, file_format="xlsx" if file_format == "csv" else file_format)
        run_command("news", slug)

    run()


def test_badges(world, tmp_path):
    @settings(HOSTILE, max_examples=max(3, HOSTILE.max_examples // 5))  # a PDF each
    @given(slug=slugs, categories=st.lists(arg, max_size=2))
    def run(slug, categories):
        run_command("badges", slug, output=str(tmp_path / "b.pdf"), category=categories or None)

    run()


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _leaves(inner, (*path, i))
    else:
        yield path


def _replace(document, path, new):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new


def meeting_files():
    """The demo symposium's file with some values replaced; hostile text; YAML nested very deep."""
    original = yaml.safe_load(DEMO.read_text())
    paths = list(_leaves(original))

    def edited(changes):
        document = yaml.safe_load(DEMO.read_text())
        for path, new in changes:
            _replace(document, path, new)
        return yaml.safe_dump(document, allow_unicode=True).encode()

    return st.one_of(
        st.lists(st.tuples(st.sampled_from(paths), hostile_json(max_leaves=4)), min_size=1, max_size=4).map(edited),
        hostile_text().map(lambda t: t.encode("utf-8", "surrogatepass")),
        deep_json_text(),
        st.integers(min_value=100, max_value=50_000).map(lambda n: b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(n))),
        st.binary(max_size=400),
    )


def test_load_meeting(world, tmp_path):
    @settings(HOSTILE, max_examples=max(8, HOSTILE.max_examples // 3))
    @given(content=meeting_files())
    @example(content=b"a: " + b"[" * 50_000 + b"]" * 50_000)  # deeper than Python's recursion limit
    @example(content=b"slug: x\ntitle: {en: \"\\0\"}\n")  # a NUL, written as YAML writes it
    def run(content):
        path = tmp_path / "meeting.yaml"
        path.write_bytes(content)
        run_command("load_meeting", str(path))

    run()


def table_files():
    rows = st.lists(st.lists(hostile_text().map(lambda t: t[:3000]), min_size=1, max_size=4), min_size=1, max_size=4)
    header = st.sampled_from([["email", "given_name", "family_name"], ["Email", "Name", "ຊື່"], []])

    def csv_bytes(head, body, encoding):
        text = "\r\n".join(",".join(f'"{c}"' for c in row) for row in [head, *body] if row)
        return text.encode(encoding, "replace")

    return st.one_of(
        st.builds(csv_bytes, header, rows, st.sampled_from(["utf-8", "utf-16", "cp874"])),
        st.sampled_from([b"", b"PK\x03\x04" + b"\x00" * 60, b"\xef\xbb\xbf", b"email\r\n\x00\x00\x00"]),
        st.binary(max_size=400),
    )


def test_invite(world, tmp_path):
    @settings(HOSTILE, max_examples=max(8, HOSTILE.max_examples // 3))
    @given(slug=slugs, content=table_files(), suffix=st.sampled_from([".csv", ".xlsx", ".txt", ""]),
           dry_run=st.booleans())
    def run(slug, content, suffix, dry_run):
        path = tmp_path / f"people{suffix}"
        path.write_bytes(content)
        run_command("invite", slug, str(path), dry_run=dry_run)

    run()


def test_load_organizations(world, tmp_path):
    @settings(HOSTILE, max_examples=max(8, HOSTILE.max_examples // 2))
    @given(content=st.one_of(hostile_json().map(lambda v: json.dumps(v).encode()), deep_json_text(),
                             st.binary(max_size=300)))
    def run(content):
        path = tmp_path / "organizations.json"
        path.write_bytes(content)
        run_command("load_organizations", file=str(path))

    run()


@pytest.mark.parametrize("content, message", [
    (b"\xc1\x00 not UTF-8", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_load_organizations_says_what_is_wrong_with_the_file(db, tmp_path, content, message):
    path = tmp_path / "organizations.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("load_organizations", file=str(path), stdout=io.StringIO())


@pytest.mark.parametrize("command, args, options", [
    ("device_token", [], {}), ("badges", [], {"output": "-"}), ("export", [], {"output": "-"}),
    ("report", ["lop"], {"output": "-"}), ("news", [], {}), ("invite", ["people.csv"], {"dry_run": True}),
])
def test_a_short_name_with_a_nul_is_no_meeting(world, command, args, options):
    """PostgreSQL refuses NUL in any text, also in a query: the commands said so with a DataError."""
    args = ["hx\x00", *args] if command != "report" else [*args, "hx\x00"]
    with pytest.raises(CommandError, match="No meeting"):
        call_command(command, *args, stdout=io.StringIO(), stderr=io.StringIO(), **options)


def archive_files():
    """A backup's archive as a hostile sender makes it: random bytes, or a tar with hostile member names,
    types and a hostile manifest."""
    member_types = st.sampled_from([tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE,
                                    tarfile.CHRTYPE, tarfile.FIFOTYPE])
    names = st.one_of(hostile_text().map(lambda t: t[:200]),
                      st.sampled_from(["../x", "/etc/x", "media/../../x", "media/a", "manifest.json", "keys/x"]))

    def tar_bytes(members, manifest):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, kind in [("manifest.json", tarfile.REGTYPE), *members]:
                data = json.dumps(manifest).encode() if name == "manifest.json" else b"x"
                info = tarfile.TarInfo(name.replace("\x00", "") or "x")
                info.type, info.linkname = kind, "/etc/passwd"
                info.size = len(data) if kind == tarfile.REGTYPE else 0
                tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        return buffer.getvalue()

    return st.one_of(
        st.builds(tar_bytes, st.lists(st.tuples(names, member_types), max_size=3), hostile_json(max_leaves=6)),
        st.binary(max_size=2000),
    )


def test_backup_and_restore(world, tmp_path):
    @settings(HOSTILE, max_examples=max(6, HOSTILE.max_examples // 3))
    @given(output=arg, content=archive_files(), archive=arg, flags=st.sampled_from([{}, {"replace": True},
                                                                                   {"force": True}]))
    def run(output, content, archive, flags):
        # Backups go inside out/ whatever the name (never into the checkout or "/"), and no restore reads from
        # there: a real backup restored with --replace would overwrite the test's own database.
        run_command("backup", output=f"{tmp_path}/out/{output.replace('..', '_')}", language="en")
        path = tmp_path / "in" / "hostile.tar"
        path.write_bytes(content)
        run_command("restore", str(path), yes=True, language="lo", **flags)
        run_command("restore", f"{tmp_path}/in/{archive.replace('..', '_')}", yes=True, language="en", **flags)

    (tmp_path / "out").mkdir()
    (tmp_path / "in").mkdir()

    run()
