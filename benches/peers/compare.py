"""Times tier and its peers side by side: compare.py RUNS WORKDIR TIER FILE AS_OF

One warm-up round (each tool once; its tiers.csv is compared with tier's), then RUNS
rounds of tier, DuckDB, polars in turn, each a whole process. Wall time is a monotonic
clock around start and exit; peak memory is the child's maximum resident set from
wait4, the figure `/usr/bin/time -v` prints. Prints medians and, per peer, the median
over rounds of peer/tier (above 1: tier is faster or smaller).
"""
import os
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def run(cmd: list[str], log: pathlib.Path) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one run; exits on failure."""
    with log.open("ab") as out:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        # The work directory goes when run.sh exits: say what went wrong now.
        tail = log.read_text(errors="replace").splitlines()[-20:]
        sys.exit("\n".join([f"{' '.join(cmd)} failed (exit {child.returncode}):", *tail]))
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return wall, peak


def main() -> None:
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    runs, work, tier, file, as_of = int(sys.argv[1]), pathlib.Path(sys.argv[2]), *sys.argv[3:]
    py = sys.executable
    tools = {
        "tier": ([tier, "--transactions", file, "--as-of", as_of, "--out", str(work / "tier"), "--quiet"],
                 work / "tier" / "tiers.csv"),
        "duckdb": ([py, str(HERE / "peer_duckdb.py"), file, as_of, str(work / "duckdb.csv")], work / "duckdb.csv"),
        "polars": ([py, str(HERE / "peer_polars.py"), file, as_of, str(work / "polars.csv")], work / "polars.csv"),
    }
    load = os.getloadavg()[0]
    for name, (cmd, _) in tools.items():
        run(cmd, work / f"{name}.log")
    ours = tools["tier"][1].read_bytes()
    same = {name: out.read_bytes() == ours for name, (_, out) in tools.items()}
    rows = sum(1 for _ in open(file, "rb")) - 1
    figures = {name: [] for name in tools}
    for _ in range(runs):
        for name, (cmd, _) in tools.items():
            figures[name].append(run(cmd, work / f"{name}.log"))
    print(f"{rows} rows, as of {as_of}; {runs} interleaved runs each after a warm-up; "
          f"{os.cpu_count()} cores, load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"| {'tool':<6} | {'wall median (min-max)':<22} | {'peak MiB median':>15} | {'wall ÷ tier':>11} | "
          f"{'peak ÷ tier':>11} | tiers.csv  |")
    print(f"|{'-' * 8}|{'-' * 24}|{'-' * 17}|{'-' * 13}|{'-' * 13}|{'-' * 12}|")
    for name, runs_of in figures.items():
        walls, peaks = [w for w, _ in runs_of], [p for _, p in runs_of]
        ratio = lambda i: statistics.median(b[i] / a[i] for a, b in zip(figures["tier"], runs_of))
        wall = f"{statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f})"
        verdict = "-" if name == "tier" else ("same bytes" if same[name] else "DIFFERS")
        print(f"| {name:<6} | {wall:<22} | {statistics.median(peaks):>15.0f} | {ratio(0):>11.2f} | "
              f"{ratio(1):>11.2f} | {verdict:<10} |")


if __name__ == "__main__":
    main()
