"""The oracle of the nesting differential test: whether CPython compiles each source.

Reads a JSON list of sources on stdin; prints a JSON list with, for each, null when
compile() accepts it, else [error class, message].
"""
import json
import sys

answers = []
for source in json.load(sys.stdin):
    try:
        compile(source, "generated.py", "exec")
        answers.append(None)
    except (SyntaxError, RecursionError, MemoryError) as error:
        message = getattr(error, "msg", None) or str(error)
        answers.append([type(error).__name__, message])
json.dump(answers, sys.stdout)
