"""Every HTTP answer held to docs/openapi.yaml."""
from __future__ import annotations

import functools
import re

import requests
import schemathesis

from contract import DOCS, openapi


@functools.cache
def _schema():
    return schemathesis.openapi.from_path(str(DOCS / "openapi.yaml"))


def _operation(method: str, path: str) -> tuple[str, str]:
    """The documented path template matching a concrete path."""
    for template in openapi()["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in openapi()["paths"][template]:
            return template, method.upper()
    raise AssertionError(f"{method} {path} is not an operation of openapi.yaml")


def check(response: requests.Response) -> requests.Response:
    """Asserts the answer is documented for its operation (status, content type, headers, body)."""
    request = response.request
    path = request.path_url.split("?")[0]
    template, method = _operation(request.method, path)
    documented = openapi()["paths"][template][method.lower()]["responses"]
    assert str(response.status_code) in documented, \
        f"{method} {path} answered {response.status_code}, not documented: {response.text[:300]}"
    _schema()[template][method].validate_response(response)
    return response
