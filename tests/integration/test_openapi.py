"""docs/openapi.yaml itself: well-formed, in step with docs/*-api-contract.md, strict request
bodies. Needs no stack."""

import re
from pathlib import Path

import jsonschema
import pytest

from astral_client import contract

SRC = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "delete", "patch")


def operations():
    for path, item in contract().doc["paths"].items():
        for m in METHODS:
            if m in item:
                yield m.upper(), path, item[m]


def test_component_schemas_are_valid_json_schema():
    for name, schema in contract().components["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_spec_has_the_openapi_3_1_skeleton():
    """Debian ships no OpenAPI validator; check the parts our tooling relies on."""
    doc = contract().doc
    assert str(doc["openapi"]).startswith("3.1"), doc["openapi"]
    assert doc["info"]["title"] and doc["info"]["version"]
    for method, path, op in operations():
        assert path.startswith("/api/") or path.split("/")[1] == "healthz", path
        assert op.get("responses"), f"{method} {path} documents no responses"
        for status in op["responses"]:
            assert re.fullmatch(r"[1-5]\d\d", str(status)), f"{method} {path}: bad status {status}"


def test_routes_match_the_contract_document():
    text = "\n".join(p.read_text() for p in sorted((SRC / "docs").glob("*-api-contract.md")))
    documented = set()
    for m in re.finditer(r"^\|\s*([A-Z, ]+?)\s*\|\s*(/api/\S+|/healthz\S*)\s*\|", text, re.M):
        for method in m.group(1).split(","):
            documented.add((method.strip(), m.group(2)))
    assert documented, "no routes parsed from the contract document"
    in_spec = {(m, p) for m, p, _ in operations()}
    assert documented == in_spec, (f"only in the contract: {sorted(documented - in_spec)}; "
                                   f"only in openapi.yaml: {sorted(in_spec - documented)}")


def _resolve(obj):
    ref = obj.get("$ref") if isinstance(obj, dict) else None
    if ref:
        node = contract().doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return _resolve(node)
    return obj


def _objects_closed(schema, where):
    schema = _resolve(schema)
    for key in ("oneOf", "anyOf", "allOf"):
        for i, s in enumerate(schema.get(key, [])):
            _objects_closed(s, f"{where}/{key}/{i}")
    if schema.get("type") == "object" or "properties" in schema:
        assert schema.get("additionalProperties") is False, f"{where}: additionalProperties must be false"


@pytest.mark.parametrize("method,path,op", list(operations()), ids=lambda x: x if isinstance(x, str) else "")
def test_operation_is_complete(method, path, op):
    where = f"{method} {path}"
    responses = op["responses"]
    assert "500" in responses and "503" in responses, f"{where}: 500/503 not documented"
    assert any(c.startswith("2") for c in responses), f"{where}: no success response"
    if "requestBody" in op:
        for media_type, media in op["requestBody"]["content"].items():
            _objects_closed(media["schema"], f"{where} {media_type}")
        for code in ("400", "413", "415"):
            assert code in responses, f"{where}: has a body but no {code}"
    for code, resp in responses.items():
        resp = _resolve(resp)
        assert "X-Request-Id" in resp.get("headers", {}), f"{where} {code}: no X-Request-Id header"
