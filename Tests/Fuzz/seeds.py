#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Tests/Fuzz/Corpus/<target>/) from real traffic: the examples of the
README and docs/, and the JSON and URLs of the tests' fixtures. Run from the repository's root after changing
them; the files are committed."""
import hashlib, json, pathlib, re

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / "Tests/Fuzz/Corpus"
texts = {p: p.read_text() for p in [root / "README.md", *root.glob("docs/*.md"), *root.glob("docs/*.yaml"),
                                    *root.glob("Tests/**/*.swift"), *root.glob("Tests/contract/*.py")]}

def write(target, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    data = data if isinstance(data, bytes) else data.encode()
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)

def json_objects(text):
    """Every balanced {...} that parses as a JSON object (Swift raw strings' #"…"# included)."""
    found = []
    for start in [m.start() for m in re.finditer(r"\{", text)]:
        depth = 0
        for end in range(start, min(len(text), start + 4000)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                candidate = text[start:end + 1]
                try:
                    if isinstance(json.loads(candidate), dict):
                        found.append(candidate)
                except ValueError:
                    pass
                break
    return found

objects = sorted({o for t in texts.values() for o in json_objects(t)})
for obj in objects:
    value = json.loads(obj)
    if "specversion" in value or "orderId" in value or "data" in value:
        write("cloudevent", obj)
        write("payloads", obj)
    if "customerId" in value or "items" in value or "payment" in value:
        write("order-request", obj)
    if set(value) & {"redis", "http", "transport", "streams", "log", "payment", "deadLetters"}:
        write("settings", obj)
write("settings", (root / "Config/switchboard.json").read_text())
write("settings", (root / "Config/switchboard.acl.json").read_text())

urls = sorted({u for t in texts.values() for u in re.findall(r"(?:redis|unix)://[^\s\"'`,)]*", t)})
for url in urls:
    write("redis-url", url)
# Cluster URLs: seed lists hold commas, which the pattern above stops at.
for url in ["redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002", "redis+cluster://alice:s%40cret@h1,[::1]:7000/",
            "redis+cluster://:pw@node-a:6379"]:
    write("redis-url", url)

def request(method, path_choice, segment, headers, body):
    """The http target's input (Tests/Fuzz/Support/FuzzInput.swift): method, path segment, path, headers, body."""
    methods = ["POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", ""]
    names = ["Content-Type", "Idempotency-Key", "traceparent", "Accept", "content-type", "X-Other"]
    data = bytes([methods.index(method), len(segment)]) + segment.encode() + bytes([path_choice, len(headers)])
    for name, value in headers:
        data += bytes([names.index(name), len(value)]) + value.encode()
    return data + body.encode()

for body in [o for o in objects if "customerId" in json.loads(o)][:20]:
    write("http", request("POST", 0, "", [("Content-Type", "application/json")], body))
    write("http", request("POST", 0, "", [("Content-Type", "application/json"), ("Idempotency-Key", "k-42")], body))
for choice, segment in [(1, "o-1"), (2, "o-1"), (3, "MUG-1"), (3, "NOPE-1"), (4, ""), (5, ""), (6, ""), (7, "")]:
    write("http", request("GET", choice, segment, [], ""))
write("http", request("DELETE", 0, "", [], ""))
write("http", request("POST", 0, "", [("Content-Type", "text/plain")], "not json"))
write("http", request("POST", 0, "", [("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")],
                      '{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":2}],"payment":{"card":"4242424242424242"}}'))
