"""The paper's published tables as package data, and the model-name matching rule."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest

from specbench_inspect.paper_results import (
    MODEL_COLUMNS,
    TTD_COLUMNS,
    published_method,
    published_methods,
    published_models,
    read_table,
)
from specbench_inspect.paper_results.names import paper_name

SHARED_RESULTS = Path(os.environ.get("SPECBENCH_PAPER_RESULTS", "/work/shared/paper-results"))


def shared_rows(name: str) -> list[dict[str, str]]:
    path = SHARED_RESULTS / name
    if not path.is_file():
        pytest.skip(f"the shared paper results are not at {SHARED_RESULTS}")
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


@pytest.mark.parametrize("name", ["models.tsv", "ttd.tsv"])
def test_packaged_tables_equal_the_shared_numbers_cell_for_cell(name: str) -> None:
    shared = shared_rows(name)
    packaged = read_table(name)
    assert len(packaged) == len(shared) == (33 if name == "models.tsv" else 16)
    for ours, theirs in zip(packaged, shared, strict=True):
        assert list(ours) == list(theirs)
        assert ours == theirs


def test_loaded_models_match_the_shared_numbers() -> None:
    shared = shared_rows("models.tsv")
    models = published_models()
    assert len(models) == len(shared) == 33
    assert sum(m.type == "instruct" for m in models) == 18
    assert sum(m.type == "reasoning" for m in models) == 15
    for model, row in zip(models, shared, strict=True):
        assert model.model == row["model"] and model.type == row["type"]
        assert (model.gpt41.safety, model.gpt41.behavioral, model.gpt41.sar) == (
            float(row["safety"]),
            float(row["behavioral"]),
            float(row["sar"]),
        )
        assert (model.qwen3_32b.safety, model.qwen3_32b.behavioral, model.qwen3_32b.sar) == (
            float(row["qwen3_32b_safety_int"]),
            float(row["qwen3_32b_behavioral_int"]),
            float(row["qwen3_32b_sar_int"]),
        )
    assert list(shared[0]) == list(MODEL_COLUMNS)


def test_loaded_methods_match_the_shared_numbers() -> None:
    shared = shared_rows("ttd.tsv")
    methods = published_methods()
    assert len(methods) == len(shared) == 16
    assert list(shared[0]) == list(TTD_COLUMNS)
    for method, row in zip(methods, shared, strict=True):
        assert (method.model, method.type, method.method) == (
            row["model"],
            row["type"],
            row["method"],
        )
        if row["sar"] == "N/A":
            assert method.scores is None and method.completion_tokens is None
            continue
        assert method.scores is not None
        assert (method.scores.safety, method.scores.behavioral, method.scores.sar) == (
            float(row["safety"]),
            float(row["behavioral"]),
            float(row["sar"]),
        )
        assert method.completion_tokens == int(row["completion_tokens_per_sample"])
    align3 = published_method("Qwen3-14B-thinking", "align3")
    assert align3 is not None and align3.scores is not None and align3.scores.sar == 62.92


def test_the_vanilla_rows_of_both_tables_agree() -> None:
    models = {m.model: m for m in published_models()}
    vanilla = [m for m in published_methods() if m.method == "vanilla"]
    assert len(vanilla) == 4
    for row in vanilla:
        assert row.scores == models[row.model].gpt41


OFF = {"chat_template_kwargs": {"enable_thinking": False}}
ON = {"chat_template_kwargs": {"enable_thinking": True}}

NAMES: list[tuple[str, dict[str, Any] | None, int | None, str | None]] = [
    ("vllm/Qwen/Qwen3-14B", OFF, None, "Qwen3-14B"),
    ("vllm/Qwen/Qwen3-14B", ON, None, "Qwen3-14B-thinking"),
    ("vllm/Qwen/Qwen3-14B", None, None, "Qwen3-14B-thinking"),
    ("openai-api/local/qwen3_0.6b", OFF, None, "Qwen3-0.6B"),
    ("openai/gpt-4.1", None, None, "GPT-4.1"),
    ("openai/gpt-4.1-2025-04-14", None, None, "GPT-4.1"),
    ("openai/gpt-4.1-mini", None, None, "GPT-4.1-mini"),
    ("openai/gpt-5-chat-latest", None, None, "GPT-5-chat"),
    ("hf/meta-llama/Llama-3.1-8B-Instruct", None, None, "Llama-3.1-8B-Instruct"),
    ("vllm/meta-llama/Meta-Llama-3.1-8B-Instruct", None, None, "Llama-3.1-8B-Instruct"),
    ("together/deepseek-ai/DeepSeek-R1", None, None, "DeepSeek-R1"),
    ("vllm/deepseek-ai/DeepSeek-R1-Distill-Llama-8B", None, None, "DeepSeek-R1-Distill-Llama-8B"),
    ("google/gemini-2.5-flash", None, None, "Gemini-2.5-flash-thinking"),
    ("google/gemini-2.5-flash", None, 0, "Gemini-2.5-flash"),
    ("google/gemini-2.5-flash-lite", None, None, "Gemini-2.5-flash-lite"),
    ("google/gemini-2.5-flash-lite", None, 1024, "Gemini-2.5-flash-lite-thinking"),
    ("google/gemini-2.5-pro", None, None, "Gemini-2.5-pro"),
    ("vllm/mistralai/Mistral-7B-Instruct-v0.3", None, None, "Mistral-7B-Instruct-v0.3"),
    # must not match
    ("openai/gpt-4.1-nano", None, None, None),
    ("openai/gpt-4o", None, None, None),
    ("vllm/Qwen/Qwen3-14B-Base", OFF, None, None),
    ("vllm/Qwen/Qwen3-14B-AWQ", OFF, None, None),
    ("vllm/Qwen/Qwen3-4B-Instruct-2507", None, None, None),
    ("vllm/Qwen/Qwen3-30B-A3B", OFF, None, None),
    ("vllm/Qwen/Qwen2.5-14B-Instruct", None, None, None),
    ("hf/meta-llama/Llama-3.1-8B", None, None, None),
    ("deepseek/deepseek-chat", None, None, None),
    ("deepseek/deepseek-reasoner", None, None, None),
    ("vllm/local/Qwen3-14B-thinking", None, None, None),
    ("mockllm/model", None, None, None),
]


@pytest.mark.parametrize(("model", "extra_body", "reasoning_tokens", "expected"), NAMES)
def test_model_name_rule(
    model: str, extra_body: dict[str, Any] | None, reasoning_tokens: int | None, expected: str
) -> None:
    match = paper_name(model, extra_body, reasoning_tokens)
    assert match.name == expected, match.why
    assert model in match.why


def test_every_paper_name_is_reachable() -> None:
    """Each of the 33 paper models is matched by some Inspect model name and setting."""
    reached = set()
    for m in published_models():
        name = m.model.removesuffix("-thinking")
        thinking = m.model.endswith("-thinking") or m.type == "reasoning"
        extra = ON if thinking else OFF
        tokens = 1024 if thinking else 0
        match = paper_name(f"provider/org/{name}", extra, tokens)
        reached.add(match.name)
    assert len(reached) == 33


def test_the_tables_are_out_of_the_scoring_path() -> None:
    """Loading the tasks, solvers and scorers does not load the published numbers."""
    import subprocess
    import sys

    code = (
        "import sys, specbench_inspect.tasks, specbench_inspect.solvers, "
        "specbench_inspect.scorers; "
        "print(sorted(m for m in sys.modules if m.startswith('specbench_inspect.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout
    assert "'specbench_inspect.scorers.spec_judge'" in loaded
    assert "'specbench_inspect.tasks.viewer'" in loaded
    assert "paper_results" not in loaded
