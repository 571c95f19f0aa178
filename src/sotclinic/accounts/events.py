"""The account event log: writing a row, and the recent rows a person sees of their own."""

from .models import AccountEvent, User


def record_account_event(user: User, kind: str, *, by: User | None = None) -> AccountEvent:
    """Append one event for ``user``'s account, inside the caller's transaction.

    ``by`` is who made the change (defaults to ``user``: people change their own sign-in).
    """
    by = user if by is None else by
    return AccountEvent.objects.create(
        user=user,
        by=by,
        by_name=(by.get_full_name() or by.get_username())[:150],
        kind=AccountEvent.Kind(kind),
    )


def recent_account_events(user: User, kinds=None, limit: int = 10) -> list[AccountEvent]:
    """The account's latest events, newest first (optionally only some kinds)."""
    events = AccountEvent.objects.filter(user=user)
    if kinds is not None:
        events = events.filter(kind__in=kinds)
    return list(events.order_by("-occurred_at", "-pk")[:limit])
