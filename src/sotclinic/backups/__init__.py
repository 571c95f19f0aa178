"""Backups of the database and uploaded media: the ``backup`` and ``restore`` commands."""
