"""gunicorn's access log without private links: `--logger-class prachum.registration.gunicorn_logger.Logger`.

gunicorn writes its access log through its own handlers, not Django's LOGGING, so the filter of
log_redaction.py does not see it: this logger hides the token of /r/<token>/ addresses and of
?invitation=<token> links in everything it may log."""

from gunicorn.glogging import Logger as GunicornLogger

from prachum.registration.log_redaction import redact



class Logger(GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: the request line, path and query, and the headers and environ entries
        # that a custom log format may name ({referer}i, {raw_uri}e…).
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
