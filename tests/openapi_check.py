#!/usr/bin/env python3
"""Checks one live answer of the review API against web/openapi.yaml.

Usage: openapi_check.py SPEC PATH_TEMPLATE METHOD STATUS BODY_FILE
e.g.   openapi_check.py web/openapi.yaml /api/v1/signals/{signal_id} get 200 answer.json

Fails (exit 1, with the reason) when the spec does not list that status for
that operation, or the body is not JSON valid against the schema it gives.
"""
import json
import sys

import jsonschema
import yaml


def main():
    spec_file, template, method, status, body_file = sys.argv[1:6]
    spec = yaml.safe_load(open(spec_file))
    operation = spec["paths"].get(template, {}).get(method.lower())
    if operation is None:
        sys.exit(f"{method.upper()} {template} is not in the spec")
    response = operation["responses"].get(str(status))
    if response is None:
        sys.exit(f"{method.upper()} {template} does not list status {status}")
    schema = response["content"]["application/json"]["schema"]
    # References (#/components/...) resolve against a root holding the components.
    root = {"components": spec["components"], **schema}
    body = json.load(open(body_file))
    validator = jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    for error in errors[:5]:
        print(f"{method.upper()} {template} {status}: {'/'.join(map(str, error.path))}: {error.message}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
