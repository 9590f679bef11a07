"""The meeting file format (docs/meeting-files.md): from YAML nodes to a checked MeetingSpec.

Everything that can be checked without the database is checked here, with the line
and the field of the mistake. The database checks (organization codes, model
constraints) happen in prachum.exchange.services.meeting_loading, with the same kind of message.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from prachum.core.validators import HEX_COLOUR
from prachum.meetings.models import MAX_AGENDA_ITEMS, REAPPROVAL_FIELDS, MeetingFormat, MeetingStatus, QuestionKind, RegistrationMode, Role
from prachum.registration.models import Participation, Registration, RegistrationStatus

from .nodes import Mapping, Node
from .times import ABSOLUTE, RELATIVE, TIME_HELP, local_moment, read_date, read_time, show_local

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
LANGUAGES = ("lo", "en")
ORGANIZER_ROLES = tuple(r.value for r in Role if r != Role.FOCAL_POINT)
GENDERS = tuple(g.value for g in Registration.Gender)
SEAT_HOLDING = (RegistrationStatus.PENDING.value, RegistrationStatus.APPROVED.value)

MEETING_KEYS = (
    "slug", "series", "title", "description", "format", "status", "time_zone", "default_language", "starts", "ends",
    "venue", "host", "contact_email", "registration", "privacy_notice", "retention_days", "emails_in_both_languages",
    "sessions", "categories", "delegations", "organizers", "questions", "registrations",
)
REGISTRATION_WINDOW_KEYS = (
    "mode", "opens", "closes", "capacity", "online_capacity", "show_seats_left", "allows_free_text_organization",
    "edits_close", "reapproval_fields",
)
SESSION_KEYS = ("title", "starts", "ends", "location", "items")
AGENDA_ITEM_KEYS = ("title", "starts", "speaker")
TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})$")
CATEGORY_KEYS = ("code", "name", "badge_colour", "quota", "needs_approval", "needs_endorsement", "allows_self_registration")
DELEGATION_KEYS = ("organization", "quota", "focal_points")
PERSON_KEYS = ("email", "given_name", "family_name", "language")
ORGANIZER_KEYS = (*PERSON_KEYS, "role")
QUESTION_KEYS = (
    "key", "kind", "label", "help", "required", "sensitive", "choices", "categories", "show_if", "active", "needs_reapproval",
)
CHOICE_KEYS = ("value", "lo", "en")
SHOW_IF_KEYS = ("question", "value")
REGISTRATION_KEYS = (
    "honorific", "given_name", "family_name", "family_name_first", "name_lo", "gender", "position", "position_lo", "email",
    "phone", "language",
    "participation", "category", "delegation", "organization", "status", "is_head_of_delegation", "role", "rank",
    "endorsed", "reason", "answers",
)
PROTOCOL_ROLES = tuple(Registration.ProtocolRole.values)  # "chair", "co_chair"
NOT_IN_FILES = (QuestionKind.FILE.value, QuestionKind.PHOTO.value)


@dataclass
class PersonSpec:
    at: Node
    email: str
    given_name: str = ""
    family_name: str = ""
    language: str = "lo"
    role: str = ""


@dataclass
class AgendaItemSpec:
    at: Mapping
    order: int
    title_lo: str
    title_en: str
    start_time: time | None
    speaker_lo: str
    speaker_en: str


@dataclass
class SessionSpec:
    at: Mapping
    order: int
    title_lo: str
    title_en: str
    starts_at: datetime
    ends_at: datetime
    location_lo: str
    location_en: str
    items: list[AgendaItemSpec] = field(default_factory=list)


@dataclass
class CategorySpec:
    at: Mapping
    order: int
    code: str
    name_lo: str
    name_en: str
    badge_colour: str
    quota: int | None
    needs_approval: bool
    needs_endorsement: bool
    allows_self_registration: bool


@dataclass
class DelegationSpec:
    at: Mapping
    organization: str
    quota: int | None
    focal_points: list[PersonSpec]


@dataclass
class ChoiceSpec:
    value: str
    lo: str
    en: str


@dataclass
class QuestionSpec:
    at: Mapping
    order: int
    key: str
    kind: str
    label_lo: str
    label_en: str
    help_lo: str
    help_en: str
    is_required: bool
    is_sensitive: bool
    choices: list[ChoiceSpec]
    categories: list[str]
    show_if_question: str
    show_if_value: str
    is_active: bool
    needs_reapproval: bool = False

    def content(self) -> dict:
        """What a version of the question holds; a change of it makes a new version."""
        return {
            "kind": self.kind, "label_lo": self.label_lo, "label_en": self.label_en,
            "help_lo": self.help_lo, "help_en": self.help_en,
            "choices": [{"value": c.value, "lo": c.lo, "en": c.en} for c in self.choices],
            "is_required": self.is_required, "is_sensitive": self.is_sensitive,
            "categories": sorted(self.categories),
            "show_if_question": self.show_if_question, "show_if_value": self.show_if_value,
            "needs_reapproval": self.needs_reapproval,
        }


@dataclass
class AnswerSpec:
    at: Node
    key: str
    value: object


@dataclass
class RegistrationSpec:
    at: Mapping
    index: int
    email: str
    category: str
    delegation: str
    status: str
    values: dict  # model fields of the person: honorific, given_name, … is_head_of_delegation
    endorsed: bool
    reason: str
    answers: list[AnswerSpec]


@dataclass
class MeetingSpec:
    at: Mapping
    filename: str
    today: date
    tz: ZoneInfo
    values: dict  # model fields of the Meeting, except host
    host: str
    sessions: list[SessionSpec] = field(default_factory=list)
    categories: list[CategorySpec] = field(default_factory=list)
    delegations: list[DelegationSpec] = field(default_factory=list)
    organizers: list[PersonSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    registrations: list[RegistrationSpec] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.values["slug"]


# -- small readers --------------------------------------------------------------------------------

def _slug(node: Node, *, max_length: int, what: str = "a code") -> str:
    value = node.text(max_length=max_length)
    if not SLUG.match(value):
        raise node.error(f"must be {what} of letters, digits, '-' and '_' only, not {value!r}")
    return value


def _email(node: Node) -> str:
    value = node.text(max_length=254)
    try:
        validate_email(value)
    except ValidationError:
        raise node.error(f"must be an email address, not {value!r}") from None
    return value


def _optional_email(m: Mapping, key: str) -> str:
    """An email address, or "" where `key` is absent or empty."""
    node = m.get(key)
    if node is None or not node.text(allow_blank=True):
        return ""
    return _email(node)


def _time_zone(node: Node) -> ZoneInfo:
    value = node.text()
    try:
        return ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise node.error(f"{value!r} is not a time zone (e.g. Asia/Vientiane, Asia/Tokyo)", code="bad_time_zone") from None


def _phone(node: Node) -> str:
    raw = node.text(max_length=40)
    try:
        number = phonenumbers.parse(raw, "LA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise node.error(f"must be a phone number like '020 5551 2345' or '+856 20 5551 2345', not {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _span(m: Mapping, spec_tz: ZoneInfo, today: date, *, start_key="starts", end_key="ends", required=True):
    starts_node = m.required(start_key) if required else m.get(start_key)
    ends_node = m.required(end_key) if required else m.get(end_key)
    starts = read_time(starts_node, tz=spec_tz, today=today) if starts_node else None
    ends = read_time(ends_node, tz=spec_tz, today=today) if ends_node else None
    return starts, ends


def _unique(seen: dict, value: str, node: Node, what: str) -> None:
    key = value.lower()
    if key in seen:
        raise node.error(f"{what} {value!r} appears twice (first on line {seen[key]})", code="duplicate")
    seen[key] = node.line


# -- the parts of a meeting -----------------------------------------------------------------------

def _person(node: Node, *, with_role: bool) -> PersonSpec:
    if not with_role and isinstance(node.node, yaml.ScalarNode):
        return PersonSpec(at=node, email=_email(node))  # a focal point may be written as just the email
    m = node.mapping(allowed=ORGANIZER_KEYS if with_role else PERSON_KEYS, required=("email", "role") if with_role else ("email",))
    return PersonSpec(
        at=node,
        email=_email(m.required("email")),
        given_name=m.text("given_name", max_length=150),
        family_name=m.text("family_name", max_length=150),
        language=m.choice("language", LANGUAGES, "lo"),
        role=m.required("role").choice(ORGANIZER_ROLES) if with_role else "",
    )


def _sessions(node: Node, spec: MeetingSpec) -> list[SessionSpec]:
    sessions = []
    for order, item in enumerate(node.items(), start=1):
        m = item.mapping(allowed=SESSION_KEYS, required=("title", "starts", "ends"))
        title_lo, title_en = m.bilingual("title", max_length=300, required=True)
        starts, ends = _span(m, spec.tz, spec.today)
        if ends < starts:
            raise m.at("ends").error(f"the session ends before it starts ({show_local(starts, spec.tz)})", code="ends_before_start")
        if starts < spec.values["starts_at"] or ends > spec.values["ends_at"]:
            raise m.at("starts" if starts < spec.values["starts_at"] else "ends").error(
                f"the session ({show_local(starts, spec.tz)} – {show_local(ends, spec.tz)}) is outside the meeting "
                f"({show_local(spec.values['starts_at'], spec.tz)} – {show_local(spec.values['ends_at'], spec.tz)})",
                code="outside_meeting",
            )
        location_lo, location_en = m.bilingual("location", max_length=200)
        items = _agenda_items(m.get("items"), spec, starts, ends)
        sessions.append(SessionSpec(m, order, title_lo, title_en, starts, ends, location_lo, location_en, items))
    return sessions


def _item_time(node: Node, spec: MeetingSpec, starts: datetime, ends: datetime) -> time:
    """An agenda item's start: a time of day ("14:30", on the session's day) or a full time, inside the
    session; kept as the time of day in the meeting's time zone."""
    raw = node.text()
    tz = spec.tz
    if match := TIME_OF_DAY.match(raw):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise node.error(f"{raw!r} is not a time of day (00:00 to 23:59)")
        first, last = starts.astimezone(tz).date(), ends.astimezone(tz).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        candidates = [local_moment(node, day, hour, minute, tz) for day in days]
        at = next((c for c in candidates if starts <= c < ends), candidates[0])
    elif ABSOLUTE.match(raw) or RELATIVE.match(raw):
        at = read_time(node, tz=tz, today=spec.today)
    else:
        raise node.error(
            f"must be a time of day like '14:30' (on the session's day) or {TIME_HELP}, not {raw!r}"
        )
    if not (starts <= at < ends or at == starts):
        where = "when its session ends, not before" if at == ends else "outside its session"
        raise node.error(
            f"the item starts at {show_local(at, tz)}, {where} ({show_local(starts, tz)} – {show_local(ends, tz)})",
            code="outside_session",
        )
    return at.astimezone(tz).time().replace(second=0, microsecond=0)


def _agenda_items(node: Node | None, spec: MeetingSpec, starts: datetime, ends: datetime) -> list[AgendaItemSpec]:
    items = []
    for order, item in enumerate(node.items() if node else [], start=1):
        if order > MAX_AGENDA_ITEMS:
            raise item.error(
                f"a session holds at most {MAX_AGENDA_ITEMS} agenda items; this is item {order} "
                "(split the session in two, or join items)",
                code="too_many",
            )
        m = item.mapping(allowed=AGENDA_ITEM_KEYS, required=("title",))
        title_lo, title_en = m.bilingual("title", max_length=300, required=True)
        starts_node = m.get("starts")
        start_time = _item_time(starts_node, spec, starts, ends) if starts_node else None
        speaker_lo, speaker_en = m.bilingual("speaker", max_length=300)
        items.append(AgendaItemSpec(m, order, title_lo, title_en, start_time, speaker_lo, speaker_en))
    return items


def _categories(node: Node) -> list[CategorySpec]:
    categories, seen = [], {}
    for order, item in enumerate(node.items(), start=1):
        m = item.mapping(allowed=CATEGORY_KEYS, required=("code", "name"))
        code_node = m.required("code")
        code = _slug(code_node, max_length=40)
        _unique(seen, code, code_node, "category code")
        name_lo, name_en = m.bilingual("name", max_length=120, required=True)
        colour = m.text("badge_colour", "#1F6FB2")
        if not HEX_COLOUR.match(colour):
            raise m.at("badge_colour").error(f"must be a colour written #RRGGBB, e.g. '#1F6FB2', not {colour!r}")
        needs_approval = m.boolean("needs_approval", True)
        needs_endorsement = m.boolean("needs_endorsement", False)
        if needs_endorsement and not needs_approval:
            raise m.at("needs_endorsement").error(
                "a category that needs the focal point's endorsement also needs approval (set needs_approval: true)"
            )
        categories.append(CategorySpec(
            m, order, code, name_lo, name_en, colour.upper(), m.whole_number("quota", allow_null=True),
            needs_approval, needs_endorsement, m.boolean("allows_self_registration", True),
        ))
    return categories


def _delegations(node: Node) -> list[DelegationSpec]:
    delegations, seen = [], {}
    for item in node.items():
        m = item.mapping(allowed=DELEGATION_KEYS, required=("organization",))
        org_node = m.required("organization")
        code = org_node.text(max_length=32)
        _unique(seen, code, org_node, "organization")
        focal_points, emails = [], {}
        focal_node = m.get("focal_points")
        for person_node in focal_node.items() if focal_node else []:
            person = _person(person_node, with_role=False)
            _unique(emails, person.email, person_node, "focal point")
            focal_points.append(person)
        delegations.append(DelegationSpec(m, code, m.whole_number("quota", allow_null=True), focal_points))
    return delegations


def _organizers(node: Node) -> list[PersonSpec]:
    organizers, seen = [], {}
    for item in node.items():
        person = _person(item, with_role=True)
        _unique(seen, f"{person.email} {person.role}", item, "organizer and role")
        organizers.append(person)
    return organizers


def _questions(node: Node, categories: list[CategorySpec]) -> list[QuestionSpec]:
    questions: list[QuestionSpec] = []
    seen: dict = {}
    category_codes = {c.code for c in categories}
    kinds = tuple(k.value for k in QuestionKind if k.value not in NOT_IN_FILES)
    for order, item in enumerate(node.items(), start=1):
        m = item.mapping(allowed=QUESTION_KEYS, required=("key", "kind", "label"))
        key_node = m.required("key")
        key = _slug(key_node, max_length=60, what="a key")
        _unique(seen, key, key_node, "question key")
        kind = m.required("kind").choice(kinds)
        label_lo, label_en = m.bilingual("label", max_length=300, required=True)
        help_lo, help_en = m.bilingual("help")
        choices: list[ChoiceSpec] = []
        choices_node = m.get("choices")
        if kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE):
            if choices_node is None:
                raise m.missing("choices")
            values: dict = {}
            for choice_node in choices_node.items(allow_empty=False):
                c = choice_node.mapping(allowed=CHOICE_KEYS, required=("value",))
                value_node = c.required("value")
                value = value_node.text(max_length=200)
                _unique(values, value, value_node, "choice")
                lo, en = c.text("lo"), c.text("en")
                if not (lo or en):
                    raise c.missing("en")
                choices.append(ChoiceSpec(value, lo, en))
        elif choices_node is not None:
            raise choices_node.error(f"only choice and multiple_choice questions have choices, not {kind}")
        codes = []
        codes_node = m.get("categories")
        for code_node in codes_node.items() if codes_node else []:
            code = code_node.text()
            if code not in category_codes:
                raise code_node.error(
                    f"{code!r} is not a category of this meeting (categories: {', '.join(sorted(category_codes)) or 'none'})",
                    code="unknown_category",
                )
            codes.append(code)
        show_if_question, show_if_value = "", ""
        if show_if := m.get("show_if"):
            s = show_if.mapping(allowed=SHOW_IF_KEYS, required=SHOW_IF_KEYS)
            show_if_question = s.required("question").text()
            earlier = {q.key: q for q in questions}
            if show_if_question not in earlier:
                raise s.at("question").error(
                    f"{show_if_question!r} is not a question above this one", code="unknown_question"
                )
            show_if_value = s.required("value").text(max_length=200)
            target = earlier[show_if_question]
            if target.choices and show_if_value not in {c.value for c in target.choices}:
                raise s.at("value").error(
                    f"{show_if_value!r} is not a choice of {show_if_question!r} "
                    f"({', '.join(c.value for c in target.choices)})"
                )
        questions.append(QuestionSpec(
            m, order, key, kind, label_lo, label_en, help_lo, help_en,
            m.boolean("required", False), m.boolean("sensitive", False), choices, codes,
            show_if_question, show_if_value, m.boolean("active", True),
            needs_reapproval=m.boolean("needs_reapproval", False),
        ))
    return questions


def _answer(node: Node, question: QuestionSpec, today: date):
    kind = question.kind
    if kind in (QuestionKind.TEXT, QuestionKind.LONG_TEXT):
        return node.text(allow_blank=True)
    if kind == QuestionKind.NUMBER:
        return node.number()
    if kind == QuestionKind.DATE:
        return read_date(node, today=today).isoformat()
    if kind == QuestionKind.YES_NO:
        return node.boolean()
    if kind == QuestionKind.COUNTRY:
        value = node.text()
        if not COUNTRY.match(value):
            raise node.error(f"must be a country's ISO code of two capital letters, e.g. LA, not {value!r}")
        return value
    values = [c.value for c in question.choices]
    if kind == QuestionKind.CHOICE:
        return node.choice(values)
    # multiple choice: a list of values
    picked = [item.choice(values) for item in node.items()]
    if len(set(picked)) != len(picked):
        raise node.error("names a choice twice", code="duplicate")
    return picked


def _registrations(node: Node, spec: MeetingSpec) -> list[RegistrationSpec]:
    registrations: list[RegistrationSpec] = []
    emails: dict = {}
    categories = {c.code: c for c in spec.categories}
    delegations = {d.organization: d for d in spec.delegations}
    questions = {q.key: q for q in spec.questions}
    default_participation = Participation.ONLINE if spec.values["format"] == MeetingFormat.ONLINE else Participation.IN_PERSON
    allowed_participation = {
        MeetingFormat.IN_PERSON: (Participation.IN_PERSON.value,),
        MeetingFormat.ONLINE: (Participation.ONLINE.value,),
        MeetingFormat.HYBRID: (Participation.IN_PERSON.value, Participation.ONLINE.value),
    }[spec.values["format"]]
    heads: dict[str, int] = {}
    chair_line = 0
    for index, item in enumerate(node.items()):
        m = item.mapping(allowed=REGISTRATION_KEYS, required=("email", "category"))
        email_node = m.required("email")
        email = _email(email_node)
        _unique(emails, email, email_node, "email")
        category_node = m.required("category")
        category = category_node.text()
        if category not in categories:
            raise category_node.error(
                f"{category!r} is not a category of this meeting (categories: {', '.join(categories) or 'none'})",
                code="unknown_category",
            )
        delegation = ""
        if delegation_node := m.get("delegation"):
            delegation = delegation_node.text()
            if delegation not in delegations:
                raise delegation_node.error(
                    f"{delegation!r} is not a delegation of this meeting (delegations: {', '.join(delegations) or 'none'})",
                    code="unknown_delegation",
                )
        status = m.choice("status", tuple(s.value for s in RegistrationStatus), RegistrationStatus.PENDING.value)
        is_head = m.boolean("is_head_of_delegation", False)
        if is_head and not delegation:
            raise m.at("is_head_of_delegation").error("only a member of a delegation can be its head")
        if is_head and status in SEAT_HOLDING:
            if delegation in heads:
                raise m.at("is_head_of_delegation").error(
                    f"delegation {delegation} already has a head (line {heads[delegation]})", code="duplicate"
                )
            heads[delegation] = m.at("is_head_of_delegation").line
        role = m.choice("role", PROTOCOL_ROLES, "")
        if role == Registration.ProtocolRole.CHAIR and status in SEAT_HOLDING:
            if chair_line:
                raise m.at("role").error(f"the meeting already has a chair (line {chair_line})", code="duplicate")
            chair_line = m.at("role").line
        rank = m.whole_number("rank", None, minimum=1, allow_null=True)
        if rank is not None and not delegation:
            raise m.at("rank").error("only a member of a delegation has a rank in it")
        participation = m.choice("participation", allowed_participation, default_participation)
        values = {
            "honorific": m.text("honorific", max_length=40),
            "given_name": m.text("given_name", max_length=150),
            "family_name": m.text("family_name", max_length=150),
            "family_name_first": m.boolean("family_name_first", False),
            "name_lo": m.text("name_lo", max_length=300),
            "gender": m.choice("gender", GENDERS, ""),
            "position": m.text("position", max_length=300),
            "position_lo": m.text("position_lo", max_length=300),
            "email": email,
            "phone": _phone(m.get("phone")) if m.get("phone") else "",
            "language": m.choice("language", LANGUAGES, spec.values["default_language"]),
            "participation": participation,
            "organization_name": m.text("organization", max_length=300),
            "is_head_of_delegation": is_head,
            "protocol_role": role,
            "protocol_rank": rank,
        }
        if not values["given_name"] and not values["family_name"]:
            raise item.error("a registration needs a given_name or a family_name", code="missing")
        answers = []
        if answers_node := m.get("answers"):
            a = answers_node.mapping(allowed=tuple(questions))
            for key, answer_node in a.values.items():
                question = questions[key]
                if question.categories and category not in question.categories:
                    raise answer_node.error(
                        f"question {key!r} is not asked in category {category!r} (only {', '.join(question.categories)})",
                        code="not_asked",
                    )
                if answer_node.is_null:
                    continue
                answers.append(AnswerSpec(answer_node, key, _answer(answer_node, question, spec.today)))
        registrations.append(RegistrationSpec(
            m, index, email, category, delegation, status, values,
            m.boolean("endorsed", status == RegistrationStatus.APPROVED and categories[category].needs_endorsement),
            m.text("reason"), answers,
        ))
    _check_quotas(registrations, spec)
    return registrations


def _check_quotas(registrations: list[RegistrationSpec], spec: MeetingSpec) -> None:
    """Pending and approved registrations hold seats: the file may not give more than a quota allows."""
    for what, quotas, key in (
        ("category", {c.code: c.quota for c in spec.categories}, lambda r: r.category),
        ("delegation", {d.organization: d.quota for d in spec.delegations}, lambda r: r.delegation),
    ):
        counts: dict[str, int] = {}
        for reg in registrations:
            code = key(reg)
            if not code or reg.status not in SEAT_HOLDING:
                continue
            counts[code] = counts.get(code, 0) + 1
            if quotas.get(code) is not None and counts[code] > quotas[code]:
                raise reg.at.at("status").error(
                    f"{what} {code} has a quota of {quotas[code]}, and this is its pending or approved registration "
                    f"number {counts[code]} (make it waitlisted, or raise the quota)",
                    code="over_quota",
                )


def _edits_close(w: Mapping, tz: ZoneInfo, today: date, meeting_ends: datetime) -> datetime | None:
    node = w.get("edits_close")
    if node is None:
        return None
    edits_close = read_time(node, tz=tz, today=today)
    if edits_close > meeting_ends:
        raise node.error(
            f"edits close after the meeting ends ({show_local(meeting_ends, tz)})", code="ends_before_start"
        )
    return edits_close


def _reapproval_fields(node: Node | None) -> list[str]:
    """Standard fields whose change sends an approved registration back for review."""
    fields: list[str] = []
    seen: dict = {}
    for item in node.items() if node else []:
        field = item.choice(REAPPROVAL_FIELDS)
        _unique(seen, field, item, "field")
        fields.append(field)
    return fields


# -- the whole file -------------------------------------------------------------------------------

def read_meeting_spec(root: Node, *, today: date | None = None) -> MeetingSpec:
    m = root.mapping(allowed=MEETING_KEYS, required=("slug", "title", "starts", "ends"))
    tz = _time_zone(m.at("time_zone")) if m.get("time_zone") else ZoneInfo("Asia/Vientiane")
    if today is None:
        from django.utils import timezone

        today = timezone.localdate(timezone=tz)
    title_lo, title_en = m.bilingual("title", max_length=300, required=True)
    description_lo, description_en = m.bilingual("description")
    venue_lo, venue_en = m.bilingual("venue", max_length=300)
    privacy_lo, privacy_en = m.bilingual("privacy_notice")
    starts, ends = _span(m, tz, today)
    if ends < starts:
        raise m.at("ends").error(f"the meeting ends before it starts ({show_local(starts, tz)})", code="ends_before_start")
    values = {
        "slug": _slug(m.required("slug"), max_length=80, what="a short name"),
        "series": m.text("series", max_length=80),
        "title_lo": title_lo, "title_en": title_en,
        "description_lo": description_lo, "description_en": description_en,
        "format": m.choice("format", tuple(f.value for f in MeetingFormat), MeetingFormat.IN_PERSON.value),
        "status": m.choice("status", tuple(s.value for s in MeetingStatus), MeetingStatus.DRAFT.value),
        "time_zone": tz.key,
        "default_language": m.choice("default_language", LANGUAGES, "lo"),
        "starts_at": starts, "ends_at": ends,
        "venue_lo": venue_lo, "venue_en": venue_en,
        "contact_email": _optional_email(m, "contact_email"),
        "privacy_notice_lo": privacy_lo, "privacy_notice_en": privacy_en,
        "retention_days": m.whole_number("retention_days", 365),
        "registration_mode": RegistrationMode.OPEN.value,
        "registration_opens_at": None, "registration_closes_at": None,
        "capacity": None, "online_capacity": None, "show_seats_left": False, "allows_free_text_organization": False,
        "edits_close_at": None, "reapproval_fields": [],
        "emails_in_both_languages": m.boolean("emails_in_both_languages", False),
    }
    if window := m.get("registration"):
        w = window.mapping(allowed=REGISTRATION_WINDOW_KEYS)
        opens, closes = _span(w, tz, today, start_key="opens", end_key="closes", required=False)
        if opens and closes and closes <= opens:
            raise w.at("closes").error(
                f"registration closes before it opens ({show_local(opens, tz)})", code="ends_before_start"
            )
        values.update({
            "registration_mode": w.choice("mode", tuple(r.value for r in RegistrationMode), RegistrationMode.OPEN.value),
            "registration_opens_at": opens, "registration_closes_at": closes,
            "capacity": w.whole_number("capacity", allow_null=True),
            "online_capacity": w.whole_number("online_capacity", allow_null=True),
            "show_seats_left": w.boolean("show_seats_left", False),
            "allows_free_text_organization": w.boolean("allows_free_text_organization", False),
            "edits_close_at": _edits_close(w, tz, today, ends),
            "reapproval_fields": _reapproval_fields(w.get("reapproval_fields")),
        })
    spec = MeetingSpec(
        at=m, filename=root.filename, today=today, tz=tz, values=values,
        host=m.required("host").text() if m.get("host") else "",
    )
    if node := m.get("sessions"):
        spec.sessions = _sessions(node, spec)
    if node := m.get("categories"):
        spec.categories = _categories(node)
    if node := m.get("delegations"):
        spec.delegations = _delegations(node)
    if node := m.get("organizers"):
        spec.organizers = _organizers(node)
    if node := m.get("questions"):
        spec.questions = _questions(node, spec.categories)
    if node := m.get("registrations"):
        spec.registrations = _registrations(node, spec)
    return spec
