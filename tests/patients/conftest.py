import pytest

from sotclinic.accounts.models import Role
from tests.factories import make_user


@pytest.fixture
def desk(client):
    """A client signed in as the front desk."""
    client.force_login(make_user(Role.FRONT_DESK))
    return client
