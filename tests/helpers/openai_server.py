"""A small OpenAI-compatible chat server on 127.0.0.1, for tests and benchmarks.

It answers `POST /v1/chat/completions` and `GET /v1/models` with scripted replies (see
`scripted.py`): requests to a model whose name starts with `judge` get joint verdicts that are a
function of the query; other models answer the question. Like vLLM it honours
`continue_final_message` (the reply continues the final assistant message: see
`continue_thought`) and stop strings, refuses the requests vLLM refuses (both continuation
flags set, a final message a chat template does not render verbatim), renders a request's
`chat_template` (when jinja2 is installed) and records the prompt, and with
`reasoning_parser=True` returns the thinking in `reasoning_content` as vLLM's reasoning parsers
do. Every request and its reply is recorded. Every response carries `usage`. A request for
`n` choices gets `n` replies (the script sees each with `choice_index`).

Like vLLM's pooling runner it answers `POST /pooling` at the server root (not under `/v1`):
a reward model's score for the conversation in `messages`, by default `reward_of` the last
(assistant) message; these requests are recorded in `pooling_requests`.

In a test: `with LoopbackServer() as server: ... server.base_url ... server.requests`.
As a process (benchmarks): `python tests/helpers/openai_server.py --port 0 --latency 1.0` prints
`PORT <n>` on its first line; `GET /v1/stats` gives request counts and timing (see `stats`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# Run as a script (benchmarks): make the `helpers` package importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from helpers.scripted import answer_reply, grader_reply

Script = Callable[[dict[str, Any]], dict[str, Any]]
"""Request body -> {"content": str, "reasoning": str | None, "finish_reason": str}."""
RewardScript = Callable[[dict[str, Any]], Any]
"""`/pooling` request body -> the JSON reply (see `pooling_reply`)."""

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
BOS = "<\uff5cbegin\u2581of\u2581sentence\uff5c>"  # DeepSeek-R1's, spelt out


class BadRequest(Exception):
    """A request vLLM would refuse (HTTP 400)."""


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def apply_stop(text: str, stop: list[str]) -> tuple[str, str]:
    """Cut `text` at the first stop string, as servers do (the stop string is not returned)."""
    cuts = [i for s in stop if (i := text.find(s)) >= 0]
    return (text[: min(cuts)], "stop") if cuts else (text, "stop")


def question_tag(question: str) -> str:
    return hashlib.sha256(question.encode()).hexdigest()[:12]


def thought_marker(tag: str, step: int) -> str:
    """What the scripted model thinks in one continuation of an open thought."""
    return f" [thought {step} on {tag}]\n"


def final_answer(tag: str, steps: int) -> str:
    """The scripted answer after `steps` continuations of the thought (0: no thinking)."""
    return f"Here is my answer ({tag}) after {steps} thoughts."


def continue_thought(question: str, prefix: str) -> str:
    """How the scripted model continues a partial assistant turn `prefix` (before any stop).

    In an open thought it writes one marker naming the question and how many continuations
    the thought has had (counting the markers already in `prefix`), closes the thought and
    answers; after a closed thought (ZeroThink's empty block) it answers at once.
    """
    tag = question_tag(question)
    if THINK_CLOSE in prefix:
        return "\n\n" + final_answer(tag, 0)
    step = prefix.count("[thought ") + 1
    return f"{thought_marker(tag, step)}{THINK_CLOSE}\n\n{final_answer(tag, step)}"


def parse_reasoning(text: str) -> tuple[str | None, str | None]:
    """Split generated text as vLLM's Qwen3 / DeepSeek-R1 reasoning parsers do: a leading
    `<think>` is dropped; before `</think>` is reasoning, after it content; with no `</think>`
    (the thought is still open: a stop or the token limit) all of it is reasoning."""
    head, sep, tail = text.partition(THINK_OPEN)
    text = tail if sep else head
    if THINK_CLOSE in text:
        reasoning, _, content = text.partition(THINK_CLOSE)
        return reasoning, content or None
    return text, None


def render_chat_template(body: dict[str, Any]) -> str | None:
    """The prompt a request's `chat_template` renders (None without a template or jinja2), with
    vLLM's check that a continued final message appears verbatim at the end."""
    template = body.get("chat_template")
    if not template:
        return None
    try:
        import jinja2
    except ImportError:
        return None
    prompt = (
        jinja2.Environment()
        .from_string(template)
        .render(
            messages=body["messages"],
            add_generation_prompt=body.get("add_generation_prompt", True),
            bos_token=BOS,
            **(body.get("chat_template_kwargs") or {}),
        )
    )
    if body.get("continue_final_message"):
        final = text_of(body["messages"][-1])
        if not prompt.endswith(final):
            raise BadRequest(
                "continue_final_message is set but the final message does not appear verbatim "
                "at the end of the chat after applying the chat template"
            )
    return prompt


def reward_of(text: str) -> float:
    """The scripted reward model's score of a response: the number in a `[reward X]` marker,
    else a value in [-5, 5) derived from the text's hash."""
    marker = re.search(r"\[reward (-?\d+(?:\.\d+)?)\]", text)
    if marker:
        return float(marker.group(1))
    return int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) / 6553.6 - 5.0


def pooling_reply(body: dict[str, Any], data: Any) -> dict[str, Any]:
    """A vLLM pooling response whose one result carries `data` (a classifier: `[score]`)."""
    return {
        "id": "pool-loopback",
        "object": "list",
        "created": int(time.time()),
        "model": body.get("model", "reward"),
        "data": [{"index": 0, "object": "pooling", "data": data}],
        "usage": {"prompt_tokens": 1, "total_tokens": 1, "completion_tokens": 0},
    }


def default_reward(body: dict[str, Any]) -> Any:
    """Score the conversation's final (assistant) message with `reward_of`; a request without
    a user question followed by an assistant response is refused, as a chat template would."""
    messages = body.get("messages")
    roles = [m.get("role") for m in messages] if isinstance(messages, list) else None
    if roles != ["user", "assistant"]:
        raise BadRequest(f"expected messages [user, assistant], got roles {roles}")
    return pooling_reply(body, [reward_of(text_of(messages[-1]))])


def default_script(body: dict[str, Any]) -> dict[str, Any]:
    messages = body["messages"]
    if str(body.get("model", "")).startswith("judge"):
        return {"content": grader_reply(text_of(messages[-1]))}
    question = next(text_of(m) for m in reversed(messages) if m["role"] == "user")
    stop = body.get("stop") or []
    stop = [stop] if isinstance(stop, str) else list(stop)
    if messages[-1]["role"] == "assistant" and body.get("continue_final_message"):
        full = continue_thought(question, text_of(messages[-1]))
    else:
        full = answer_reply(question)
    content, finish = apply_stop(full, stop)
    return {"content": content, "finish_reason": finish}


def ignoring_continuation(script: Script = default_script) -> Script:
    """A server that ignores `continue_final_message`, as llama.cpp's does: the request is
    answered as a new turn (the pre-fill is not continued)."""

    def new_turn(body: dict[str, Any]) -> dict[str, Any]:
        return script({k: v for k, v in body.items() if k != "continue_final_message"})

    return new_turn


class _Server(ThreadingHTTPServer):
    # a burst of new connections (dozens of samples starting at once) must not overflow the
    # listen backlog: a dropped connection is retried by TCP only after a second
    request_queue_size = 256


class LoopbackServer:
    """The server on a free loopback port, in a background thread."""

    def __init__(
        self,
        script: Script = default_script,
        latency: float = 0.0,
        record: bool = True,
        reasoning_parser: bool = False,
        reward: RewardScript = default_reward,
    ) -> None:
        self.script = script
        self.reward = reward
        self.pooling_requests: list[dict[str, Any]] = []
        """`/pooling` requests: body, the Authorization header, reply."""
        self.latency = latency
        self.record = record
        self.reasoning_parser = reasoning_parser
        """Return the thinking of models under test (not `judge*`) in `reasoning_content`."""
        self.requests: list[dict[str, Any]] = []
        self.requests_by_model: dict[str, int] = {}
        self._in_flight = 0
        self._busy = 0.0
        """Integral of requests in flight over time (seconds)."""
        self._changed = 0.0
        self._first: float | None = None
        self._last: float | None = None
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
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
        model = str(body.get("model", ""))
        if body.get("continue_final_message"):
            if body.get("add_generation_prompt", True):
                raise BadRequest(
                    "continue_final_message and add_generation_prompt cannot both be true"
                )
            if body["messages"][-1].get("role") != "assistant":
                raise BadRequest("continue_final_message needs a final assistant message")
        prompt = render_chat_template(body)
        n = int(body.get("n") or 1)
        replies = [
            self._reply(model, body if n == 1 else {**body, "choice_index": i}) for i in range(n)
        ]
        reply = replies[0]
        with self._lock:
            self.requests_by_model[model] = self.requests_by_model.get(model, 0) + 1
            if self.record:
                entry = {"body": body, "reply": reply, "prompt": prompt}
                self.requests.append(entry if n == 1 else {**entry, "replies": replies})
        choices = []
        for i, one in enumerate(replies):
            message: dict[str, Any] = {"role": "assistant", "content": one["content"]}
            if one.get("reasoning") is not None:
                message["reasoning_content"] = one["reasoning"]
            choices.append(
                {"index": i, "message": message, "finish_reason": one.get("finish_reason", "stop")}
            )
        prompt_tokens = sum(len(text_of(m).split()) for m in body["messages"])
        completion_tokens = sum(
            len(((one.get("reasoning") or "") + (one["content"] or "")).split()) + 1
            for one in replies
        )
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "model"),
            "choices": choices,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _reply(self, model: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.script(body)
        if self.reasoning_parser and not model.startswith("judge") and "reasoning" not in reply:
            reasoning, content = parse_reasoning(reply["content"])
            reply = {**reply, "reasoning": reasoning, "content": content}
        return reply

    def pool(self, body: dict[str, Any], authorization: str | None) -> Any:
        """Answer a `/pooling` request."""
        reply = self.reward(body)
        with self._lock:
            self.pooling_requests.append(
                {"body": body, "authorization": authorization, "reply": reply}
            )
        return reply

    def _track(self, delta: int) -> None:
        """Count a request starting (+1) or ending (-1), for `stats()`."""
        with self._lock:
            now = time.time()
            self._busy += self._in_flight * (now - self._changed)
            self._changed = now
            self._in_flight += delta
            if self._first is None:
                self._first = now
            self._last = now

    def stats(self) -> dict[str, Any]:
        """Requests per model; when the first arrived and the last was answered (epoch
        seconds); requests in flight on average between the two."""
        with self._lock:
            span = (self._last or 0.0) - (self._first or 0.0)
            return {
                "requests_by_model": dict(self.requests_by_model),
                "first_request_at": self._first,
                "last_response_at": self._last,
                "mean_in_flight": self._busy / span if span > 0 else 0.0,
            }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls

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
                elif self.path.rstrip("/").endswith("/stats"):
                    self._send(200, server.stats())
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/pooling":  # vLLM serves it at the root, not under /v1
                    try:
                        self._send(200, server.pool(body, self.headers.get("Authorization")))
                    except BadRequest as ex:
                        self._send(400, {"error": {"message": str(ex), "type": "BadRequestError"}})
                    except Exception as ex:  # a reward script's failure: an HTTP 500
                        self._send(500, {"error": {"message": f"{type(ex).__name__}: {ex}"}})
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                server._track(+1)
                try:
                    if server.latency:
                        time.sleep(server.latency)
                    self._send(200, server.complete(body))
                except BadRequest as ex:
                    self._send(400, {"error": {"message": str(ex), "type": "BadRequestError"}})
                except Exception as ex:  # a script error is the test's failure, not a hang
                    self._send(500, {"error": {"message": f"{type(ex).__name__}: {ex}"}})
                finally:
                    server._track(-1)

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--no-record", action="store_true", help="do not keep requests")
    parser.add_argument(
        "--reasoning-parser", action="store_true", help="thinking in reasoning_content"
    )
    args = parser.parse_args()
    with LoopbackServer(
        latency=args.latency, record=not args.no_record, reasoning_parser=args.reasoning_parser
    ) as server:
        print(f"PORT {server.port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
