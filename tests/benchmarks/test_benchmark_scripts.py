"""Every benchmark script still imports and parses its arguments (they run outside the suite, so an API
change would otherwise break them silently)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BENCHMARKS = sorted(
    path
    for path in (REPO / "benchmarks").glob("*.py")
    if '__name__ == "__main__"' in path.read_text()  # scripts, not the helper modules they import
)


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_script_starts(script: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage:" in proc.stdout
