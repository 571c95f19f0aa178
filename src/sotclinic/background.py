"""Handing work to the background worker (django-q2) once the current transaction commits, so
a task never runs against rows that were rolled back or are not yet visible to it."""

from django.db import transaction


def after_commit(func: str, *args, task_name: str, group: str, robust: bool = False) -> None:
    """Queue ``func(*args)`` (its dotted path) for the worker when the transaction commits, at
    once outside one. ``robust``: a failing hand-over (broker unreachable) is logged, not
    raised, for work a later sweep picks up anyway."""

    def hand_over() -> None:
        from django_q.tasks import async_task

        async_task(func, *args, task_name=task_name, group=group)

    transaction.on_commit(hand_over, robust=robust)
