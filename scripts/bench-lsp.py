#!/usr/bin/env python3
"""Benchmark: how long `importgate server` takes to publish the diagnostics of a changed
buffer — the latency a user sees while typing.

    scripts/bench-lsp.py                                  # the 25,000-file corpus, 41 edits
    EDITS=101 scripts/bench-lsp.py [TREE [FILE]]

TREE defaults to the corpus of scripts/bench.sh (built by it into $IMPORTGATE_BENCH_CACHE,
FILES=25000); FILE to a Python file of it. The server is started in TREE, FILE is opened and
its first diagnostics awaited (the first check, with warm caches: scripts/bench.sh ran the
tree), then each edit appends a line to the buffer — never to the file — and is timed from
the `didChange` sent to the `publishDiagnostics` of its version. The server's 40 ms of
debounce is part of the figure, as it is of what the user sees. Prints the median, the 90th
percentile and the extremes. Standard library only.

LINE sets what each edit appends; IMPORTGATE names the binary to time (default: a release
build of this checkout); SERVER_PREFIX runs it under a profiler ("perf record -g --").
"""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
CACHE = pathlib.Path(
    os.environ.get("IMPORTGATE_BENCH_CACHE", pathlib.Path.home() / ".cache" / "importgate-bench")
)
EDITS = int(os.environ.get("EDITS", "41"))
# What each edit appends ({n}: the edit's number): by default a plain assignment; for the
# costliest case, a name the module does not have (`from os import missing_{n}`), whose
# hint looks for the modules that define it.
LINE = os.environ.get("LINE", "x{n} = {n}")


def main() -> None:
    tree = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else CACHE / "corpus-25000-django-sympy-ansible"
    if not tree.is_dir():
        sys.exit(f"no tree at {tree}: run FILES=25000 scripts/bench.sh first")
    tree = tree.resolve()
    if len(sys.argv) > 2:
        document = pathlib.Path(sys.argv[2]).resolve()
    else:
        document = next(
            path for path in sorted(tree.rglob("*.py")) if ".importgate_cache" not in path.parts
        )
    if "IMPORTGATE" in os.environ:
        importgate = pathlib.Path(os.environ["IMPORTGATE"]).resolve()
    else:
        subprocess.run(
            ["cargo", "build", "--release", "--quiet", "--bin", "importgate"], cwd=REPOSITORY, check=True
        )
        importgate = REPOSITORY / "target" / "release" / "importgate"
    files = sum(1 for _ in tree.rglob("*.py"))
    # A full run first: the caches are warm, as they are once a project has been checked.
    subprocess.run([importgate, "check", "-q", "--exit-zero"], cwd=tree, stdout=subprocess.DEVNULL, check=True)

    # SERVER_PREFIX runs the server under a profiler: SERVER_PREFIX="perf record -g --".
    prefix = os.environ.get("SERVER_PREFIX", "").split()
    server = subprocess.Popen(
        [*prefix, importgate, "server"], cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )

    def send(message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.stdin.flush()

    def receive() -> dict:
        length = None
        while True:
            line = server.stdout.readline()
            if not line:
                sys.exit("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(server.stdout.read(length))

    def diagnostics_of_version(uri: str, version: int) -> list:
        while True:
            message = receive()
            params = message.get("params") or {}
            if (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version
            ):
                return params["diagnostics"]

    send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": tree.as_uri(), "capabilities": {}}})
    while receive().get("id") != 1:
        pass
    send({"method": "initialized", "params": {}})
    uri = document.as_uri()
    text = document.read_text(encoding="utf-8", errors="replace")
    lines = text.count("\n")
    started = time.perf_counter()
    send({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})
    first = diagnostics_of_version(uri, 1)
    opened = time.perf_counter() - started

    latencies = []
    for version in range(2, EDITS + 2):
        line = lines + version - 2
        started = time.perf_counter()
        send({
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{
                    "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
                    "text": LINE.format(n=version) + "\n",
                }],
            },
        })
        last = diagnostics_of_version(uri, version)
        latencies.append(time.perf_counter() - started)
    send({"id": 2, "method": "shutdown"})
    while receive().get("id") != 2:
        pass
    send({"method": "exit"})
    server.wait(timeout=30)

    latencies.sort()
    p90 = latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))]
    print(f"tree:      {tree} ({files} Python files)")
    print(f"document:  {document.relative_to(tree)} ({len(first)} diagnostics)")
    print(f"open:      {opened * 1000:.0f} ms to the first diagnostics")
    print(
        f"edits:     {len(latencies)}; change to diagnostics: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p90 {p90 * 1000:.0f} ms, min {latencies[0] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    codes = sorted({str(diagnostic.get("code")) for diagnostic in last})
    print(f"last edit: {len(last)} diagnostics ({', '.join(codes) or 'none'})")
    print(f"server exit code: {server.returncode}")


if __name__ == "__main__":
    main()
