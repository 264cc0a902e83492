"""Composition root: wire catalogue, database and dossier desk from settings.

Channels and the CLI call `build_assistant`; nothing else decides how parts connect.
"""

from __future__ import annotations

import logging

from assistant.config import Settings
from assistant.core import Assistant

log = logging.getLogger(__name__)


def build_assistant(settings: Settings, with_database: bool = True) -> Assistant:
    """The assistant for these settings; the dossier desk is attached when the database is usable."""
    assistant = Assistant.from_settings(settings)
    return assistant
