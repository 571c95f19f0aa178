"""Handing work to the background worker (django-q2) so that a task never runs against rows
that were rolled back or are not yet visible to it.

With the database as the queue (the ORM broker on the default database, the default set-up)
the task's row is written inside the current transaction: it becomes visible to the workers
when, and only when, the rows it reads do, and a rolled-back transaction takes it back too.
That costs one insert in a transaction already open, where a hand-over after the commit would
be a second transaction of its own (on PostgreSQL, a second commit and log flush per booking).
Any other broker (Redis), and a queue that runs each task at once (the test suite's
TASKS_SYNC), is handed the task once the transaction commits."""

from django.db import DEFAULT_DB_ALIAS, transaction


def after_commit(func: str, *args, task_name: str, group: str, robust: bool = False) -> None:
    """Queue ``func(*args)`` (its dotted path) for the worker, to run once the transaction
    commits, at once outside one. ``robust``: a failing hand-over after the commit (broker
    unreachable) is logged, not raised, for work a later sweep picks up anyway."""
    from django_q.conf import Conf

    def hand_over() -> None:
        from django_q.tasks import async_task

        async_task(func, *args, task_name=task_name, group=group)

    in_transaction = not transaction.get_autocommit(DEFAULT_DB_ALIAS)
    if in_transaction and Conf.ORM == DEFAULT_DB_ALIAS and not Conf.SYNC:
        # The queue is a table of this database: its row commits with this transaction.
        hand_over()
    else:
        transaction.on_commit(hand_over, robust=robust)
