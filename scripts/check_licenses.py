"""Fail when the default install of Selecta pulls in GPL or AGPL code.

Selecta is MIT. This walks the dependency closure of ``[project].dependencies`` in pyproject.toml (extras
are opt-in and skipped, as are requirements whose environment markers do not apply here) through the
installed distributions' metadata, and classifies each one's license from, in order of trust:

1. ``License-Expression`` (PEP 639 SPDX expression),
2. ``License ::`` trove classifiers (several are read as alternatives: a dual license),
3. the free-text ``License`` field: a short one is read as a license name; a long one is a whole license
   text and is judged only by its title and its standard grant wording, never by words found inside it
   (matplotlib's PSF-based text names "GPL-2.0-or-later" for a bundled font engine and says it is
   "compatible with the GNU General Public License"; neither makes matplotlib GPL).

Verdicts: ``copyleft`` (GPL, AGPL and the like: fails the check), ``weak-copyleft`` (LGPL, MPL, EPL, GPL
with a linking exception: allowed and listed, because Python loads them as separate, unmodified,
replaceable modules, which the LGPL permits for a differently licensed work), ``permissive`` and
``unknown`` (listed; fails only with ``--strict``).

    python scripts/check_licenses.py            # exit 1 naming every copyleft package
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

PERMISSIVE, WEAK, COPYLEFT, UNKNOWN = "permissive", "weak-copyleft", "copyleft", "unknown"
_RANK = {PERMISSIVE: 0, WEAK: 1, UNKNOWN: 2, COPYLEFT: 3}

# SPDX identifiers, matched on the whole identifier (after "WITH" exceptions are split off).
_COPYLEFT_ID = re.compile(r"^(A?GPL|EUPL|SSPL|OSL|CC-BY-SA|CC-BY-NC)", re.IGNORECASE)
_WEAK_ID = re.compile(r"^(LGPL|MPL|EPL|CDDL|CPL|MS-RL)", re.IGNORECASE)
_PERMISSIVE_ID = re.compile(
    r"^(MIT|MIT-\w+|X11|BSD|0BSD|Apache|PSF|Python|CNRI-Python|ISC|Unlicense|Zlib|HPND|CC0|BSL-1\.0|"
    r"NCSA|Unicode|WTFPL|FTL|AFL|Artistic-2\.0|UPL|PostgreSQL|BlueOak|curl)",
    re.IGNORECASE,
)

# License names in words (classifiers, short License fields), matched as whole words.
_NAME_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (COPYLEFT, re.compile(r"\bAGPL|\bAffero\b", re.IGNORECASE)),
    (WEAK, re.compile(r"\bLGPL|\bLesser General Public|\bLibrary General Public|\bLibrary or Lesser", re.I)),
    (COPYLEFT, re.compile(r"\bGPL|\bGeneral Public License\b", re.IGNORECASE)),
    (WEAK, re.compile(r"\bMPL\b|\bMozilla Public\b|\bEclipse Public\b|\bCDDL\b", re.IGNORECASE)),
    (
        PERMISSIVE,
        re.compile(
            r"\bMIT\b|\bBSD\b|\bApache\b|\bPSF\b|\bPython Software Foundation\b|\bISC\b|\bUnlicense\b|"
            r"\bzlib\b|\bHPND\b|\bHistorical Permission\b|\bPublic Domain\b|\bCC0\b|\bBoost\b|"
            r"\bUniversity of Illinois\b|\bAcademic Free\b|\bUniversal Permissive\b",
            re.IGNORECASE,
        ),
    ),
)

# A whole license text: its title line, or the grant wording of the common permissive licenses.
_TEXT_TITLE = re.compile(r"^\s*GNU\s+(AFFERO\s+|LESSER\s+|LIBRARY\s+)?GENERAL\s+PUBLIC\s+LICENSE", re.I)
_PERMISSIVE_GRANTS = (
    "permission is hereby granted, free of charge",  # MIT / X11
    "redistribution and use in source and binary forms",  # BSD
    "licensed under the apache license",
    "apache license",
    "python software foundation",
    "permission to use, copy, modify, and/or distribute this software",  # ISC / 0BSD
)

SHORT_FIELD = 100
"""A License field up to this many characters on one line is a license name, longer is a license text."""


@dataclass(frozen=True)
class Verdict:
    kind: str
    source: str  # which metadata field decided
    detail: str  # the license as that field states it (shortened)


def classify_spdx(expression: str) -> str:
    """An SPDX expression: any one acceptable alternative of ``OR`` suffices; ``AND`` needs all of them."""
    alternatives = re.split(r"\s+OR\s+", expression.replace("(", " ").replace(")", " ").strip(), flags=re.I)
    best = COPYLEFT
    for alternative in alternatives:
        worst = PERMISSIVE
        for term in re.split(r"\s+AND\s+", alternative.strip(), flags=re.IGNORECASE):
            license_id, _, exception = term.strip().partition(" WITH ")
            license_id = license_id.strip()
            if _COPYLEFT_ID.match(license_id):
                kind = WEAK if exception.strip() else COPYLEFT  # e.g. GPL WITH Classpath-exception
            elif _WEAK_ID.match(license_id):
                kind = WEAK
            elif _PERMISSIVE_ID.match(license_id):
                kind = PERMISSIVE
            else:
                kind = UNKNOWN
            worst = max(worst, kind, key=_RANK.__getitem__)
        best = min(best, worst, key=_RANK.__getitem__)
    return best


def classify_name(name: str) -> str:
    """A license named in words ("GNU Lesser General Public License v3", "BSD License")."""
    if re.fullmatch(r"[\w.+-]+(\s+(OR|AND|WITH)\s+[\w.+-]+)*", name.strip(), flags=re.IGNORECASE):
        spdx = classify_spdx(name)
        if spdx != UNKNOWN:
            return spdx
    for kind, pattern in _NAME_RULES:
        if pattern.search(name):
            return kind
    return UNKNOWN


def classify_text(text: str) -> str:
    """A whole license text: judged by its title or its grant wording, never by what it mentions."""
    lines = [line.strip(" =-*#\t") for line in text.splitlines() if line.strip(" =-*#\t")]
    for line in lines[:3]:
        title = _TEXT_TITLE.match(line)
        if title:
            variant = (title.group(1) or "").strip().upper()
            return WEAK if variant in ("LESSER", "LIBRARY") else COPYLEFT
    flat = " ".join(text.lower().split())
    if any(grant in flat for grant in _PERMISSIVE_GRANTS):
        return PERMISSIVE
    return UNKNOWN


def classify(*, expression: str | None, license_field: str | None, classifiers: list[str]) -> Verdict:
    """The license verdict from one distribution's metadata (see the module docstring for the order)."""
    if expression and expression.strip():
        return Verdict(classify_spdx(expression), "License-Expression", expression.strip())
    named = [c.split("::")[-1].strip() for c in classifiers if c.startswith("License ::")]
    named = [n for n in named if n not in ("OSI Approved", "OSI Approved :: ")]
    kinds = [classify_name(n) for n in named if classify_name(n) != UNKNOWN]
    if kinds:
        return Verdict(min(kinds, key=_RANK.__getitem__), "classifiers", " | ".join(named))
    text = (license_field or "").strip()
    if text and text.upper() != "UNKNOWN":
        if len(text) <= SHORT_FIELD and "\n" not in text:
            return Verdict(classify_name(text), "License", text)
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        return Verdict(classify_text(text), "License (text)", first[:60] + "...")
    return Verdict(UNKNOWN, "none", "no license metadata")


def _applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    # evaluate() fills in this interpreter's environment; only ``extra`` differs per requested extra.
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras | {""})


def default_requirements(pyproject: Path) -> list[Requirement]:
    """``[project].dependencies`` of the pyproject: the default install, no extras."""
    with pyproject.open("rb") as f:
        return [Requirement(r) for r in tomllib.load(f)["project"]["dependencies"]]


def closure(roots: list[Requirement]) -> tuple[dict[str, metadata.Distribution], list[str]]:
    """Installed distributions reachable from ``roots`` (by canonical name), and requirements that are
    not installed (so could not be checked)."""
    found: dict[str, metadata.Distribution] = {}
    wanted: dict[str, set[str]] = {}
    missing: list[str] = []
    queue = [r for r in roots if _applies(r, set())]
    while queue:
        req = queue.pop()
        name = canonicalize_name(req.name)
        extras = set(req.extras)
        if name in found and extras <= wanted[name]:
            continue
        try:
            dist = found.get(name) or metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            missing.append(str(req))
            continue
        found[name] = dist
        wanted[name] = wanted.get(name, set()) | extras
        for line in dist.requires or []:
            sub = Requirement(line)
            if _applies(sub, wanted[name]):
                queue.append(sub)
    return found, missing


def verdict_for(dist: metadata.Distribution) -> Verdict:
    meta = dist.metadata

    def field(name: str) -> str | None:
        values = meta.get_all(name)
        return str(values[0]) if values else None

    return classify(
        expression=field("License-Expression"),
        license_field=field("License"),
        classifiers=[str(c) for c in meta.get_all("Classifier") or []],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pyproject", type=Path, default=Path(__file__).resolve().parents[1] / "pyproject.toml"
    )
    parser.add_argument("--strict", action="store_true", help="also fail on packages with no known license")
    parser.add_argument("--quiet", action="store_true", help="print only problems and the summary")
    args = parser.parse_args(argv)

    found, missing = closure(default_requirements(args.pyproject))
    verdicts = {name: (dist, verdict_for(dist)) for name, dist in sorted(found.items())}
    for name, (dist, v) in verdicts.items():
        if not args.quiet or v.kind != PERMISSIVE:
            print(f"{v.kind:14s} {name:28s} {dist.version:14s} {v.source:19s} {v.detail[:70]}")
    by_kind: dict[str, list[str]] = {}
    for name, (_, v) in verdicts.items():
        by_kind.setdefault(v.kind, []).append(name)
    print(
        f"\n{len(verdicts)} packages in the default install: "
        + ", ".join(f"{len(by_kind.get(k, []))} {k}" for k in (PERMISSIVE, WEAK, UNKNOWN, COPYLEFT))
    )
    if by_kind.get(WEAK):
        print(f"allowed weak copyleft (imported unmodified, replaceable): {', '.join(by_kind[WEAK])}")
    failed = False
    if missing:
        print(f"FAIL: not installed, so not checked: {', '.join(missing)}")
        failed = True
    if by_kind.get(COPYLEFT):
        print(f"FAIL: copyleft (GPL/AGPL) in the default install: {', '.join(by_kind[COPYLEFT])}")
        failed = True
    if args.strict and by_kind.get(UNKNOWN):
        print(f"FAIL (--strict): no recognisable license: {', '.join(by_kind[UNKNOWN])}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
