"""skops persistence of the learned ranker: round trip, metadata, refusal of untrusted or broken files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer

from matching.ltr import LearnedRanker
from matching.ltr_features import FEATURE_NAMES
from matching.persistence import ModelFileError, load_model, read_metadata, save_model
from tests.factories import synthetic_ranking

META = {"version": "t-1", "training": {"queries": 60}, "metrics": {"warm": {"NDCG@10": 0.3}}}


@pytest.fixture
def model(trained_ranker: LearnedRanker) -> LearnedRanker:
    """The session's fitted ranker (tests/conftest.py): any fitted model will do here, and fitting one costs ~25 s."""
    return trained_ranker


def test_round_trip_keeps_predictions_and_metadata(model: LearnedRanker, tmp_path: Path) -> None:
    path = tmp_path / "m" / "model.skops"
    written = save_model(model, path, META)
    assert written["features"] == list(FEATURE_NAMES) and written["trained_at"]
    loaded, meta = load_model(path)
    X, _, _ = synthetic_ranking(seed=5)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert meta == json.loads(path.with_suffix(".json").read_text(encoding="utf-8")) == written
    assert meta["version"] == "t-1" and meta["metrics"]["warm"]["NDCG@10"] == 0.3
    assert path.read_bytes()[:2] == b"PK"  # a skops zip archive, not a pickle stream
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_missing_metadata_or_wrong_features_refused(model: LearnedRanker, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="version"):
        save_model(model, tmp_path / "a.skops", {"training": {}, "metrics": {}})
    with pytest.raises(ModelFileError, match="features"):
        save_model(model, tmp_path / "b.skops", {**META, "features": ["x"]})
    assert not (tmp_path / "a.skops").exists() and not (tmp_path / "b.skops").exists()
    path = tmp_path / "c.skops"
    save_model(model, path, META)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    path.with_suffix(".json").write_text(json.dumps({**meta, "features": list(FEATURE_NAMES)[:-1]}), encoding="utf-8")
    with pytest.raises(ModelFileError, match="features differ"):
        load_model(path)
    path.with_suffix(".json").unlink()
    with pytest.raises(ModelFileError, match="metadata file missing"):
        load_model(path)
    with pytest.raises(ModelFileError, match="metadata file missing"):
        read_metadata(tmp_path / "nothing.skops")


def test_untrusted_and_corrupt_files_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.skops"
    evil.write_bytes(sio.dumps(FunctionTransformer(func=os.system)))
    evil.with_suffix(".json").write_text(
        json.dumps({**META, "features": list(FEATURE_NAMES), "trained_at": "x"}), encoding="utf-8"
    )
    with pytest.raises(ModelFileError, match="untrusted type"):
        load_model(evil)
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"not a zip at all")
    broken.with_suffix(".json").write_text(evil.with_suffix(".json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a skops model file"):
        load_model(broken)
    with pytest.raises(ModelFileError, match="model file missing"):
        (tmp_path / "gone.json").write_text(evil.with_suffix(".json").read_text(encoding="utf-8"), encoding="utf-8")
        load_model(tmp_path / "gone.skops")
