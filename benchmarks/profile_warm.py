"""A command as a fork of the warm process runs it, profiled; and what the warm process costs.

    uv run python benchmarks/profile_warm.py [-- -w WS COMMAND ARGS...] [--top 40]

Imports what ``memberlens.launch`` preloads and does its warm-up, timed, and prints the
seconds, the peak RSS and how long the per-request check of the imported modules' files
takes (median of 20). With a command after ``--`` it then runs that command line in this
process under cProfile — what is left of a command once the imports are warm — and prints
the total and the ``--top`` entries by cumulative time to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
import resource
import statistics
import sys
import time


def main() -> None:
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(own)

    from memberlens import launch

    started = time.perf_counter()
    for name in launch.PRELOAD:
        importlib.import_module(name)
    launch._warm_up()
    preload = time.perf_counter() - started
    known = launch._module_times()
    checks = []
    for _ in range(20):
        t = time.perf_counter()
        launch._changed(known)
        checks.append(time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"preload and warm-up {preload:.2f} s, peak RSS {rss:.0f} MB, {len(sys.modules)} modules, "
        f"check of their files {statistics.median(checks) * 1000:.1f} ms (median of 20)"
    )
    if not command:
        return
    sys.argv = ["memberlens", *command]
    profile = cProfile.Profile()
    t = time.perf_counter()
    profile.enable()
    try:
        from memberlens.cli import main as cli_main

        cli_main()
    except SystemExit:
        pass
    finally:
        profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    sys.stderr.write(f"command under cProfile: {time.perf_counter() - t:.3f} s\n{out.getvalue()}")


if __name__ == "__main__":
    main()
