import os
import sys

from django.core.wsgi import get_wsgi_application

from prachum.config import ConfigError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prachum.settings")
try:
    application = get_wsgi_application()
except ConfigError as exc:
    print(f"prachum: configuration error: {exc}", file=sys.stderr)
    # Exit code 3 is gunicorn's WORKER_BOOT_ERROR: the arbiter stops instead of restarting workers forever.
    raise SystemExit(3) from None
