"""``python -m clientkit.cli``."""

import sys

from clientkit.cli import main

sys.exit(main())
