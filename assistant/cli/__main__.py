"""`python -m assistant.cli ...`: the staff command line without the installed script, e.g. from a
checkout whose virtualenv has not been activated or in a worktree beside the installed one."""

import sys

from assistant.cli import main

sys.exit(main())
