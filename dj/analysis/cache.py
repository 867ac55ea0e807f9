"""A directory of analysis results keyed by audio content hash and analysis version.

Keyed by the file's bytes (sha256), not its path, so renamed or duplicated files are analysed once, and by
``ANALYSIS_VERSION`` so an algorithm change never serves stale results. One JSON file per entry, written
atomically (temp file + rename) so parallel workers cannot leave a half-written entry behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from dj.analysis.result import ANALYSIS_VERSION, TrackAnalysis

__all__ = ["AnalysisCache", "content_hash"]


def content_hash(source: str | Path | bytes) -> str:
    """sha256 hex digest of a file's bytes (streamed) or of the bytes given."""
    digest = hashlib.sha256()
    if isinstance(source, (bytes, bytearray, memoryview)):
        digest.update(source)
    else:
        with open(source, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


class AnalysisCache:
    """Get and put :class:`TrackAnalysis` results under ``root``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.v{ANALYSIS_VERSION}.json"

    def get(self, digest: str) -> TrackAnalysis | None:
        """The cached result, or None when absent or unreadable (a corrupt entry is simply recomputed)."""
        path = self._path(digest)
        try:
            data = json.loads(path.read_text())
            return TrackAnalysis.from_dict(data)
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, digest: str, analysis: TrackAnalysis) -> None:
        path = self._path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(analysis.to_dict(), f, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
