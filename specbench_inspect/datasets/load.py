"""Choose where the benchmark data comes from and load the scenarios asked for."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from .catalog import HF_DATASET, PINNED_COMMIT, PUBLISHED_FINGERPRINTS, SCENARIOS, UPSTREAM_REPO
from .fingerprint import combined_fingerprint
from .scenario import Scenario
from .validation import load_scenario_dir

logger = logging.getLogger(__name__)

Source = Literal["github", "hf"]
DATA_DIR_ENV = "SPECBENCH_DATA_DIR"


def parse_scenarios(value: str | Sequence[str] | None) -> list[str]:
    """`"travel,code"` or `["travel", "code"]` -> validated scenario keys (all five if empty)."""
    if value is None or value == "" or value == "all":
        return list(SCENARIOS)
    names = value.split(",") if isinstance(value, str) else list(value)
    keys = [str(name).strip().lower() for name in names if str(name).strip()]
    unknown = [k for k in keys if k not in SCENARIOS]
    if unknown:
        raise ValueError(
            f"scenarios: unknown scenario {', '.join(map(repr, unknown))} "
            f"(choose from {', '.join(SCENARIOS)})"
        )
    if not keys:
        raise ValueError("scenarios: no scenario given")
    return list(dict.fromkeys(keys))


def resolve_data_dir(data_dir: str | Path | None) -> Path | None:
    """`data_dir` if given, else `$SPECBENCH_DATA_DIR`, else None (fetch the pinned data)."""
    value = data_dir if data_dir not in (None, "") else os.environ.get(DATA_DIR_ENV) or None
    return Path(value).expanduser() if value is not None else None


def load_scenarios(
    keys: Sequence[str],
    *,
    source: Source = "github",
    data_dir: str | Path | None = None,
    revision: str | None = None,
) -> list[Scenario]:
    """Load the published scenarios `keys` from a local folder, GitHub (pinned) or Hugging Face."""
    folder = resolve_data_dir(data_dir)
    if source not in ("github", "hf"):
        raise ValueError(f"source: unknown source {source!r} (choose 'github' or 'hf')")
    if folder is not None:
        if not folder.is_dir():
            raise ValueError(f"data_dir: {folder} is not a folder")
        return [load_scenario_dir(folder / SCENARIOS[key], key) for key in keys]
    if source == "hf":
        from .hf import load_hf_scenarios

        return load_hf_scenarios(keys, revision=revision)
    if revision not in (None, "", PINNED_COMMIT):
        raise ValueError(
            "revision: only applies to source=hf; the GitHub data is pinned to "
            f"{PINNED_COMMIT} (use data_dir for other data)"
        )
    from .fetch import fetch_scenario

    return [load_scenario_dir(fetch_scenario(SCENARIOS[key]), key) for key in keys]


def describe_source(source: Source, data_dir: str | Path | None, revision: str | None) -> str:
    folder = resolve_data_dir(data_dir)
    if folder is not None:
        return f"dir:{folder}"
    if source == "hf":
        return f"hf:{HF_DATASET}@{revision or 'main'}"
    return f"github:{UPSTREAM_REPO}@{PINNED_COMMIT}"


def data_provenance(scenarios: Sequence[Scenario], source: str) -> dict[str, Any]:
    """What the eval log records about the data; warns when it is not the published data."""
    per_scenario: dict[str, Any] = {}
    for scenario in scenarios:
        published = PUBLISHED_FINGERPRINTS.get(scenario.key)
        matches = published == scenario.fingerprint if published is not None else None
        per_scenario[scenario.key] = {
            "fingerprint": scenario.fingerprint,
            "published": matches,
            "origin": scenario.origin,
            "safety_specs": len(scenario.safety_specs),
            "behavioral_specs": len(scenario.behavioral_specs),
            "prompts": len(scenario.prompts),
        }
        if matches is False:
            logger.warning(
                "SpecBench data for scenario '%s' (%s) differs from the published benchmark "
                "(fingerprint %s, published %s): results are not comparable with the paper's.",
                scenario.key,
                source,
                scenario.fingerprint[:12],
                published[:12] if published else "?",
            )
    return {
        "source": source,
        "fingerprint": combined_fingerprint(scenarios),
        "scenarios": per_scenario,
    }
