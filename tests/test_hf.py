"""Reading the Hugging Face layout (one split per scenario, specs flattened into columns)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR

from specbench_inspect.datasets import SpecBenchDataError, load_scenario_dir
from specbench_inspect.datasets.catalog import PUBLISHED_FINGERPRINTS, SCENARIOS
from specbench_inspect.datasets.hf import load_hf_scenarios

N_SAFETY, N_BEHAVIORAL = 12, 11  # the spec columns of the published dataset


Rows = list[dict[str, Any]]


@pytest.fixture(autouse=True)
def hf_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach the Hub: offline mode in the environment and in the already-read settings."""
    import datasets  # type: ignore[import-untyped]
    import huggingface_hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def columns() -> list[str]:
    return [
        "adversarial_prompt",
        "prompt",
        "label",
        "source",
        "answer",
        "scenario",
        "scenario_description",
        *(f"safety_spec_{i}" for i in range(1, N_SAFETY + 1)),
        *(f"behavioral_spec_{i}" for i in range(1, N_BEHAVIORAL + 1)),
    ]


def hf_rows(folder: str) -> Rows:
    """A scenario folder flattened the way the Hugging Face dataset lays it out."""
    scenario, specs, prompts = (
        json.loads((DATA_DIR / folder / name).read_text(encoding="utf-8"))
        for name in ("scenario.json", "specifications.json", "prompts.json")
    )
    shared: dict[str, Any] = {
        "scenario": scenario["name"],
        "scenario_description": scenario["description"],
    }
    for kind, n in (("safety", N_SAFETY), ("behavioral", N_BEHAVIORAL)):
        values = specs[f"{kind}_specifications"]
        for i in range(n):
            shared[f"{kind}_spec_{i + 1}"] = values[i] if i < len(values) else None
    return [{**{c: p.get(c) for c in columns()[:5]}, **shared} for p in prompts]


def write_parquet(root: Path, splits: dict[str, Rows], order: list[str] | None = None) -> Path:
    """Parquet files as in the dataset repository (`data/<Split>-00000-of-00001.parquet`)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    schema = pa.schema([(c, pa.string()) for c in (order or columns())])
    (root / "data").mkdir(parents=True)
    for split, rows in splits.items():
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, root / "data" / f"{split}-00000-of-00001.parquet")
    return root


def write_disk(root: Path, splits: dict[str, Rows]) -> Path:
    """A `DatasetDict` saved with `save_to_disk`."""
    import datasets

    features = datasets.Features({c: datasets.Value("string") for c in columns()})
    datasets.DatasetDict(
        {name: datasets.Dataset.from_list(rows, features=features) for name, rows in splits.items()}
    ).save_to_disk(str(root))
    return root


@pytest.mark.parametrize("layout", ["parquet", "save_to_disk"])
def test_same_scenarios_as_the_json_files(tmp_path: Path, layout: str) -> None:
    splits = {SCENARIOS[k]: hf_rows(SCENARIOS[k]) for k in ("travel", "child")}
    write = write_parquet if layout == "parquet" else write_disk
    path = write(tmp_path / "hf", splits)

    travel, child = load_hf_scenarios(["travel", "child"], path=str(path))

    for key, loaded in (("travel", travel), ("child", child)):
        expected = load_scenario_dir(DATA_DIR / SCENARIOS[key], key)
        assert loaded == expected  # key, name, description, specs and prompts
        assert loaded.fingerprint == PUBLISHED_FINGERPRINTS[key]
        assert loaded.origin == f"hf:{path}"
    assert len(child.safety_specs) == 12 and len(travel.behavioral_specs) == 11


def test_spec_columns_in_numeric_order(tmp_path: Path) -> None:
    """spec_10 comes after spec_9 whatever the column order (here lexical: 1, 10, 11, 2, ...)."""
    path = write_parquet(tmp_path, {"Travel": hf_rows("Travel")}, order=sorted(columns()))

    [travel] = load_hf_scenarios(["travel"], path=str(path))

    specs = json.loads((DATA_DIR / "Travel" / "specifications.json").read_text(encoding="utf-8"))
    assert len(specs["behavioral_specifications"]) >= 10
    assert list(travel.behavioral_specs) == specs["behavioral_specifications"]
    assert list(travel.safety_specs) == specs["safety_specifications"]


def test_row_with_different_spec_names_split_row_and_column(tmp_path: Path) -> None:
    rows = hf_rows("Travel")
    rows[7]["behavioral_spec_3"] = "Always recommend the most expensive hotel."
    path = write_parquet(tmp_path, {"Travel": rows})

    with pytest.raises(SpecBenchDataError) as info:
        load_hf_scenarios(["travel"], path=str(path))

    message = str(info.value)
    assert "split 'Travel'" in message and "row 7" in message
    assert info.value.field == "behavioral_spec_3"
    assert "'behavioral_spec_3'" in message


def test_gap_in_spec_columns_is_an_error(tmp_path: Path) -> None:
    rows = hf_rows("Travel")
    for row in rows:
        row["safety_spec_3"] = None
    path = write_parquet(tmp_path, {"Travel": rows})

    with pytest.raises(SpecBenchDataError, match=r"safety_spec_4 is set but safety_spec_3"):
        load_hf_scenarios(["travel"], path=str(path))


def test_invalid_prompt_row_is_named(tmp_path: Path) -> None:
    rows = hf_rows("Travel")
    rows[12]["label"] = "harmless"
    path = write_parquet(tmp_path, {"Travel": rows})

    with pytest.raises(SpecBenchDataError) as info:
        load_hf_scenarios(["travel"], path=str(path))

    assert info.value.index == 12 and info.value.field == "label"
    assert "split 'Travel'" in str(info.value)


def test_split_names_are_matched_tolerantly(tmp_path: Path) -> None:
    path = write_parquet(tmp_path, {"travel": hf_rows("Travel")})

    [travel] = load_hf_scenarios(["travel"], path=str(path))
    assert travel.fingerprint == PUBLISHED_FINGERPRINTS["travel"]

    with pytest.raises(
        SpecBenchDataError, match=r"no split for scenario 'code' \(splits: travel\)"
    ):
        load_hf_scenarios(["code"], path=str(path))


def test_folder_without_dataset_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecBenchDataError, match="not a Hugging Face dataset copy"):
        load_hf_scenarios(["travel"], path=str(tmp_path))


def test_offline_and_not_cached_says_use_data_dir(tmp_path: Path) -> None:
    with pytest.raises(SpecBenchDataError) as info:
        load_hf_scenarios(["travel"], cache_dir=tmp_path / "hf-cache")

    message = str(info.value)
    assert message.startswith("hf:zzzhr97/SpecBench@main")
    assert "offline" in message and "data_dir" in message and "SPECBENCH_DATA_DIR" in message
