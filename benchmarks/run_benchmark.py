"""Throughput, CPU, memory and log size of a full SpecBench run against the loopback server.

Runs the 1,500 samples (vanilla generation + joint judge, two calls per sample) through the
real `openai-api` provider against `tests/helpers/openai_server.py` in its own process, with a fixed
latency per request, and prints:

- wall time, model calls (by model, counted by the server), samples per second;
- CPU seconds per sample of this process (Inspect + specbench-inspect; the server excluded);
- peak RSS of this process (taken before the log is read back for the figures below);
- the log per sample: the `.eval` file, the mean sample JSON inside it (uncompressed) and the
  attachments per sample;
- the ratio of wall time to the latency bound `calls x latency / total concurrency`.

    python benchmarks/run_benchmark.py --latency 1.0 --max-connections 16
    python benchmarks/run_benchmark.py --latency 0 --max-connections 16

`--baseline` runs a minimal Inspect task making the same two calls per sample instead (the
framework's floor). `--rounds N` runs N rounds of both, rotating which goes first, each in a new
process, and prints every run and the min / median of each figure with the ratios of this
package to the floor (the machine's load is noisy: compare runs made side by side).
`--payload` runs the minimal task with what the protocol makes a sample carry (this package's
samples, spec texts in their metadata, and the paper's joint judge prompt in the grader call);
with `--rounds` it joins every round, so the gap to the floor splits into the cost of those
bytes in Inspect and the package's own. `--before PATH` adds a run to each round, of the
package on that PYTHONPATH (a checkout of the code before a change), so that a before / after
table comes from the same conditions;
`--every K` runs every K-th sample only (all scenarios and labels; for a loaded machine);
`--no-log-realtime` and `--no-score-display` pass Inspect's options of those names.
`--check` verifies that every sample scored what the server scripted, and `--scores-out FILE`
writes every sample's scores and the run's metrics (to compare two versions of the package).

Needs ../shared/specbench-data (or --data-dir) and the package installed (or on PYTHONPATH:
the package is imported from wherever Python finds it, so a second checkout can be measured
with `PYTHONPATH=<checkout>`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
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


def payload_task(data_dir: str) -> Any:
    """The minimal task carrying what the protocol makes every sample carry: the package's own
    samples (the spec texts in their metadata, which re-judging needs) and, in one grader call,
    the paper's joint judge prompt (the query, every spec, the answer), built by the package;
    the reply is not read and the score is a constant. The gap between it and the minimal task
    is the cost of those bytes in Inspect; the gap between this package and it is the
    package's own."""
    from inspect_ai import Task
    from inspect_ai.model import get_model
    from inspect_ai.scorer import Score, Target, mean, scorer
    from inspect_ai.solver import TaskState, generate

    from specbench_inspect.prompts import resolve_wording
    from specbench_inspect.scorers.judge import GRADER_CONFIG, joint_prompt, judge_item
    from specbench_inspect.tasks import specbench

    wording = resolve_wording(None, None)

    @scorer(metrics=[mean()])
    def same_payload() -> Any:
        async def score(state: TaskState, target: Target) -> Score:
            prompt = joint_prompt(wording, judge_item(state))
            await get_model(role="grader", config=GRADER_CONFIG).generate(prompt)
            return Score(value=1.0)

        return score

    samples = list(specbench(data_dir=data_dir).dataset)
    return Task(dataset=samples, solver=generate(), scorer=same_payload())


def log_figures(path: str, samples: int) -> dict[str, float]:
    """The log per sample: `.eval` bytes, mean sample JSON bytes (uncompressed), attachments."""
    sizes: list[int] = []
    attachments = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("samples/") and info.filename.endswith(".json"):
                sizes.append(info.file_size)
                attachments += len(json.loads(archive.read(info)).get("attachments") or {})
    return {
        "eval_kb_per_sample": os.path.getsize(path) / samples / 1024,
        "sample_json_kb": sum(sizes) / len(sizes) / 1024 if sizes else 0.0,
        "attachments_per_sample": attachments / len(sizes) if sizes else 0.0,
    }


def scores_of(path: str) -> dict[str, Any]:
    """Every sample's scores and the run's metrics, as plain JSON."""
    from inspect_ai.log import read_eval_log

    log = read_eval_log(path)
    samples = {
        str(s.id): {name: score.value for name, score in (s.scores or {}).items()}
        for s in log.samples or []
    }
    metrics = {
        f"{score.name}/{name}": m.value
        for score in (log.results.scores if log.results else [])
        for name, m in score.metrics.items()
    }
    return {"samples": samples, "metrics": metrics}


def check_scores(path: str) -> int:
    """Samples whose scores are not what the loopback server scripted (raises if any)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers.scripted import expected_scores, verdicts_for
    from inspect_ai.log import read_eval_log

    log = read_eval_log(path)
    wrong = []
    for sample in log.samples or []:
        meta = sample.metadata
        expected = expected_scores(
            verdicts_for(meta["prompt"], len(meta["safety_specs"]), "safety"),
            verdicts_for(meta["prompt"], len(meta["behavioral_specs"]), "behavioral"),
        )
        value = (sample.scores or {})["spec_judge"].value
        assert isinstance(value, dict)
        if any(abs(float(value[k]) - expected[k]) > 1e-12 for k in expected):
            wrong.append(str(sample.id))
    if wrong:
        raise SystemExit(f"{len(wrong)} samples not scored as scripted: {wrong[:5]}")
    return len(log.samples or [])


def run_once(args: argparse.Namespace) -> dict[str, Any]:
    max_samples = args.max_samples or 4 * args.max_connections
    server, base_url = start_server(args.latency)
    os.environ.update({"LOOP_BASE_URL": base_url, "LOOP_API_KEY": "loopback"})
    result: dict[str, Any] = {
        "run": "payload" if args.payload else "baseline" if args.baseline else "specbench",
        "load_before": os.getloadavg()[0],
    }
    try:
        from inspect_ai import eval
        from inspect_ai.dataset import MemoryDataset
        from inspect_ai.model import get_model

        import specbench_inspect
        from specbench_inspect.tasks import specbench

        result["package"] = str(Path(specbench_inspect.__file__).parent)
        with tempfile.TemporaryDirectory() as tmp:
            if args.payload:
                task = payload_task(args.data_dir)
            elif args.baseline:
                task = baseline_task(args.data_dir)
            else:
                task = specbench(data_dir=args.data_dir)
            if args.every > 1:
                # every k-th sample: all five scenarios, unsafe and safe prompts alike
                task.dataset = MemoryDataset(list(task.dataset)[:: args.every])
            cpu0 = time.process_time()
            wall0 = time.perf_counter()
            started_at = time.time()
            [log] = eval(
                task,
                model="openai-api/loop/model",
                # the server scripts joint verdicts for `judge*` models, plain answers otherwise
                model_roles={
                    "grader": get_model(
                        "openai-api/loop/grader"
                        if args.baseline or args.payload
                        else "openai-api/loop/judge"
                    )
                },
                max_connections=args.max_connections,
                max_samples=max_samples,
                limit=args.limit,
                display="none",
                log_realtime=not args.no_log_realtime,
                score_display=False if args.no_score_display else None,
                log_buffer=args.log_buffer,
                log_dir=args.log_dir or tmp,
            )
            wall = time.perf_counter() - wall0
            cpu = time.process_time() - cpu0
            peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            samples = len(task.dataset) if args.limit is None else args.limit
            assert log.location
            result.update(log_figures(log.location, samples))
            if args.check and not (args.baseline or args.payload):
                result["checked_samples"] = check_scores(log.location)
            if args.scores_out:
                Path(args.scores_out).write_text(json.dumps(scores_of(log.location), indent=1))
        stats = server_stats(base_url)
        counts: dict[str, int] = stats["requests_by_model"]
    finally:
        server.terminate()
        server.wait(timeout=10)

    calls = sum(counts.values())
    concurrency = 2 * args.max_connections
    grader_calls = counts.get("grader" if args.baseline or args.payload else "judge", 0)
    result.update(
        {
            "status": log.status,
            "completed": log.results.completed_samples if log.results else 0,
            "samples": samples,
            "max_samples": max_samples,
            "wall_s": wall,
            "calls": calls,
            "counts": counts,
            "grader_calls_per_sample": grader_calls / samples,
            "cpu_ms_per_sample": 1000 * cpu / samples,
            "peak_rss_mb": peak_rss_mb,
            "load_after": os.getloadavg()[0],
        }
    )
    if args.latency > 0:
        result["bound_s"] = calls * args.latency / concurrency
        result["startup_s"] = stats["first_request_at"] - started_at
        result["serving_s"] = stats["last_response_at"] - stats["first_request_at"]
        result["mean_in_flight"] = stats["mean_in_flight"]
    return result


def print_once(args: argparse.Namespace, r: dict[str, Any]) -> None:
    concurrency = 2 * args.max_connections
    print(f"status                 {r['status']} ({r['completed']} completed samples)")
    print(f"samples                {r['samples']}")
    print(f"latency / connections  {args.latency:g} s / {args.max_connections} per model")
    print(f"max samples in flight  {r['max_samples']}")
    print(f"wall time              {r['wall_s']:.2f} s")
    counts = ", ".join(f"{k}: {v}" for k, v in r["counts"].items())
    print(f"model calls            {r['calls']} ({counts})")
    print(f"grader calls / sample  {r['grader_calls_per_sample']:.3f}")
    print(f"samples per second     {r['samples'] / r['wall_s']:.1f}")
    print(f"CPU per sample         {r['cpu_ms_per_sample']:.1f} ms")
    print(f"peak RSS               {r['peak_rss_mb']:.0f} MB")
    print(
        f"log per sample         {r['eval_kb_per_sample']:.1f} KB .eval, "
        f"{r['sample_json_kb']:.1f} KB sample JSON, "
        f"{r['attachments_per_sample']:.1f} attachments"
    )
    print(f"load average (1 min)   {r['load_before']:.2f} before, {r['load_after']:.2f} after")
    print(f"package                {r['package']}")
    if "checked_samples" in r:
        print(f"scores checked         {r['checked_samples']} samples scored as scripted")
    if "bound_s" in r:
        bound = r["bound_s"]
        print(f"latency bound          {bound:.2f} s (calls x latency / {concurrency})")
        print(f"ratio to bound         {r['wall_s'] / bound:.3f}x (whole eval, start-up included)")
        print(f"  start-up             {r['startup_s']:.2f} s before the first request")
        print(
            f"  serving window       {r['serving_s']:.2f} s: "
            f"{r['serving_s'] / bound:.3f}x the bound"
        )
        print(f"  requests in flight   {r['mean_in_flight']:.1f} on average (of {concurrency})")


FIGURES = {
    "cpu_ms_per_sample": ("CPU per sample (ms)", "{:.1f}"),
    "peak_rss_mb": ("peak RSS (MB)", "{:.0f}"),
    "eval_kb_per_sample": (".eval per sample (KB)", "{:.2f}"),
    "sample_json_kb": ("sample JSON (KB)", "{:.1f}"),
    "attachments_per_sample": ("attachments per sample", "{:.1f}"),
    "wall_s": ("wall (s)", "{:.1f}"),
}


def run_rounds(args: argparse.Namespace, passthrough: list[str]) -> None:
    """`args.rounds` rounds of the minimal task and this package (and, with `--before`, the
    package found on that PYTHONPATH), each run a new process, rotating which goes first;
    then min / median per figure and the ratios to the minimal task."""
    kinds = ["baseline", *(["payload"] if args.payload else []), "specbench"]
    kinds += ["before"] if args.before else []
    runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            order = kinds[i % len(kinds) :] + kinds[: i % len(kinds)]
            for kind in order:
                out = Path(tmp) / f"{kind}-{i}.json"
                command = [sys.executable, __file__, *passthrough, "--json-out", str(out)]
                if kind in ("baseline", "payload"):
                    command.append(f"--{kind}")
                env = dict(os.environ)
                if kind == "before":
                    env["PYTHONPATH"] = args.before
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
                r = json.loads(out.read_text())
                runs[kind].append(r)
                print(
                    f"round {i + 1} {kind:9} CPU {r['cpu_ms_per_sample']:.1f} ms/sample, "
                    f"RSS {r['peak_rss_mb']:.0f} MB, .eval {r['eval_kb_per_sample']:.2f} KB, "
                    f"sample JSON {r['sample_json_kb']:.1f} KB, wall {r['wall_s']:.1f} s, "
                    f"load {r['load_before']:.1f}-{r['load_after']:.1f} ({r['package']})",
                    flush=True,
                )
    print()
    names = {
        "baseline": "minimal task",
        "payload": "minimal task, same payload",
        "specbench": "specbench",
        "before": "before",
    }
    header = " | ".join(f"{names[k]} (min / median)" for k in kinds)
    ratios = " | ".join(f"{names[k]} / minimal (min / median)" for k in kinds[1:])
    print(f"| figure | {header} | {ratios} |")
    print("|---" * (2 * len(kinds)) + "|")
    for key, (name, fmt) in FIGURES.items():
        lows = {k: min(r[key] for r in runs[k]) for k in kinds}
        mids = {k: statistics.median(r[key] for r in runs[k]) for k in kinds}
        cells = [f"{fmt.format(lows[k])} / {fmt.format(mids[k])}" for k in kinds]
        for k in kinds[1:]:
            b_low, b_mid = lows["baseline"], mids["baseline"]
            cells.append(
                f"{lows[k] / b_low:.2f}x / {mids[k] / b_mid:.2f}x" if b_low and b_mid else "-"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")
    loads = [r[k] for rs in runs.values() for r in rs for k in ("load_before", "load_after")]
    print(f"\nload average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f} (2 cores)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(runs, indent=1))


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
        "--payload",
        action="store_true",
        help="run the minimal task with this package's samples and judge prompt instead (with "
        "--rounds: add it to every round)",
    )
    parser.add_argument(
        "--no-score-display",
        action="store_true",
        help="Inspect's --no-score-display (no metrics recomputed while samples run)",
    )
    parser.add_argument(
        "--log-buffer", type=int, default=None, help="Inspect's --log-buffer (samples per write)"
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="run a minimal Inspect task with the same two calls per sample instead",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="run this many rounds of both the minimal task and this package (new processes, "
        "alternating order) and print min / median and the ratios",
    )
    parser.add_argument(
        "--check", action="store_true", help="check every sample scored as the server scripted"
    )
    parser.add_argument("--scores-out", default=None, help="write sample scores and metrics")
    parser.add_argument("--json-out", default=None, help="write the figures as JSON")
    parser.add_argument(
        "--every",
        type=int,
        default=1,
        help="run every k-th sample only (a subset covering every scenario and label)",
    )
    parser.add_argument(
        "--before",
        default=None,
        help="with --rounds: also run the package found on this PYTHONPATH (another checkout) "
        "in every round, for a before / after table from the same conditions",
    )
    args = parser.parse_args()
    if args.rounds:
        passthrough = [a for a in sys.argv[1:] if a not in ("--baseline", "--payload", "--check")]
        # drop the driver's own options (and their values) from what each run is given
        for option in ("--rounds", "--json-out", "--scores-out", "--before"):
            while option in passthrough:
                i = passthrough.index(option)
                del passthrough[i : i + 2]
        run_rounds(args, passthrough)
        return
    result = run_once(args)
    print_once(args, result)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
