"""Delegates registering through nginx, as many browsers at once: each with its own connection, cookies and
client address (127.0.0.2, 127.0.0.3 …: the whole 127.0.0.0/8 is this machine's loopback), so that the
per-address rate limit sees different clients, as it would see delegates' phones."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import ssl
import time
from dataclasses import dataclass

import httpx

# httpx logs every request at INFO: thousands of lines here.
logging.getLogger("httpx").setLevel(logging.WARNING)
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CATEGORY = re.compile(r'name="category" value="(\d+)"')
TIMEOUT = httpx.Timeout(120.0)


def source_address(number: int) -> str:
    """127.0.0.2, 127.0.0.3 … 127.0.1.x: never 127.0.0.1, the address of the machine's own requests."""
    return str(ipaddress.ip_address("127.0.0.2") + number)


@dataclass
class Outcome:
    email: str
    status: int | None = None  # of the POST; None: it was never answered
    error: str = ""  # the connection error, or what the GET of the form answered
    seconds: float = 0.0


def person(email: str) -> dict:
    return {
        "honorific": "ms", "given_name": "Keo", "family_name": "Phommachanh", "name_lo": "ແກ້ວ ພົມມະຈັນ",
        "gender": "female", "position": "Deputy Director", "organization": "Ministry of Technology and Communications",
        "email": email, "phone": "020 5551 2345", "consent": "on",
    }


# One TLS context for every client: httpx would build one per client (tens of milliseconds each), although
# these speak plain HTTP.
_TLS = ssl.create_default_context()


async def _client(address: str, source: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=address, timeout=TIMEOUT, follow_redirects=False, verify=_TLS,
                             transport=httpx.AsyncHTTPTransport(local_address=source, retries=0, verify=_TLS))


async def _load_form(client: httpx.AsyncClient, path: str) -> dict:
    page = await client.get(path)
    if page.status_code != 200:
        raise RuntimeError(f"GET {path}: {page.status_code}")
    return {"csrfmiddlewaretoken": CSRF_TOKEN.search(page.text).group(1),
            "form_token": FORM_TOKEN.search(page.text).group(1), "category": CATEGORY.search(page.text).group(1)}


async def register_all_at_once(address: str, slug: str, emails: list[str], *, addresses: int = 250) -> list[Outcome]:
    """Every person loads the form with a browser of their own; when all have it, all send it at once."""
    path = f"/en/m/{slug}/register/"
    outcomes = [Outcome(email) for email in emails]
    clients = [await _client(address, source_address(i % addresses)) for i in range(len(emails))]
    try:
        async def load(client, outcome):
            try:
                return await _load_form(client, path)
            except (httpx.HTTPError, RuntimeError) as exc:
                outcome.error = f"form: {exc!r}"
                return None

        forms = await asyncio.gather(*(load(c, o) for c, o in zip(clients, outcomes)))

        async def send(client, form, outcome):
            if form is None:
                return
            started = time.monotonic()
            try:
                response = await client.post(path, data={**person(outcome.email), **form})
                outcome.status = response.status_code
            except httpx.HTTPError as exc:
                outcome.error = repr(exc)
            outcome.seconds = time.monotonic() - started

        await asyncio.gather(*(send(c, f, o) for c, f, o in zip(clients, forms, outcomes)))
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return outcomes


async def register_steadily(address: str, slug: str, emails: list[str], *, at_once: int, addresses: int = 250,
                            ) -> list[Outcome]:
    """`at_once` browsers at a time, each loading the form and sending it, until every email has registered once
    (a POST that was not answered with a 303 is not sent again: the test counts what a 303 promised)."""
    path = f"/en/m/{slug}/register/"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(emails)):
        queue.put_nowait(index)
    outcomes = [Outcome(email) for email in emails]

    async def browser(number: int):
        while not queue.empty():
            index = queue.get_nowait()
            outcome = outcomes[index]
            started = time.monotonic()
            async with await _client(address, source_address((number * 7 + index) % addresses)) as client:
                try:
                    form = await _load_form(client, path)
                except (httpx.HTTPError, RuntimeError) as exc:
                    outcome.error = f"form: {exc!r}"
                    continue
                try:
                    response = await client.post(path, data={**person(outcome.email), **form})
                    outcome.status = response.status_code
                except httpx.HTTPError as exc:
                    outcome.error = repr(exc)
            outcome.seconds = time.monotonic() - started

    await asyncio.gather(*(browser(number) for number in range(at_once)))
    return outcomes
