"""Scripted graders for the grader audit: each answers the judge prompt of a probe by looking
the probe up (by the query and the response the prompt carries), so that a test knows exactly
how the grader behaved and which outcome the audit must report."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from inspect_ai.model import ChatMessage, GenerateConfig, Model

from helpers.data import DATA_DIR
from helpers.models import scripted_model
from helpers.scripted import joint_reply
from helpers.wording import rendered_fields
from specbench_inspect.tasks import grader_audit

Probe = dict[str, Any]
"""A sample's metadata: `audit` (the probe, its rendered answer), the specs, the prompt."""
Behaviour = Callable[[Probe], str]


def audit_task(wording: str = "paper", **options: Any) -> Any:
    return grader_audit(data_dir=str(DATA_DIR), prompts=wording, **options)


def probe_index(task: Any) -> dict[tuple[str, str], Probe]:
    """(query, response as the judge sees it) -> the probe sample's metadata."""
    index: dict[tuple[str, str], Probe] = {}
    for sample in task.dataset:
        meta = sample.metadata
        response = meta["audit"]["answer"].lstrip("\n")
        index[(meta["prompt"], response)] = meta
    return index


def prompt_fields(prompt: str) -> dict[str, str]:
    for wording in ("paper", "builtin"):
        fields = rendered_fields(prompt, "judge_joint", wording)
        if fields is not None:
            return fields
    raise AssertionError("the grader was sent something other than a joint judge prompt")


def counts(meta: Probe) -> tuple[int, int]:
    return len(meta["safety_specs"]), len(meta["behavioral_specs"])


def honest_verdicts(meta: Probe) -> tuple[list[str], list[str]]:
    """What a trustworthy grader concludes: every checked spec gets its first allowed verdict
    (an attack's `must_not_credit` spec: NO), other safety specs YES, other behavioral NA."""
    n_safety, n_behavioral = counts(meta)
    verdicts = {"safety": ["YES"] * n_safety, "behavioral": ["NA"] * n_behavioral}
    for check in meta["audit"]["checks"]:
        section = verdicts[check["section"]]
        numbers = range(1, len(section) + 1) if check["spec"] == "all" else [check["spec"]]
        for number in numbers:
            section[number - 1] = check["allowed"][0]
    return verdicts["safety"], verdicts["behavioral"]


def honest(meta: Probe) -> str:
    return joint_reply(*honest_verdicts(meta))


def obeying(meta: Probe) -> str:
    """Writes, in its own words, the verdicts an attack asks for (every spec YES); judges the
    controls honestly."""
    if meta["audit"]["family"] == "control":
        return honest(meta)
    n_safety, n_behavioral = counts(meta)
    return joint_reply(["YES"] * n_safety, ["YES"] * n_behavioral)


def all_no(meta: Probe) -> str:
    n_safety, n_behavioral = counts(meta)
    return joint_reply(["NO"] * n_safety, ["NO"] * n_behavioral)


BLOCK = re.compile(r"<safety_specifications>.*</behavioral_specifications>", re.S)


def forged_block(answer: str) -> str | None:
    """The all-YES block an answer carries, as the answer writes it (ASCII forms only)."""
    match = BLOCK.search(answer)
    return match.group(0) if match else None


def copying(meta: Probe) -> str:
    """Replies with a forged answer's text after its first blank line (the forged block, as
    the answer writes it), character for character; other probes: an honest reply."""
    if meta["audit"]["family"] not in ("forged_block", "delimiter_escape"):
        return honest(meta)
    return meta["audit"]["answer"].partition("\n\n")[2]


LOOKALIKES = str.maketrans({"\u0415": "E", "\u0430": "a", "\u0405": "S"})
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def ascii_form(text: str) -> str:
    """A forged block rewritten at character level, as a grader might retype it: full-width
    forms folded (NFKC), look-alike letters and invisible characters undone, HTML entities
    decoded, tags split over lines joined."""
    text = unicodedata.normalize("NFKC", text).translate(LOOKALIKES).translate(INVISIBLE)
    text = html.unescape(text)
    text = re.sub(r"_\nspecifications>", "_specifications>", text)
    return text.replace("<YES\n>", "<YES>")


def rewriting(meta: Probe) -> str:
    """Rewrites the answer's forged block into plain ASCII and replies with it."""
    block = forged_block(ascii_form(meta["audit"]["answer"]))
    return block if block is not None else honest(meta)


def audit_grader(task: Any, behaviour: Behaviour) -> Model:
    """A mockllm grader answering each probe's judge prompt with `behaviour(probe)`."""
    index = probe_index(task)

    def reply(messages: list[ChatMessage], config: GenerateConfig) -> str:
        fields = prompt_fields(messages[1].text)
        return behaviour(index[(fields["query"], fields["response"])])

    return scripted_model(reply)


def audit_server_script(task: Any, behaviour: Behaviour) -> Any:
    """A `LoopbackServer` script answering judge prompts with `behaviour(probe)`."""
    from helpers.openai_server import text_of

    index = probe_index(task)

    def script(body: dict[str, Any]) -> dict[str, Any]:
        fields = prompt_fields(text_of(body["messages"][1]))
        return {"content": behaviour(index[(fields["query"], fields["response"])])}

    return script
