"""What the other side of the API looks like in tests: a webhook receiver that checks what docs/api.md says a
receiver must check, and a call as curl makes it."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prachum.testing.smtp import free_port


class WebhookReceiver:
    """An HTTP server in a thread on 127.0.0.1. Each POST is checked as a receiver must (HMAC-SHA256 over
    "<Prachum-Timestamp>.<raw body>" with `secret`, compared in constant time; a timestamp within 5 minutes)
    and answered with the next code of `plan`, then `ok`; a request not signed or not fresh gets 401."""

    def __init__(self, *, ok: int = 200, path: str = "/hook"):
        self.secret = ""
        self.plan: list[int] = []
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                timestamp = self.headers.get("Prachum-Timestamp", "")
                expected = "v1=" + hmac.new(receiver.secret.encode(), timestamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
                signed = hmac.compare_digest(expected, self.headers.get("Prachum-Signature", ""))
                fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= 300
                with receiver.lock:
                    code = receiver.plan.pop(0) if receiver.plan else ok
                    if not (signed and fresh):
                        code = 401
                    receiver.requests.append({
                        "event": self.headers.get("Prachum-Event"), "delivery": self.headers.get("Prachum-Delivery"),
                        "body": json.loads(body), "raw": body, "code": code, "signed": signed, "fresh": fresh,
                    })
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}{path}"

    def accepted(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if 200 <= r["code"] < 300]

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.1)
        raise AssertionError(f"{len(self.requests)} of {count} deliveries arrived: {self.requests}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def api_call(method: str, url: str, token: str, body=None, **headers) -> tuple[int, dict]:
    """What `curl -X <method> -H "Authorization: Bearer $TOKEN" [-d <json>] <url>` does: (status, JSON)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", **headers}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
