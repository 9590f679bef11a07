"""Every page fits a phone: each role's pages, crawled in Chromium, never scroll sideways.

For each role (the public, a participant through private links, the owner, a reviewer, check-in staff, a
focal point, a site administrator) and each language, one browser context logs in through the real login page
and crawls: from the role's home it follows every same-origin link (GET only; never logout, the language
switch, the Django admin, join links, which count a join and leave for the video room, or files: PDF, XLSX,
CSV, ICS, PNG…), one page per URL pattern (ids, tokens, meetings and queries collapsed), each page loaded
once and measured at 390 px and, resized, at 1280 px. A page fails when it is a server error, when `document.documentElement.scrollWidth` exceeds the
window (the message names the URL and the elements that stick out), when something is pushed off the left
edge where nobody can scroll to it, or when chart text is smaller than 12 px or cut by its chart's edge.

Crawling rather than listing pages means a page added later is covered once a link leads to it.
The data is both demo meetings (hybrid and online, registrations in every status, questions, delegations)
plus check-ins, online joins, an invitation, a message, documents and a check-in device.
With $SCREENSHOTS_DIR set, the main pages of each role are photographed at both widths."""

import os
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from prachum.checkin.services import check_in, create_device
from prachum.demo.services import load_demo_meetings, set_up_demo_organizer
from prachum.directory.services import load_organizations
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_user
from prachum.notify.tests.factories import make_message
from prachum.online.services import record_join
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_invitation
from prachum.reports.services import upload_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = ({"width": 390, "height": 844}, {"width": 1280, "height": 900})
LANGUAGES = ("lo", "en")
MAX_PAGES_PER_CONTEXT = 120
FILE_EXTENSIONS = (".pdf", ".xlsx", ".csv", ".ics", ".png", ".jpg", ".jpeg", ".zip", ".js", ".json", ".txt")
# Not pages of this site's layout, or not safe to GET: the language switch (its own loop), logging out,
# Django's admin, a join link (records a join, then leaves for the video room), the device API.
SKIPPED_PATHS = re.compile(r"^/(i18n|admin|api|static|media)/|/accounts/logout/|/join/|/sw\.js$")
# With $SCREENSHOTS_DIR set, these pages are photographed at each width (to look at, not compared).
PHOTOGRAPHED = re.compile(r"/(manage|reports/statistics|delegation/\d+|registrations|checkin/[\w-]+|r/[\w-]+)/$")
SEGMENT_ID = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9_-]{20,})$")
KIND = re.compile(r"^[a-z_]+\.[a-z_.]+$")  # an email's kind in the setup pages: registration.confirmed


@pytest.fixture
def world(settings, tmp_path):
    """Both demo meetings with activity, and one account per role, made before the browser starts."""
    settings.PRACHUM_DELIVERY = "inline"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_organizations()
    symposium, adgsom = load_demo_meetings()
    owner, _ = set_up_demo_organizer(meetings=[symposium, adgsom], password=DEFAULT_PASSWORD)

    users = {"owner": owner.get_username()}
    User = get_user_model()
    for role, email in (("reviewer", "reviewer@example.org"), ("checkin", "checkin@example.org"),
                        ("focal_point", "focal.la@example.org")):
        user = User.objects.get(email=email)
        user.set_password(DEFAULT_PASSWORD)
        user.save()
        users[role] = user.get_username()
    administrator = make_user(username="site-admin", email="site-admin@example.org")
    administrator.user_permissions.add(
        Permission.objects.get(codename="administer_site", content_type__app_label="accounts")
    )
    users["administrator"] = administrator.get_username()
    assert MeetingRole.objects.filter(user__email="focal.la@example.org", role=MeetingRole.Role.FOCAL_POINT).exists()

    # At the door: the approved in-person people of ADGSOM for the meeting and its first session.
    first_session = adgsom.sessions.order_by("starts_at").first()
    for registration in adgsom.registrations.filter(status=Registration.Status.APPROVED, participation="in_person"):
        for session in (None, first_session):
            check_in(meeting=adgsom, code=registration.badge_code, session=session, client_id=uuid.uuid4())
    # Online: the symposium's approved people joined its sessions.
    for registration in symposium.registrations.filter(status=Registration.Status.APPROVED):
        for session in symposium.sessions.all()[:2]:
            record_join(registration=registration, session=session)
    create_device(meeting=adgsom, name="Front door tablet")
    make_invitation(adgsom)
    make_message(adgsom.registrations.first())
    for visibility in ("public", "participants"):
        upload_document(
            meeting=adgsom, actor=owner, uploaded=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4 agenda"),
            title_lo="ວາລະກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດິຈິຕອນອາຊຽນ ແລະ ເອກະສານປະກອບ", title_en="Annotated agenda",
            visibility=visibility,
        )

    # The participant's private pages: one per status that has a page, in each meeting.
    tokens = []
    for meeting in (adgsom, symposium):
        for status in Registration.Status.values:
            registration = meeting.registrations.filter(status=status).order_by("pk").first()
            if registration is not None:
                tokens.append(registration.manage_token)
    return {"users": users, "tokens": tokens, "slugs": (adgsom.slug, symposium.slug)}


def pattern_of(url: str, slugs=()) -> str:
    """The URL's path with its ids, tokens and meetings collapsed. A query (a filter, a page of a list) shows
    the same page with other rows: one of them is enough."""
    segments = ["<meeting>" if segment in slugs else "<id>" if SEGMENT_ID.match(segment)
                else "<kind>" if KIND.match(segment) else segment for segment in urlsplit(url).path.split("/")]
    return "/".join(segments)


def is_file(path: str) -> bool:
    return path.lower().endswith(FILE_EXTENSIONS) or "/download/" in path or path.endswith("/file/")


# Run in the page: what is wrong with its width (a list, empty when it fits). The elements named are those
# that stick out while their parent does not (where to look), each with a short selector.
MEASURE = """() => {
  const vw = window.innerWidth;
  const problems = [];
  const selector = (el) => {
    const names = [];
    for (let node = el; node && node !== document.body && names.length < 4; node = node.parentElement) {
      let name = node.tagName.toLowerCase();
      if (node.id) name += '#' + node.id;
      const classes = (typeof node.className === 'string' ? node.className : '').trim().split(/\\s+/).filter(Boolean);
      if (classes.length) name += '.' + classes.slice(0, 2).join('.');
      names.unshift(name);
    }
    return names.join(' > ');
  };
  const clippedByAncestor = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== 'visible' || style.clip !== 'auto' && style.clip !== '') return true;
    }
    return false;
  };
  const all = Array.from(document.body.querySelectorAll('*'));
  if (document.documentElement.scrollWidth > vw) {
    const out = [];
    for (const el of all) {
      const rect = el.getBoundingClientRect();
      const parent = el.parentElement.getBoundingClientRect();
      if (rect.width > 0 && rect.right > vw + 1 && parent.right <= vw + 1 && !clippedByAncestor(el)) {
        out.push(selector(el) + ' (' + Math.round(rect.width) + ' px wide, right edge at ' + Math.round(rect.right) + ')');
      }
    }
    problems.push('page is ' + document.documentElement.scrollWidth + ' px wide in a ' + vw + ' px window; '
      + 'sticking out: ' + (out.slice(0, 5).join('; ') || 'nothing found'));
  }
  for (const el of all) {
    const rect = el.getBoundingClientRect();
    if (rect.width > 1 && rect.height > 1 && rect.left < -1 && !clippedByAncestor(el)
        && getComputedStyle(el).position !== 'fixed' && el.closest('.visually-hidden, .skip-link') === null) {
      problems.push('cut on the left: ' + selector(el) + ' starts at ' + Math.round(rect.left) + ' px');
      break;
    }
  }
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;
    for (const text of svg.querySelectorAll('text')) {
      const rect = text.getBoundingClientRect();
      if (rect.width === 0) continue;
      const matrix = text.getScreenCTM();
      const size = parseFloat(getComputedStyle(text).fontSize) * (matrix ? Math.hypot(matrix.a, matrix.b) : 1);
      if (size < 11.5) {
        problems.push('chart text ' + size.toFixed(1) + ' px (under 12): "' + text.textContent.slice(0, 30) + '" in ' + selector(svg));
        break;
      }
      if (rect.left < box.left - 1 || rect.right > box.right + 1) {
        problems.push('chart text cut by its chart: "' + text.textContent.slice(0, 30) + '" in ' + selector(svg));
        break;
      }
    }
  }
  return problems;
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter((a) => !a.hasAttribute('download'))
  .map((a) => a.href)"""


def log_in(page, base: str, language: str, username: str) -> None:
    page.goto(f"{base}/{language}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def crawl(page, *, role: str, base: str, language: str, starts: list[str], slugs, files: set,
          timings: list) -> tuple[int, list]:
    """Visit every page reachable from `starts` once per pattern; returns (pages visited, failures)."""
    queue = [(url, True) for url in starts]
    visited_urls, seen_patterns, failures, count = set(), set(), [], 0
    while queue and count < MAX_PAGES_PER_CONTEXT:
        url, is_start = queue.pop(0)
        if url in visited_urls:
            continue
        visited_urls.add(url)
        pattern = pattern_of(url, slugs)
        if not is_start and (pattern in seen_patterns or pattern in files):
            continue
        seen_patterns.add(pattern)
        began = time.monotonic()
        try:
            response = page.goto(url, wait_until="load")
        except Exception as error:  # noqa: BLE001 — a file download aborts the navigation
            if "Download is starting" in str(error):
                files.add(pattern)
                continue
            failures.append(f"{url}: could not load ({error})")
            continue
        count += 1
        timings.append((time.monotonic() - began, url))
        content_type = (response.headers.get("content-type", "") if response else "")
        if response is not None and response.status >= 500:
            failures.append(f"{url}: HTTP {response.status}")
            continue
        if not content_type.startswith("text/html"):
            files.add(pattern)
            continue
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            for problem in page.evaluate(MEASURE):
                failures.append(f"{url} at {viewport['width']} px: {problem}")
            if os.environ.get("SCREENSHOTS_DIR") and PHOTOGRAPHED.search(urlsplit(url).path):
                name = re.sub(r"[^\w-]+", "_", pattern_of(url, slugs).strip("/"))[:80]
                folder = Path(os.environ["SCREENSHOTS_DIR"])
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(folder / f"{role}-{name}-{viewport['width']}.png"), full_page=True)
        if not page.url.startswith(base):
            continue
        for link in page.evaluate(LINKS):
            link = urldefrag(link).url
            parts = urlsplit(link)
            if not link.startswith(base) or SKIPPED_PATHS.search(parts.path) or is_file(parts.path):
                continue
            other = [f"/{code}/" for code in LANGUAGES if code != language]
            if any(parts.path.startswith(prefix) for prefix in other):
                continue
            queue.append((link, False))
    return count, failures


ROLES = ("public", "participant", "owner", "reviewer", "checkin", "focal_point", "administrator")
# Enough pages that a broken login or start page, which would visit almost nothing, fails the test.
LEAST_PAGES = {"public": 3, "participant": 4, "owner": 30, "reviewer": 8, "checkin": 3, "focal_point": 4,
               "administrator": 2}


def test_every_page_fits_a_phone_and_a_laptop_for_every_role_in_both_languages(live_server, world, chromium):
    """One test for all roles: the data takes longer to make than most roles take to crawl."""
    base = live_server.url
    failures, visited, files, timings, seconds = [], {}, set(), [], {}
    for role in ROLES:
        started = time.monotonic()
        for language in LANGUAGES:
            context = chromium.new_context(viewport=VIEWPORTS[0], locale="lo-LA" if language == "lo" else "en-US")
            page = context.new_page()
            page.set_default_timeout(20_000)
            if role == "public":
                starts = [f"{base}/{language}/", f"{base}/{language}/m/no-such-meeting/"]  # and the 404 page
            elif role == "participant":
                starts = [f"{base}/{language}/r/{token}/" for token in world["tokens"]]
            else:
                log_in(page, base, language, world["users"][role])
                starts = [f"{base}/{language}/manage/"]
                if role == "checkin":
                    starts.append(f"{base}/{language}/checkin/{world['slugs'][0]}/")
                if role == "focal_point":  # the 403 page, which names the missing role and who grants it
                    starts.append(f"{base}/{language}/manage/{world['slugs'][0]}/setup/")
            count, found = crawl(page, role=role, base=base, language=language, starts=starts, slugs=world["slugs"],
                                 files=files, timings=timings)
            visited[f"{role}/{language}"] = count
            failures += [f"[{role}, {language}] {failure}" for failure in found]
            context.close()
        seconds[role] = round(time.monotonic() - started)
    slowest = ", ".join(f"{took:.1f} s {url}" for took, url in sorted(timings, reverse=True)[:3])
    print(f"\nvisited {sum(visited.values())} pages: {visited}; seconds per role: {seconds}; slowest: {slowest}")
    too_few = {key: n for key, n in visited.items() if n < LEAST_PAGES[key.split("/")[0]]}
    assert not too_few, f"the crawl reached too few pages: {too_few}"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
