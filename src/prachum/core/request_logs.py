"""What a request leaves in the logs, and which addresses are answered at all.

`ClientErrorsInOneLine`: Django logs a refused request (403, 404, 400…) with the exception that made it, so every
403 of a person without the role wrote a whole traceback, and the tracebacks of real server errors drowned among
them. A 4xx record keeps its one line ("Forbidden (Permission denied): /en/manage/x/"); a 5xx keeps its traceback.

`NeedlessEscapesMiddleware`: a server decodes the path before Django sees it, so /en/%72/<token>/ reached the
private page of /en/r/<token>/, past log rules and proxy rules written for /r/. A path that percent-encodes what
never needs it (letters, digits, - . _ ~ and /) is not a link that Prachum wrote: it is not served (404). Only
servers that pass the raw request line (gunicorn's RAW_URI, REQUEST_URI elsewhere) let this be seen."""

import logging
import re

from django.http import Http404

# %HH spelling an ASCII letter or digit, - . _ ~ or /.
NEEDLESS_ESCAPE = re.compile(r"%(?:3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|2[dDeEfF]|5[fF]|7[eE])")


class ClientErrorsInOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info, record.exc_text = None, None
        return True


class NeedlessEscapesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or ""
        if NEEDLESS_ESCAPE.search(raw.split("?", 1)[0]):
            raise Http404("a path with needless percent-escapes")
        return self.get_response(request)
