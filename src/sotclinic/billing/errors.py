"""Billing's refusals, each with a message for a person."""


class BillingError(Exception):
    """A billing request that cannot be carried out as asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
