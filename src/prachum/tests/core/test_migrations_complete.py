"""The migrations describe the models as they are, whatever machine makes them: no setting of this machine
(its data folder, say) is written into a migration."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db  # makemigrations checks the applied migrations' history
def test_no_model_change_lacks_its_migration():
    # The tests run with a temporary data folder: a path recorded from another machine shows up as a change.
    out = StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    except SystemExit:
        raise AssertionError(f"makemigrations would make:\n{out.getvalue()}") from None
