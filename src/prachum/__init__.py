"""Prachum (ປະຊຸມ): meeting registration in Lao and English."""

from .celery import app as celery_app

__all__ = ["celery_app"]
