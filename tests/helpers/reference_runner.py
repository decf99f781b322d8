"""Run the reference implementation's own code to record the requests it would send.

Run as a script, in a subprocess (the reference's package is named `specbench`, like this
project's registry namespace): `python reference_runner.py UPSTREAM_DIR CASES.json OUT.json`.

The reference's engines are given a stub model that records every request (messages and the
extra config: stop strings, extra_body) and answers with the canned replies of the case, so
that the reference's own classes (`specbench.ttd` methods, `specbench.evaluator` judges) build
their requests exactly as they do for a real model. Nothing here is the reference's text: it
is imported from `UPSTREAM_DIR` at run time.

CASES.json:
    {"generation": [{"method", "specification", "ttd_config", "items": [{"key", "prompt",
     "replies": [str, ...]}]}],
     "judge": [{"mode": "joint"|"sequential", "specification", "items": [{"key", "data",
     "response", "replies": [str, ...]}]}]}
OUT.json: {key: [{"messages": [...], "config": {...}}, ...]} per item, in call order.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any


def _stub_missing_modules() -> None:
    """The reference imports `backoff` for its OpenAI engine's retries; no call is made here."""
    try:
        import backoff  # noqa: F401
    except ImportError:
        stub = types.ModuleType("backoff")

        def on_exception(*args: Any, **kwargs: Any) -> Any:
            return lambda func: func

        stub.on_exception = on_exception  # type: ignore[attr-defined]
        stub.expo = object()  # type: ignore[attr-defined]
        sys.modules["backoff"] = stub


def _response(text: str) -> Any:
    """An object shaped like the OpenAI client's chat completion, as the reference reads it."""
    message = types.SimpleNamespace(content=text)
    choice = types.SimpleNamespace(finish_reason="stop", message=message)
    usage = types.SimpleNamespace(prompt_tokens=10, completion_tokens=5, total_tokens=15)
    return types.SimpleNamespace(choices=[choice], usage=usage)


def main(upstream: str, cases_path: str, out_path: str) -> None:
    _stub_missing_modules()
    sys.path.insert(0, str(Path(upstream).resolve()))
    from specbench.evaluator import JointEvaluator, SequentialEvaluator
    from specbench.ttd import get_ttd_engine
    from specbench.utils import LLMEngine

    class Recorder(LLMEngine):
        """A reference engine whose model is a list of canned replies; records each request."""

        def __init__(self, model: str) -> None:
            super().__init__(provider="stub", model=model, config={})
            self.replies: list[str] = []
            self.requests: list[dict[str, Any]] = []

        def _generate(self, messages: Any, config: Any = None, **kwargs: Any) -> Any:
            self.requests.append({"messages": messages, "config": config or {}})
            return self._format_response_json(_response(self.replies.pop(0)))

    cases = json.loads(Path(cases_path).read_text(encoding="utf-8"))
    out: dict[str, list[dict[str, Any]]] = {}
    for case in cases.get("generation", []):
        engine = Recorder(case.get("model", "Qwen/Qwen3-14B"))
        ttd = get_ttd_engine(
            llm_engine=engine,
            method=case["method"],
            specification=case["specification"],
            ttd_config=case.get("ttd_config", {}),
        )
        for item in case["items"]:
            engine.replies, engine.requests = list(item["replies"]), []
            ttd.inference(item["prompt"])
            assert not engine.replies, f"{item['key']}: unused canned replies"
            out[item["key"]] = engine.requests
    for case in cases.get("judge", []):
        engine = Recorder("grader")
        kind = JointEvaluator if case["mode"] == "joint" else SequentialEvaluator
        evaluator = kind(engine, case["specification"])
        for item in case["items"]:
            engine.replies, engine.requests = list(item["replies"]), []
            evaluator.evaluate([item["data"]], [item["response"]])
            out[item["key"]] = engine.requests
    Path(out_path).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:4])
