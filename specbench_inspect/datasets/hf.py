"""Read the scenarios from the Hugging Face dataset (`catalog.HF_DATASET`).

The dataset has one split per scenario, named like the upstream folder (`Biochem`, `Child`,
`Code`, `Health`, `Travel`; matched case-insensitively, the scenario key works too). Each row
is one prompt (`label`, `adversarial_prompt`, `prompt`, `source`, `answer`) and repeats the
scenario (`scenario`, `scenario_description`) and its specs, flattened into the columns
`safety_spec_1..12` and `behavioral_spec_1..11` (empty where a scenario has fewer). The rows
are turned back into the three objects of a scenario folder and validated like one.

`path` may also be a local folder, to run offline:

- a `DatasetDict` saved with `save_to_disk` (a folder with `dataset_dict.json`), or
- a folder of parquet files named `<split>.parquet` or `<split>-<shard>.parquet`, searched
  recursively: a download of the dataset repository (`data/Travel-00000-of-00001.parquet`)
  is such a folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import SpecBenchError
from .catalog import HF_DATASET, LOCAL_DATA_HINT, SCENARIOS
from .scenario import (
    PROMPTS_FILE,
    SCENARIO_FILE,
    SPECIFICATIONS_FILE,
    Scenario,
    SpecBenchDataError,
)
from .validation import scenario_from_objects

SPEC_COLUMN = re.compile(r"^(safety|behavioral)_spec_([1-9][0-9]*)$")
OPTIONAL_PROMPT_FIELDS = ("adversarial_prompt", "source", "answer")
REQUIRED_COLUMNS = ("scenario", "label", "prompt", "safety_spec_1", "behavioral_spec_1")

Rows = list[dict[str, Any]]


def load_hf_scenarios(
    keys: Sequence[str],
    *,
    revision: str | None = None,
    path: str = HF_DATASET,
    cache_dir: str | Path | None = None,
) -> list[Scenario]:
    """Load scenarios `keys` from the Hugging Face dataset `path` (a Hub id or a local folder).

    `revision` (a Hub branch, tag or commit; default `main`) and `cache_dir` (the `datasets`
    cache) apply to a Hub dataset only. Raises `SpecBenchDataError` naming the split, row and
    column at fault.
    """
    local = Path(path).expanduser()
    if local.exists():
        if revision:
            raise SpecBenchError(
                "-T revision: applies to a Hugging Face Hub dataset, not a local folder"
            )
        origin = f"hf:{local}"
        splits = _local_splits(local)
    else:
        origin = f"hf:{path}@{revision or 'main'}"
        splits = _hub_splits(path, revision, cache_dir, origin)

    scenarios = []
    for key in keys:
        wanted = {key.casefold(), SCENARIOS.get(key, key).casefold()}
        split = next((name for name in splits if name.casefold() in wanted), None)
        if split is None:
            raise SpecBenchDataError(
                origin,
                f"no split for scenario '{key}' (splits: {', '.join(sorted(splits)) or 'none'})",
            )
        scenarios.append(scenario_from_rows(key, splits[split](), origin=origin, split=split))
    return scenarios


def scenario_from_rows(key: str, rows: Rows, *, origin: str, split: str) -> Scenario:
    """Rebuild a scenario from the rows of its split (one prompt per row, specs repeated)."""
    where = f"{origin}, split '{split}'"
    if not rows:
        raise SpecBenchDataError(where, "the split has no rows")
    columns = list(rows[0])
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise SpecBenchDataError(
            where, f"missing column {', '.join(missing)} (columns: {', '.join(columns)})"
        )

    # The columns every row must repeat: the scenario and the specs, in numeric order.
    spec_columns = sorted(
        (m.group(1), int(m.group(2)), c) for c in columns if (m := SPEC_COLUMN.match(c))
    )
    shared: list[str] = [c for c in ("scenario", "scenario_description") if c in columns]
    _check_repeated(rows, shared + [c for _, _, c in spec_columns], where)
    specs = _specs(rows[0], spec_columns, where)

    scenario = {
        "name": rows[0]["scenario"],
        "description": rows[0].get("scenario_description") or "",
    }
    specifications = {
        "safety_specifications": specs["safety"],
        "behavioral_specifications": specs["behavioral"],
    }
    objects = {
        SCENARIO_FILE: scenario,
        SPECIFICATIONS_FILE: specifications,
        PROMPTS_FILE: [_prompt_item(row) for row in rows],
    }
    return scenario_from_objects(
        key,
        objects,
        origin=origin,
        names={
            SCENARIO_FILE: f"{where} (columns scenario, scenario_description)",
            SPECIFICATIONS_FILE: f"{where} (spec columns)",
            PROMPTS_FILE: where,
        },
    )


def _check_repeated(rows: Rows, shared: list[str], where: str) -> None:
    """Every row carries the same values in the `shared` columns as row 0."""
    first = [_blank_to_none(rows[0].get(c)) for c in shared]
    for i, row in enumerate(rows[1:], start=1):
        for column, expected in zip(shared, first, strict=True):
            if _blank_to_none(row.get(column)) != expected:
                raise SpecBenchDataError(
                    f"{where}, row {i}",
                    f"differs from row 0 ({_short(row.get(column))} vs {_short(expected)}): "
                    "every row of a split must carry the same scenario and specs",
                    field=column,
                )


def _specs(
    row: dict[str, Any], spec_columns: list[tuple[str, int, str]], where: str
) -> dict[str, list[Any]]:
    """The safety and behavioral spec lists from a row's numbered columns (no gaps allowed)."""
    specs: dict[str, list[Any]] = {"safety": [], "behavioral": []}
    for kind, number, column in spec_columns:
        value = _blank_to_none(row[column])
        if value is None:
            continue
        if len(specs[kind]) != number - 1:
            raise SpecBenchDataError(
                where,
                f"{column} is set but {kind}_spec_{len(specs[kind]) + 1} is empty "
                "(spec columns must be filled without gaps)",
                field=column,
            )
        specs[kind].append(value)
    return specs


def _prompt_item(row: dict[str, Any]) -> dict[str, Any]:
    """A `prompts.json` item from a row; blank optional fields are left out (defaults apply:
    `adversarial_prompt` falls back to `prompt`, `source` and `answer` to '')."""
    item = {f: row.get(f) for f in ("label", "prompt")}
    item.update({f: row[f] for f in OPTIONAL_PROMPT_FIELDS if _blank_to_none(row.get(f))})
    return item


def _blank_to_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _local_splits(folder: Path) -> dict[str, Callable[[], Rows]]:
    """The splits of a local copy: a `save_to_disk` DatasetDict or a folder of parquet files."""
    if (folder / "dataset_dict.json").is_file():
        import datasets  # type: ignore[import-untyped]

        loaded = datasets.load_from_disk(str(folder))
        return {name: _rows_of(loaded[name]) for name in loaded}
    shards: dict[str, list[Path]] = {}
    for file in sorted(folder.rglob("*.parquet")):
        shards.setdefault(file.stem.split("-")[0], []).append(file)
    if not shards:
        raise SpecBenchDataError(
            folder,
            "not a Hugging Face dataset copy: expected a save_to_disk DatasetDict "
            "(dataset_dict.json) or parquet files named <split>.parquet or <split>-*.parquet",
        )
    return {name: _parquet_rows(files) for name, files in shards.items()}


def _parquet_rows(files: list[Path]) -> Callable[[], Rows]:
    def read() -> Rows:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        rows: Rows = []
        for file in files:
            rows.extend(pq.read_table(file).to_pylist())
        return rows

    return read


def _rows_of(split: Any) -> Callable[[], Rows]:
    return lambda: list(split.to_list())


def _hub_splits(
    path: str, revision: str | None, cache_dir: str | Path | None, origin: str
) -> dict[str, Callable[[], Rows]]:
    import datasets

    try:
        loaded = datasets.load_dataset(
            path, revision=revision, cache_dir=str(cache_dir) if cache_dir else None
        )
    except Exception as ex:
        offline = bool(datasets.config.HF_HUB_OFFLINE) or any(
            os.environ.get(v, "").upper() in ("1", "ON", "YES", "TRUE")
            for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
        )
        why = (
            "Hugging Face offline mode is on (HF_HUB_OFFLINE) and the dataset is not in the "
            "local cache"
            if offline
            else "it could not be downloaded from the Hugging Face Hub"
        )
        raise SpecBenchDataError(
            origin,
            f"cannot load the dataset: {why} ({type(ex).__name__}: {ex}). {LOCAL_DATA_HINT} "
            "Or use -T source=github.",
        ) from ex
    if not isinstance(loaded, datasets.DatasetDict):
        raise SpecBenchDataError(origin, "expected a dataset with one split per scenario")
    return {name: _rows_of(loaded[name]) for name in loaded}
