"""The hostile tests' tally: each test counts the inputs it tried; the session ends with their sum."""

import pytest

from prachum.testing.hostile import TALLY


@pytest.fixture
def hostile_tally():
    return TALLY


def pytest_terminal_summary(terminalreporter):
    if not TALLY.tried:
        return
    terminalreporter.section("hostile inputs")
    for what, count in sorted(TALLY.tried.items()):
        terminalreporter.write_line(f"  {what}: {count}")
    terminalreporter.write_line(f"hostile inputs: {TALLY.total} tried, {len(TALLY.errors)} server errors")
    for error in TALLY.errors[:20]:
        terminalreporter.write_line(f"  ! {error}")
