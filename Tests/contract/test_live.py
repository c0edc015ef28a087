"""A live system (real `switchboard run`, real services, a private redis-server): the documents it serves,
the 422s at the edge, every HTTP answer and every event of saga runs held to the documents, and
schemathesis's stateful and negative checks."""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest
import requests

from contract import DOCS, asyncapi, event_errors, message_errors
from http_contract import check
from system import System

HERE = pathlib.Path(__file__).resolve().parent
BOOK = {"customerId": "c-1", "items": [{"sku": "BOOK-1", "quantity": 2}], "payment": {"card": "4242424242424242"}}


def post(system: System, body, headers: dict | None = None, raw: bytes | None = None) -> requests.Response:
    headers = {"Content-Type": "application/json", **(headers or {})}
    data = raw if raw is not None else json.dumps(body).encode()
    return check(requests.post(system.base_url + "/orders", data=data, headers=headers, timeout=40))


def get(system: System, path: str, **options) -> requests.Response:
    return check(requests.get(system.base_url + path, timeout=40, **options))


@pytest.mark.parametrize("path, document", [("/openapi.yaml", "openapi.yaml"), ("/asyncapi.yaml", "asyncapi.yaml")])
def test_the_ingress_serves_the_documents_byte_for_byte(pubsub_system, path, document):
    response = get(pubsub_system, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/yaml"
    assert response.content == (DOCS / document).read_bytes()


def with_change(path: list, value) -> dict:
    body = json.loads(json.dumps(BOOK))
    node = body
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return body


@pytest.mark.parametrize("body, field", [
    (with_change(["items", 0, "sku"], "BOOK 1"), "items[0].sku"),
    (with_change(["payment", "card"], "abc"), "payment.card"),
    (with_change(["items", 0, "quantity"], 1.5), "items[0].quantity"),
    (with_change(["customerId"], ...), "customerId"),
    (with_change(["items", 0, "quantity"], "2"), "items[0].quantity"),
    (with_change(["customerId"], "c" * 201), "customerId"),
    (with_change(["items", 0, "sku"], "B" * 65), "items[0].sku"),
    (with_change(["items", 0, "quantity"], 1_000_001), "items[0].quantity"),
    (with_change(["payment", "card"], "4" * 20), "payment.card"),
    (with_change(["coupon"], "FREE"), "coupon"),
], ids=["space in SKU", "letters in card", "float quantity", "missing field", "wrong type", "over-long string",
        "over-long SKU", "quantity over range", "card over 19 digits", "unknown field"])
def test_bad_inputs_get_422_naming_the_field(pubsub_system, body, field):
    response = post(pubsub_system, body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize("raw, content_type, status", [
    (b"{not json", "application/json", 400),
    (json.dumps(BOOK).encode(), "text/plain", 415),
    (b" " * 70_000, "application/json", 413),
])
def test_other_bad_requests_are_documented_problems(pubsub_system, raw, content_type, status):
    response = post(pubsub_system, None, headers={"Content-Type": content_type}, raw=raw)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"


def unmasked(event: dict) -> dict:
    """The event with a masked card number (as trace logs keep a card published on the bus: `*` for every
    digit but the last four) replaced by a well-formed one, so the rest of it can be checked against the
    schema; any card shown must be masked."""
    payment = event.get("data", {}).get("payment", {})
    if "card" not in payment:
        return event
    assert re.fullmatch(r"\*{8,15}[0-9]{4}", payment["card"]), f"a card number shown unmasked: {event}"
    return {**event, "data": {**event["data"], "payment": {**payment, "card": "4" * len(payment["card"])}}}


def run_saga(system: System) -> dict[str, str]:
    """Orders that reach every outcome, through every route; each answer is checked against openapi.yaml.
    Returns the order ids by outcome."""
    orders = {
        "confirmed": BOOK,
        "card_declined": {**BOOK, "items": [{"sku": "MUG-1", "quantity": 1}], "payment": {"card": "4000000000000002"}},
        "insufficient_funds": {**BOOK, "payment": {"card": "4000000000009995"}},
        "out_of_stock": {**BOOK, "items": [{"sku": "PEN-1", "quantity": 1}]},
        "unknown_sku": {**BOOK, "items": [{"sku": "NOPE-1", "quantity": 1}]},
        "invalid_order": {**BOOK, "items": [{"sku": "BOOK-1", "quantity": 600_000}] * 2},
    }
    ids = {}
    for outcome, body in orders.items():
        response = post(system, body, headers={"Prefer": "wait=20",
                                               "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
        assert response.status_code == 200, response.text
        order = response.json()
        assert order["status"] == ("confirmed" if outcome == "confirmed" else "cancelled")
        assert order["reason"] == (None if outcome == "confirmed" else outcome)
        ids[outcome] = order["orderId"]
        assert response.headers["Location"] == f"/orders/{order['orderId']}"
        assert response.headers["Preference-Applied"] == "wait=20"
    ids["bare"] = publish_bare(system)
    ids["provider_unavailable"] = provider_outage(system)  # last: the payment breaker stays open a while
    accepted = post(system, BOOK, headers={"Idempotency-Key": "k-contract"})
    assert accepted.status_code == 202
    repeated = post(system, BOOK, headers={"Idempotency-Key": "k-contract"})
    assert repeated.json()["orderId"] == accepted.json()["orderId"]
    assert post(system, {**BOOK, "customerId": "c-2"}, headers={"Idempotency-Key": "k-contract"}).status_code == 422
    for order_id in ids.values():
        assert get(system, f"/orders/{order_id}").status_code == 200
        stream = get(system, f"/orders/{order_id}/events")
        assert stream.headers["Content-Type"] == "text/event-stream"
        events = [json.loads(line[len("data: "):]) for line in stream.text.split("\n") if line.startswith("data: ")]
        assert events and events[-1]["type"] in ("order.confirmed", "order.cancelled")
        for event in events:
            assert event_errors(unmasked(event), event["type"]) == []
    assert get(system, "/orders/ord_missing").status_code == 404
    assert get(system, "/stock/MUG-1").json()["sku"] == "MUG-1"
    assert get(system, "/stock/NOPE-1").status_code == 404
    assert get(system, "/health").json()["status"] == "ok"
    assert "switchboard_http_requests_total" in get(system, "/metrics").text
    wrong_method = requests.delete(system.base_url + "/orders", timeout=10)
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"
    return ids


def provider_outage(system: System) -> str:
    """With the simulated provider failing every call, an order is cancelled as provider_unavailable."""
    system.cli("HSET", "payment:simulator", "failureRate", "1")
    try:
        for _ in range(100):
            order = post(system, BOOK, headers={"Prefer": "wait=20"}).json()
            if order.get("reason") == "provider_unavailable":
                return order["orderId"]
            time.sleep(0.1)  # the payment service reads the simulator's settings every second
        raise AssertionError(f"no order was cancelled as provider_unavailable; the last: {order}")
    finally:
        system.cli("DEL", "payment:simulator")


def publish_bare(system: System) -> str:
    """A bare order.created as a person types it into redis-cli, on the system's transport."""
    order_id = f"o-bare-{time.monotonic_ns()}"
    payload = json.dumps({**BOOK, "orderId": order_id})
    if system.transport == "streams":
        system.cli("XADD", "order.created", "*", "event", payload)
    else:
        system.cli("PUBLISH", "order.created", payload)
    for _ in range(200):
        if get(system, f"/orders/{order_id}").json().get("status") == "confirmed":
            return order_id
        time.sleep(0.05)
    raise AssertionError(f"the bare order {order_id} was not confirmed")


def test_pubsub_saga_events_and_answers_keep_the_contract(pubsub_system):
    observer = pubsub_system.observe()
    try:
        run_saga(pubsub_system)
        messages = observer.messages()
    finally:
        observer.stop()
    problems = [(channel, error, payload) for channel, payload in messages
                for error in message_errors(json.loads(payload), channel)]
    assert problems == []
    channels = {channel for channel, _ in messages}
    assert channels == {channel["address"] for channel in asyncapi()["channels"].values()}


def test_streams_saga_events_and_answers_keep_the_contract():
    system = System("streams")
    try:
        run_saga(system)
        problems = []
        for channel in (channel["address"] for channel in asyncapi()["channels"].values()):
            lines = system.cli("XRANGE", channel, "-", "+").split("\n")
            events = [lines[i + 1] for i in range(len(lines) - 1) if lines[i] == "event"]
            assert events, f"no event on the stream {channel}"
            problems += [(channel, error) for payload in events
                         for error in message_errors(json.loads(payload), channel)]
        assert problems == []
        assert system.cli("XLEN", "switchboard:deadletters") == "0"
    finally:
        status = system.stop()
    assert status == 0, "switchboard did not exit 0 on SIGTERM"


def test_schemathesis_finds_nothing(pubsub_system, tmp_path):
    """Stateful and negative-data checks against the live ingress: no 5xx, every answer as documented,
    no request crashing or stalling it. Bounded by example counts and a fixed seed."""
    st = os.path.join(os.path.dirname(sys.executable), "st")
    command = [
        st, "run", str(DOCS / "openapi.yaml"), "--url", pubsub_system.base_url,
        "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful", "--mode", "all",
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100"), "--seed", "20261130",
        "--workers", "1", "--exclude-operation-id", "streamDashboardEvents",  # a stream that never ends
        "--request-timeout", "40", "--max-response-time", "35", "--no-color",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
                   "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=environment)
    print(result.stdout[-20000:])
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    # The ingress is still up and answers at once.
    assert requests.get(pubsub_system.base_url + "/health", timeout=2).status_code == 200
