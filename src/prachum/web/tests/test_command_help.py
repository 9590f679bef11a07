"""Every prachum command's --help is in English, whatever the site's default language (Lao): one
language per text, as the commands' own messages are."""

import re

import pytest
from django.core.management import get_commands, load_command_class

LAO = re.compile("[\u0e80-\u0eff]")
OURS = sorted((name, app) for name, app in get_commands().items() if app.startswith("prachum."))


def test_the_prachum_commands_are_found():
    assert {"badges", "export", "report", "demo", "invite"} <= {name for name, _app in OURS}


@pytest.mark.parametrize(("name", "app"), OURS, ids=[name for name, _app in OURS])
def test_a_commands_help_has_no_lao(name, app):
    text = load_command_class(app, name).create_parser("prachum", name).format_help()
    assert not LAO.search(text), text
