"""One JSON object per log line (PRACHUM_LOG_FORMAT=json), for a log collector to index.

Every line has `timestamp`, `level`, `logger`, `message`, and `request_id` / `task_id` (core/request_ids.py;
null outside a request or a Celery task); a traceback comes as `exc_info`. Only values that are plain JSON are
kept of what a caller adds with `extra=`: Django adds the request object to its request logs, whose text would
carry the raw path, private tokens included, past the filter that hides them in the message
(registration/log_redaction.py).
"""

from datetime import datetime

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s"
PLAIN_VALUES = (str, int, float, bool, type(None), datetime)  # the timestamp is written as ISO 8601


class JsonFormatter(BaseJsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)  # Lao text stays readable
        super().__init__(*args or (FIELDS,), **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        for key in [key for key, value in log_data.items() if not isinstance(value, PLAIN_VALUES)]:
            del log_data[key]
