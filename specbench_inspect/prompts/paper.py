"""The paper's wording: the reference implementation's prompt texts, read from its source.

The package holds none of the reference's text. At run time it takes the upstream files at the
pinned commit (`datasets.fetch.upstream_file`: `$SPECBENCH_UPSTREAM_DIR`, else the cache, else
a checksum-verified download) and *parses* them with Python's `ast` (never importing or running
them): module constants, class attributes, and the string literals and f-string parts with
which the reference functions build text inline (spec bullets, judge spec items, separators,
the per-sample judge comments). Each piece is mapped onto this package's named templates
(`prompts.builtin.DEFAULTS`), so that rendering a template with the paper's texts gives, byte for
byte, the text the reference sends.

Where the reference builds a text by joining pieces in code (`first_stage + response.rstrip()
+ "\\n\\n" + second_stage`), the literal pieces become templates too (`align3_separator`); the
code's own steps (`rstrip`, the order of the pieces) are the package's, the same for every
wording.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import SpecBenchError

UPSTREAM_FILES = (
    "specbench/utils.py",
    "specbench/prompt_ttd.py",
    "specbench/ttd.py",
    "specbench/prompt_eval.py",
    "specbench/evaluator.py",
)
"""The upstream files the paper's wording is read from."""


class PaperWordingError(SpecBenchError):
    """The reference source does not have the shape this reader expects."""


def _upstream_path(repo_path: str) -> Path:
    from ..datasets.fetch import upstream_file

    try:
        return upstream_file(repo_path)
    except SpecBenchError as ex:
        raise PaperWordingError(
            f"the paper's wording (-T prompts=paper, the default) is read from the reference's "
            f"own {repo_path}, which a data folder (-T data_dir) does not hold: {ex}"
        ) from None


@dataclass(frozen=True)
class _Source:
    """One parsed upstream file."""

    repo_path: str
    tree: ast.Module

    def fail(self, what: str) -> PaperWordingError:
        return PaperWordingError(
            f"upstream {self.repo_path}: {what} (the paper's wording cannot be read; "
            "use -T prompts=builtin or a templates file)"
        )

    def klass(self, name: str) -> ast.ClassDef:
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        raise self.fail(f"no class {name}")

    def function(self, cls: str, name: str) -> ast.FunctionDef:
        for node in self.klass(cls).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return node
        raise self.fail(f"no method {cls}.{name}")

    def constant(self, name: str, body: list[ast.stmt] | None = None, where: str = "") -> str:
        """A string assigned to `name` at the top of a module or class body."""
        for node in self.tree.body if body is None else body:
            target: ast.expr | None = None
            value: ast.expr | None = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if isinstance(target, ast.Name) and target.id == name:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    return value.value
                raise self.fail(f"{where}{name} is not a string literal")
        raise self.fail(f"no string {where}{name}")

    def attribute(self, cls: str, name: str) -> str:
        return self.constant(name, self.klass(cls).body, f"{cls}.")


def _parse(repo_path: str, path: Path) -> _Source:
    try:
        text = path.read_text(encoding="utf-8")
        return _Source(repo_path, ast.parse(text, filename=repo_path))
    except (OSError, UnicodeDecodeError, SyntaxError) as ex:
        raise PaperWordingError(f"upstream {repo_path}: cannot be parsed: {ex}") from None


def _assignments(source: _Source, func: ast.FunctionDef, name: str) -> list[ast.expr]:
    """Values assigned (`=` or `+=`) to local `name` (or `self.name`) in `func`, in source
    order."""
    found: list[tuple[int, int, ast.expr]] = []
    for node in ast.walk(func):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            named = (isinstance(target, ast.Name) and target.id == name) or (
                isinstance(target, ast.Attribute) and target.attr == name
            )
            if named:
                assert isinstance(node, ast.Assign | ast.AugAssign)
                found.append((node.lineno, node.col_offset, node.value))
    if not found:
        raise source.fail(f"{func.name}: nothing assigned to {name}")
    return [value for _, _, value in sorted(found, key=lambda f: (f[0], f[1]))]


def _escape(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


def from_format(source: _Source, text: str, fields: dict[str, str], where: str) -> str:
    """A `str.format` template of the reference as one of ours: each of its fields replaced by
    `fields[name]` (already in our template syntax), literal text escaped."""
    out: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as ex:
        raise source.fail(f"{where}: not a format template ({ex})") from None
    for literal, field, spec, conversion in parsed:
        out.append(_escape(literal))
        if field is None:
            continue
        if field not in fields or spec or conversion:
            raise source.fail(f"{where}: unexpected placeholder {{{field}}}")
        out.append(fields[field])
    return "".join(out)


def from_fstring(source: _Source, node: ast.expr, fields: dict[str, str], where: str) -> str:
    """An f-string (or a plain string literal) of the reference as one of our templates: each
    interpolated expression (by its source text, e.g. `idx + 1`) replaced by `fields[expr]`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _escape(node.value)
    if not isinstance(node, ast.JoinedStr):
        raise source.fail(f"{where}: expected a string literal or f-string")
    out: list[str] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            out.append(_escape(part.value))
        elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
            expr = ast.unparse(part.value)
            if expr not in fields or part.conversion != -1:
                raise source.fail(f"{where}: unexpected interpolation {{{expr}}}")
            out.append(fields[expr])
        else:
            raise source.fail(f"{where}: unexpected f-string part")
    return "".join(out)


def concatenation(node: ast.expr) -> list[ast.expr]:
    """The operands of `a + b + c`, in order."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return concatenation(node.left) + concatenation(node.right)
    return [node]


def string_literals(nodes: list[ast.expr]) -> list[str]:
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _single(source: _Source, values: list[str], where: str) -> str:
    if len(set(values)) != 1:
        raise source.fail(f"{where}: expected one literal, found {values!r}")
    return values[0]


def _list_layout(
    source: _Source, node: ast.expr, fields: dict[str, str], where: str
) -> tuple[str, str]:
    """`SEP.join([f"...{_}..." for _ in items])` -> (item template, separator)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
        and len(node.args) == 1
        and isinstance(node.args[0], ast.ListComp | ast.GeneratorExp)
    ):
        item = from_fstring(source, node.args[0].elt, fields, where)
        return item, _escape(node.func.value.value)
    raise source.fail(f'{where}: expected a "".join([...]) of the items')


# --- the mapping --------------------------------------------------------------------------


SPEC_LISTS = {"safety_string": "{safety_specs}", "behavioral_string": "{behavioral_specs}"}


def _generation(files: dict[str, _Source]) -> dict[str, str]:
    """System prompt, spec-augmented prompt and the method stages (utils.py, prompt_ttd.py,
    ttd.py)."""
    utils, prompts, ttd = (
        files["specbench/utils.py"],
        files["specbench/prompt_ttd.py"],
        files["specbench/ttd.py"],
    )
    texts: dict[str, str] = {}
    texts["system"] = _escape(utils.attribute("LLMEngine", "DEFAULT_SYSTEM_PROMPT"))
    texts["spec_item"], texts["spec_separator"] = _spec_list_layout(ttd)
    spec_block = _spec_block(ttd)
    texts["spec_prompt"] = from_format(
        prompts,
        prompts.constant("AugmentPrompt"),
        {"prompt": "{question}", "specification_string": spec_block},
        "AugmentPrompt",
    )
    texts |= _zero_and_more_think(prompts, ttd)
    texts |= _align3(prompts, ttd)
    texts |= _self_refine(prompts, ttd, spec_block)
    return texts


def _spec_list_layout(ttd: _Source) -> tuple[str, str]:
    """The spec bullets and what joins them (`spec_item`, `spec_separator`): the same in
    TTDEngine._format_specification_string and Align3.__init__, or an error."""
    item_fields = {"_": "{spec}"}
    layouts: set[tuple[str, str]] = set()
    for cls, method in (("TTDEngine", "_format_specification_string"), ("Align3", "__init__")):
        func = ttd.function(cls, method)
        layouts |= {
            _list_layout(ttd, _assignments(ttd, func, name)[0], item_fields, f"{cls}.{method}")
            for name in ("safety_string", "behavioral_string")
        }
    if len(layouts) != 1:
        raise ttd.fail(
            "TTDEngine._format_specification_string: the spec lists are laid out "
            f"differently: {layouts!r}"
        )
    return layouts.pop()


def _spec_block(ttd: _Source) -> str:
    """The spec block of the generation prompts (TTDEngine._format_specification_string's
    `specification_string`), with our list placeholders."""
    where = "TTDEngine._format_specification_string"
    layout = ttd.function("TTDEngine", "_format_specification_string")
    block = []
    for part in concatenation(_assignments(ttd, layout, "specification_string")[0]):
        if isinstance(part, ast.Name) and part.id in SPEC_LISTS:
            block.append(SPEC_LISTS[part.id])
        else:
            block.append(from_fstring(ttd, part, {}, f"{where}: specification_string"))
    return "".join(block)


def _zero_and_more_think(prompts: _Source, ttd: _Source) -> dict[str, str]:
    """ZeroThink's pre-fill; MoreThink's pre-fill and the text appended per round."""
    texts: dict[str, str] = {}
    zero = ttd.function("ZeroThink", "_inference_func")
    texts["zero_think_prefill"] = from_fstring(
        ttd, _assignments(ttd, zero, "zero_think_prefix")[0], {}, "ZeroThink: zero_think_prefix"
    )
    more = ttd.function("MoreThink", "_inference_func")
    history = _assignments(ttd, more, "history_string")
    texts["more_think_prefill"] = from_fstring(ttd, history[0], {}, "MoreThink: history_string")
    rethink = _escape(prompts.attribute("MoreThinkPrompt", "Rethink"))
    wait_parts = concatenation(history[1])
    separator = _single(ttd, string_literals(wait_parts), "MoreThink: history_string +=")
    texts["more_think_wait"] = _escape(separator) + rethink
    return texts


def _align3(prompts: _Source, ttd: _Source) -> dict[str, str]:
    """Align3's three stage texts (Align3Prompt) and the separator between stages."""
    texts: dict[str, str] = {}
    stage_fields = {
        "behavioral_specifications": "{behavioral_specs}",
        "safety_specifications": "{safety_specs}",
    }
    for name, cls_attr in (
        ("align3_behavior", "FirstStage"),
        ("align3_safety", "SecondStage"),
        ("align3_audit", "ThirdStage"),
    ):
        texts[name] = from_format(
            prompts, prompts.attribute("Align3Prompt", cls_attr), stage_fields, cls_attr
        )
    align3 = ttd.function("Align3", "_inference_func")
    separators = [
        literal
        for name in ("second_stage_thought_prompt", "third_stage_thought_prompt")
        for literal in string_literals(concatenation(_assignments(ttd, align3, name)[0]))
    ]
    texts["align3_separator"] = _escape(_single(ttd, separators, "Align3: stage separators"))
    return texts


def _self_refine(prompts: _Source, ttd: _Source, spec_block: str) -> dict[str, str]:
    """Self-Refine's four messages (SelfRefinePrompt) and its history layout
    (SelfRefine._format_history_string)."""
    texts: dict[str, str] = {}
    refine_fields = {
        "query": "{question}",
        "specification_string": spec_block,
        "response": "{response}",
        "history_string": "{history}",
    }
    for name, cls_attr in (
        ("self_refine_feedback_system", "FeedBackSystem"),
        ("self_refine_feedback_user", "FeedBackUser"),
        ("self_refine_refine_system", "RefineSystem"),
        ("self_refine_refine_user", "RefineUser"),
    ):
        texts[name] = from_format(
            prompts, prompts.attribute("SelfRefinePrompt", cls_attr), refine_fields, cls_attr
        )
    fmt = ttd.function("SelfRefine", "_format_history_string")
    pieces = _assignments(ttd, fmt, "history_string")
    history_fields = {
        "idx + 1": "{index}",
        "item['response']": "{response}",
        "item['feedback']": "{feedback}",
    }
    start = from_fstring(ttd, pieces[0], {}, "SelfRefine: history_string")
    if start != "":
        raise ttd.fail("SelfRefine._format_history_string: history does not start empty")
    texts["self_refine_history_item"] = "".join(
        from_fstring(ttd, piece, history_fields, "SelfRefine: history item") for piece in pieces[1:]
    )
    texts["self_refine_history_separator"] = ""
    return texts


def _judge(files: dict[str, _Source]) -> dict[str, str]:
    """Both judge modes: prompt_eval.py's texts, evaluator.py's spec layout and comments."""
    prompt_eval, evaluator = files["specbench/prompt_eval.py"], files["specbench/evaluator.py"]
    texts: dict[str, str] = {}
    texts["judge_system"] = _judge_system(prompt_eval)
    texts["judge_spec_item"], spec_block = _joint_spec_layout(evaluator)
    texts["judge_spec_separator"] = ""
    texts["judge_joint"] = from_format(
        prompt_eval,
        prompt_eval.constant("USER_EVAL_PROMPT"),
        {
            "specification_string": spec_block,
            "query": "{query}",
            "response": "{response}",
            "safety_specifications_count": "{n_safety}",
            "behavioral_specifications_count": "{n_behavioral}",
            "prompt_comment": "{comment}",
        },
        "USER_EVAL_PROMPT",
    )
    texts["judge_sequential"] = from_format(
        prompt_eval,
        prompt_eval.constant("USER_EVAL_PROMPT_STEPWISE"),
        {
            "specification_string": "{spec}",
            "query": "{query}",
            "response": "{response}",
            "prompt_comment": "{comment}",
        },
        "USER_EVAL_PROMPT_STEPWISE",
    )
    texts |= _joint_comments(evaluator)
    texts |= _sequential_comments(evaluator)
    return texts


def _judge_system(prompt_eval: _Source) -> str:
    """The one system prompt of both judge modes (the reference has two equal constants)."""
    system = prompt_eval.constant("SYSTEM_EVAL_PROMPT")
    if prompt_eval.constant("SYSTEM_EVAL_PROMPT_STEPWISE") != system:
        raise prompt_eval.fail("the joint and sequential judge system prompts differ")
    return _escape(system)


def _joint_spec_layout(evaluator: _Source) -> tuple[str, str]:
    """The joint judge's spec item and its spec block (JointEvaluator.__init__)."""
    init = evaluator.function("JointEvaluator", "__init__")
    item_fields = {"idx + 1": "{index}", "spec": "{spec}"}
    items = {
        from_fstring(evaluator, value, item_fields, "JointEvaluator: spec item")
        for name in ("safety_spec_string", "behavioral_spec_string")
        for value in _assignments(evaluator, init, name)[1:]
    }
    if len(items) != 1:
        raise evaluator.fail(f"JointEvaluator: the spec lists are laid out differently: {items!r}")
    block_call = _assignments(evaluator, init, "specification_string")[0]
    if not (
        isinstance(block_call, ast.Call)
        and isinstance(block_call.func, ast.Attribute)
        and block_call.func.attr == "format"
    ):
        raise evaluator.fail("JointEvaluator: specification_string is not an f-string .format()")
    spec_block = from_fstring(
        evaluator,
        block_call.func.value,
        {"safety_spec_string": "{safety_specs}", "behavioral_spec_string": "{behavioral_specs}"},
        "JointEvaluator: specification_string",
    )
    return items.pop(), spec_block


ANSWER_FIELDS = {"data['answer']": "{answer}"}


def _joint_comments(evaluator: _Source) -> dict[str, str]:
    """The joint judge's notes: unsafe; a reference answer (the reference gives it whenever
    the item has an `answer` field, empty or not: every published item has one)."""
    construct = evaluator.function("JointEvaluator", "construct_eval_prompt")
    comments = _assignments(evaluator, construct, "prompt_comment")
    literals = [c for c in comments if isinstance(c, ast.Constant)]
    with_answer = [c for c in comments if "data['answer']" in ast.unparse(c)]
    if not literals or len(with_answer) != 1:
        raise evaluator.fail("JointEvaluator.construct_eval_prompt: unexpected comments")
    unsafe = from_fstring(evaluator, literals[0], {}, "unsafe comment")
    reference = from_fstring(evaluator, with_answer[0], ANSWER_FIELDS, "reference comment")
    return {
        "judge_comment_unsafe": unsafe,
        "judge_comment_reference": reference,
        "judge_comment_default": reference,
    }


def _sequential_comments(evaluator: _Source) -> dict[str, str]:
    """The sequential judge's notes: only the last spec gets one (the reference answer, for
    every label)."""
    single = evaluator.function("SequentialEvaluator", "evaluate_single_sample")
    refs = [r for r in _assignments(evaluator, single, "ref") if "data['answer']" in ast.unparse(r)]
    if len(refs) != 1:
        raise evaluator.fail("SequentialEvaluator: unexpected reference comment")
    last = from_fstring(evaluator, refs[0], ANSWER_FIELDS, "sequential reference comment")
    others = [
        c for c in _assignments(evaluator, single, "prompt_comment") if isinstance(c, ast.Constant)
    ]
    if len(others) != 1:
        raise evaluator.fail("SequentialEvaluator: unexpected comment for the other specs")
    other = from_fstring(evaluator, others[0], {}, "sequential comment")
    return {
        "judge_sequential_comment_unsafe": other,
        "judge_sequential_comment_default": other,
        "judge_sequential_comment_last_unsafe": last,
        "judge_sequential_comment_reference": last,
        "judge_sequential_comment_last_default": last,
    }


READERS: tuple[Callable[[dict[str, _Source]], dict[str, str]], ...] = (_generation, _judge)


def paper_texts_from(paths: dict[str, Path]) -> dict[str, str]:
    """The paper's template texts, from upstream files given by repository path."""
    files = {repo_path: _parse(repo_path, path) for repo_path, path in paths.items()}
    texts: dict[str, str] = {}
    for reader in READERS:
        texts.update(reader(files))
    return texts


@lru_cache(maxsize=1)
def paper_texts() -> dict[str, str]:
    """The paper's template texts, read once per process from the pinned upstream files."""
    return paper_texts_from({repo_path: _upstream_path(repo_path) for repo_path in UPSTREAM_FILES})
