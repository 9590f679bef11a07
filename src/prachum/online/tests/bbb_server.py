"""A small BigBlueButton API server for tests (stdlib http.server in a thread): it checks every call's
checksum as BigBlueButton does and answers create, join and getMeetingInfo with BigBlueButton's XML.
It is a stand-in for the remote server, not for any code of ours."""

from __future__ import annotations

import hashlib
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


class FakeBigBlueButton:
    def __init__(self, secret: str):
        self.secret = secret
        self.meetings: dict[str, dict] = {}  # meetingID -> {"name", "attendees": [(userID, fullName, role)]}
        self.calls: list[tuple[str, dict]] = []
        self.refused: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parsed = urllib.parse.urlsplit(self.path)
                if not parsed.path.startswith("/bigbluebutton/"):
                    # The browser, once in the "room", asks for /favicon.ico when it likes: not an API call.
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                call = parsed.path.rsplit("/", 1)[-1]
                body = server.answer(call, parsed.query)
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/bigbluebutton/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, call: str, query: str) -> str:
        # BigBlueButton checks the checksum over the query as sent, without the checksum parameter.
        without, _sep, checksum = query.rpartition("&checksum=")
        expected = hashlib.sha1(f"{call}{without}{self.secret}".encode()).hexdigest()
        if checksum != expected:
            self.refused.append(call)
            return _failed("checksumError", "You did not pass the checksum security check")
        params = dict(urllib.parse.parse_qsl(without))
        self.calls.append((call, params))
        meeting_id = params.get("meetingID", "")
        if call == "create":
            duplicate = meeting_id in self.meetings
            self.meetings.setdefault(meeting_id, {"name": params.get("name", ""), "attendees": []})
            extra = "<messageKey>duplicateWarning</messageKey><message>This conference was already in existence and may currently be in progress.</message>" if duplicate else "<messageKey></messageKey><message></message>"
            return (f"<response><returncode>SUCCESS</returncode><meetingID>{escape(meeting_id)}</meetingID>"
                    f"<internalMeetingID>x-{escape(meeting_id)}</internalMeetingID><createTime>1786803013476</createTime>"
                    f"<hasBeenForciblyEnded>false</hasBeenForciblyEnded>{extra}</response>")
        if call == "getMeetingInfo":
            meeting = self.meetings.get(meeting_id)
            if meeting is None:
                return _failed("notFound", "We could not find a meeting with that meeting ID")
            attendees = "".join(
                f"<attendee><userID>{escape(u)}</userID><fullName>{escape(n)}</fullName><role>{r}</role>"
                f"<isPresenter>false</isPresenter><isListeningOnly>false</isListeningOnly><hasJoinedVoice>true</hasJoinedVoice>"
                f"<hasVideo>false</hasVideo><clientType>HTML5</clientType></attendee>"
                for u, n, r in meeting["attendees"]
            )
            return (f"<response><returncode>SUCCESS</returncode><meetingName>{escape(meeting['name'])}</meetingName>"
                    f"<meetingID>{escape(meeting_id)}</meetingID><running>true</running>"
                    f"<participantCount>{len(meeting['attendees'])}</participantCount><attendees>{attendees}</attendees></response>")
        return _failed("unsupportedRequest", "This request is not supported.")


def _failed(key: str, message: str) -> str:
    return f"<response><returncode>FAILED</returncode><messageKey>{key}</messageKey><message>{message}</message></response>"
