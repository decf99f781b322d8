"""Shared fixtures: the data folder, scripted mockllm models and the loopback server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.data import DATA_DIR, find_upstream_dir
from helpers.models import answer_model, grader_model
from helpers.openai_server import LoopbackServer
from inspect_ai.model import Model


def pytest_configure(config: pytest.Config) -> None:
    """Serve the reference's files (prompt texts, chat templates) from a local copy of the
    upstream repository when there is one, so that no test needs the network."""
    upstream = find_upstream_dir()
    if upstream is not None and upstream.is_dir():
        os.environ.setdefault("SPECBENCH_UPSTREAM_DIR", str(upstream))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The SpecBench data folder (see `helpers.data`)."""
    return DATA_DIR


@pytest.fixture
def answering_model() -> Model:
    """The scripted model under test (a thought and a short answer per question)."""
    return answer_model()


@pytest.fixture
def scripted_grader() -> Model:
    """A scripted grader whose verdicts are a function of the query it is shown."""
    return grader_model()


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    """The project's OpenAI-compatible server on 127.0.0.1, stopped after the test."""
    with LoopbackServer() as server:
        yield server
