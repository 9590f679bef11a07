"""An email's subject is plain text: a meeting called “Officials' & <Senior> Meeting” is written so, never
“Officials&#x27; &amp; &lt;Senior&gt; Meeting” (and then escaped once more on the outbox page)."""

from pathlib import Path

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

import prachum
from prachum.accounts.services import queue_role_invitation
from prachum.meetings.models import Role
from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db

TITLE = "Officials' & <Senior> \"Meeting\""
SUBJECT_TEMPLATES = sorted(
    "/".join(path.parts[path.parts.index("templates") + 1:])
    for path in Path(prachum.__file__).parent.rglob("templates/**/*.subject.txt")
)


def test_there_are_subject_templates_to_check():
    assert "accounts/emails/role_invitation.subject.txt" in SUBJECT_TEMPLATES
    assert len(SUBJECT_TEMPLATES) >= 15


@pytest.mark.parametrize("template", SUBJECT_TEMPLATES)
@pytest.mark.parametrize("language", ["lo", "en"])
def test_every_subject_template_keeps_a_title_as_written(template, language):
    context = {"title": TITLE, "organization": TITLE, "session": {"title": TITLE}, "role": TITLE, "reminder": False,
               "is_approved": True}
    with translation.override(language):
        subject = render_to_string(template, context)
    for entity in ("&#x27;", "&amp;", "&lt;", "&quot;", "&#"):
        assert entity not in subject


def test_a_role_invitation_subject_reaches_the_outbox_as_written():
    meeting = make_meeting(title_en=TITLE, title_lo=TITLE)
    with transaction.atomic():
        message = queue_role_invitation(user=make_user(), meeting=meeting, role_label=Role.REVIEWER.label,
                                        language="en")
    assert message.subject == f"Your role at {TITLE} in Prachum"
