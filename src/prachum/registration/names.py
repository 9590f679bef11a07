"""A person's name in both scripts: the Latin name proposed for a name written only in Lao script.

The registration form, the organizer's name form and the import all ask `propose_latin_name`; the
person or the organizer sees the proposal and may correct it before it is kept (prachum.core.romanize
says how Lao is written in Latin letters).
"""

import re
from dataclasses import dataclass

from prachum.core.romanize import has_lao, romanize_lao

_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


@dataclass(frozen=True)
class NameProposal:
    given_name: str
    family_name: str
    name_lo: str

    @property
    def latin(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


def propose_latin_name(*, given_name: str, family_name: str, name_lo: str) -> NameProposal | None:
    """The name to propose where it is written only in Lao script: in the given and family name fields,
    or in `name_lo` with both of those empty. None where the Latin fields hold Latin letters already
    (or nothing can be proposed).

    The Lao goes to `name_lo` (where that is empty) and its romanization to the Latin fields. A Lao
    name written in one field is split in Lao order: its first word is the given name, the rest the
    family name; written in both, each field is romanized on its own."""
    given, family, lao = (given_name or "").strip(), (family_name or "").strip(), (name_lo or "").strip()
    typed = " ".join(part for part in (given, family) if part)
    if typed and not has_lao(typed):
        return None
    source = typed or lao
    if not has_lao(source):
        return None
    if given and family:
        latin_given, latin_family = romanize_lao(given), romanize_lao(family)
    else:
        words = romanize_lao(source).split()
        latin_given, latin_family = (words[0], " ".join(words[1:])) if words else ("", "")
    if not (latin_given or latin_family) or has_lao(latin_given + latin_family):
        return None
    if not lao and typed and not _LATIN_LETTER.search(typed):
        lao = typed
    return NameProposal(given_name=latin_given, family_name=latin_family, name_lo=lao)
