"""The fixtures of accounts's own tests, for the tests of accounts that use apps above it."""

from prachum.accounts.tests import conftest as _fixtures

globals().update({name: value for name, value in vars(_fixtures).items() if not name.startswith("__")})
