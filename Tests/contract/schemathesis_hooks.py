"""Schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS).

An `Idempotency-Key` names one order: reusing it with another body is the client's mistake, and the
ingress answers `422` as documented (and as the IETF Idempotency-Key draft says). Generated requests
pick keys from a small alphabet, so schemathesis would reuse one with another body and call the `422`
a valid request rejected. Each valid key is therefore tied to its body: a repeat with the same key and
the same body still happens (the idempotent path), another body gets another key. Keys outside the
documented 1 to 200 characters are left as they are, for the negative checks.
"""
import hashlib
import json

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    """Right before sending, when the body is final."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 200:
        body = json.dumps(case.body, sort_keys=True, default=repr)
        digest = hashlib.sha256(f"{key}\n{body}".encode()).hexdigest()[:16]
        case.headers["Idempotency-Key"] = f"{key[:180]}-{digest}"
