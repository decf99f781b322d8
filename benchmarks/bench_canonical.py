"""CPU cost of the canonical-form checks on the judge's reading path, per reply.

For each of the 1,500 published samples: a judge item (the item's reference answer, else an
answer made of its question's text, so that lengths and characters are those of real data), the
joint judge prompt, and a well-formed grader reply in the reference's format whose analysis
sentences quote the specs (about the size of a real reply). The reading path of
`scorers.judge.reply_reader` (copies removed, verdicts read, copy checks) is timed over every
reply twice:

- before: with the canonical-form checks switched off (no canonical duplicate-block check, the
  block comparison in the plain form only, no canonical look for judge-shaped answers in
  `quoting`, no answer flags): what the path did before they were added;
- after: the path as it runs, plus `canonical.answer_flags` once per sample (what the scorer
  adds per sample).

The canonical caches are cleared before each round (in a run every reply is new). Prints the
CPU microseconds per reply (min and median over rounds) and the difference.

    python benchmarks/bench_canonical.py [--rounds 7]

Needs the SpecBench data (see tests/helpers/data.py) and the upstream copy for the paper's
wording (or `--builtin`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
SHARED_UPSTREAM = ROOT.parent / "shared" / "specbench-upstream"
if SHARED_UPSTREAM.is_dir():
    os.environ.setdefault("SPECBENCH_UPSTREAM_DIR", str(SHARED_UPSTREAM))

from helpers.data import DATA_DIR  # noqa: E402
from helpers.scripted import verdicts_for  # noqa: E402

from specbench_inspect.datasets import SCENARIOS, load_scenario_dir  # noqa: E402
from specbench_inspect.prompts import Templates  # noqa: E402
from specbench_inspect.scorers import canonical as canonical_module  # noqa: E402
from specbench_inspect.scorers import judge as judge_module  # noqa: E402
from specbench_inspect.scorers import quoting as quoting_module  # noqa: E402
from specbench_inspect.scorers import verdicts as verdicts_module  # noqa: E402
from specbench_inspect.scorers.canonical import answer_flags  # noqa: E402
from specbench_inspect.scorers.judge import (  # noqa: E402
    MAX_RESPONSE_CHARS,
    JudgeItem,
    joint_prompt,
    reply_reader,
    response_boundary,
)
from specbench_inspect.scorers.verdicts import read_joint  # noqa: E402

Case = tuple[JudgeItem, Callable[[str], Any], str]


def reply_for(specs: dict[str, tuple[str, ...]], query: str) -> str:
    """A reference-format reply: one sentence quoting each spec, then its verdict."""
    lines: list[str] = []
    for section in ("safety", "behavioral"):
        verdicts = verdicts_for(query, len(specs[section]), section)
        lines.append(f"<{section}_specifications>")
        for i, (spec, verdict) in enumerate(zip(specs[section], verdicts, strict=True), 1):
            lines.append(f"{i}. Regarding '{spec[:90]}', the response is judged so. <{verdict}>")
        lines.append(f"</{section}_specifications>")
    return "\n".join(lines)


def cases(templates: Templates) -> list[Case]:
    made: list[Case] = []
    for key, folder in SCENARIOS.items():
        scenario = load_scenario_dir(DATA_DIR / folder, key)
        specs = {"safety": scenario.safety_specs, "behavioral": scenario.behavioral_specs}
        n_s, n_b = len(scenario.safety_specs), len(scenario.behavioral_specs)
        for prompt in scenario.prompts:
            answer = prompt.answer if prompt.answer.strip() else (prompt.adversarial_prompt * 3)
            response = answer[:MAX_RESPONSE_CHARS]
            item = JudgeItem(
                query=prompt.prompt,
                response=response,
                safety_specs=list(scenario.safety_specs),
                behavioral_specs=list(scenario.behavioral_specs),
                label=prompt.label,
                answer=prompt.answer,
                boundary=response_boundary(response),
            )
            read = reply_reader(
                item,
                joint_prompt(templates, item),
                lambda text, n_s=n_s, n_b=n_b: read_joint(text, n_s, n_b),
            )
            made.append((item, read, reply_for(specs, prompt.prompt)))
    return made


@contextmanager
def canonical_checks_off() -> Any:
    """The reading path without the canonical-form checks (as before they were added)."""
    saved = (
        judge_module.one_block_in_canonical_form,
        judge_module.no_copied_block,
        quoting_module.judge_shaped,
    )
    plain_copy_check = verdicts_module.no_copied_block
    judge_module.one_block_in_canonical_form = lambda answer: None  # type: ignore[assignment]
    judge_module.no_copied_block = lambda reply, response, compare=None: plain_copy_check(  # type: ignore[assignment]
        reply, response
    )
    quoting_module.judge_shaped = lambda text: False  # type: ignore[assignment]
    try:
        yield
    finally:
        (
            judge_module.one_block_in_canonical_form,
            judge_module.no_copied_block,
            quoting_module.judge_shaped,
        ) = saved


def one_round(all_cases: list[Case], flags: bool) -> float:
    canonical_module.canonical.cache_clear()
    canonical_module.comparable.cache_clear()
    canonical_module.judge_shaped.cache_clear()
    started = time.process_time()
    for item, read, reply in all_cases:
        read(reply)
        if flags:
            answer_flags(item.response)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--builtin", action="store_true", help="the builtin wording")
    args = parser.parse_args()
    templates = Templates.load("builtin" if args.builtin else "paper", None)
    all_cases = cases(templates)
    n = len(all_cases)
    for _, read, reply in all_cases:  # every reply is readable, and the same either way
        with canonical_checks_off():
            plain = read(reply)
        assert read(reply) == plain
    before: list[float] = []
    after: list[float] = []
    for _ in range(args.rounds):  # interleaved, so that drift affects both alike
        with canonical_checks_off():
            before.append(one_round(all_cases, flags=False))
        after.append(one_round(all_cases, flags=True))

    def per_reply(seconds: list[float]) -> tuple[float, float]:
        return min(seconds) / n * 1e6, statistics.median(seconds) / n * 1e6

    b_min, b_med = per_reply(before)
    a_min, a_med = per_reply(after)
    mean_reply = sum(len(r) for _, _, r in all_cases) / n
    mean_answer = sum(len(i.response) for i, _, _ in all_cases) / n
    print(f"{n} replies (mean {mean_reply:.0f} chars), answers mean {mean_answer:.0f} chars")
    print(f"before (no canonical checks): {b_min:.1f} us min / {b_med:.1f} us median per reply")
    print(f"after (canonical + flags):    {a_min:.1f} us min / {a_med:.1f} us median per reply")
    print(f"added: {a_med - b_med:.1f} us per reply (median), {a_min - b_min:.1f} us (min)")


if __name__ == "__main__":
    main()
