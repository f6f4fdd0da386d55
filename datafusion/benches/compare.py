"""The tier job on one file, side by side: compare.py RUNS WORK TIER DISTRIBUTED PLAIN PYTHON FILE AS_OF

Times (wall seconds, peak resident memory of the process) the median of RUNS runs of:
`tier` on the CSV; `distributed` on the CSV and on the same rows as Parquet (DataFusion,
2 partitions, with its per-phase timings); the plain DataFusion SQL a user would write for
the profiles (`count(DISTINCT date)`, on the CSV); and DuckDB's tier job (peer_duckdb.py
from benches/peers, PYTHON being a Python with duckdb) on the CSV and on the Parquet.
Checks that every tiers.csv of `distributed` equals `tier`'s, byte for byte.
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time


def timed(argv, stderr_to=None):
    """Wall seconds and peak resident MiB of one run of argv (its own process)."""
    start = time.perf_counter()
    err = open(stderr_to, "wb") if stderr_to else subprocess.DEVNULL
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if err is not subprocess.DEVNULL:
        err.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    if len(sys.argv) != 9:
        sys.exit(__doc__)
    runs, work, tier, distributed, plain, python, file, as_of = sys.argv[1:]
    runs, work = int(runs), pathlib.Path(work)
    peers = pathlib.Path(__file__).resolve().parents[2] / "benches" / "peers" / "peer_duckdb.py"
    parquet = work / "parquet"
    subprocess.run([distributed, "--transactions", file, "--as-of", as_of, "--out", str(work / "convert"),
                    "--write-parquet", str(parquet), "--quiet", "--no-charts", "--no-report"], check=True)
    glob = f"{parquet}/*.parquet"
    jobs = {
        "tier (CSV)": [tier, "--transactions", file, "--as-of", as_of, "--out", str(work / "tier"), "--quiet"],
        "distributed (CSV)": [distributed, "--transactions", file, "--as-of", as_of, "--out",
                              str(work / "df-csv"), "--partitions", "2", "--quiet", "--timings"],
        "distributed (Parquet)": [distributed, "--transactions", glob, "--as-of", as_of, "--out",
                                  str(work / "df-parquet"), "--partitions", "2", "--quiet", "--timings"],
        "plain DataFusion SQL profiles (CSV)": [plain, file, as_of, "2"],
        "DuckDB tier job (CSV)": [python, str(peers), file, as_of, str(work / "duckdb-csv.csv")],
        "DuckDB tier job (Parquet)": [python, str(peers), glob, as_of, str(work / "duckdb-parquet.csv")],
    }
    results = {}
    phases = {}
    for _ in range(runs):
        for name, argv in jobs.items():
            log = work / "stderr.txt"
            wall, peak = timed(argv, log)
            results.setdefault(name, []).append((wall, peak))
            if "--timings" in argv:
                line = [l for l in log.read_text().splitlines() if l.startswith("{")][-1]
                phases.setdefault(name, []).append(json.loads(line))
    tiers = (work / "tier" / "tiers.csv").read_bytes()
    for out in ["df-csv", "df-parquet"]:
        same = (work / out / "tiers.csv").read_bytes() == tiers
        print(f"{out}/tiers.csv equal to tier's: {same}")
        if not same:
            sys.exit(1)
    base = statistics.median(w for w, _ in results["tier (CSV)"])
    print(f"{'job':40} {'wall s':>8} {'vs tier':>8} {'peak MiB':>9}")
    for name, figures in results.items():
        wall = statistics.median(w for w, _ in figures)
        peak = statistics.median(p for _, p in figures)
        print(f"{name:40} {wall:8.2f} {wall / base:8.2f} {peak:9.0f}")
    for name, lines in phases.items():
        keys = [k for k in lines[0] if k.endswith("_ms") or k.endswith("_peak_mib")]
        print(name, json.dumps({k: statistics.median(l[k] for l in lines) for k in keys}))


if __name__ == "__main__":
    main()
