"""What the benchmark scripts share: timing a command as a whole process, and its peak RSS."""

import subprocess
import time


def timed(command):
    """Wall-clock seconds of one run of `command` (its output discarded)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_rss_mb(command):
    """Peak resident set of one run of `command`, in MiB, as GNU time reports it."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, check=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(result.stderr.strip().splitlines()[-1]) / 1024
