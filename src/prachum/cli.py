"""The `prachum` console command: Django's manage.py plus Prachum's own commands.

Commands are written with hyphens (`prachum load-meeting`); Django's module names use underscores.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prachum.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "prachum"

    from prachum.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"prachum: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
