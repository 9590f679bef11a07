"""The statistics page's figures, from aggregate queries (a handful, whatever the number of registrations)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prachum.core.bilingual import pick
from prachum.meetings.models import Meeting
from prachum.registration.models import Registration
from prachum.reports import charts, selectors
from prachum.reports.pdf import XLSX_TYPE, workbook_bytes


def _pick_row(row: dict, prefix: str, language: str):
    class Row:
        pass

    holder = Row()
    holder.name_lo = row.get(f"{prefix}name_lo") or ""
    holder.name_en = row.get(f"{prefix}name_en") or ""
    return pick(holder, "name", language)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"


Population = selectors.Population

# Each figure's heading names its population; the definitions under the table say whom it counts.
POPULATION_HEADINGS = {
    Population.REGISTERED: gettext_lazy("Registered"),
    Population.APPROVED: gettext_lazy("Approved"),
    Population.CHECKED_IN: gettext_lazy("Checked in"),
    Population.JOINED: gettext_lazy("Joined online"),
    Population.ATTENDED: gettext_lazy("Checked in or joined online"),
}
POPULATION_DEFINITIONS = {
    Population.REGISTERED: gettext_lazy("Registered: pending, approved or on the waiting list."),
    Population.APPROVED: gettext_lazy("Approved: participants whose registration is approved."),
    Population.CHECKED_IN: gettext_lazy(
        "Checked in: approved participants checked in at the door at least once (a check-in that was undone "
        "does not count)."
    ),
    Population.JOINED: gettext_lazy(
        "Joined online: approved participants who joined online at least once (opened their join link or were "
        "on the video conference's list of attendees)."
    ),
    Population.ATTENDED: gettext_lazy(
        "Checked in or joined online: approved participants who did one or both, each counted once."
    ),
}


@dataclass
class Statistics:
    scope: str
    total: int
    tables: list[dict]  # {"chart": BarChart|TimeChart, "kind": "bar"|"time", "header": [...], "rows": [[...]]}
    # Who took part, per population (selectors.participant_figures, the figures of the news draft):
    # {"header": [...], "rows": [[delegation, n, ...]], "total": [...], "definitions": [...]}
    figures: dict | None = None


def figures_table(meeting: Meeting, figures: selectors.ParticipantFigures, *, language: str) -> dict:
    """The participant figures as a table: a row per delegation in protocol order, a column per population
    worth showing for the meeting's format, and the totals; under the active language."""
    populations = figures.populations
    rows = []
    for delegation in figures.delegations:
        name = pick(delegation.organization, "name", language) if delegation.organization else _("No delegation")
        rows.append([str(name), *(delegation.counts[p] for p in populations)])
    return {
        "header": [_("Delegation"), *(str(POPULATION_HEADINGS[p]) for p in populations)],
        "rows": rows,
        "total": [_("Total"), *(figures.total(p) for p in populations)],
        "definitions": [str(POPULATION_DEFINITIONS[p]) for p in populations],
    }


def meeting_statistics(meeting: Meeting, *, language: str, scope: str = selectors.Scope.APPROVED) -> Statistics:
    with translation.override(language):
        return _meeting_statistics(meeting, language=language, scope=scope)


def _meeting_statistics(meeting: Meeting, *, language: str, scope: str) -> Statistics:
    scope = scope if scope in (selectors.Scope.APPROVED, selectors.Scope.ACTIVE) else selectors.Scope.APPROVED
    scope_text = _("approved participants") if scope == selectors.Scope.APPROVED else _("pending, approved and waiting")
    tables = []
    figures = figures_table(meeting, selectors.participant_figures(meeting), language=language)

    days = selectors.registrations_over_time(meeting)
    time_rows = [(formats.date_format(day, "SHORT_DATE_FORMAT"), n) for day, n in days]
    time = charts.time_chart(
        "over-time", _("Registrations over time"),
        _("Registrations made each day (columns) and their running total (line), every status."), time_rows,
    )
    running, rows = 0, []
    for label, n in time_rows:
        running += n
        rows.append([label, n, running])
    tables.append({"chart": time, "kind": "time", "header": [_("Day"), _("Registrations"), _("Running total")], "rows": rows})

    by_status = selectors.count_by_status(meeting)
    all_total = sum(by_status.values())
    status_rows = [(label, by_status.get(value, 0), str(by_status.get(value, 0)))
                   for value, label in Registration.Status.choices]
    tables.append(_bar("by-status", _("By status"), _("Every registration by its status."), status_rows, all_total))

    delegation_rows = []
    for row in selectors.count_by_delegation(meeting, scope):
        if row["delegation__organization_id"] is None:
            name = _("No delegation")
            lang = language
        else:
            name = _pick_row(row, "delegation__organization__", language)
            lang = name.language
        delegation_rows.append((str(name), row["n"], str(row["n"]), lang))
    scoped_total = sum(row[1] for row in delegation_rows)
    tables.append(_bar("by-delegation", _("By delegation"), _("In protocol order; %(scope)s.") % {"scope": scope_text},
                       delegation_rows, scoped_total))

    category_rows = []
    for row in selectors.count_by_category(meeting, scope):
        name = _pick_row(row, "category__", language)
        category_rows.append((str(name), row["n"], str(row["n"]), name.language))
    tables.append(_bar("by-category", _("By category"), scope_text.capitalize(), category_rows, scoped_total))

    genders = selectors.count_by(meeting, scope, "gender")
    gender_rows = [(label, genders.get(value, 0), str(genders.get(value, 0))) for value, label in Registration.Gender.choices]
    if genders.get("", 0):
        gender_rows.append((_("Not given"), genders[""], str(genders[""])))
    tables.append(_bar("by-gender", _("By sex"), _("Sex-disaggregated figures; %(scope)s.") % {"scope": scope_text},
                       gender_rows, scoped_total))

    formats_ = selectors.count_by(meeting, scope, "participation")
    format_rows = [(label, formats_.get(value, 0), str(formats_.get(value, 0)))
                   for value, label in Registration.Participation.choices]
    tables.append(_bar("by-format", _("In person or online"), scope_text.capitalize(), format_rows, scoped_total))

    rates = selectors.attendance_rates(meeting)
    rate_rows, rate_table = [], []
    for rate in rates:
        title = pick(rate["session"], "title", language)
        rate_rows.append((str(title), rate["rate"], _percent(rate["attended"], rate["expected"]), title.language))
        rate_table.append([str(title), rate["expected"], rate["in_person"], rate["online"], rate["attended"],
                           _percent(rate["attended"], rate["expected"])])
    rate_chart = charts.bar_chart(
        "attendance", _("Attendance per session"),
        _("Approved participants who checked in or joined online, per session."), rate_rows, maximum=1.0,
    )
    tables.append({
        "chart": rate_chart, "kind": "bar",
        "header": [_("Session"), _("Approved"), _("In person"), _("Online"), _("Attended"), _("Rate")],
        "rows": rate_table,
    })
    return Statistics(scope=scope, total=scoped_total, tables=tables, figures=figures)


def _bar(chart_id, title, description, rows, total) -> dict:
    rows = [(str(row[0]), *row[1:]) for row in rows]  # choice labels are lazy: the table wants text
    chart = charts.bar_chart(chart_id, title, description, rows)
    return {
        "chart": chart, "kind": "bar", "header": ["", _("Number"), _("Share")],
        "rows": [[row[0], row[1], _percent(row[1], total)] for row in rows],
    }


def statistics_xlsx(meeting: Meeting, *, language: str, scope: str) -> tuple[str, str, bytes]:
    stats = meeting_statistics(meeting, language=language, scope=scope)
    with translation.override(language):
        return _statistics_xlsx(meeting, stats, language)


def _statistics_xlsx(meeting, stats, language):
    figures = stats.figures
    rows = [*figures["rows"], figures["total"], [], *([text] for text in figures["definitions"])]
    sheets = [(f"1 {_('Who took part')}", figures["header"], rows)]
    for number, table in enumerate(stats.tables, 2):
        header = [h or _("Group") for h in table["header"]]
        sheets.append((f"{number} {table['chart'].title}", header, table["rows"]))
    content = workbook_bytes(sheets, title_rows=[str(meeting.title), _("Statistics")])
    return f"{meeting.slug}-statistics-{language}.xlsx", XLSX_TYPE, content
