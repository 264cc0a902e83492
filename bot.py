"""Entry point: start the assistant's channels on embedded defaults.

Kept thin on purpose; `assistant.app` wires the parts and `assistant.channels.*` run them.
"""

from __future__ import annotations

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["chat"]))
