"""One meeting with something behind every address, and a person for every role: what the authorization
matrix and the hostile-input tests ask the site about (src/prachum/tests/hostile/).

Meeting X holds two delegations (A and B, each with its focal point and a registration), a session with an
agenda item and an online room, a question, an invitation, a device, a document, a photo, outbox messages
and jobs; meeting Y has its own owner, device and participant, who must reach nothing of X."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from prachum.api.services import create_token
from prachum.api.webhook_models import WebhookDelivery
from prachum.api.webhooks import create_webhook
from prachum.checkin.services import create_device
from prachum.core.outbox import RenderedEmail
from prachum.jobs.models import Job
from prachum.meetings.models import Document, Meeting, MeetingRole
from prachum.meetings.tests.factories import (
    make_agenda_item, make_category, make_meeting, make_organization, make_session, make_user,
)
from prachum.notify.services import queue_message
from prachum.online.links import join_token
from prachum.online.models import ReminderRule
from prachum.online.tests.factories import make_room
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import (
    make_delegation, make_focal_point, make_invitation, make_organizer, make_question, make_registration,
)
from prachum.reports.services import add_photo, upload_document

Role = MeetingRole.Role
Status = Registration.Status

# Who asks; "participant" is anonymous but holds X's participant's private link.
ROLES = (
    "anonymous", "participant", "focal_a", "focal_b", "checkin", "reviewer", "manager", "owner", "owner_y", "admin",
)


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


class World:
    """Built inside a test's database; every id and token a URL of the site needs."""

    def __init__(self):
        now = timezone.now().replace(microsecond=0)
        starts = now + timedelta(days=5)
        self.meeting = make_meeting(
            slug="hx", title_en="Hostile ຄຳ meeting", title_lo="ກອງປະຊຸມ ຄຳ ໜ", format=Meeting.Format.HYBRID,
            starts_at=starts, ends_at=starts + timedelta(hours=8),
            registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=4),
        )
        self.other = make_meeting(slug="hy", title_en="The other meeting")
        m = self.meeting
        self.session = make_session(m, title_en="Day 1", title_lo="ມື້ທີ 1")
        self.item = make_agenda_item(self.session)
        self.category = make_category(m, name_en="Delegate", name_lo="ຜູ້ແທນ", code="delegate",
                                      needs_approval=True, allows_self_registration=True)
        self.question = make_question(m, "dietary_needs", label_lo="ອາຫານ")
        self.choice_question = make_question(m, "shirt_size", kind="multiple_choice", label_lo="ຂະໜາດ",
                                             choices=[{"value": "s", "lo": "ນ້ອຍ", "en": "S"},
                                                      {"value": "m", "lo": "ກາງ", "en": "M"}])
        self.file_question = make_question(m, "passport_scan", kind="file", label_lo="ໜັງສືຜ່ານແດນ")
        self.delegation_a = make_delegation(m, organization=make_organization(code="xa", name_en="Ayutthaya"))
        self.delegation_b = make_delegation(m, organization=make_organization(code="xb", name_en="Bagan"))
        self.reg_a = make_registration(m, self.category, delegation=self.delegation_a, name_lo="ແກ້ວ ຄໍາ")
        self.reg_b = make_registration(m, self.category, delegation=self.delegation_b)
        self.participant_reg = make_registration(m, self.category, status=Status.APPROVED,
                                                 given_name="Somsak", name_lo="ສົມສັກ")
        self.participant_token = self.participant_reg.manage_token
        # A file answer of each: reg_a's for the organizers' address, the participant's for the private link's.
        self.answer_a, self.participant_answer = (
            Answer.objects.create(registration=reg, question=self.file_question,
                                  question_version=self.file_question.current_version,
                                  file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="scan.pdf"))
            for reg in (self.reg_a, self.participant_reg))
        self.join_token = join_token(self.participant_reg)
        self.other_reg = make_registration(self.other, status=Status.APPROVED)
        self.other_token = self.other_reg.manage_token
        self.invitation = make_invitation(m, given_name="Invited")

        self.users = {
            "focal_a": make_focal_point(self.delegation_a),
            "focal_b": make_focal_point(self.delegation_b),
            "checkin": make_organizer(m, role=Role.CHECKIN),
            "reviewer": make_organizer(m, role=Role.REVIEWER),
            "manager": make_organizer(m, role=Role.MANAGER),
            "owner": make_organizer(m, role=Role.OWNER),
            "owner_y": make_organizer(self.other, role=Role.OWNER),
            "admin": make_user(is_superuser=True),
        }
        owner = self.users["owner"]
        self.owner_role = MeetingRole.objects.get(meeting=m, user=self.users["reviewer"])
        self.room = make_room(m, session=self.session)
        self.rule = ReminderRule.objects.create(meeting=m, minutes_before=60)
        self.device, self.device_token = create_device(meeting=m, name="Front desk")
        self.webhook, _secret = create_webhook(meeting=m, owner=owner, url="https://hooks.example.org/world",
                                               event_kinds=["delegation.submitted"])
        self.webhook_delivery = WebhookDelivery.objects.create(
            webhook=self.webhook, event_kind="delegation.submitted", subject_id="delegation-0", payload={},
            delivered_at=timezone.now())
        self.api_token, _secret = create_token(owner=owner, name="World sync", scope="read", meeting=m)
        self.other_device, self.other_device_token = create_device(meeting=self.other, name="Y desk")
        self.document = upload_document(
            meeting=m, actor=owner, uploaded=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
            title_lo="ວາລະ", title_en="Agenda", visibility=Document.Visibility.PARTICIPANTS,
        )
        self.photo = add_photo(meeting=m, actor=owner, uploaded=SimpleUploadedFile("p.jpg", _jpeg(), "image/jpeg"))
        with transaction.atomic():
            self.message = queue_message(kind="registration.received", registration=self.reg_a,
                                         rendered=RenderedEmail("Received", "Hello", "<p>Hello</p>"))
            self.account_message = queue_message(kind="accounts.invited", to_email="new@example.org", language="en",
                                                 rendered=RenderedEmail("Welcome", "Hello", "<p>Hello</p>"))
        self.job = Job.objects.create(kind="registration.bulk_approve", function="prachum.jobs.tests.noop",
                                      meeting=m, created_by=owner, label="bulk", status=Job.Status.DONE)
        self.job.result_file.save("result.csv", ContentFile(b"name\r\n"), save=False)
        self.job.result_name = "result.csv"
        self.job.save()
        self.invitations_job = Job.objects.create(
            kind="registration.invitations_resend", function="prachum.jobs.tests.noop", meeting=m, created_by=owner,
            status=Job.Status.DONE, summary={"skipped": []},
        )
        # A site administrator's invitation to set a password: an address with a real uid and token.
        self.new_user = make_user(username="newcomer")
        self.uidb64 = urlsafe_base64_encode(force_bytes(self.new_user.pk))
        self.password_token = default_token_generator.make_token(self.new_user)

    def user(self, role: str):
        return self.users.get(role)

    def url_kwargs(self) -> dict:
        """The value of each URL keyword; names that mean different things in different URLs are resolved by
        `kwargs_for(name, keys)`."""
        return {
            "slug": self.meeting.slug,
            "token": self.participant_token,
            "registration_id": self.reg_a.pk,
            "delegation_id": self.delegation_a.pk,
            "session_id": self.session.pk,
            "session_pk": self.session.pk,
            "device_id": self.device.pk,
            "webhook_id": self.webhook.pk,
            "delivery_id": self.webhook_delivery.pk,
            "rule_id": self.rule.pk,
            "photo_id": self.photo.pk,
            "document_id": self.document.pk,
            "job_id": self.job.pk,
            "uidb64": self.uidb64,
            "language": "en",
            "kind": "registration.received",
            "key": "0" * 32,
        }

    def kwargs_for(self, name: str, keys) -> dict:
        """The keyword arguments of URL `name` (namespace:name) whose converters ask for `keys`."""
        values = self.url_kwargs()
        pk_of = {
            "organizer:registration": self.reg_a.pk, "organizer:registration_name": self.reg_a.pk,
            "organizer:registration_role": self.reg_a.pk, "organizer:answer_file": self.reg_a.pk,
            "organizer:registration_export": self.reg_a.pk, "organizer:registration_erase": self.reg_a.pk,
            "organizer:invitation_resend": self.invitation.pk, "organizer:invitation_revoke": self.invitation.pk,
            "meeting_setup:question": self.question.pk, "meeting_setup:question_preview_edit": self.question.pk,
            "meeting_setup:session": self.session.pk, "meeting_setup:session_delete": self.session.pk,
            "meeting_setup:agenda_item": self.item.pk, "meeting_setup:agenda_item_delete": self.item.pk,
            "meeting_setup:category": self.category.pk, "meeting_setup:category_delete": self.category.pk,
            "meeting_setup:delegation": self.delegation_a.pk, "meeting_setup:delegation_delete": self.delegation_a.pk,
            "meeting_setup:role_remove": self.owner_role.pk, "meeting_setup:role_resend": self.owner_role.pk,
            "outbox:account_message": self.account_message.pk, "outbox:account_resend": self.account_message.pk,
            "outbox:account_message_html": self.account_message.pk,
            "outbox:message": self.message.pk, "outbox:resend": self.message.pk, "outbox:message_html": self.message.pk,
            "account_admin:set_active": self.new_user.pk, "account_admin:set_right": self.new_user.pk,
            "account_admin:resend": self.new_user.pk,
            "api_tokens:revoke": self.api_token.pk,
        }
        result = {}
        for key in keys:
            if key == "pk" and name.startswith("api:"):
                result[key] = self.reg_a.pk  # the API answers a session 401 whatever the id (test_api_matrix.py)
            elif key == "pk":
                result[key] = pk_of[name]
            elif key == "token" and name == "accounts:set_password":
                result[key] = self.password_token
            elif key == "job_id" and name == "organizer:invitations_job":
                result[key] = self.invitations_job.pk
            elif key == "token" and name == "online:join":
                result[key] = self.join_token
            elif key == "answer_id":
                result[key] = (self.participant_answer if name == "registration:answer_file" else self.answer_a).pk
            else:
                result[key] = values[key]
        return result
