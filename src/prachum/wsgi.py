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

# Embedded mode has no Celery beat: each web process retries due mail itself, also mail left over by a restart.
from django.conf import settings  # noqa: E402

if settings.PRACHUM_DELIVERY == "thread":
    from prachum.notify.background import start_sweeper

    start_sweeper()
