"""A small OpenAI-compatible chat server on 127.0.0.1, for tests and benchmarks.

It answers `POST /v1/chat/completions` and `GET /v1/models` with scripted replies (see
`scripted.py`): requests to a model whose name starts with `judge` get joint verdicts that are a
function of the query; other models answer the question. Like vLLM it honours
`continue_final_message` (the reply continues the final assistant message) and stop strings.
Every request and its reply is recorded. Every response carries `usage`.

In a test: `with LoopbackServer() as server: ... server.base_url ... server.requests`.
As a process (benchmarks): `python tests/openai_server.py --port 0 --latency 1.0` prints
`PORT <n>` on its first line.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import contextlib

from scripted import answer_reply, grader_reply

Script = Callable[[dict[str, Any]], dict[str, Any]]
"""Request body -> {"content": str, "reasoning": str | None, "finish_reason": str}."""


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def apply_stop(text: str, stop: list[str]) -> tuple[str, str]:
    """Cut `text` at the first stop string, as servers do (the stop string is not returned)."""
    cuts = [i for s in stop if (i := text.find(s)) >= 0]
    return (text[: min(cuts)], "stop") if cuts else (text, "stop")


def default_script(body: dict[str, Any]) -> dict[str, Any]:
    messages = body["messages"]
    if str(body.get("model", "")).startswith("judge"):
        return {"content": grader_reply(text_of(messages[-1]))}
    question = next(text_of(m) for m in reversed(messages) if m["role"] == "user")
    full = answer_reply(question)
    stop = body.get("stop") or []
    stop = [stop] if isinstance(stop, str) else list(stop)
    if messages[-1]["role"] == "assistant" and body.get("continue_final_message"):
        prefix = text_of(messages[-1])
        if "</think>" in prefix:
            full = full.split("</think>", 1)[1]
        elif "<think>" in prefix:
            full = " " + full.removeprefix("<think>")
    content, finish = apply_stop(full, stop)
    return {"content": content, "finish_reason": finish}


class LoopbackServer:
    """The server on a free loopback port, in a background thread."""

    def __init__(
        self, script: Script = default_script, latency: float = 0.0, record: bool = True
    ) -> None:
        self.script = script
        self.latency = latency
        self.record = record
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.script(body)
        if self.record:
            with self._lock:
                self.requests.append({"body": body, "reply": reply})
        message: dict[str, Any] = {"role": "assistant", "content": reply["content"]}
        if reply.get("reasoning") is not None:
            message["reasoning_content"] = reply["reasoning"]
        prompt_tokens = sum(len(text_of(m).split()) for m in body["messages"])
        completion_tokens = len(reply["content"].split()) + 1
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.get("finish_reason", "stop"),
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": []})
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                if server.latency:
                    time.sleep(server.latency)
                try:
                    self._send(200, server.complete(body))
                except Exception as ex:  # a script error is the test's failure, not a hang
                    self._send(500, {"error": {"message": f"{type(ex).__name__}: {ex}"}})

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--no-record", action="store_true", help="do not keep requests")
    args = parser.parse_args()
    with LoopbackServer(latency=args.latency, record=not args.no_record) as server:
        print(f"PORT {server.port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
