"""Prachum's settings with a URLconf that adds the benchmark's ceiling view, and the form's rate limit raised."""

from prachum.settings import *  # noqa: F403

ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"

# The public form's rate limit (per client address) would stop a load test at 20 registrations a
# minute: bench/registrations.py sends thousands from 127.0.0.1. Raised here, never in the product.
PRACHUM_RATELIMIT_REGISTER = "1000000/m"

# The API's rate per token (600 a minute) would stop bench/api.py's one token after a few seconds.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "1000000/min"}}  # noqa: F405
