"""Entry point (`make run`): start the assistant's channels on embedded defaults.

Kept thin on purpose: `assistant.runner` starts the web chat, Telegram and hot reload;
`assistant.app` wires the parts.
"""

import sys

from assistant.runner import main

if __name__ == "__main__":
    sys.exit(main())
