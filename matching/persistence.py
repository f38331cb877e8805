"""Save and load a :class:`~matching.ltr.LearnedRanker` with skops (never pickle) plus a metadata file.

A model is two files side by side: ``<name>.skops`` (the estimator, skops.io format: a zip of JSON
and numpy arrays, loaded without executing arbitrary code) and ``<name>.json`` (metadata). Loading
trusts exactly the types in :data:`TRUSTED_TYPES`; a file that needs any other type is refused, so a
tampered or foreign file cannot make the service run its code (see the skops "Secure persistence"
documentation).

Metadata (JSON object) keys, all required: ``version`` (str), ``features`` (list of feature names,
must equal the model's ``feature_names``), ``training`` (object: what it was trained on),
``metrics`` (object: held-out figures), ``trained_at`` (ISO 8601 UTC; filled in when absent).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import skops.io as sio

from matching.ltr import LearnedRanker

#: Types a model file may contain beyond those skops trusts by default.
TRUSTED_TYPES = ("matching.ltr.LearnedRanker", "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor")
REQUIRED_METADATA = ("version", "features", "training", "metrics", "trained_at")


class ModelFileError(ValueError):
    """A model file or its metadata is missing, unreadable, untrusted or inconsistent."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; other workers of the service read these files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(model: LearnedRanker, path: Path, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Write ``model`` to ``path`` (``.skops``) and its metadata to ``path`` with suffix ``.json``.

    ``trained_at`` defaults to now (UTC) and ``features`` to the model's feature names. Each file is
    written to a temporary name and renamed, so a reader never sees half a file. Returns the
    metadata written. Raises :class:`ModelFileError` when a required key is missing or the feature
    list disagrees with the model, ``sklearn.exceptions.NotFittedError`` for an unfitted model.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "estimators_")
    meta = {"features": list(model.feature_names), "trained_at": dt.datetime.now(dt.UTC).isoformat(), **metadata}
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        raise ModelFileError(f"metadata lacks {', '.join(missing)} (required: {', '.join(REQUIRED_METADATA)})")
    if list(meta["features"]) != list(model.feature_names):
        raise ModelFileError("metadata 'features' differs from the model's feature_names")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, sio.dumps(model))
    write_atomic(path.with_suffix(".json"), json.dumps(meta, ensure_ascii=False, indent=2, default=str).encode("utf-8"))
    return meta


def read_metadata(path: Path) -> dict[str, Any]:
    """The metadata next to model file ``path``. Raises :class:`ModelFileError` if absent or malformed."""
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{meta_path}: metadata file missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{meta_path}: not JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"{meta_path}: expected a JSON object")
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        raise ModelFileError(f"{meta_path}: lacks {', '.join(missing)}")
    return meta


def load_model(path: Path) -> tuple[LearnedRanker, dict[str, Any]]:
    """Load a model saved by :func:`save_model`: ``(model, metadata)``.

    Raises :class:`ModelFileError` when a file is missing or unreadable, the model file needs a type
    outside :data:`TRUSTED_TYPES`, it does not hold a fitted :class:`LearnedRanker`, or the metadata's
    feature list differs from the model's (a model trained on other features than it is given).
    """
    meta = read_metadata(path)
    try:
        data = path.read_bytes()
        untrusted = sio.get_untrusted_types(data=data)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: model file missing") from None
    except Exception as exc:  # skops raises many kinds for a corrupt archive
        raise ModelFileError(f"{path}: not a skops model file ({type(exc).__name__}: {exc})") from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelFileError(f"{path}: refuses to load untrusted type(s) {', '.join(refused)}")
    try:
        model = sio.loads(data, trusted=list(untrusted))
    except Exception as exc:
        raise ModelFileError(f"{path}: cannot load ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, LearnedRanker) or not hasattr(model, "estimators_"):
        raise ModelFileError(f"{path}: holds {type(model).__name__}, not a fitted LearnedRanker")
    if list(meta["features"]) != list(model.feature_names):
        raise ModelFileError(f"{path}: metadata features differ from the model's")
    return model, meta
