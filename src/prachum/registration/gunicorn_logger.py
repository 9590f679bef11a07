"""gunicorn's access log without private links: `--logger-class prachum.registration.gunicorn_logger.Logger`.

gunicorn writes its access log through its own handlers, not Django's LOGGING, so the filter of
log_redaction.py does not see it: this logger hides the token of /r/<token>/ addresses and of
?invitation=<token> links in everything it may log.

It also leaves out the probes that succeed (/healthz, /readyz, /metrics: a load balancer asks every few
seconds), and follows PRACHUM_LOG_FORMAT: with "json", each access line is a JSON object with the request id
that the application sent back (X-Request-ID, core/request_ids.py), and gunicorn's own messages are JSON too.
For plain lines, gunicorn_config.py's access_log_format ends with that id."""

import json
from datetime import datetime, timezone

from gunicorn.glogging import Logger as GunicornLogger

from prachum import config
from prachum.core.probes import PROBE_PATHS
from prachum.registration.log_redaction import redact


class Logger(GunicornLogger):
    def setup(self, cfg):
        super().setup(cfg)
        self.json = config.get_log_format() == "json"
        if self.json:
            from prachum.core.log_format import JsonFormatter

            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: the request line, path and query, and the headers and environ entries
        # that a custom log format may name ({referer}i, {raw_uri}e…).
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        if environ.get("PATH_INFO") in PROBE_PATHS and str(resp.status).startswith(("2", "3")):
            return
        if not self.json:
            return super().access(resp, req, environ, request_time)
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "timestamp": datetime.now(timezone.utc).isoformat(),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": atoms.get("{x-request-id}o") or None,
            "remote_addr": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "protocol": atoms["H"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "referer": atoms["f"],
            "user_agent": atoms["a"],
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))
