"""A Django project used only by the benchmark: Prachum plus one bare INSERT view (the ceiling)."""
