"""Help translate the Lao catalog (prachum/locale/lo/LC_MESSAGES/django.po) without hand-editing it.

    make messages                                  # extract new strings into the catalog
    prachum lao-catalog status                     # how many entries are left to translate
    prachum lao-catalog todo > todo.json           # the untranslated and fuzzy entries, as JSON
    (write the Lao into each "msgstr" of todo.json)
    prachum lao-catalog fill todo.json             # put them into the catalog (checks placeholders)
    make messages                                  # normalise the file and compile the .mo

A plural entry has one Lao form (nplurals=1), so it takes one "msgstr" like any other entry.
"""

import json
import re
from collections import Counter
from io import BytesIO
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from django.core.management.base import BaseCommand, CommandError

import prachum

PO_PATH = Path(prachum.__file__).resolve().parent / "locale" / "lo" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d, %r … (printf style, "%%" is a literal percent sign) and {name} (str.format style).
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa%])|\{\w*\}")


def placeholders(text: str) -> Counter:
    """The placeholders in a msgid or msgstr, counted; positional ones also keep their order."""
    found = Counter()
    positional = []
    for match in PLACEHOLDER.finditer(text):
        if match.group("type") == "%":
            continue
        token = match.group(0)
        found[token] += 1
        if token.startswith("%") and match.group("name") is None:
            positional.append(token)
    found[("order", tuple(positional))] = 1
    return found


def msgids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def msgstrs(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def is_translated(message) -> bool:
    return not message.fuzzy and all(msgstrs(message))


def placeholder_problem(message) -> str | None:
    """Why the Lao of `message` does not keep the placeholders of its English, or None."""
    # Lao has one form, used for every number: it must carry the placeholders of the English plural.
    expected = placeholders(msgids(message)[-1])
    for string in msgstrs(message):
        if string and placeholders(string) != expected:
            want = sorted(k for k in expected if isinstance(k, str))
            got = sorted(k for k in placeholders(string) if isinstance(k, str))
            return f"placeholders {got} (in this order) where the English has {want}"
    return None


def read_catalog(path: Path = PO_PATH):
    with open(path, "rb") as fp:
        return read_po(fp)


def describe(message) -> str:
    text = f"msgid {msgids(message)[0]!r}"
    if message.pluralizable:
        text += f" (plural {msgids(message)[1]!r})"
    if message.context:
        text = f"msgctxt {message.context!r} {text}"
    return text


class Command(BaseCommand):
    help = "Count, list (as JSON) or fill the Lao catalog's untranslated entries."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="Count the entries and those still to translate.")
        sub.add_parser("todo", help="Print the untranslated and fuzzy entries as JSON.")
        fill = sub.add_parser("fill", help="Write the msgstr of each entry of a JSON file into the catalog.")
        fill.add_argument("json_file")

    def handle(self, *args, action, json_file=None, **options):
        catalog = read_catalog()
        if action == "status":
            entries = [m for m in catalog if m.id]
            left = [m for m in entries if not is_translated(m)]
            self.stdout.write(f"{PO_PATH}: {len(entries)} entries, {len(left)} to translate.")
            if left:
                self.stdout.write("See them with `prachum lao-catalog todo` (docs/translating.md).")
            return
        if action == "todo":
            todo = [
                {
                    "msgctxt": m.context,
                    "msgid": msgids(m)[0],
                    **({"msgid_plural": msgids(m)[1]} if m.pluralizable else {}),
                    "msgstr": "",
                    **({"fuzzy_guess": msgstrs(m)[0]} if m.fuzzy and msgstrs(m)[0] else {}),
                }
                for m in catalog
                if m.id and not is_translated(m)
            ]
            self.stdout.write(json.dumps(todo, ensure_ascii=False, indent=1))
            return
        self.fill(catalog, json.loads(Path(json_file).read_text(encoding="utf-8")))

    def fill(self, catalog, entries):
        problems, filled = [], 0
        for entry in entries:
            msgstr = entry.get("msgstr") or ""
            message = catalog.get(entry["msgid"], context=entry.get("msgctxt"))
            if message is None:
                problems.append(f"not in the catalog (run `make messages` first?): {entry['msgid']!r}")
                continue
            if not msgstr.strip():
                continue
            message.string = (msgstr,) if message.pluralizable else msgstr
            message.flags.discard("fuzzy")
            message.previous_id = []
            message.previous_context = None
            problem = placeholder_problem(message)
            if problem:
                problems.append(f"{describe(message)}: {problem}")
                continue
            filled += 1
        if problems:
            raise CommandError("Nothing written:\n" + "\n".join(problems))
        # Keep the file's own header; Babel would write its own.
        original = PO_PATH.read_text(encoding="utf-8")
        out = BytesIO()
        write_po(out, catalog, width=79, omit_header=True, include_previous=True)
        header = original.split("\n\n", 1)[0]
        PO_PATH.write_text(header + "\n\n" + out.getvalue().decode("utf-8").lstrip("\n"), encoding="utf-8")
        left = sum(1 for m in catalog if m.id and not is_translated(m))
        self.stdout.write(f"Filled {filled} entries; {left} still untranslated. Now run `make messages`.")
