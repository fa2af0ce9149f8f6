#!/usr/bin/env python3
"""Check that an OpenAPI document is valid OpenAPI 3.1.

    python3 scripts/check-openapi.py target/openapi.json
    python3 scripts/check-openapi.py http://127.0.0.1:8080/api/openapi.json
    cargo run -q -p bole -- openapi | python3 scripts/check-openapi.py -

Validates against the OpenAPI 3.1 schema with the PyPI package openapi-spec-validator (installed with
pip on first use if missing) and asserts that the `openapi` field starts with "3.1" and that every local `$ref` resolves. Prints every
problem found and exits 1 on failure; exit 2 means the check itself could not run.
"""

import argparse
import json
import os
import subprocess
import sys
import urllib.request

PACKAGE = "openapi-spec-validator"


def fail(msg, code=1):
    print(f"check-openapi: {msg}", file=sys.stderr)
    sys.exit(code)


def install_validator():
    """pip install the validator into this interpreter; Debian's system python needs the PEP 668 escape."""
    base = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", PACKAGE]
    print(f"check-openapi: installing {PACKAGE} with pip", file=sys.stderr)
    attempts = [base, base + ["--break-system-packages"]]
    if os.geteuid() != 0:
        attempts.append(base + ["--user", "--break-system-packages"])
    for cmd in attempts:
        if subprocess.run(cmd, stdout=sys.stderr).returncode == 0:
            return
    fail(
        f"could not install {PACKAGE}: run `{sys.executable} -m pip install {PACKAGE}` "
        "(on Debian without pip: apt-get install python3-pip)",
        2,
    )


def load_validator():
    """Return a function spec -> list of error strings, for whichever validator API is installed."""
    try:
        import openapi_spec_validator as osv  # noqa: F401
    except ImportError:
        install_validator()
        import importlib

        importlib.invalidate_caches()
        import openapi_spec_validator as osv  # noqa: F401

    # openapi-spec-validator >= 0.7
    try:
        from openapi_spec_validator import OpenAPIV31SpecValidator

        return lambda spec: [describe(e) for e in OpenAPIV31SpecValidator(spec).iter_errors()]
    except ImportError:
        pass
    # 0.5 / 0.6
    from openapi_spec_validator import openapi_v31_spec_validator

    return lambda spec: [describe(e) for e in openapi_v31_spec_validator.iter_errors(spec)]


def describe(err):
    where = " > ".join(str(p) for p in getattr(err, "absolute_path", []) or [])
    return f"{where or '(root)'}: {getattr(err, 'message', err)}"


def read_source(src):
    if src == "-":
        return sys.stdin.read()
    if src.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(src, timeout=30) as resp:
                return resp.read().decode("utf-8")
        except OSError as e:
            fail(f"cannot fetch {src}: {e}")
    try:
        with open(src, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail(f"cannot read {src}: {e}")


def parse(text, src):
    text = text.strip()
    if not text:
        fail(f"{src} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as json_err:
        if text.startswith(("{", "[")):
            fail(f"{src} is not valid JSON: {json_err}")
    try:  # YAML; PyYAML comes with openapi-spec-validator
        import yaml

        return yaml.safe_load(text)
    except Exception as e:  # noqa: BLE001 - any parse failure is a failed check
        fail(f"{src} is neither JSON nor YAML: {e}")


def unresolved_refs(spec):
    """Local `#/...` references that point at nothing (the validator does not follow them; client
    generators stop on them)."""
    def resolves(ref):
        node = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and not resolves(ref):
                yield ref
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def main():
    ap = argparse.ArgumentParser(description="Check that an OpenAPI document is valid OpenAPI 3.1.")
    ap.add_argument("source", help="file path, http(s) URL, or - for stdin")
    args = ap.parse_args()

    spec = parse(read_source(args.source), args.source)
    if not isinstance(spec, dict):
        fail(f"{args.source}: top level is {type(spec).__name__}, expected an object")
    version = spec.get("openapi")
    if not isinstance(version, str) or not version.startswith("3.1"):
        fail(f"{args.source}: `openapi` is {version!r}, expected 3.1.x")

    # Before the validator: it raises on a dangling reference instead of reporting it.
    dangling = sorted(set(unresolved_refs(spec)))
    if dangling:
        for r in dangling:
            print(f"check-openapi: unresolved $ref {r} (a schema used but not registered)", file=sys.stderr)
        fail(f"{args.source} has {len(dangling)} unresolved $ref(s)")

    validate = load_validator()
    errors = validate(spec)
    if errors:
        for e in errors[:50]:
            print(f"check-openapi: {e}", file=sys.stderr)
        if len(errors) > 50:
            print(f"check-openapi: ... and {len(errors) - 50} more", file=sys.stderr)
        fail(f"{args.source} is not valid OpenAPI {version} ({len(errors)} error(s))")

    paths = spec.get("paths") or {}
    ops = sum(1 for item in paths.values() if isinstance(item, dict) for m in item
              if m in ("get", "put", "post", "delete", "options", "head", "patch", "trace"))
    schemas = len((spec.get("components") or {}).get("schemas") or {})
    print(f"check-openapi: {args.source} is valid OpenAPI {version}: {len(paths)} paths, {ops} operations, "
          f"{schemas} schemas")


if __name__ == "__main__":
    main()
