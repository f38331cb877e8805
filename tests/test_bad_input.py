"""Request-wide bad input over real HTTP on both backends: ids beyond 64 bits, NUL characters,
over-deep JSON, and validation errors naming the real field (not ``data``)."""

from __future__ import annotations

from typing import TypedDict

import httpx
import pytest

from service.inputs import find_nul, out_of_range_path

BIG = "99999999999999999999"  # > 2**63 - 1
MAX_ID = 2**63 - 1


class FieldProblem(TypedDict, total=False):
    """One entry of a problem's ``errors`` (service/errors.py)."""

    field: str
    source: str
    message: str
    code: str


class Problem(TypedDict, total=False):
    """An RFC 9457 problem document as service/errors.py writes it."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem]


def _problem(response: httpx.Response, status: int) -> Problem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text and "SELECT" not in response.text
    return response.json()


def _fields(problem: Problem) -> list[str]:
    return [e["field"] for e in problem.get("errors", [])]


PATH_IDS = [
    ("GET", f"/graduates/{BIG}", "graduate_id"),
    ("PATCH", f"/graduates/{BIG}", "graduate_id"),
    ("GET", f"/postings/{BIG}", "posting_id"),
    ("PATCH", f"/postings/{BIG}", "posting_id"),
    ("GET", f"/employers/{BIG}", "employer_id"),
    ("PATCH", f"/employers/{BIG}", "employer_id"),
    ("GET", f"/applications/{BIG}", "application_id"),
    ("POST", f"/applications/{BIG}/status", "application_id"),
    ("GET", f"/schools/{BIG}", "school_id"),
    ("GET", f"/reports/snapshots/{BIG}", "snapshot_id"),
    ("GET", f"/graduates/{BIG}/destinations", "graduate_id"),
    ("POST", f"/graduates/1/destinations/{BIG}/confirmation", "event_id"),
    ("POST", f"/graduates/1/destinations/{BIG}/dispute", "event_id"),
    ("POST", f"/graduates/1/destinations/{BIG}/in-field-override", "event_id"),
]


def test_path_ids_beyond_int64_are_400_naming_the_parameter(client: httpx.Client) -> None:
    for method, path, name in PATH_IDS:
        problem = _problem(client.request(method, path, json={}), 400)
        assert name in _fields(problem), (method, path, problem)
        assert str(MAX_ID) in problem["detail"]
    # the largest id is valid and simply not found
    assert _problem(client.get(f"/graduates/{MAX_ID}"), 404)["detail"] == f"graduate {MAX_ID} not found"
    assert _fields(_problem(client.get("/graduates/0"), 400)) == ["graduate_id"]


def test_recommendation_routes_refuse_ids_beyond_int64(client: httpx.Client) -> None:
    for path, name in (
        (f"/graduates/{BIG}/recommendations", "graduate_id"),
        (f"/postings/{BIG}/candidates", "posting_id"),
    ):
        problem = _problem(client.get(path), 400)
        assert _fields(problem) == [name]
        assert "int64" not in problem["detail"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/postings", "offset"),
        ("/postings", "employer_id"),
        ("/postings", "min_salary"),
        ("/graduates", "school_id"),
        ("/graduates", "offset"),
        ("/applications", "graduate_id"),
        ("/applications", "posting_id"),
        ("/employers", "offset"),
        ("/schools", "offset"),
        ("/reports/snapshots", "offset"),
    ],
)
def test_query_ids_beyond_int64_are_400(client: httpx.Client, path: str, name: str) -> None:
    problem = _problem(client.get(path, params={name: BIG}), 400)
    assert _fields(problem) == [name]


def test_body_ids_beyond_int64_are_400_naming_the_field(client: httpx.Client) -> None:
    cases = [
        ("/postings", {"title": "x", "employer_id": int(BIG)}, "employer_id"),
        ("/graduates", {"name": "甲", "school_id": int(BIG)}, "school_id"),
        ("/applications", {"graduate_id": int(BIG), "posting_id": 1}, "graduate_id"),
        ("/applications", {"graduate_id": 1, "posting_id": int(BIG)}, "posting_id"),
    ]
    for path, body, field in cases:
        assert _fields(_problem(client.post(path, json=body), 400)) == [field]
    # a number beyond what JSON decoders hold, anywhere in the body
    raw = b'{"name": "\xe7\x94\xb2", "skills": ["a", 1e400]}'
    problem = _problem(client.post("/graduates", content=raw, headers={"content-type": "application/json"}), 400)
    assert _fields(problem) == ["skills[1]"]
    assert client.get("/graduates").json()["total"] == 0


def test_nul_characters_are_refused_naming_the_field(client: httpx.Client) -> None:
    json_headers = {"content-type": "application/json"}
    cases = [
        ("/employers", b'{"name": "a\\u0000b"}', "name"),
        ("/graduates", b'{"name": "x", "certificates": [{"name": "ok"}, {"name": "\\u0000"}]}', "certificates[1].name"),
        ("/graduates", b'{"name": "x", "skills": ["a", "b\\u0000"]}', "skills[1]"),
    ]
    for path, body, field in cases:
        problem = _problem(client.post(path, content=body, headers=json_headers), 400)
        assert _fields(problem) == [field]
        assert problem["errors"][0]["source"] == "body"
        assert "NUL" in problem["detail"]
    # an escaped backslash followed by "u0000" is ordinary text, not a NUL
    ok = client.post("/employers", content=b'{"name": "a\\\\u0000"}', headers=json_headers)
    assert ok.status_code == 201, ok.text
    assert ok.json()["name"] == "a\\u0000"
    for path, query, name in [
        ("/employers", "q=a%00b", "q"),
        ("/postings", "limit=5&city=%00", "city"),
        ("/graduates", "major_code=%2500&q=x%00", "q"),
    ]:
        problem = _problem(client.get(f"{path}?{query}"), 400)
        assert _fields(problem) == [name] and problem["errors"][0]["source"] == "query"
    problem = _problem(client.post("/schools/41%0044/rosters", files={"data": ("r.csv", b"a,b\n")}), 400)
    assert _fields(problem) == ["school_code"]
    assert client.get("/employers").json()["total"] == 1  # only the escaped-backslash one


def test_deeply_nested_json_is_400(client: httpx.Client) -> None:
    body = b"[" * 30_000 + b"]" * 30_000  # within every route's body limit (bigger bodies are 413)
    for path in ("/employers", "/graduates", "/postings"):
        problem = _problem(client.post(path, content=body, headers={"content-type": "application/json"}), 400)
        assert "nested too deeply" in problem["detail"]
    # moderately nested but otherwise wrong bodies still get the ordinary validation error
    problem = _problem(client.post("/employers", json={"name": [[[["x"]]]]}), 400)
    assert _fields(problem) == ["name"]


def test_validation_errors_name_the_field_not_data(client: httpx.Client) -> None:
    missing = _problem(client.post("/graduates/1/destinations", json={"category": "seeking"}), 400)
    assert _fields(missing) == ["occurred_on"]
    assert missing["detail"] == "occurred_on: Object missing required field `occurred_on`"
    unknown = _problem(client.post("/employers", json={"name": "甲", "foo": 1}), 400)
    assert _fields(unknown) == ["foo"]
    nested_missing = _problem(client.post("/graduates", json={"name": "x", "certificates": [{"level": "初级"}]}), 400)
    assert _fields(nested_missing) == ["certificates[0].name"]
    nested_unknown = _problem(
        client.post("/graduates", json={"name": "x", "awards": [{"competition": "c", "z": 1}]}), 400
    )
    assert _fields(nested_unknown) == ["awards[0].z"]
    wrong_type = _problem(client.post("/postings", json={"title": "x", "employer_id": "one"}), 400)
    assert _fields(wrong_type) == ["employer_id"]
    whole = _problem(client.post("/employers", json=["not", "an", "object"]), 400)
    assert _fields(whole) == ["$"]
    assert all("data" not in f for p in (missing, unknown, nested_missing, whole) for f in _fields(p))


def test_finders_walk_without_recursion() -> None:
    deep: object = "x\x00"
    for _ in range(50_000):
        deep = [deep]
    assert find_nul(deep) == "[0]" * 50_000
    assert find_nul({"a": [{"b": "ok"}, {"k\x00": 1}]}) == "a[1].k\\u0000"
    assert find_nul({"a": "fine"}) is None
    assert out_of_range_path(b'{"a": {"b": [1, -1e999]}}') == "a.b[1]"
    assert out_of_range_path(b'{"a": ' + b"9" * 5000 + b"}") == "a"
    assert out_of_range_path(b'{"a": 1}') is None
