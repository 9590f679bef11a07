"""Django's {# … #} comment ends on its own line: one spread over two lines is printed on the page as it is
(the public registration form showed "{# The form's fields…" to every visitor). Longer ones use {% comment %}."""

import re
from pathlib import Path

import prachum

OPENED = re.compile(r"\{#")


def test_no_template_comment_spans_two_lines():
    unclosed = []
    for path in Path(prachum.__file__).parent.rglob("templates/**/*"):
        if path.is_file():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if any("#}" not in line[found.end():] for found in OPENED.finditer(line)):
                    unclosed.append(f"{path}:{number}")
    assert not unclosed, unclosed
