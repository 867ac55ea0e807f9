"""The license classifier behind scripts/check_licenses.py: identifiers, classifiers and whole texts,
including a PSF-based text that mentions the GPL without being GPL (matplotlib's)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_licenses.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_licenses", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_licenses"] = module
    spec.loader.exec_module(module)
    return module


lic = _load()

# The start of matplotlib's License field, with the passages that mention the GPL (abridged, real text).
MATPLOTLIB_TEXT = """License agreement for matplotlib versions 1.3.0 and later
=========================================================

1. This LICENSE AGREEMENT is between the Matplotlib Development Team
("MDT"), and the Individual or Organization ("Licensee") accessing and
otherwise using matplotlib software in source or binary form and its
associated documentation.

2. Subject to the terms and conditions of this License Agreement, MDT
hereby grants Licensee a nonexclusive, royalty-free, world-wide license
to reproduce, analyze, test, perform and/or display publicly, prepare
derivative works, distribute, and otherwise use matplotlib
alone or in any derivative version, provided, however, that MDT's
License Agreement and MDT's notice of copyright are retained.

 Name: FreeType
 Files: *.so
 Description: Font rendering library
 License: FTL OR GPL-2.0-or-later
       Note that  this license  is compatible to  the GNU  General Public
       License version 3, but not version 2.
"""

GPL3_TEXT = """                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
"""

LGPL_TEXT = """GNU LESSER GENERAL PUBLIC LICENSE
Version 2.1, February 1999
"""

MIT_TEXT = """Copyright (c) 2024 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software, to deal in the Software without restriction. Unlike the GPL, no copyleft.
"""


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("MIT", lic.PERMISSIVE),
        ("BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0", lic.PERMISSIVE),
        ("Apache-2.0 OR BSD-2-Clause", lic.PERMISSIVE),
        ("GPL-2.0-or-later", lic.COPYLEFT),
        ("GPL-3.0-only", lic.COPYLEFT),
        ("AGPL-3.0-or-later", lic.COPYLEFT),
        ("LGPL-2.1-or-later", lic.WEAK),
        ("MPL-2.0 AND MIT", lic.WEAK),
        ("MIT OR GPL-3.0-or-later", lic.PERMISSIVE),  # a dual license: the permissive alternative holds
        ("MIT AND GPL-3.0-or-later", lic.COPYLEFT),  # both apply: the GPL binds
        ("(FTL OR GPL-2.0-or-later) AND MIT", lic.PERMISSIVE),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", lic.WEAK),
        ("Apache-2.0 WITH LLVM-exception", lic.PERMISSIVE),
        ("LicenseRef-Proprietary", lic.UNKNOWN),
    ],
)
def test_spdx_expressions(expression: str, kind: str) -> None:
    assert lic.classify_spdx(expression) == kind


@pytest.mark.parametrize(
    ("classifiers", "kind"),
    [
        (["License :: OSI Approved :: GNU General Public License v3 (GPLv3)"], lic.COPYLEFT),
        (["License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)"], lic.COPYLEFT),
        (["License :: OSI Approved :: GNU Affero General Public License v3"], lic.COPYLEFT),
        (["License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)"], lic.WEAK),
        (["License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)"], lic.WEAK),
        (["License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)"], lic.WEAK),
        (["License :: OSI Approved :: Python Software Foundation License"], lic.PERMISSIVE),
        (["License :: OSI Approved :: BSD License"], lic.PERMISSIVE),
        (["License :: OSI Approved", "License :: OSI Approved :: MIT License"], lic.PERMISSIVE),
        (["License :: OSI Approved"], lic.UNKNOWN),  # says nothing about which license
    ],
)
def test_classifiers(classifiers: list[str], kind: str) -> None:
    assert lic.classify(expression=None, license_field=None, classifiers=classifiers).kind == kind


def test_long_text_mentioning_gpl_is_not_gpl() -> None:
    """matplotlib: a PSF-based text naming GPL-2.0-or-later for a bundled font engine."""
    assert lic.classify_text(MATPLOTLIB_TEXT) == lic.UNKNOWN  # not GPL; no grant wording it recognises
    verdict = lic.classify(expression=None, license_field=MATPLOTLIB_TEXT, classifiers=[])
    assert verdict.kind != lic.COPYLEFT and verdict.source == "License (text)"
    with_classifier = lic.classify(
        expression=None,
        license_field=MATPLOTLIB_TEXT,
        classifiers=["License :: OSI Approved :: Python Software Foundation License"],
    )
    assert with_classifier.kind == lic.PERMISSIVE and with_classifier.source == "classifiers"


@pytest.mark.parametrize(
    ("text", "kind"),
    [(GPL3_TEXT, lic.COPYLEFT), (LGPL_TEXT, lic.WEAK), (MIT_TEXT, lic.PERMISSIVE)],
)
def test_whole_license_texts_by_title_or_grant(text: str, kind: str) -> None:
    assert lic.classify(expression=None, license_field=text, classifiers=[]).kind == kind


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("GPL-3.0-or-later", lic.COPYLEFT),
        ("GPLv3+", lic.COPYLEFT),
        ("GNU GPL v2", lic.COPYLEFT),
        ("LGPLv3+", lic.WEAK),
        ("3-Clause BSD License", lic.PERMISSIVE),
        ("Apache 2.0", lic.PERMISSIVE),
        ("MIT", lic.PERMISSIVE),
        ("UNKNOWN", lic.UNKNOWN),
        ("", lic.UNKNOWN),
    ],
)
def test_short_license_fields_are_names(field: str, kind: str) -> None:
    assert lic.classify(expression=None, license_field=field, classifiers=[]).kind == kind


def test_expression_outranks_classifiers_and_field() -> None:
    verdict = lic.classify(
        expression="MIT",
        license_field="GPL",
        classifiers=["License :: OSI Approved :: GNU General Public License v3 (GPLv3)"],
    )
    assert verdict.kind == lic.PERMISSIVE and verdict.source == "License-Expression"


def test_gpl_requirement_fails_the_check(tmp_path: Path) -> None:
    """End to end on this environment: a pyproject whose default install pulls a GPL package fails,
    naming it; one pulling only permissive packages passes."""
    gpl = next(
        (
            name
            for name in ("pedalboard", "mutagen", "piper-tts", "essentia")
            if importlib.util.find_spec(_module(name))
        ),
        None,
    )
    if gpl is None:
        pytest.skip("no GPL package installed here to check against")
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[project]\nname = "x"\ndependencies = ["numpy", "{gpl}"]\n')
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--pyproject", str(bad), "--quiet"], capture_output=True, text=True
    )
    assert proc.returncode == 1 and f"FAIL: copyleft (GPL/AGPL) in the default install: {gpl}" in proc.stdout
    good = tmp_path / "good.toml"
    good.write_text('[project]\nname = "x"\ndependencies = ["numpy", "tinytag"]\n')
    assert lic.main(["--pyproject", str(good), "--quiet"]) == 0


def _module(dist: str) -> str:
    return {"piper-tts": "piper"}.get(dist, dist)
