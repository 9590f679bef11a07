"""The fixtures of notify's own tests, for the tests of notify that use apps above it."""

from prachum.notify.tests import conftest as _fixtures

globals().update({name: value for name, value in vars(_fixtures).items() if not name.startswith("__")})
