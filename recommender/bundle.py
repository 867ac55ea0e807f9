"""Versioned model bundles: a directory with ``manifest.json`` and ``arrays.npz``, written atomically.

The bundle is written to a temporary sibling and renamed into place, so a reader sees the old bundle or
the new one, never half of either. The manifest records the format version, hyper-parameters, the
training-data hash and metrics, and the SHA-256 of the arrays, checked on load; arrays load with
``allow_pickle=False``. Anything missing, corrupt or from another format version is a ``BundleError``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from recommender.errors import BundleError

FORMAT = "selecta-recommender"
FORMAT_VERSION = 3  # 2: per-user "trained" flags (users.trained); 3: user features (user_features.*)
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_bundle(path: str | Path, *, manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` and ``manifest`` (plus format, version, checksum) to the directory ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with (tmp / ARRAYS).open("wb") as fh:
            # Loading refuses pickles, so writing does too: an object array fails here, not at load.
            np.savez(fh, allow_pickle=False, **arrays)
        full = {
            **manifest,
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "arrays_sha256": _sha256(tmp / ARRAYS),
        }
        (tmp / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=True))
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def load_bundle(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and verify a bundle; every failure names the bundle and what is wrong with it."""
    root = Path(path)
    if not (root / MANIFEST).is_file() or not (root / ARRAYS).is_file():
        raise BundleError(f"{root} is not a recommender bundle (expected {MANIFEST} and {ARRAYS})")
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise BundleError(f"{root}/{MANIFEST} is corrupt: {exc}") from exc
    if not isinstance(manifest, dict):
        raise BundleError(f"{root}/{MANIFEST} is corrupt: a JSON object was expected")
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{root} is not a {FORMAT} bundle (format {manifest.get('format')!r})")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        raise BundleError(
            f"{root} has bundle format version {version}, this code reads version {FORMAT_VERSION}: it was "
            f"written by {'a newer' if newer else 'an older'} Selecta; "
            f"{'upgrade Selecta or ' if newer else ''}retrain with `selecta train`"
        )
    if _sha256(root / ARRAYS) != manifest.get("arrays_sha256"):
        raise BundleError(f"{root}/{ARRAYS} does not match the checksum in its manifest (corrupt or altered)")
    try:
        with np.load(root / ARRAYS, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise BundleError(f"{root}/{ARRAYS} cannot be read: {exc}") from exc
    return manifest, arrays
