"""The Lao catalog is complete and correct: every string in code and templates has Lao, the committed .mo is the
compiled .po, placeholders survive translation, and Django's own strings (which Django ships no Lao for) are Lao.

Extraction and compilation use GNU gettext (xgettext, msgmerge, msgfmt), as `make messages` does; `make test`
installs it (Debian package `gettext`)."""

import datetime
import gettext
import re
import shutil
import subprocess

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.paginator import EmptyPage, Paginator
from django.db import models
from django.template.defaultfilters import date as date_filter
from django.test import RequestFactory, override_settings
from django.utils import dates, translation
from django.views.csrf import csrf_failure

from prachum.core.management.commands import django_strings
from prachum.core.management.commands.lao_catalog import (
    PO_PATH,
    describe,
    is_translated,
    msgids,
    placeholder_problem,
    read_catalog,
)

PACKAGE_DIR = PO_PATH.parents[3]
MO_PATH = PO_PATH.with_suffix(".mo")
LAO_LETTER = re.compile(r"[\u0e80-\u0eff]")
TRANSLATE_TAG = re.compile(r"""{%\s*translate\s+"([^"]+)"\s*%}""")
# Exactly what `make messages` passes to makemessages (Makefile, target `messages`).
MAKEMESSAGES_IGNORE = ["tests/*", "testing/*"]
HOW_TO_FIX = "Run `make messages`, translate the entries into Lao (docs/translating.md), run `make messages` again."


@pytest.fixture(scope="module")
def gnu_gettext():
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"GNU gettext is not installed (missing {', '.join(missing)}): `make system-packages` installs it")


def key(message):
    return message.context, msgids(message)[0]


@pytest.fixture(scope="module")
def extracted(gnu_gettext, tmp_path_factory):
    """The catalog `make messages` would extract now, made from a copy of the package, never touching ours."""
    root = tmp_path_factory.mktemp("extract")
    source = root / "prachum"

    def not_source(directory, names):
        return [n for n in names if n in ("locale", "__pycache__") or (
            "." in n and not n.endswith((".py", ".html", ".txt")))]

    shutil.copytree(PACKAGE_DIR, source, ignore=not_source)
    locale_dir = source / "locale"
    (locale_dir / "lo" / "LC_MESSAGES").mkdir(parents=True)
    # Start from our header only (it has the plural rule); every entry then comes from the code.
    header = PO_PATH.read_text(encoding="utf-8").split("\n\n", 1)[0]
    (locale_dir / "lo" / "LC_MESSAGES" / "django.po").write_text(header + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp, override_settings(LOCALE_PATHS=[str(locale_dir)]):
        mp.chdir(source)
        call_command(
            "makemessages", locale=["lo"], no_obsolete=True, no_location=True,
            ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0,
        )
    return read_catalog(locale_dir / "lo" / "LC_MESSAGES" / "django.po")


def test_every_string_in_code_and_templates_has_lao(extracted):
    committed = {key(m): m for m in read_catalog() if m.id}
    problems = []
    for message in extracted:
        if not message.id:
            continue
        ours = committed.get(key(message))
        if ours is None:
            problems.append(f"not in the catalog: {describe(message)}")
        elif ours.pluralizable != message.pluralizable or msgids(ours) != msgids(message):
            problems.append(f"singular/plural differs from the code: {describe(message)}")
        elif ours.fuzzy:
            problems.append(f"fuzzy (check the Lao, then remove the flag): {describe(message)}")
        elif not is_translated(ours):
            problems.append(f"no Lao yet: {describe(message)}")
    assert not problems, f"{len(problems)} strings lack Lao. {HOW_TO_FIX}\n" + "\n".join(problems)


def test_the_extraction_reads_django_strings_templates_and_code(extracted):
    found = {key(m) for m in extracted if m.id}
    assert (None, "This field is required.") in found  # core/django_strings.py
    assert ("alt. month", "September") in found
    assert (None, "Lao") in found  # settings.py
    # Every app's templates: each plain {% translate "…" %} must have been extracted.
    in_templates = {
        (None, text)
        for template in PACKAGE_DIR.glob("*/templates/**/*.html")
        for text in TRANSLATE_TAG.findall(template.read_text(encoding="utf-8"))
    }
    assert in_templates, "no {% translate %} found in any template"
    assert not in_templates - found


def test_django_strings_module_is_up_to_date_with_installed_django():
    assert django_strings.TARGET.read_text(encoding="utf-8") == django_strings.render(), (
        "Django's user-facing strings changed: run `prachum django-strings`, then `make messages` and translate."
    )


def test_the_committed_mo_is_the_compiled_po(gnu_gettext, tmp_path):
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(PO_PATH)], capture_output=True, text=True
    )
    assert result.returncode == 0, f"msgfmt rejects the catalog:\n{result.stderr}"
    with open(compiled, "rb") as fp:
        expected = gettext.GNUTranslations(fp)._catalog
    with open(MO_PATH, "rb") as fp:
        committed = gettext.GNUTranslations(fp)._catalog
    differing = sorted(str(k) for k in expected.keys() ^ committed.keys()) + sorted(
        str(k) for k in expected.keys() & committed.keys() if expected[k] != committed[k]
    )
    assert not differing, "django.mo is stale: run `make messages` (or `prachum compilemessages -l lo` in " \
        "src/prachum) and commit the .mo. Differing: " + ", ".join(differing[:20])


def test_the_catalog_says_lao_has_one_plural_form():
    text = PO_PATH.read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    assert '"Language: lo\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    catalog = read_catalog()
    assert catalog.num_plurals == 1
    plural_entries = [m for m in catalog if m.id and m.pluralizable]
    assert plural_entries
    assert all(len(m.string) == 1 for m in plural_entries), "a Lao plural entry has one msgstr[0]"


def test_every_lao_translation_keeps_the_placeholders_of_its_english():
    problems = [f"{describe(m)}: {placeholder_problem(m)}" for m in read_catalog() if m.id and placeholder_problem(m)]
    assert not problems, "\n".join(problems)


def test_translations_are_lao_and_do_not_keep_fuzzy_guesses():
    # Entries may keep Latin words (URL, IPv6, "%s KB"), but most must be written in Lao script.
    catalog = [m for m in read_catalog() if m.id and is_translated(m)]
    in_lao = [m for m in catalog if any(LAO_LETTER.search(s) for s in (m.string if m.pluralizable else [m.string]))]
    assert len(in_lao) > 0.9 * len(catalog)
    assert not [m for m in read_catalog() if m.fuzzy and m.id]


class TestDjangoSpeaksLao:
    def test_form_errors(self):
        with translation.override("lo"), pytest.raises(ValidationError) as error:
            forms.CharField(required=True).clean("")
        assert error.value.messages == ["ກະລຸນາປ້ອນຂໍ້ມູນໃສ່ຊ່ອງນີ້."]
        with translation.override("lo"), pytest.raises(ValidationError) as error:
            forms.EmailField().clean("not an address")
        assert error.value.messages == ["ກະລຸນາປ້ອນທີ່ຢູ່ອີເມວໃຫ້ຖືກຕ້ອງ."]

    def test_model_field_errors(self):
        with translation.override("lo"), pytest.raises(ValidationError) as error:
            models.CharField(max_length=10).clean("", None)
        assert error.value.messages == ["ຊ່ອງນີ້ບໍ່ສາມາດປະຫວ່າງໄດ້."]

    def test_month_and_weekday_names(self):
        with translation.override("lo"):
            assert str(dates.MONTHS[9]) == "ກັນຍາ"
            assert str(dates.MONTHS_ALT[9]) == "ກັນຍາ"
            assert str(dates.MONTHS_AP[9]) == "ກ.ຍ."
            assert [str(dates.MONTHS[m]) for m in range(1, 13)] == [
                "ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ",
                "ກໍລະກົດ", "ສິງຫາ", "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ",
            ]
            assert [str(dates.WEEKDAYS[d]) for d in range(7)] == [
                "ວັນຈັນ", "ວັນອັງຄານ", "ວັນພຸດ", "ວັນພະຫັດ", "ວັນສຸກ", "ວັນເສົາ", "ວັນອາທິດ",
            ]

    def test_the_date_filter(self):
        with translation.override("lo"):
            assert date_filter(datetime.date(2020, 9, 10)) == "ວັນທີ 10 ກັນຍາ 2020"
            assert date_filter(datetime.date(2020, 9, 10), "l") == "ວັນພະຫັດ"

    def test_the_paginator(self):
        with translation.override("lo"), pytest.raises(EmptyPage) as error:
            Paginator([1, 2], 1).validate_number(0)
        assert str(error.value) == "ເລກໜ້ານັ້ນນ້ອຍກວ່າ 1"

    def test_login_and_password_messages(self):
        with translation.override("lo"):
            message = str(AuthenticationForm.error_messages["invalid_login"])
            assert message.startswith("ກະລຸນາປ້ອນ%(username)s ແລະ ລະຫັດຜ່ານ")
            assert MinimumLengthValidator(10).get_help_text() == "ລະຫັດຜ່ານຂອງທ່ານຕ້ອງມີຢ່າງໜ້ອຍ 10 ຕົວອັກສອນ."

    def test_the_csrf_failure_page(self):
        with translation.override("lo"):
            response = csrf_failure(RequestFactory().post("/"), reason="CSRF cookie not set.")
        assert response.status_code == 403
        assert "ການກວດສອບ CSRF ບໍ່ຜ່ານ" in response.content.decode()


class TestEnglishStaysEnglish:
    def test_django_strings(self):
        with translation.override("en"):
            with pytest.raises(ValidationError) as error:
                forms.CharField(required=True).clean("")
            assert error.value.messages == ["This field is required."]
            assert str(dates.MONTHS[9]) == "September"
            assert date_filter(datetime.date(2020, 9, 10)) == "10 September 2020"
            with pytest.raises(EmptyPage) as page_error:
                Paginator([1, 2], 1).validate_number(0)
            assert str(page_error.value) == "That page number is less than 1"

    def test_our_strings(self):
        with translation.override("en"):
            assert translation.gettext("Lao") == "Lao"
            assert translation.get_language_info("lo")["name_translated"] == "Lao"
        with translation.override("lo"):
            assert translation.gettext("Lao") == "ລາວ"
            assert translation.get_language_info("en")["name_translated"] == "ອັງກິດ"
