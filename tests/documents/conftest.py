import pytest


@pytest.fixture(autouse=True)
def document_store(settings, tmp_path):
    """Each test keeps its files in its own private store."""
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    return settings.DOCUMENTS_ROOT
