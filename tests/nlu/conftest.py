"""The assistant on the shipped catalogue, shared by the question-family tests of this package."""

import pytest

from assistant.config import Settings
from assistant.core import Assistant


@pytest.fixture(scope="module")
def assistant(shipped_catalog):
    return Assistant(shipped_catalog, Settings())
