"""``python -m llmcost``: the same as the ``llmcost`` console script."""

import sys

from .cli import main

sys.exit(main())
