"""``python -m jcs_sim`` is the same as the ``jcs-sim`` command."""

import sys

from .cli import main

sys.exit(main())
