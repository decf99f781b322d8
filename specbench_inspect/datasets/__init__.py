"""SpecBench data: the published scenarios (fetched, pinned, verified) and users' own."""

from .catalog import PINNED_COMMIT, SCENARIOS
from .fetch import upstream_file
from .load import data_provenance, describe_source, load_scenarios, parse_scenarios
from .samples import SpecBenchMetadata, scenario_samples
from .scenario import DATA_FILES, PromptItem, Scenario, SpecBenchDataError
from .validation import ScenarioReport, load_scenario_dir, schema_file, validate_scenario_dir

__all__ = [
    "DATA_FILES",
    "PINNED_COMMIT",
    "SCENARIOS",
    "PromptItem",
    "Scenario",
    "ScenarioReport",
    "SpecBenchDataError",
    "SpecBenchMetadata",
    "data_provenance",
    "describe_source",
    "load_scenario_dir",
    "load_scenarios",
    "parse_scenarios",
    "scenario_samples",
    "schema_file",
    "upstream_file",
    "validate_scenario_dir",
]
