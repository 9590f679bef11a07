"""Prachum's settings, unchanged, with a URLconf that adds the benchmark's ceiling view."""

from prachum.settings import *  # noqa: F403

ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
