#!/usr/bin/env python3
"""Writes Sources/Ingress/ContractDocuments.swift: docs/openapi.yaml and docs/asyncapi.yaml as Swift
string constants, so the ingress serves them wherever its binary runs (`make docs` runs this).
With --check it writes nothing and fails when the file is not what it would write (`make test` does
that; IngressTests also compares the constants with the files byte for byte)."""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "Sources/Ingress/ContractDocuments.swift"
DOCUMENTS = [("openAPI", "docs/openapi.yaml", "The HTTP API (OpenAPI 3.1)."),
             ("asyncAPI", "docs/asyncapi.yaml", "The events and channels (AsyncAPI 3.0).")]


def literal(path: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    # A raw string literal `#"""…"""#` holds the text as it is, unless the text closes it or escapes in it.
    for forbidden in ('"""#', "\\#", "\r"):
        if forbidden in text:
            sys.exit(f"{path} holds {forbidden!r}, which a Swift raw string literal cannot carry as it is")
    # The line break before the closing delimiter is not part of the string, so a text ending in a line
    # break needs one more.
    return '#"""\n' + text + ("\n" if text.endswith("\n") else "") + '"""#'


def render() -> str:
    parts = [
        "// Generated from docs/ by scripts/embed-docs.py (`make docs`): do not edit by hand.\n",
        "\n",
        "/// The contract's machine-readable documents, as compiled into the binary.\n",
        "public enum ContractDocuments {\n",
    ]
    for name, path, summary in DOCUMENTS:
        parts.append(f"    /// `{path}`: {summary}\n")
        parts.append(f"    public static let {name} = {literal(path)}\n")
    parts.append("}\n")
    return "".join(parts)


def main() -> None:
    text = render()
    if sys.argv[1:] == ["--check"]:
        if TARGET.read_text(encoding="utf-8") != text:
            sys.exit(f"{TARGET.relative_to(ROOT)} is not docs/ as it is now: run `make docs`")
        return
    TARGET.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
