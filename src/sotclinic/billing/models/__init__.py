"""Billing's data, one module per part: the fee schedule (fees), the append-only ledger of
charges, payments and invoices (ledger), prepaid packages and memberships (packages), care
plans (plans), and the ledger's running totals for the reports (summaries). Each module lists
its models in ``__all__``."""

from .fees import *  # noqa: F403
from .ledger import *  # noqa: F403
from .packages import *  # noqa: F403
from .plans import *  # noqa: F403
from .summaries import *  # noqa: F403
