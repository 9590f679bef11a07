"""HSTS over HTTPS: one year, for this host only unless the operator asks for subdomains or the preload
list (which brings subdomains); `check --deploy --fail-level WARNING` stays clean either way."""

import pytest

from prachum.core.tests.test_config import PRODUCTION, run_prachum

SHOW = ("from django.conf import settings; "
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)")


@pytest.mark.parametrize("variables, expected", [
    ({}, "31536000 False False"),
    ({"PRACHUM_HSTS_INCLUDE_SUBDOMAINS": "true"}, "31536000 True False"),
    ({"PRACHUM_HSTS_PRELOAD": "true"}, "31536000 True True"),
], ids=["default", "subdomains", "preload"])
def test_hsts_covers_subdomains_and_preload_only_when_asked(tmp_path, variables, expected):
    shown = run_prachum(["shell", "-c", SHOW], {**PRODUCTION, **variables}, tmp_path)
    assert shown.stdout.strip().splitlines()[-1] == expected, shown.stderr
    checked = run_prachum(["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION, **variables}, tmp_path)
    assert checked.returncode == 0 and "no issues" in checked.stdout, checked.stdout + checked.stderr


def test_a_wrong_hsts_variable_is_named(tmp_path):
    result = run_prachum(["check"], {**PRODUCTION, "PRACHUM_HSTS_PRELOAD": "sure"}, tmp_path)
    assert result.returncode == 2 and "PRACHUM_HSTS_PRELOAD must be true or false" in result.stderr
