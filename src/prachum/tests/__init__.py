"""Tests across apps: each uses an app above the one it is about (docs/architecture.md, "Tests")."""
