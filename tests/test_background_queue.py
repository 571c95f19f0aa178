"""With the database as the task queue (production's default), a task's row is written in the
transaction that queues it: it commits with that transaction's rows and rolls back with
them. (A queue that runs each task at once, the test settings, runs it after the commit:
tests/messaging/test_channels.py.)"""

import pytest
from django.db import transaction
from django_q.conf import Conf
from django_q.models import OrmQ

from sotclinic.background import after_commit

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "sotclinic.messaging.services.send_message"


@pytest.fixture
def queued_for_a_worker(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)


class Refused(Exception):
    pass


def _queue() -> None:
    after_commit(TASK, 1, task_name="send message 1", group="messages")


def test_a_task_queued_in_a_transaction_is_written_in_it(queued_for_a_worker):
    with transaction.atomic():
        _queue()
        assert OrmQ.objects.count() == 1

    assert OrmQ.objects.count() == 1


def test_a_task_queued_in_a_transaction_that_rolls_back_is_not_queued(queued_for_a_worker):
    with pytest.raises(Refused), transaction.atomic():
        _queue()
        raise Refused

    assert not OrmQ.objects.exists()


def test_a_task_queued_in_a_savepoint_rolled_back_is_not_queued(queued_for_a_worker):
    with transaction.atomic():
        with pytest.raises(Refused), transaction.atomic():
            _queue()
            raise Refused
        _queue()

    assert OrmQ.objects.count() == 1


def test_a_task_queued_outside_a_transaction_is_queued_at_once(queued_for_a_worker):
    _queue()

    assert OrmQ.objects.count() == 1
