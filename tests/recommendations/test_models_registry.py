"""Model registry under Settings.model_dir: versions, the CURRENT pointer, promotion only when not worse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.ltr import LearnedRanker
from service.config import Settings
from service.recommendations.models_registry import (
    current_version,
    list_versions,
    load_current_model,
    model_path,
    promote,
    registry_dir,
    save_version,
)


@pytest.fixture
def model(trained_ranker: LearnedRanker) -> LearnedRanker:
    """The session's fitted ranker (tests/conftest.py): any fitted model will do here, and fitting one costs ~25 s."""
    return trained_ranker


def meta(version: str, ndcg: float) -> dict:
    return {"version": version, "training": {"queries": 60}, "metrics": {"candidate": {"NDCG@10": ndcg}}}


def test_promotion_only_when_not_worse(model: LearnedRanker, tmp_path: Path) -> None:
    settings = Settings(model_dir=str(tmp_path / "models"))
    assert current_version(settings) is None and load_current_model(settings) is None
    v1 = save_version(settings, model, meta("m-1", 0.30))
    assert promote(settings, v1, {"NDCG@10": 0.30}, None)  # nothing to compare with
    assert current_version(settings) == "m-1"
    v2 = save_version(settings, model, meta("m-2", 0.25))
    assert not promote(settings, v2, {"NDCG@10": 0.25}, {"NDCG@10": 0.30})
    assert current_version(settings) == "m-1"
    v3 = save_version(settings, model, meta("m-3", 0.30))
    assert promote(settings, v3, {"NDCG@10": 0.30}, {"NDCG@10": 0.30})  # equal is not worse
    current = load_current_model(settings)
    assert current is not None
    loaded, metadata = current
    assert metadata["version"] == "m-3" and isinstance(loaded, LearnedRanker)
    decisions = [json.loads(line) for line in (registry_dir(settings) / "decisions.jsonl").read_text().splitlines()]
    assert [(d["version"], d["promoted"], d["previous"]) for d in decisions] == [
        ("m-1", True, None),
        ("m-2", False, "m-1"),
        ("m-3", True, "m-1"),
    ]
    assert [m["version"] for m in list_versions(settings)] == ["m-1", "m-2", "m-3"]
    with pytest.raises(FileExistsError):
        save_version(settings, model, meta("m-1", 0.5))
    with pytest.raises(FileNotFoundError):
        promote(settings, "m-9", {"NDCG@10": 1.0}, None)


def test_broken_current_model_falls_back_to_none(model: LearnedRanker, tmp_path: Path) -> None:
    settings = Settings(model_dir=str(tmp_path / "models"))
    version = save_version(settings, model, meta("m-1", 0.3))
    promote(settings, version, {"NDCG@10": 0.3}, None)
    model_path(settings, version).write_bytes(b"garbage")
    assert load_current_model(settings) is None


def test_version_names_are_plain_file_names(tmp_path: Path) -> None:
    settings = Settings(model_dir=str(tmp_path))
    for bad in ("../escape", "a/b", "", "x" * 101):
        with pytest.raises(ValueError, match="model version"):
            model_path(settings, bad)
