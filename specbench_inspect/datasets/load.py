"""Choose where the benchmark data comes from and load the scenarios asked for."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import SpecBenchError, did_you_mean
from .catalog import HF_DATASET, PINNED_COMMIT, PUBLISHED_FINGERPRINTS, SCENARIOS, UPSTREAM_REPO
from .fetch import UPSTREAM_DIR_ENV, fetch_scenario, upstream_dir
from .fingerprint import combined_fingerprint
from .scenario import Scenario, SpecBenchDataError
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
        hint = did_you_mean(unknown[0], SCENARIOS) if len(unknown) == 1 else ""
        raise SpecBenchError(
            f"-T scenarios: unknown scenario {', '.join(map(repr, unknown))} "
            f"(choose from {', '.join(SCENARIOS)}, comma-separated, or all){hint}"
        )
    if not keys:
        raise SpecBenchError("-T scenarios: no scenario given (choose from biochem, child, ...)")
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class DataChoice:
    """Where the published data is taken from, as decided by the options and environment."""

    kind: Literal["dir", "hf", "github"]
    folder: Path | None = None
    """The data folder (kind `dir`)."""
    folder_from: str = ""
    """How the folder was named: `-T data_dir` or `$SPECBENCH_DATA_DIR`."""
    revision: str | None = None
    """The Hugging Face dataset revision (kind `hf`; None for `main`)."""

    def describe(self) -> str:
        """What the eval log records as the data's source."""
        if self.kind == "dir":
            via = f" ({DATA_DIR_ENV})" if self.folder_from == DATA_DIR_ENV else ""
            return f"dir:{self.folder}{via}"
        if self.kind == "hf":
            return f"hf:{HF_DATASET}@{self.revision or 'main'}"
        pinned = f"github:{UPSTREAM_REPO}@{PINNED_COMMIT}"
        local = upstream_dir()
        return f"{pinned} (verified copy in {UPSTREAM_DIR_ENV}={local})" if local else pinned


def choose_data(
    source: Source | None = None,
    data_dir: str | Path | None = None,
    revision: str | None = None,
) -> DataChoice:
    """Decide where the data comes from: `data_dir`, else `$SPECBENCH_DATA_DIR`, else
    `source` (`github`, the default: the pinned upstream files; `hf`: the Hugging Face
    dataset at `revision`).

    Options that contradict each other are an error naming both sides: `source=hf` or a
    `revision` with a data folder (from `data_dir` or the environment), and a `revision`
    without `source=hf`.
    """
    if source not in (None, "github", "hf"):
        raise SpecBenchError(f"-T source={source!r}: unknown source (choose 'github' or 'hf')")
    revision = revision or None
    if data_dir not in (None, ""):
        folder_from, folder = "-T data_dir", str(data_dir)
    else:
        folder_from, folder = DATA_DIR_ENV, os.environ.get(DATA_DIR_ENV, "")
    if folder:
        side = f"{folder_from}={folder}"
        if source == "hf":
            raise SpecBenchError(
                f"-T source=hf and {side} both choose the data: the folder would be used and "
                "source ignored; give only one"
                + (f" (unset {DATA_DIR_ENV})" if folder_from == DATA_DIR_ENV else "")
            )
        if revision is not None:
            raise SpecBenchError(
                f"-T revision={revision} and {side} both choose the data: a revision applies "
                "only to -T source=hf; give only one"
                + (f" (unset {DATA_DIR_ENV})" if folder_from == DATA_DIR_ENV else "")
            )
        return DataChoice("dir", Path(folder).expanduser(), folder_from)
    if source == "hf":
        return DataChoice("hf", revision=revision)
    if revision is not None:
        raise SpecBenchError(
            f"-T revision={revision}: applies only with -T source=hf (the GitHub data is "
            f"pinned to {PINNED_COMMIT}; use -T data_dir for other data)"
        )
    return DataChoice("github")


def load_scenarios(
    keys: Sequence[str],
    *,
    source: Source | None = None,
    data_dir: str | Path | None = None,
    revision: str | None = None,
) -> list[Scenario]:
    """Load the published scenarios `keys` from where `choose_data` says: a local folder,
    the pinned upstream files (`SPECBENCH_UPSTREAM_DIR`, the cache or a download) or Hugging
    Face. `describe_source` with the same arguments says which, for the log."""
    choice = choose_data(source, data_dir, revision)
    if choice.folder is not None:  # kind "dir"
        if not choice.folder.is_dir():
            raise SpecBenchDataError(choice.folder, f"{choice.folder_from}: not a folder")
        return [load_scenario_dir(choice.folder / SCENARIOS[key], key) for key in keys]
    if choice.kind == "hf":
        from .hf import load_hf_scenarios

        return load_hf_scenarios(keys, revision=choice.revision)
    return [load_scenario_dir(fetch_scenario(SCENARIOS[key]), key) for key in keys]


def describe_source(
    source: Source | None, data_dir: str | Path | None, revision: str | None
) -> str:
    """What the eval log records as the source of the data `load_scenarios` loads with the
    same arguments."""
    return choose_data(source, data_dir, revision).describe()


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
