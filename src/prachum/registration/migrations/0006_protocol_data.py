"""The data of 0005: free-text honorifics to codes of the list, Lao positions to position_lo, co-chairs to
their role.

The free-text honorifics are read back to codes by the spellings below (a frozen copy of
prachum.directory.honorifics as of this migration). A spelling that is none of them is kept as an
honorific the organizer added, with the text as its label, and is reported here so that someone gives
it its other language.
"""

import re

from django.db import migrations

STANDARD = (
    ("mr", "Mr.", "ທ່ານ"), ("ms", "Ms.", "ທ່ານນາງ"), ("mrs", "Mrs.", "ທ່ານນາງ"), ("miss", "Miss", "ນາງສາວ"),
    ("he", "H.E.", "ພະນະທ່ານ"), ("dr", "Dr.", "ດຣ."), ("prof", "Prof.", "ສາດສະດາຈານ"),
    ("assoc-prof", "Assoc. Prof.", "ຮອງສາດສະດາຈານ"), ("asst-prof", "Asst. Prof.", "ຜູ້ຊ່ວຍສາດສະດາຈານ"),
    ("dato", "Dato'", "ດາໂຕະ"), ("datuk", "Datuk", "ດາຕຸກ"),
)
OTHER_SPELLINGS = {
    "mister": "mr", "ທ່ານຊາຍ": "mr", "madam": "ms", "madame": "ms", "mdm": "ms", "ນາງ": "ms",
    "hisexcellency": "he", "herexcellency": "he", "hemr": "he", "hems": "he", "hemrs": "he", "ພະນະທ່ານນາງ": "he",
    "doctor": "dr", "ປອ": "dr", "ດຣ": "dr", "professor": "prof", "ສດຣ": "prof", "ສາດສະດາຈານດຣ": "prof",
    "associateprofessor": "assoc-prof", "assocprofdr": "assoc-prof", "ຮສດຣ": "assoc-prof", "ຮສ": "assoc-prof",
    "assistantprofessor": "asst-prof", "astprof": "asst-prof", "datukseri": "datuk",
}
LAO_SCRIPT = re.compile(r"[\u0E80-\u0EFF]")


def key(text):
    return re.sub(r"[\s.'’]", "", text.casefold())


def code_for(text):
    wanted = key(text)
    for code, english, lao in STANDARD:
        if wanted in (key(code), key(english), key(lao)):
            return code
    return OTHER_SPELLINGS.get(wanted)


def to_codes(apps, schema_editor):
    Honorific = apps.get_model("directory", "Honorific")
    models_ = (apps.get_model("registration", "Registration"), apps.get_model("registration", "Invitation"))
    for position, (code, english, lao) in enumerate(STANDARD):
        Honorific.objects.get_or_create(
            code=code, defaults={"label_en": english, "label_lo": lao, "order": position, "is_standard": True}
        )
    added = {}
    for model in models_:
        texts = model.objects.exclude(honorific_text="").values_list("honorific_text", flat=True).distinct()
        for text in sorted(set(texts)):
            code = code_for(text)
            if code is None:
                code = added.get(key(text))
            if code is None:
                base = re.sub(r"[^a-z0-9]+", "-", key(text).encode("ascii", "ignore").decode()).strip("-") or "title"
                code, n = f"added-{base}"[:28], 1
                while Honorific.objects.filter(code=code).exists():
                    n += 1
                    code = f"added-{base}"[:25] + f"-{n}"
                lao = bool(LAO_SCRIPT.search(text))
                Honorific.objects.create(code=code, label_en="" if lao else text.strip(), label_lo=text.strip() if lao else "")
                added[key(text)] = code
            rows = model.objects.filter(honorific_text=text)
            count = rows.update(honorific_id=code)
            if code.startswith("added-"):
                print(f"\n  honorific {text!r} on {count} {model._meta.verbose_name_plural} was not in the list: kept as "
                      f"{code!r}; give it its label in the other language.", end="")


def to_text(apps, schema_editor):
    Honorific = apps.get_model("directory", "Honorific")
    labels = dict(Honorific.objects.values_list("code", "label_en"))
    for name in ("Registration", "Invitation"):
        model = apps.get_model("registration", name)
        for code, label in labels.items():
            model.objects.filter(honorific_id=code).update(honorific_text=label)


def lao_positions_to_their_field(apps, schema_editor):
    """A position typed in Lao (on the Lao form) is the Lao version; one in Latin letters stays the English."""
    Registration = apps.get_model("registration", "Registration")
    for pk, position in Registration.objects.exclude(position="").values_list("pk", "position"):
        if LAO_SCRIPT.search(position) and not re.search(r"[A-Za-z]", position):
            Registration.objects.filter(pk=pk).update(position_lo=position, position="")


def co_chairs_from_category(apps, schema_editor):
    """The co-chairs were the registrations in the category coded "co-chair": give them the role."""
    Registration = apps.get_model("registration", "Registration")
    Registration.objects.filter(category__code="co-chair").update(protocol_role="co_chair")


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0005_protocol"),
    ]

    operations = [
        migrations.RunPython(to_codes, to_text),
        migrations.RunPython(lao_positions_to_their_field, migrations.RunPython.noop),
        migrations.RunPython(co_chairs_from_category, migrations.RunPython.noop),
    ]
