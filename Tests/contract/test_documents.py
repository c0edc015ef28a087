"""The documents themselves: valid OpenAPI 3.1 and AsyncAPI 3.0, agreeing with each other and the code."""
import copy
import re
import subprocess
import sys

import jsonschema
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from contract import DOCS, ROOT, asyncapi, asyncapi_meta_schema, event_errors, openapi


def test_openapi_is_valid_openapi_3_1():
    spec, _ = read_from_filename(str(DOCS / "openapi.yaml"))
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_asyncapi_is_valid_against_the_asyncapi_3_0_schema():
    document = asyncapi()
    assert document["asyncapi"] == "3.0.0"
    validator = jsonschema.Draft7Validator(asyncapi_meta_schema())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_every_operation_and_message_reference_resolves():
    document = asyncapi()
    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        assert channel in document["channels"], name
    for channel in document["channels"].values():
        for message in channel["messages"].values():
            assert message["$ref"].removeprefix("#/components/messages/") in document["components"]["messages"]


def test_the_channels_are_the_event_types_of_the_code():
    source = (ROOT / "Sources/Services/SagaEvents/EventTypes.swift").read_text()
    types = set(re.findall(r'static let \w+ = "([a-z]+\.[a-z]+)"', source))
    assert types == {channel["address"] for channel in asyncapi()["channels"].values()}


def test_every_channel_has_a_sender_and_a_receiver_except_the_last():
    document = asyncapi()
    actions = {}
    for operation in document["operations"].values():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        actions.setdefault(channel, set()).add(operation["action"])
    for name in document["channels"]:
        expected = {"send"} if name in ("stockReleased", "notificationSent") else {"send", "receive"}
        assert actions.get(name) == expected, name


@pytest.mark.parametrize("name", ["OrderId", "CustomerId", "Sku", "Card", "Quantity", "Money", "Currency"])
def test_the_two_documents_share_their_field_schemas(name):
    def rules(schema):
        return {key: value for key, value in schema.items() if key != "description"}
    assert rules(openapi()["components"]["schemas"][name]) == rules(asyncapi()["components"]["schemas"][name])


def test_the_order_request_and_order_created_agree():
    request = openapi()["components"]["schemas"]["OrderRequest"]
    created = asyncapi()["components"]["schemas"]["OrderCreated"]
    assert set(created["required"]) == set(request["required"]) | {"orderId"}
    items = asyncapi()["components"]["schemas"]["OrderItems"]
    assert (items["minItems"], items["maxItems"]) == (request["properties"]["items"]["minItems"],
                                                      request["properties"]["items"]["maxItems"])


def test_the_ingress_embeds_the_documents_byte_for_byte():
    """The constants served at /openapi.yaml and /asyncapi.yaml are generated from docs/ (`make docs`)."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts/embed-docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


VALID_EVENT = {
    "specversion": "1.0", "id": "e-1", "source": "switchboard/ingress", "type": "order.created",
    "time": "2026-11-23T10:00:00.123Z", "datacontenttype": "application/json", "correlationid": "o-1",
    "data": {"orderId": "o-1", "customerId": "c-1", "items": [{"sku": "BOOK-1", "quantity": 2}],
             "payment": {"card": "4242424242424242"}},
}


def test_the_event_schemas_accept_a_valid_order_created():
    assert event_errors(VALID_EVENT, "order.created") == []


def test_the_event_schemas_accept_a_vaulted_card_and_refuse_both_forms():
    event = copy.deepcopy(VALID_EVENT)
    event["data"]["payment"] = {"token": "tok_0123456789abcdef0123456789abcdef", "last4": "4242"}
    assert event_errors(event, "order.created") == []
    event["data"]["payment"]["card"] = "4242424242424242"
    assert event_errors(event, "order.created") != []
    event["data"]["payment"] = {"token": "tok_1"}
    assert event_errors(event, "order.created") != []


@pytest.mark.parametrize("change, path", [
    (lambda d: d["items"][0].update(sku="BOOK 1"), "data/items/0/sku"),
    (lambda d: d["items"][0].update(sku="X" * 65), "data/items/0/sku"),
    (lambda d: d["payment"].update(card="abc"), "data/payment/card"),
    (lambda d: d["payment"].update(card="1" * 20), "data/payment/card"),
    (lambda d: d["items"][0].update(quantity=1.5), "data/items/0/quantity"),
    (lambda d: d["items"][0].update(quantity=1_000_001), "data/items/0/quantity"),
    (lambda d: d["items"][0].update(quantity=0), "data/items/0/quantity"),
    (lambda d: d.update(customerId="c" * 201), "data/customerId"),
    (lambda d: d.update(items=[]), "data/items"),
    (lambda d: d.pop("payment"), "data"),
], ids=["space in SKU", "65-character SKU", "letters in card", "20-digit card", "float quantity",
        "quantity over range", "quantity 0", "201-character customer", "no items", "no payment"])
def test_the_event_schemas_reject_what_the_edge_rejects(change, path):
    event = copy.deepcopy(VALID_EVENT)
    change(event["data"])
    errors = event_errors(event, "order.created")
    assert any(error.startswith(path + ":") for error in errors), errors


def test_an_event_on_the_wrong_channel_is_rejected():
    assert event_errors(VALID_EVENT, "stock.reserved") != []


@pytest.mark.parametrize("service", ["order", "stock", "payment", "notification"])
def test_who_receives_what_is_what_the_services_subscribe_to(service):
    """asyncapi.yaml's receive operations against each service's `subscriptions` in the code."""
    name = service.capitalize()
    path = ROOT / f"Sources/Services/{name}Service/{name}Service.swift"
    listed = re.search(r"subscriptions\s*=\s*\[(.*?)\]", path.read_text(), re.DOTALL)
    assert listed, f"no `subscriptions = [EventTypes.…]` in {path.relative_to(ROOT)}"
    subscribed = set(re.findall(r"EventTypes\.(\w+)", listed.group(1)))
    received = {operation["channel"]["$ref"].removeprefix("#/channels/")
                for operation in asyncapi()["operations"].values()
                if operation["action"] == "receive" and operation["x-switchboard-service"] == service}
    assert received == subscribed


def status_table(path) -> dict[str, str]:
    """The `| status | when |` table of a Markdown page: status → when."""
    rows = re.findall(r"^\| ([1-5][0-9][0-9]) \| (.+) \|$", (ROOT / path).read_text(), re.MULTILINE)
    return dict(rows)


def test_the_prose_and_the_readme_list_the_documented_error_statuses():
    documented = {status for item in openapi()["paths"].values() for operation in item.values()
                  for status in operation["responses"] if status.startswith(("4", "5"))} | {"405"}
    assert set(status_table("docs/http.md")) == documented
    assert status_table("README.md") == status_table("docs/http.md")


def test_the_prose_names_every_route_of_openapi():
    text = (DOCS / "http.md").read_text()
    for path, item in openapi()["paths"].items():
        for method in item:
            assert f"`{method.upper()} {path}" in text, f"{method.upper()} {path} is not in docs/http.md"
