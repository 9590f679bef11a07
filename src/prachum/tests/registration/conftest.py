"""The fixtures of registration's own tests, for the tests of registration that use apps above it."""

from prachum.registration.tests import conftest as _fixtures

globals().update({name: value for name, value in vars(_fixtures).items() if not name.startswith("__")})
