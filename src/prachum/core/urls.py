"""The probes' addresses, at the root (no language prefix): see core/probes.py."""

from django.urls import path

from prachum.core import metrics, probes

urlpatterns = [
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
