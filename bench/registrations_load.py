"""The load generator of bench/registrations.py: visitors that GET the registration form, read its CSRF and form
tokens and POST it as a browser does (multipart), each pass a new visitor; HTTP/1.1 on asyncio streams (LeanClient)
or httpx. bench/profile_register.py sends the same form through the WSGI application.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
# Where every accepted form leads ("check your email"): the answer names no registration.
SENT_LOCATION = re.compile(r"^/(?:lo|en)/m/[\w-]+/register/sent/$")
CEILING_PATH = "/bench/insert/"
CEILING_LOCATION = re.compile(r"^/bench/insert/$")


# ---------------------------------------------------------------------------- the load generator


def multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The body a browser sends for this form (enctype="multipart/form-data") and its Content-Type."""
    boundary = "----PrachumBench" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Plan:
    """What one visitor sends: a unique person, half of them (by --approval-share) in the category that needs approval."""

    def __init__(self, *, tag: str, categories: dict, approval_share: float, questions: int):
        self.tag = tag
        self.auto, self.approval = str(categories["observer"]), str(categories["delegate"])
        self.approval_share = approval_share
        self.questions = questions

    def category(self, n: int) -> str:
        # Spread evenly: pass n goes to "delegate" when the running share falls behind.
        return self.approval if math.floor((n + 1) * self.approval_share) > math.floor(n * self.approval_share) else self.auto

    def email(self, n: int) -> str:
        return f"bench.{self.tag}.{n}@example.org"

    def fields(self, n: int, csrf: str, form_token: str) -> list[tuple[str, str]]:
        female = n % 2 == 0
        fields = [
            ("csrfmiddlewaretoken", csrf),
            ("form_token", form_token),
            ("honorific", "ms" if female else "mr"),
            ("given_name", f"Delegate {n}"),
            ("family_name", "Phommachanh"),
            ("name_lo", "ແກ້ວ ພົມມະຈັນ"),
            ("gender", "female" if female else "male"),
            ("position", "Deputy Director, Department of Planning"),
            ("organization", "Ministry of Technology and Communications"),
            ("email", self.email(n)),
            ("phone", "020 5551 2345"),
            ("category", self.category(n)),
        ]
        if self.questions:
            fields += [("q_dietary", ("none", "vegetarian", "halal")[n % 3]), ("q_arrival", f"QV{100 + n % 900}")]
        fields.append(("consent", "on"))
        return fields


@dataclass
class Pass:
    n: int
    ok: bool
    error: str = ""
    get_s: float | None = None
    post_s: float | None = None
    ended: float = 0.0
    location: str = ""


class Answer:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class LeanClient:
    """One visitor's HTTP/1.1 connection on asyncio streams, with its own cookies. A tenth of httpx's
    CPU per request: on this 2-core machine the load generator shares the cores with the server,
    and httpx alone took one of them for the ceiling (see bench/README.md)."""

    def __init__(self, base_url: str, timeout: float):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.netloc, self.origin = parts.netloc, f"{parts.scheme}://{parts.netloc}"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.reader = self.writer = None

    def new_visitor(self) -> None:
        self.cookies.clear()

    async def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None,
                      close: bool = False) -> Answer:
        return await asyncio.wait_for(self._request(method, path, body, headers or {}, close), self.timeout)

    async def _request(self, method, path, body, headers, close) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.netloc}", "Accept: text/html,*/*",
                 "Accept-Encoding: identity", "User-Agent: prachum-bench"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        if close:
            lines.append("Connection: close")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            answer_headers: dict[str, str] = {}
            for line in header_lines:
                if not line:
                    continue
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    cookie, _, attributes = value.partition(";")
                    key, _, val = cookie.partition("=")
                    if "max-age=0" in attributes.lower().replace(" ", ""):
                        self.cookies.pop(key.strip(), None)
                    else:
                        self.cookies[key.strip()] = val.strip()
                else:
                    answer_headers[name] = value
            if "content-length" in answer_headers:
                data = await self.reader.readexactly(int(answer_headers["content-length"]))
            elif answer_headers.get("transfer-encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    chunks.append(await self.reader.readexactly(size + 2))
                    if size == 0:
                        break
                data = b"".join(c[:-2] for c in chunks)
            else:
                data = await self.reader.read()
                close = True
        except BaseException:
            await self.aclose()
            raise
        if close or answer_headers.get("connection", "").lower() == "close":
            await self.aclose()
        return Answer(status, answer_headers, data)

    async def aclose(self) -> None:
        if self.writer is not None:
            writer, self.writer, self.reader = self.writer, None, None
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


class HttpxClient:
    """The same with httpx (--client httpx): what the issue names, at about ten times the client CPU."""

    def __init__(self, base_url: str, timeout: float):
        import httpx

        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    def new_visitor(self) -> None:
        self.client.cookies.clear()

    async def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None,
                      close: bool = False) -> Answer:
        headers = dict(headers or {})
        if close:
            headers["Connection"] = "close"
        response = await self.client.request(method, path, content=body or None, headers=headers)
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)

    async def aclose(self) -> None:
        await self.client.aclose()


CLIENTS = {"lean": LeanClient, "httpx": HttpxClient}


async def register_once(client, path: str, plan: Plan, n: int, close: bool, *, post_to: str = "",
                        expect: re.Pattern = SENT_LOCATION) -> Pass:
    """One new visitor: GET the form, POST it (to `post_to` where given) and expect a 303 to a
    location that `expect` matches; `close`: on one connection of its own."""
    client.new_visitor()
    t0 = time.perf_counter()
    try:
        page = await client.request("GET", path)
        t1 = time.perf_counter()
        if page.status != 200:
            return Pass(n, False, f"GET HTTP {page.status}", ended=t1)
        text = page.text
        csrf, token = CSRF_TOKEN.search(text), FORM_TOKEN.search(text)
        if not csrf or not token:
            return Pass(n, False, "GET: no csrfmiddlewaretoken or form_token in the form", ended=t1)
        body, content_type = multipart(plan.fields(n, csrf.group(1), token.group(1)))
        headers = {"Content-Type": content_type, "Origin": client.origin, "Referer": client.origin + path}
        answer = await client.request("POST", post_to or path, body=body, headers=headers, close=close)
        t2 = time.perf_counter()
    except Exception as exc:  # timeouts, resets, refused connections
        return Pass(n, False, type(exc).__name__, ended=time.perf_counter())
    location = answer.headers.get("location", "")
    if answer.status != 303 or not expect.match(location):
        what = f"POST HTTP {answer.status}"
        if answer.status == 200:  # the form came back: say why, in short
            m = re.search(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]{1,120})', answer.text)
            what += f" (form came back: {m.group(1).strip() if m else '?'})"
        return Pass(n, False, what, t1 - t0, t2 - t1, t2)
    return Pass(n, True, "", t1 - t0, t2 - t1, t2, location)


async def insert_once(client, path: str, n: int, close: bool) -> Pass:
    client.new_visitor()
    t0 = time.perf_counter()
    try:
        answer = await client.request("GET", path, close=close)
        t1 = time.perf_counter()
    except Exception as exc:
        return Pass(n, False, type(exc).__name__, ended=time.perf_counter())
    if answer.status != 200:
        return Pass(n, False, f"HTTP {answer.status}", post_s=t1 - t0, ended=t1)
    return Pass(n, True, "", None, t1 - t0, t1)


async def load(base_url: str, *, clients: int, first: int, count: int, work, timeout: float,
               kind: str = "lean") -> tuple[list[Pass], float, float]:
    """`clients` visitors run `work(client, n)` for n in [first, first + count), each taking the next n.
    Returns the passes, the start (perf_counter) and the elapsed seconds."""
    queue = iter(range(first, first + count))
    passes: list[Pass] = []

    async def visitor(client):
        for n in queue:  # one shared iterator: every n is taken once
            passes.append(await work(client, n))

    pool = [CLIENTS[kind](base_url, timeout) for _ in range(clients)]
    try:
        t0 = time.perf_counter()
        await asyncio.gather(*(visitor(c) for c in pool))
        elapsed = time.perf_counter() - t0
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    return passes, t0, elapsed
