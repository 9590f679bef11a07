"""Reading YAML with line numbers: every value knows its line and its path in the file.

The file is composed to YAML nodes (`yaml.compose`), not loaded to Python objects,
so that a wrong value can be reported as `adgsom.yaml, line 42, categories[2].quota:
must be a whole number ≥ 0, not 'ten'`. Scalars are read from their source text,
so YAML 1.1's surprises (`NO` → false, `14:00` → 840) never happen: a field that
wants text gets the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from prachum.core.plain_text import is_control_character

NULL_TAG = "tag:yaml.org,2002:null"

TRUE_WORDS = {"true", "yes", "on"}
FALSE_WORDS = {"false", "no", "off"}
WHOLE_NUMBER = re.compile(r"^[0-9]+$")


class MeetingFileError(Exception):
    """A meeting file is wrong. The message names the file, the line and the field."""

    def __init__(self, problem: str, *, filename: str, line: int | None = None, path: str = "", code: str = "bad_value"):
        self.problem = problem
        self.filename = filename
        self.line = line
        self.path = path
        self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = self.filename
        if self.line is not None:
            where += f", line {self.line}"
        if self.path:
            where += f", {self.path}"
        return f"{where}: {self.problem}"

    def __str__(self):
        return self.message


def shown(value: str, limit: int = 60) -> str:
    """A value quoted for an error message, shortened when long."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(text)


def compose(text: str, filename: str) -> "Node":
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot be read"
        if exc.context and exc.problem:
            context = exc.context
            if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
                context += f" that starts on line {exc.context_mark.line + 1}"
            problem = f"{context}, {problem}"
        raise MeetingFileError(
            f"not valid YAML: {problem}", filename=filename, line=mark.line + 1 if mark else None, code="invalid_yaml"
        ) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())  # PyYAML's reader writes its message on two lines
        raise MeetingFileError(f"not valid YAML: {problem}", filename=filename, code="invalid_yaml") from None
    except RecursionError:  # PyYAML composes each level of nesting in one more call
        raise MeetingFileError("lists or maps are nested too deeply", filename=filename, code="invalid_yaml") from None
    if root is None:
        raise MeetingFileError("the file is empty", filename=filename, line=1, code="missing")
    return Node(root, "", filename)


@dataclass
class Node:
    """One YAML node with its path (e.g. `categories[2].quota`) and file name."""

    node: yaml.Node
    path: str
    filename: str

    # -- where it is --------------------------------------------------------------------------
    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def error(self, problem: str, code: str = "bad_value") -> MeetingFileError:
        return MeetingFileError(problem, filename=self.filename, line=self.line, path=self.path, code=code)

    def child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    # -- what it is ---------------------------------------------------------------------------
    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag == NULL_TAG and self.node.style is None

    def _describe(self) -> str:
        if isinstance(self.node, yaml.MappingNode):
            return "a map"
        if isinstance(self.node, yaml.SequenceNode):
            return "a list"
        if self.is_null:
            return "empty"
        return shown(self.node.value)

    def _scalar(self, wanted: str) -> str:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error(f"must be {wanted}, not {self._describe()}")
        # A quoted "\0" or "\x07" is valid YAML; PostgreSQL refuses NUL and nobody means the others.
        control = next((char for char in self.node.value if is_control_character(char)), None)
        if control is not None:
            raise self.error(f"must not hold control characters such as U+{ord(control):04X}")
        return self.node.value

    # -- readers ------------------------------------------------------------------------------
    def mapping(self, *, allowed: set[str] | tuple[str, ...], required: set[str] | tuple[str, ...] = ()) -> "Mapping":
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"must be a map of keys and values, not {self._describe()}")
        values: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in self.node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise Node(key_node, self.path, self.filename).error("a key must be a plain word", code="unknown_key")
            key = key_node.value
            child = Node(value_node, self.child_path(key), self.filename)
            if key in key_lines:
                raise MeetingFileError(
                    f"{key!r} appears twice in this map (first on line {key_lines[key]})",
                    filename=self.filename, line=key_node.start_mark.line + 1, path=child.path, code="duplicate",
                )
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise MeetingFileError(
                    f"unknown key {key!r} (known keys here: {known})",
                    filename=self.filename, line=key_node.start_mark.line + 1, path=child.path, code="unknown_key",
                )
            key_lines[key] = key_node.start_mark.line + 1
            values[key] = child
        mapping = Mapping(self, values)
        for key in required if isinstance(required, (list, tuple)) else sorted(required):
            mapping.required(key)
        return mapping

    def items(self, *, allow_empty: bool = True) -> list["Node"]:
        if self.is_null:
            if allow_empty:
                return []
            raise self.error("must be a list with at least one entry, not empty", code="missing")
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"must be a list (lines starting with '- '), not {self._describe()}")
        if not self.node.value and not allow_empty:
            raise self.error("must be a list with at least one entry", code="missing")
        return [Node(item, self.child_path(index), self.filename) for index, item in enumerate(self.node.value)]

    def text(self, *, max_length: int | None = None, allow_blank: bool = False) -> str:
        if self.is_null:
            if allow_blank:
                return ""
            raise self.error("must be text, not empty", code="missing")
        value = self._scalar("text").strip()
        if not value and not allow_blank:
            raise self.error("must be text, not empty", code="missing")
        if max_length is not None and len(value) > max_length:
            raise self.error(f"must be at most {max_length} characters long, not {len(value)}")
        return value

    def whole_number(self, *, minimum: int = 0, allow_null: bool = False) -> int | None:
        if self.is_null and allow_null:
            return None
        wanted = f"a whole number ≥ {minimum}" + (" or empty (no limit)" if allow_null else "")
        raw = self._scalar(wanted).strip()
        if not WHOLE_NUMBER.match(raw) or int(raw) < minimum:
            raise self.error(f"must be {wanted}, not {shown(raw)}")
        return int(raw)

    def number(self) -> int | float:
        raw = self._scalar("a number").strip()
        try:
            value = float(raw)
        except ValueError:
            raise self.error(f"must be a number, not {shown(raw)}") from None
        return int(value) if value.is_integer() and re.match(r"^-?[0-9]+$", raw) else value

    def boolean(self) -> bool:
        raw = self._scalar("true or false").strip().lower()
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        raise self.error(f"must be true or false, not {shown(raw)}")

    def choice(self, options) -> str:
        raw = self._scalar("one of " + ", ".join(options)).strip()
        if raw not in options:
            raise self.error(f"must be one of {', '.join(options)}, not {shown(raw)}")
        return raw

    def bilingual(self, *, max_length: int | None = None, required: bool = True) -> tuple[str, str]:
        """A text in both languages, written `{lo: ..., en: ...}`; one of them may be missing."""
        if self.is_null and not required:
            return "", ""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"must be a map of the text in both languages, {{lo: ..., en: ...}}, not {self._describe()}")
        texts = self.mapping(allowed=("lo", "en"))
        lo = texts.text("lo", max_length=max_length)
        en = texts.text("en", max_length=max_length)
        if required and not (lo or en):
            raise self.error("needs the text in Lao (lo) or English (en), or both", code="missing")
        return lo, en


class Mapping:
    """The keys of one YAML map, each a Node; reading a key that is absent gives a default."""

    def __init__(self, node: Node, values: dict[str, Node]):
        self.node = node
        self.values = values

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str) -> Node | None:
        """The node of `key`, or None when it is absent or empty (`key:` or `key: null`)."""
        child = self.values.get(key)
        if child is None or child.is_null:
            return None
        return child

    def required(self, key: str) -> Node:
        child = self.values.get(key)
        if child is None:
            raise MeetingFileError(
                "is required, but missing", filename=self.node.filename, line=self.node.line,
                path=self.node.child_path(key), code="missing",
            )
        return child

    def missing(self, key: str) -> MeetingFileError:
        """An error for a key that this map needs in this case."""
        return MeetingFileError(
            "is required here, but missing", filename=self.node.filename, line=self.node.line,
            path=self.node.child_path(key), code="missing",
        )

    def at(self, key: str) -> Node:
        """The node of `key` if present, else the map itself: where to point an error about `key`."""
        return self.values.get(key) or self.node

    # Shorthands: read an optional key or return the default.
    def text(self, key: str, default: str = "", *, max_length: int | None = None) -> str:
        child = self.values.get(key)
        if child is None:
            return default
        return child.text(max_length=max_length, allow_blank=True)

    def boolean(self, key: str, default: bool) -> bool:
        child = self.get(key)
        return default if child is None else child.boolean()

    def whole_number(self, key: str, default: int | None = None, *, minimum: int = 0, allow_null: bool = False):
        child = self.values.get(key)
        if child is None:
            return default
        return child.whole_number(minimum=minimum, allow_null=allow_null)

    def choice(self, key: str, options, default: str) -> str:
        child = self.get(key)
        return default if child is None else child.choice(options)

    def bilingual(self, key: str, *, max_length: int | None = None, required: bool = False) -> tuple[str, str]:
        child = self.values.get(key)
        if child is None:
            if required:
                raise self.missing(key)
            return "", ""
        return child.bilingual(max_length=max_length, required=required)
