"""The oracle of tests/cpython_differential.rs: what CPython's import system says.

Reads a JSON request on stdin, one entry per generated tree:
  {"dir", "roots", "files": [{"path", "module", "is_package"}],
   "queries": [{"id", "module", "is_package", "level", "target", "name"}]}
and answers, on stdout, for each tree:
  {"shadowed": [path, ...],            # files that are not what Python loads for their name
   "answers": {id: "ok" | "missing-module" | "relative-error" | "missing-name" | "unknown"}}

Module lookups never execute code of the tree: they walk importlib.machinery.PathFinder one
segment at a time, as the import system does. Name lookups import the module for real (the
generated trees hold only definitions, __all__ and star imports), in a fresh sys.modules.
"""
import importlib
import importlib.machinery
import importlib.util
import json
import os
import sys

sys.dont_write_bytecode = True
BASE_PATH = list(sys.path)


def path_finder(fullname, path):
    """importlib.machinery.PathFinder.find_spec without its last step: a namespace package's
    portions stay a plain list (its _NamespacePath would look its parent up in sys.modules,
    where nothing is imported)."""
    spec = importlib.machinery.PathFinder._get_spec(fullname, path)
    if spec is None:
        return None
    if spec.loader is None:
        if not spec.submodule_search_locations:
            return None
        spec.origin = None
    return spec


def find(name, roots):
    """The spec Python finds for `name` with sys.path = roots, or None; no code runs."""
    path = roots
    spec = None
    parts = name.split(".")
    for position in range(len(parts)):
        spec = path_finder(".".join(parts[: position + 1]), path)
        if spec is None:
            return None
        if position < len(parts) - 1:
            if spec.submodule_search_locations is None:
                return None  # "'a' is not a package"
            path = list(spec.submodule_search_locations)
    return spec


def purge(tops):
    for key in list(sys.modules):
        if key.split(".")[0] in tops:
            del sys.modules[key]


def is_extension(spec):
    return spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader)


def through_extension(name, roots):
    """Whether finding `name` passes through a compiled extension (whose names are unknown)."""
    parts = name.split(".")
    return any(is_extension(find(".".join(parts[: n + 1]), roots)) for n in range(len(parts)))


def has_name(module, name, roots, tops):
    """`from module import name`: None when the module itself cannot be imported."""
    purge(tops)
    try:
        loaded = importlib.import_module(module)
    except Exception:
        return None
    if name in vars(loaded):
        return True
    # The import system's fallback: a submodule of that name (found, not executed).
    return hasattr(loaded, "__path__") and find(f"{module}.{name}", roots) is not None


def answer(query, roots, tops):
    if query["level"]:
        package = query["module"] if query["is_package"] else query["module"].rpartition(".")[0]
        if not package:
            return "relative-error"
        try:
            target = importlib.util.resolve_name("." * query["level"] + query["target"], package)
        except (ImportError, ValueError):
            return "relative-error"
    else:
        target = query["target"]
    if find(target, roots) is None:
        return "missing-module"
    name = query["name"]
    if name is None or name == "*":
        return "ok"
    if through_extension(target, roots):
        return "unknown"
    present = has_name(target, name, roots, tops)
    if present is None:
        return "unknown"
    return "ok" if present else "missing-name"


def main():
    request = json.load(sys.stdin)
    results = []
    for tree in request:
        roots = [os.path.join(tree["dir"], root) if root else tree["dir"] for root in tree["roots"]]
        sys.path[:] = roots + BASE_PATH
        sys.path_importer_cache.clear()
        importlib.invalidate_caches()
        tops = {entry["module"].split(".")[0] for entry in tree["files"]} | set(tree["tops"])
        shadowed = []
        for entry in tree["files"]:
            spec = find(entry["module"], roots)
            origin = os.path.realpath(spec.origin) if spec is not None and spec.origin else None
            if origin != os.path.realpath(os.path.join(tree["dir"], entry["path"])):
                shadowed.append(entry["path"])
        answers = {query["id"]: answer(query, roots, tops) for query in tree["queries"]}
        purge(tops)
        results.append({"shadowed": shadowed, "answers": answers})
    json.dump(results, sys.stdout)


main()
