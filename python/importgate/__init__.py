"""importgate: a static import-boundary linter for Python service monorepos.

The package ships the `importgate` binary; `python -m importgate` runs it. There is no
Python API: the command line is the interface.
"""

from importgate._find import find_importgate_bin

__all__ = ["find_importgate_bin"]
