"""Speed of `specbench compare` on two 1,500-sample logs and `specbench report` on ten.

The logs: one real run of `specbench/specbench` (all 1,500 samples, vanilla + joint judge)
with the scripted mockllm models of the tests, then copies of it with edited scores (each copy
a different random share of samples made unsafe), written back with `write_eval_log`. They are
made once into `--work-dir` and reused.

Two sets are timed: the logs as the scorer writes them (each score also carries the compact
`spec_verdicts` record, so `compare` / `report` read Inspect's sample summaries; see
`specbench_inspect.analysis.logs.COMPACT_VERDICTS`), and the same logs without that record
(as older logs are: the commands then read the full samples).

Each command runs as the user runs it (`python -m specbench_inspect ...`, a new process), a
few times; the script prints wall time (min / median) and the CPU time of the process and its
workers.

    python benchmarks/bench_compare_report.py [--work-dir /tmp/specbench-bench] [--repeat 3]

Needs the test helpers (run from the checkout) and the SpecBench data (see tests/helpers/data.py).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def without_compact_verdicts(source: Path, target: Path) -> Path:
    """A copy of a log whose scores lack the compact `spec_verdicts` record (as logs written
    before the scorer kept it: `compare` / `report` then read the full samples)."""
    from inspect_ai.log import read_eval_log, write_eval_log

    if target.exists():
        return target
    log = read_eval_log(str(source))
    for sample in log.samples or []:
        score = (sample.scores or {})["spec_judge"]
        (score.metadata or {}).pop("spec_verdicts", None)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_eval_log(log, str(target))
    return target


def make_logs(work: Path, copies: int) -> list[Path]:
    """One real 1,500-sample log and `copies - 1` edited copies of it (each standing for
    another run: its own eval id and answers)."""
    from inspect_ai.log import read_eval_log, write_eval_log

    base_dir = work / "base"
    found = sorted(base_dir.glob("*.eval"))
    if found:
        base = found[0]
    else:
        from helpers.data import DATA_DIR
        from helpers.models import answer_model, grader_model
        from inspect_ai import eval

        from specbench_inspect.tasks import specbench

        started = time.perf_counter()
        [log] = eval(
            specbench(data_dir=str(DATA_DIR)),
            model=answer_model(),
            model_roles={"grader": grader_model()},
            display="none",
            log_dir=str(base_dir),
        )
        assert log.status == "success" and log.location, log.error
        base = Path(log.location)
        print(f"made the 1,500-sample log in {time.perf_counter() - started:.1f} s: {base}")
    logs = [base]
    for i in range(1, copies):
        target = work / "runs" / f"run{i:02d}.eval"
        if not target.exists():
            log = read_eval_log(str(base))
            rng = random.Random(i)
            share = 0.02 * i
            # another run, not a copy: compare refuses the same eval or the same answers
            log.eval.eval_id = f"benchmarkrun{i:02d}"
            for sample in log.samples or []:
                score = (sample.scores or {})["spec_judge"]
                score.answer = f"{score.answer} (run {i})"
                if isinstance(score.value, dict) and rng.random() < share:
                    score.value = {**score.value, "safety": 0, "sar": 0.0}
            target.parent.mkdir(parents=True, exist_ok=True)
            write_eval_log(log, str(target))
        logs.append(target)
    return logs


def timed(args: list[str], repeat: int) -> tuple[list[float], float, int]:
    """Wall seconds of each run, CPU seconds per run (process + workers), the exit code."""
    walls: list[float] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "specbench_inspect", *args],
            capture_output=True,
            text=True,
            env=env,
        )
        walls.append(time.perf_counter() - started)
        code = done.returncode
        if code not in (0, 1):
            print(done.stdout[-2000:], done.stderr[-2000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / repeat
    return walls, cpu, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", default="/tmp/specbench-bench")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(args.work_dir)
    written = make_logs(work, 10)
    full = [
        without_compact_verdicts(p, work / "full" / f"{i:02d}.eval") for i, p in enumerate(written)
    ]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    for kind, logs in (("as the scorer writes them (summaries)", written), ("full samples", full)):
        for name, command, budget in [
            ("compare (2 x 1,500 samples)", ["compare", str(logs[0]), str(logs[5])], 5.0),
            (
                "report (10 x 1,500 samples)",
                ["report", *map(str, logs), "--output", str(work / "report")],
                30.0,
            ),
        ]:
            walls, cpu, code = timed(command, args.repeat)
            print(
                f"{kind}: {name}: wall min {min(walls):.2f} s, median "
                f"{statistics.median(walls):.2f} s (budget {budget:g} s); CPU {cpu:.2f} s per "
                f"run; exit {code}; load {os.getloadavg()[0]:.2f}"
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
