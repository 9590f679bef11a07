"""Hostile input for tests: hypothesis strategies for text and values a person (or a script) may send, the
forms of a page as a browser would find them, and a tally of what was tried.

The text mixes what real Lao users type (ຄຳ in its two spellings, ໜ and ຫນ, Lao digits) with what breaks
software: NUL and other control characters, bidi overrides, zero-width characters, format codes and markup,
very long strings, and any non-surrogate Unicode. `HOSTILE` is the hypothesis settings of every hostile test
(PRACHUM_HOSTILE_EXAMPLES raises the count for a longer run)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE = settings(
    max_examples=int(os.environ.get("PRACHUM_HOSTILE_EXAMPLES", "25")),
    deadline=None,
    database=None,  # nothing written to the checkout; a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

LAO = ["ຄຳ", "ຄໍາ", "ໜ", "ຫນ", "ໝ", "ຫມ", "ແກ້ວ", "ສົມສັກ ອິນທະວົງ", "ລາວ", "໐໑໒໓໔໕໖໗໘໙", "ເ", "ໂ", "\u0ecd\u0eb2"]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9b", "\r", "\n", "\t", "\r\n"]
BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
EMOJI = ["😀", "👨\u200d👩\u200d👧", "🇱🇦", "🏳️\u200d🌈", "\U0001f9d1\U0001f3fd\u200d\U0001f4bb"]
TRICKS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "{% debug %}", "{given_name:d}",
    "{given_name:>1000000}", "{0.__class__}", "%(given_name)s", "%s%s%s%n", "=HYPERLINK(\"http://x\")", "+1+1",
    "-2+3", "@SUM(1)", "\r\nBcc: victim@example.org", "../../../../etc/passwd", "' OR '1'='1' --", "\\", "%00",
    "${jndi:ldap://x}", "lao@ຄຳ.ລາວ", "lao@ຄໍາ.ລາວ", "a@b", "@", "0", "-1", "99999999999999999999", "1e309", "NaN",
    "null", "true", "[]", "{}", "2026-02-30", "9999-12-31", "\u3000", "\u00a0", "ǅ", "ﬁ", "Ⅻ", "ｆｕｌｌ",
]
LONG = ["ຄ" * 10_001, "a" * 20_000, "ຄຳ\u200b" * 5_000, "\x00" * 10_000, "😀" * 12_000, "<b>" * 4_000]

_atom = st.one_of(
    st.sampled_from(LAO), st.sampled_from(CONTROLS), st.sampled_from(BIDI), st.sampled_from(ZERO_WIDTH),
    st.sampled_from(EMOJI), st.sampled_from(TRICKS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)


def hostile_text() -> st.SearchStrategy[str]:
    """A string of hostile pieces (sometimes 10,000+ characters); never lone surrogates (no UTF-8 can carry them)."""
    return st.one_of(
        st.lists(_atom, min_size=1, max_size=8).map("".join),
        st.sampled_from(LONG),
        st.just(""),
    )


def hostile_json(max_leaves: int = 12) -> st.SearchStrategy:
    """A JSON value: hostile strings and numbers, nested in lists and objects (and, now and then, very deep)."""
    leaf = st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False), hostile_text(),
    )
    nested = st.recursive(
        leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text(), inner, max_size=4),
        max_leaves=max_leaves,
    )
    deep = st.integers(min_value=21, max_value=400).map(_nest)  # deeper ones: deep_json_text()
    return st.one_of(nested, nested, nested, deep)


def deep_json_text() -> st.SearchStrategy[bytes]:
    """JSON nested far deeper than Python's recursion limit (json.dumps could not write it)."""
    return st.integers(min_value=900, max_value=200_000).flatmap(lambda n: st.sampled_from([
        b"[" * n + b"]" * n, b'{"a":' * n + b"1" + b"}" * n, b'{"items":' + b"[" * n + b"]" * n + b"}",
    ]))


def _nest(depth: int):
    value: object = "ຄຳ"
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


def hostile_form_value() -> st.SearchStrategy:
    """What one form field may receive: a string, or the same key repeated."""
    return st.one_of(hostile_text(), hostile_text(), st.lists(hostile_text(), min_size=2, max_size=3))


# -- the forms of a page, as a browser sees them ---------------------------------------------------------------------

@dataclass
class Field:
    name: str
    kind: str  # the input's type, or "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def data(self) -> dict[str, list[str]]:
        """What the browser sends unchanged: hidden and filled fields, checked boxes, a select's first option."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("submit", "button", "image", "reset", "file"):
                continue
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            value = f.value if f.kind != "select" else (f.value or next((o for o in f.options if o), ""))
            data.setdefault(f.name, []).append(value)
        return data

    def text_fields(self) -> list[str]:
        return sorted({f.name for f in self.fields if f.kind not in ("hidden", "submit", "button", "image", "reset", "file")
                       and f.name not in ("csrfmiddlewaretoken",)})

    def choices(self, name: str) -> list[str]:
        """The values a browser could send for `name`: a select's options, radio buttons' and checkboxes' values."""
        values = []
        for f in self.fields:
            if f.name == name:
                values += f.options if f.kind == "select" else [f.value] if f.kind in ("radio", "checkbox") else []
        return values

    def file_fields(self) -> list[str]:
        return sorted({f.name for f in self.fields if f.kind == "file"})


class _FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path, self.forms, self._form, self._select, self._textarea = page_path, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
            return
        if tag == "form":
            action = a.get("action") or self.page_path
            if action.startswith("#"):
                action = self.page_path
            elif action.startswith("?"):
                action = self.page_path.split("?")[0] + action
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(Field(a["name"], kind, a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                                           checked="checked" in a))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "button":
            self._form.fields.append(Field(a["name"], "button", a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def forms_in(html: str, page_path: str) -> list[Form]:
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


# -- what was tried -------------------------------------------------------------------------------------------------

class Tally:
    """Inputs tried and server errors met, per test and for the session (printed by the hostile conftest)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.tried: dict[str, int] = {}
        self.errors: list[str] = []

    def add(self, what: str, *, server_error: bool = False, detail: str = ""):
        with self._lock:
            self.tried[what] = self.tried.get(what, 0) + 1
            if server_error:
                self.errors.append(f"{what}: {detail}"[:500])

    @property
    def total(self) -> int:
        return sum(self.tried.values())


TALLY = Tally()
