"""``python -m alliance_meta.cli``: the same as the ``alliance-meta`` command."""

import sys

from .main import main

sys.exit(main())
