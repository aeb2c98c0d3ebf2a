"""`python -m importgate ARGS`: runs the installed `importgate` binary with ARGS."""

from __future__ import annotations

import os
import subprocess
import sys

from importgate._find import find_importgate_bin


def main() -> int:
    binary = find_importgate_bin()
    if sys.platform == "win32":
        # No exec on Windows: run it and pass its exit code on.
        return subprocess.run([binary, *sys.argv[1:]]).returncode
    os.execv(binary, [binary, *sys.argv[1:]])
    return 0  # not reached: exec replaces the process


if __name__ == "__main__":
    sys.exit(main())
