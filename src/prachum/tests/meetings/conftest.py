"""The fixtures of meetings's own tests, for the tests of meetings that use apps above it."""

from prachum.meetings.tests import conftest as _fixtures

globals().update({name: value for name, value in vars(_fixtures).items() if not name.startswith("__")})
