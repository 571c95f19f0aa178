class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for a person."""
