"""Throughput, CPU and memory of a full SpecBench run against the loopback server.

Runs the 1,500 samples (vanilla generation + joint judge, two calls per sample) through the
real `openai-api` provider against `tests/helpers/openai_server.py` in its own process, with a fixed
latency per request, and prints:

- wall time, model calls (by model, counted by the server), samples per second;
- CPU seconds per sample of this process (Inspect + specbench-inspect; the server excluded);
- peak RSS of this process;
- the ratio of wall time to the latency bound `calls x latency / total concurrency`.

    python benchmarks/run_benchmark.py --latency 1.0 --max-connections 16
    python benchmarks/run_benchmark.py --latency 0 --max-connections 16

Needs ../shared/specbench-data (or --data-dir) and the package installed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "specbench-data"
SHARED_UPSTREAM = ROOT.parent / "shared" / "specbench-upstream"
if SHARED_UPSTREAM.is_dir():
    # the paper's wording (the default) is read from the upstream copy: no network, and the
    # loopback server's scripted grader reads prompts in that wording too
    os.environ.setdefault("SPECBENCH_UPSTREAM_DIR", str(SHARED_UPSTREAM))


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "helpers" / "openai_server.py"),
            "--latency",
            str(latency),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        raise RuntimeError(f"loopback server did not start: {line!r}")
    return server, f"http://127.0.0.1:{line.split()[1]}/v1"


def server_stats(base_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base_url}/stats", timeout=10) as response:
        stats: dict[str, Any] = json.load(response)
        return stats


def baseline_task(data_dir: str) -> Any:
    """The least an Inspect task making the same two calls per sample can do: generate, then
    one grader call in a scorer that returns a constant. The gap to it is our own overhead."""
    from inspect_ai import Task
    from inspect_ai.dataset import Sample
    from inspect_ai.model import get_model
    from inspect_ai.scorer import Score, Target, mean, scorer
    from inspect_ai.solver import TaskState, generate

    from specbench_inspect.datasets import load_scenarios, parse_scenarios

    @scorer(metrics=[mean()])
    def one_grader_call() -> Any:
        async def score(state: TaskState, target: Target) -> Score:
            await get_model(role="grader").generate(state.output.completion)
            return Score(value=1.0)

        return score

    samples = [
        Sample(input=p.adversarial_prompt)
        for s in load_scenarios(parse_scenarios(None), data_dir=data_dir)
        for p in s.prompts
    ]
    return Task(dataset=samples, solver=generate(), scorer=one_grader_call())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per request")
    parser.add_argument(
        "--max-connections", type=int, default=16, help="connections per model (model, grader)"
    )
    parser.add_argument(
        "--max-samples",
        type=int,
        default=None,
        help="samples in flight (default: 4 x max-connections, so both models stay busy)",
    )
    parser.add_argument("--limit", type=int, default=None, help="samples (default: all 1,500)")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument("--log-dir", default=None, help="default: a temporary folder")
    parser.add_argument(
        "--no-log-realtime",
        action="store_true",
        help="Inspect's --no-log-realtime (no live sample buffer for inspect view)",
    )
    parser.add_argument(
        "--log-buffer", type=int, default=None, help="Inspect's --log-buffer (samples per write)"
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="run a minimal Inspect task with the same two calls per sample instead",
    )
    args = parser.parse_args()
    max_samples = args.max_samples or 4 * args.max_connections

    server, base_url = start_server(args.latency)
    os.environ.update({"LOOP_BASE_URL": base_url, "LOOP_API_KEY": "loopback"})
    try:
        from inspect_ai import eval
        from inspect_ai.model import get_model

        from specbench_inspect.tasks import specbench

        with tempfile.TemporaryDirectory() as tmp:
            task = (
                baseline_task(args.data_dir) if args.baseline else specbench(data_dir=args.data_dir)
            )
            cpu0 = time.process_time()
            wall0 = time.perf_counter()
            started_at = time.time()
            [log] = eval(
                task,
                model="openai-api/loop/model",
                # the server scripts joint verdicts for `judge*` models, plain answers otherwise
                model_roles={
                    "grader": get_model(
                        "openai-api/loop/grader" if args.baseline else "openai-api/loop/judge"
                    )
                },
                max_connections=args.max_connections,
                max_samples=max_samples,
                limit=args.limit,
                display="none",
                log_realtime=not args.no_log_realtime,
                log_buffer=args.log_buffer,
                log_dir=args.log_dir or tmp,
            )
            wall = time.perf_counter() - wall0
            cpu = time.process_time() - cpu0
        stats = server_stats(base_url)
        counts: dict[str, int] = stats["requests_by_model"]
    finally:
        server.terminate()
        server.wait(timeout=10)

    samples = len(task.dataset) if args.limit is None else args.limit
    calls = sum(counts.values())
    concurrency = 2 * args.max_connections
    bound = calls * args.latency / concurrency
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scored = log.results.completed_samples if log.results else 0
    print(f"status                 {log.status} ({scored} completed samples)")
    print(f"samples                {samples}")
    print(f"latency / connections  {args.latency:g} s / {args.max_connections} per model")
    print(f"max samples in flight  {max_samples}")
    print(f"wall time              {wall:.2f} s")
    print(f"model calls            {calls} ({', '.join(f'{k}: {v}' for k, v in counts.items())})")
    grader_calls = counts.get("grader" if args.baseline else "judge", 0)
    print(f"grader calls / sample  {grader_calls / samples:.3f}")
    print(f"samples per second     {samples / wall:.1f}")
    print(f"CPU per sample         {1000 * cpu / samples:.1f} ms")
    print(f"peak RSS               {peak_rss_mb:.0f} MB")
    if args.latency > 0:
        print(f"latency bound          {bound:.2f} s (calls x latency / {concurrency})")
        startup = stats["first_request_at"] - started_at
        serving = stats["last_response_at"] - stats["first_request_at"]
        print(f"ratio to bound         {wall / bound:.3f}x (whole eval, start-up included)")
        print(f"  start-up             {startup:.2f} s before the first request")
        print(f"  serving window       {serving:.2f} s: {serving / bound:.3f}x the bound")
        print(f"  requests in flight   {stats['mean_in_flight']:.1f} on average (of {concurrency})")


if __name__ == "__main__":
    main()
