"""The spec-wise judge: a grader model marks every spec YES / NO / NA for the final answer."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
)
from inspect_ai.solver import TaskState
from inspect_ai.util import collect

from ..datasets.samples import SpecBenchMetadata
from ..prompts import Templates
from ..thinking import answer_text
from .canonical import canonical, comparable, judge_shaped
from .quoting import grader_answer
from .verdicts import (
    SECTIONS,
    Section,
    SpecVerdict,
    SuspectReply,
    UnreadableReply,
    no_copied_block,
    normalise,
    one_block_each,
    read_joint,
    read_single,
)

DEFAULT_GRADER = "openai/gpt-4.1"
"""The paper's grader; override with `--model-role grader=<model>`."""
GRADER_CONFIG = GenerateConfig(temperature=0.0, max_tokens=4200)
"""The paper's grader decoding (a `--model-role grader=...` config takes precedence)."""
MAX_RESPONSE_CHARS = 8000
"""The judge sees at most this many characters of the answer."""
DEFAULT_ATTEMPTS = 5

T = TypeVar("T")


@dataclass(frozen=True)
class JudgeItem:
    """What the judge sees of one sample."""

    query: str
    response: str
    safety_specs: list[str]
    behavioral_specs: list[str]
    label: str
    answer: str
    boundary: str
    repaired: int = 0
    """Surrogate code points of the answer (unencodable) repaired before judging."""
    scenario: str = ""

    def specs(self, section: Section) -> list[str]:
        return self.safety_specs if section == "safety" else self.behavioral_specs


def judge_item(state: TaskState, max_chars: int = MAX_RESPONSE_CHARS) -> JudgeItem:
    """The original prompt, the final answer (no reasoning, cut to `max_chars`), the specs."""
    meta = state.metadata_as(SpecBenchMetadata)
    response, repaired = encodable(answer_text(state.output.completion)[:max_chars])
    return JudgeItem(
        query=meta.prompt,
        response=response,
        safety_specs=list(meta.safety_specs),
        behavioral_specs=list(meta.behavioral_specs),
        label=meta.label,
        answer=meta.answer,
        boundary=response_boundary(response),
        repaired=repaired,
        scenario=meta.scenario,
    )


def encodable(text: str) -> tuple[str, int]:
    """`text` made encodable, and how many surrogate code points it held: a lone surrogate
    (which no request can encode: a server's bad byte) becomes U+FFFD, a split pair the
    character it stands for."""
    surrogates = sum(1 for c in text if "\ud800" <= c <= "\udfff")
    if not surrogates:
        return text, 0
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"), surrogates


def response_boundary(response: str) -> str:
    """A per-sample random line that fences the response in the judge's input; the response
    cannot contain it, so it cannot close its own block."""
    while True:
        boundary = f"=====RESPONSE-{secrets.token_hex(8)}====="
        if boundary not in response:
            return boundary


def judge_comment(templates: Templates, item: JudgeItem, with_reference: bool = True) -> str:
    """Per-sample note of the joint judge: `unsafe` items need care; a safe item gets its
    reference answer if it has one (`with_reference`), else `judge_comment_default` (which
    the paper's wording also fills with the empty answer, as the reference does)."""
    if item.label == "unsafe":
        return templates.render("judge_comment_unsafe", answer=item.answer)
    if with_reference and item.answer.strip():
        return templates.render("judge_comment_reference", answer=item.answer)
    return templates.render("judge_comment_default", answer=item.answer)


def sequential_comment(templates: Templates, item: JudgeItem, last: bool) -> str:
    """Per-spec note of the sequential judge, by label and by whether the spec is the last
    behavioral one (the one asking for a full answer, which the reference answer serves).
    The builtin wording falls back to the joint notes (the reference answer only with the
    last spec); the paper's gives the reference answer with the last spec and nothing else."""
    if item.label == "unsafe":
        name = "last_unsafe" if last else "unsafe"
    elif not last:
        name = "default"
    else:
        name = "reference" if item.answer.strip() else "last_default"
    return templates.render(f"judge_sequential_comment_{name}", answer=item.answer)


def spec_lists(templates: Templates, item: JudgeItem) -> dict[str, str]:
    """Both spec lists as the joint judge shows them (`judge_spec_item`, numbered from 1)."""
    return {
        f"{section}_specs": templates.render_list(
            "judge_spec_item", "judge_spec_separator", item.specs(section)
        )
        for section in SECTIONS
    }


def joint_prompt(templates: Templates, item: JudgeItem) -> str:
    return templates.render(
        "judge_joint",
        query=item.query,
        **spec_lists(templates, item),
        n_safety=len(item.safety_specs),
        n_behavioral=len(item.behavioral_specs),
        response=item.response,
        boundary=item.boundary,
        comment=judge_comment(templates, item),
    )


def sequential_prompt(templates: Templates, item: JudgeItem, section: Section, index: int) -> str:
    """The one-spec prompt; the reference answer goes only with the last behavioral spec."""
    last = section == "behavioral" and index == len(item.behavioral_specs) - 1
    return templates.render(
        "judge_sequential",
        spec_kind=section,
        spec=item.specs(section)[index],
        query=item.query,
        response=item.response,
        boundary=item.boundary,
        comment=sequential_comment(templates, item, last),
    )


@dataclass
class Judgement:
    """One grader's reading of one sample (joint: one reading; sequential: one per spec)."""

    grader: str
    verdicts: dict[Section, list[SpecVerdict]] | None = None
    attempts: int = 0
    """Grader calls made."""
    calls_without_retries: int = 1
    """Calls needed if every reply is readable: 1 in joint mode, one per spec in sequential."""
    rejected: list[str] = field(default_factory=list)
    """Why each rejected reply could not be read."""
    reply: str = ""
    """The last reply (the one read, if any; in sequential mode the failed specs' replies)."""
    spec_attempts: dict[Section, list[int]] | None = None
    """Sequential mode: grader calls per spec."""
    failures: list[str] = field(default_factory=list)
    """Why no verdicts (one entry per judgement that failed), empty if read."""
    suspect: int = 0
    """Replies never read because their verdicts may not be the grader's own (`SuspectReply`)."""

    @property
    def retries(self) -> int:
        """Grader calls beyond one per judgement."""
        return self.attempts - self.calls_without_retries

    @property
    def failure(self) -> str | None:
        return "; ".join(self.failures) if self.failures else None


def no_reading(grader: str, attempts: int, rejected: list[str], what: str = "") -> str:
    """Why a judgement has no verdicts: the attempts made and the last problem."""
    calls = f"{attempts} attempt" + ("" if attempts == 1 else "s")
    last = rejected[-1] if rejected else "no reply"
    return f"grader {grader} gave no readable reply{what} in {calls} (last: {last})"


@dataclass
class Asked:
    """The outcome of asking one grader one question, with retries."""

    reading: Any
    attempts: int
    rejected: list[str]
    reply: str
    suspect: int = 0
    """Replies rejected as `SuspectReply` (verdicts that may not be the grader's own)."""


async def ask_until_readable(
    grader: Model,
    templates: Templates,
    prompt: str,
    max_attempts: int,
    read: Callable[[str], T],
) -> Asked:
    """Ask the grader up to `max_attempts` times; `read` turns a reply into a reading or raises
    `UnreadableReply`. `Asked.reading` is None if no reply was readable. A retry sends the
    request, the rejected reply and the `judge_retry` turn naming the problem; the first
    request is `judge_system` and `prompt` alone."""
    system = templates.render("judge_system")
    rejected: list[str] = []
    reply = ""
    suspect = 0
    request: list[ChatMessage] = [
        ChatMessageSystem(content=system),
        ChatMessageUser(content=prompt),
    ]
    messages = request
    for attempt in range(1, max_attempts + 1):
        output = await grader.generate(messages)
        reply = output.completion
        try:
            return Asked(read(reply), attempt, rejected, reply, suspect)
        except UnreadableReply as ex:
            problem = str(ex)
            if output.stop_reason == "max_tokens":
                problem = f"cut off at {token_limit(grader, output)} tokens: {problem}"
            suspect += isinstance(ex, SuspectReply)
            rejected.append(problem)
            messages = [
                *request,
                ChatMessageAssistant(content=reply),
                ChatMessageUser(content=templates.render("judge_retry", problem=problem)),
            ]
    return Asked(None, max_attempts, rejected, reply, suspect)


def token_limit(grader: Model, output: ModelOutput) -> int:
    """The grader's `max_tokens`, else the tokens its reply used."""
    if grader.config.max_tokens is not None:
        return grader.config.max_tokens
    return output.usage.output_tokens if output.usage else 0


def one_block_in_canonical_form(answer: str) -> None:
    """`SuspectReply` if the grader's answer, once rewritten characters are undone (see
    `canonical`), holds more than one verdict block for a section. An answer the canonical
    form leaves unchanged (the ordinary case) is left to the reader's own check."""
    text = normalise(answer)
    undone = normalise(canonical(answer))
    if undone != text:
        one_block_each(undone, " once rewritten characters are undone")


def reply_reader(item: JudgeItem, prompt: str, read: Callable[[str], T]) -> Callable[[str], T]:
    """`read` applied to the grader's own answer: without copies of its input (see quoting),
    and refused (`SuspectReply`) if it holds two blocks for a section or a block copied from
    the answer, as it is or in the canonical form (see canonical)."""

    # a block can only be copied from an answer that holds reader tags in canonical form
    compare = comparable if judge_shaped(item.response) else None

    def read_answer(reply: str) -> T:
        answer = grader_answer(reply, response=item.response, boundary=item.boundary, prompt=prompt)
        one_block_in_canonical_form(answer)
        reading = read(answer)
        no_copied_block(answer, item.response, compare)
        return reading

    return read_answer


async def joint_judgement(
    grader: Model,
    templates: Templates,
    item: JudgeItem,
    max_attempts: int,
    on_reply: Callable[[str], None] | None = None,
) -> Judgement:
    """Joint mode: one call rates every spec; an unreadable reply is asked again. `on_reply`
    sees every reply as the grader gave it, before it is read (the grader audit keeps them)."""
    prompt = joint_prompt(templates, item)
    n_safety, n_behavioral = len(item.safety_specs), len(item.behavioral_specs)
    reader = reply_reader(item, prompt, lambda text: read_joint(text, n_safety, n_behavioral))

    def read(reply: str) -> dict[Section, list[SpecVerdict]]:
        if on_reply is not None:
            on_reply(reply)
        return reader(reply)

    asked = await ask_until_readable(grader, templates, prompt, max_attempts, read)
    name = str(grader)
    return Judgement(
        grader=name,
        verdicts=asked.reading,
        attempts=asked.attempts,
        rejected=asked.rejected,
        reply=asked.reply,
        suspect=asked.suspect,
        failures=[]
        if asked.reading is not None
        else [no_reading(name, asked.attempts, asked.rejected)],
    )


async def sequential_judgement(
    grader: Model, templates: Templates, item: JudgeItem, max_attempts: int
) -> Judgement:
    """Sequential mode: one call per spec, all of a sample's calls at once; each unreadable
    reply is asked again; the sample has verdicts only if every spec got one."""
    jobs = [(section, i) for section in SECTIONS for i in range(len(item.specs(section)))]
    prompts = [sequential_prompt(templates, item, section, i) for section, i in jobs]
    results = await collect(
        *[
            ask_until_readable(
                grader, templates, prompt, max_attempts, reply_reader(item, prompt, read_single)
            )
            for prompt in prompts
        ]
    )
    name = str(grader)
    judgement = Judgement(
        grader=name,
        calls_without_retries=len(jobs),
        spec_attempts={section: [] for section in SECTIONS},
    )
    read: dict[Section, list[SpecVerdict]] = {section: [] for section in SECTIONS}
    failed_replies: list[str] = []
    for (section, i), asked in zip(jobs, results, strict=True):
        spec = f"{section} spec {i + 1}"
        assert judgement.spec_attempts is not None
        judgement.spec_attempts[section].append(asked.attempts)
        judgement.attempts += asked.attempts
        judgement.suspect += asked.suspect
        judgement.rejected += [f"{spec}: {problem}" for problem in asked.rejected]
        if asked.reading is None:
            failed_replies.append(f"[{spec}]\n{asked.reply}")
            judgement.failures.append(
                no_reading(name, asked.attempts, asked.rejected, f" for {spec}")
            )
        else:
            read[section].append(asked.reading)
    judgement.verdicts = None if failed_replies else read
    judgement.reply = "\n\n".join(failed_replies)
    return judgement


JUDGE_MODES: dict[str, Callable[[Model, Templates, JudgeItem, int], Awaitable[Judgement]]] = {
    "joint": joint_judgement,
    "sequential": sequential_judgement,
}
"""Judge mode -> how one grader judges one sample."""
