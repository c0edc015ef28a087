#!/usr/bin/env python3
"""Writes the files the ingress serves from its binary as Swift string constants, so it serves them
wherever its binary runs (`make docs` runs this):
- Sources/Ingress/ContractDocuments.swift: docs/openapi.yaml and docs/asyncapi.yaml;
- Sources/Ingress/Dashboard/DashboardAssets.swift: the dashboard's page, style sheet and script (dashboard/).
With --check it writes nothing and fails when a file is not what it would write (`make test` does
that; IngressTests also compares the constants with the files byte for byte)."""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# (target, enum, what it holds, source folder, [(constant, path, summary)])
TARGETS = [
    ("Sources/Ingress/ContractDocuments.swift", "ContractDocuments",
     "The contract's machine-readable documents, as compiled into the binary.", "docs/",
     [("openAPI", "docs/openapi.yaml", "The HTTP API (OpenAPI 3.1)."),
      ("asyncAPI", "docs/asyncapi.yaml", "The events and channels (AsyncAPI 3.0).")]),
    ("Sources/Ingress/Dashboard/DashboardAssets.swift", "DashboardAssets",
     "The dashboard's files (`GET /`, `GET /dashboard/{asset}`), as compiled into the binary.", "dashboard/",
     [("html", "dashboard/index.html", "The page."),
      ("css", "dashboard/dashboard.css", "Its style sheet."),
      ("javaScript", "dashboard/dashboard.js", "Its script: the panels and their feeds.")]),
]


def literal(path: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    # A raw string literal `#"""…"""#` holds the text as it is, unless the text closes it or escapes in it.
    for forbidden in ('"""#', "\\#", "\r"):
        if forbidden in text:
            sys.exit(f"{path} holds {forbidden!r}, which a Swift raw string literal cannot carry as it is")
    # The line break before the closing delimiter is not part of the string, so a text ending in a line
    # break needs one more.
    return '#"""\n' + text + ("\n" if text.endswith("\n") else "") + '"""#'


def render(name: str, summary: str, source: str, constants: list) -> str:
    parts = [
        f"// Generated from {source} by scripts/embed-docs.py (`make docs`): do not edit by hand.\n",
        "\n",
        f"/// {summary}\n",
        f"public enum {name} {{\n",
    ]
    for constant, path, description in constants:
        parts.append(f"    /// `{path}`: {description}\n")
        parts.append(f"    public static let {constant} = {literal(path)}\n")
    parts.append("}\n")
    return "".join(parts)


def main() -> None:
    for target, name, summary, source, constants in TARGETS:
        path = ROOT / target
        text = render(name, summary, source, constants)
        if sys.argv[1:] == ["--check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                sys.exit(f"{target} is not {source} as it is now: run `make docs`")
            continue
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
