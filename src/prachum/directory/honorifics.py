"""Honorifics as a closed list: one code per honorific, one spelling per language.

The standard list is what ASEAN Lists of Participants use; organizers may add others (a row with
`is_standard=False`). A registration stores the code, and every page, email, badge, list and news
item prints the label of its own language, so a Lao "ທ່ານ" never reaches an English document.

`find_honorific` reads what people type or import ("Mr", "MR.", "ທ່ານ ນາງ", "H.E. Mr.") back to a code.
"""

from __future__ import annotations

import re

# (code, English, Lao), in the order a form offers them. Lao labels follow the ministry's documents:
# ທ່ານ / ທ່ານນາງ written as one word, academic titles unabbreviated.
STANDARD_HONORIFICS = (
    ("mr", "Mr.", "ທ່ານ"),
    ("ms", "Ms.", "ທ່ານນາງ"),
    ("mrs", "Mrs.", "ທ່ານນາງ"),
    ("miss", "Miss", "ນາງສາວ"),
    ("he", "H.E.", "ພະນະທ່ານ"),
    ("dr", "Dr.", "ດຣ."),
    ("prof", "Prof.", "ສາດສະດາຈານ"),
    ("assoc-prof", "Assoc. Prof.", "ຮອງສາດສະດາຈານ"),
    ("asst-prof", "Asst. Prof.", "ຜູ້ຊ່ວຍສາດສະດາຈານ"),
    ("dato", "Dato'", "ດາໂຕະ"),
    ("datuk", "Datuk", "ດາຕຸກ"),
)

# What an error message names as examples of the list.
EXAMPLES = "Mr., Ms., Dr., Prof., H.E., ທ່ານ, ທ່ານນາງ, ດຣ."

# Other spellings met in forms, spreadsheets and older records, by their key (see spelling_key).
OTHER_SPELLINGS = {
    "mister": "mr", "ທ່ານຊາຍ": "mr",
    "madam": "ms", "madame": "ms", "mdm": "ms", "ນາງ": "ms",
    "hisexcellency": "he", "herexcellency": "he", "hemr": "he", "hems": "he", "hemrs": "he",
    "ພະນະທ່ານນາງ": "he",
    "doctor": "dr", "ປອ": "dr", "ດຣ": "dr",
    "professor": "prof", "ສດຣ": "prof", "ສາດສະດາຈານດຣ": "prof",
    "associateprofessor": "assoc-prof", "assocprofdr": "assoc-prof", "ຮສດຣ": "assoc-prof", "ຮສ": "assoc-prof",
    "assistantprofessor": "asst-prof", "astprof": "asst-prof",
    "datukseri": "datuk",
}


def spelling_key(text: str) -> str:
    """What is left of a spelling without case, spaces, dots and apostrophes: "H.E. Mr." -> "hemr"."""
    return re.sub(r"[\s.'’]", "", text.casefold())


def standard_code_for(text: str) -> str | None:
    """The standard code a spelling stands for, without reading the database (used by migrations too)."""
    key = spelling_key(text)
    if not key:
        return None
    for code, english, lao in STANDARD_HONORIFICS:
        if key in (spelling_key(code), spelling_key(english), spelling_key(lao)):
            return code
    return OTHER_SPELLINGS.get(key)


def find_honorific(text: str):
    """The Honorific a typed or imported spelling stands for (its code or a label in either language),
    or None."""
    from prachum.directory.models import Honorific

    text = (text or "").strip()
    if not text:
        return None
    code = standard_code_for(text)
    if code is not None:
        return Honorific.objects.filter(code=code).first()
    key = spelling_key(text)
    for honorific in Honorific.objects.filter(is_standard=False):
        if key in (spelling_key(honorific.code), spelling_key(honorific.label_en), spelling_key(honorific.label_lo)):
            return honorific
    return None


def ensure_standard_honorifics(using: str = "default", **kwargs) -> None:
    """Create the standard honorifics that are missing (after every migrate and every test flush)."""
    from django.db import connections

    from prachum.directory.models import Honorific

    if Honorific._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated to a point before the table (a migration test)
    existing = set(Honorific.objects.using(using).filter(is_standard=True).values_list("code", flat=True))
    Honorific.objects.using(using).bulk_create(
        [
            Honorific(code=code, label_en=english, label_lo=lao, order=position, is_standard=True)
            for position, (code, english, lao) in enumerate(STANDARD_HONORIFICS)
            if code not in existing
        ],
        ignore_conflicts=True,
    )
