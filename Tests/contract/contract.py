"""The contract's documents and validators built from them."""
from __future__ import annotations

import functools
import json
import pathlib

import jsonschema
import referencing
import referencing.jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
ASYNCAPI_URI = "urn:switchboard:asyncapi"


@functools.cache
def openapi() -> dict:
    return yaml.safe_load((DOCS / "openapi.yaml").read_text(encoding="utf-8"))


@functools.cache
def asyncapi() -> dict:
    return yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))


@functools.cache
def asyncapi_meta_schema() -> dict:
    return json.loads((DOCS / "schemas/asyncapi-3.0.0.json").read_text(encoding="utf-8"))


@functools.cache
def event_validators() -> dict[str, jsonschema.protocols.Validator]:
    """A validator for each channel's events (by event type), from the message payloads of asyncapi.yaml.

    AsyncAPI 3.0's default schema format is a superset of JSON Schema draft 7, which these schemas keep to.
    """
    document = asyncapi()
    resource = referencing.Resource(contents=document, specification=referencing.jsonschema.DRAFT7)
    registry = referencing.Registry().with_resource(ASYNCAPI_URI, resource)
    validators = {}
    for channel in document["channels"].values():
        for message in channel["messages"].values():
            pointer = message["$ref"]
            schema = {"$ref": f"{ASYNCAPI_URI}{pointer}/payload"}
            validators[channel["address"]] = jsonschema.Draft7Validator(
                schema, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return validators


def event_errors(event: dict, channel: str) -> list[str]:
    """Why an event on `channel` breaks the contract; empty when it keeps it."""
    validator = event_validators().get(channel)
    if validator is None:
        return [f"{channel} is not a channel of asyncapi.yaml"]
    return [f"{'/'.join(map(str, error.absolute_path)) or '(event)'}: {error.message}"
            for error in validator.iter_errors(event)]


def message_errors(message: dict, channel: str) -> list[str]:
    """Why a message on `channel` breaks the contract: an envelope is an event; a bare JSON object (no
    `specversion`, what a person types into redis-cli) is the data of an event of the channel's type."""
    if isinstance(message, dict) and "specversion" not in message:
        message = {"specversion": "1.0", "id": "bare", "source": "switchboard/bare-payload", "type": channel,
                   "data": message}
    return event_errors(message, channel)
