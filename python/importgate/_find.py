"""Finds the `importgate` binary that this package's wheel installed."""

from __future__ import annotations

import os
import sys
import sysconfig


def _executable() -> str:
    return "importgate" + (sysconfig.get_config_var("EXE") or "")


def find_importgate_bin() -> str:
    """The path of the installed `importgate` binary.

    The wheel puts it in the scripts directory of the scheme it was installed with: the
    environment's own, the user scheme (`pip install --user`), or a `--target`/`--prefix`
    directory next to this package.
    """
    name = _executable()
    candidates = [os.path.join(sysconfig.get_path("scripts"), name)]
    user_scheme = {
        "nt": "nt_user",
        "posix": "osx_framework_user" if sys.platform == "darwin" and sys._framework else "posix_user",  # type: ignore[attr-defined]
    }.get(os.name)
    if user_scheme and user_scheme in sysconfig.get_scheme_names():
        candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), name))
    # `pip install --target DIR`: the package is DIR/importgate, the binary DIR/bin.
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_parent, "bin", name))
    # `pip install --prefix DIR`: DIR/lib/pythonX.Y/site-packages/importgate, DIR/bin.
    candidates.append(
        os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(package_parent))), "bin", name)
    )
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(
        f"the importgate binary was not found; looked in: {', '.join(candidates)}"
    )
