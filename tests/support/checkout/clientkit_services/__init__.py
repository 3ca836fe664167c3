"""The service packages of this checkout, under the name they install as.

Their sources are in ``resources/``; an install maps that folder onto ``clientkit_services``
(pyproject's ``package-dir``). The tests run this checkout without installing it
(``PYTHONPATH=<checkout>``), so ``tests/conftest.py`` and the commands the tests start put
this folder first on the path: the name then means this checkout's ``resources/``, never an
installed copy of another one.
"""

from pathlib import Path

__path__ = [str(Path(__file__).resolve().parents[4] / "resources")]
