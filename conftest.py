"""The test runs (``tests/`` and the guides' examples in ``docs/``) use this checkout's service
packages under their installed name, ``clientkit_services``, without an install."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests" / "support" / "checkout"))
