"""Real-world documents live in ../shared/ beside the project (copies of other people's files never
go into it); tests read them from there and skip, with this reason, where that folder is absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
ABSENT = f"{CORPUS} is absent: the real-world documents are read from ../shared/corpus/ (CI has it)"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=ABSENT)
"""Mark for a test that reads ../shared/corpus/."""


def corpus_files(folder: str, pattern: str = "*.xml") -> list[Path]:
    """The files of ../shared/corpus/<folder>/, sorted; none when ../shared is absent."""
    return sorted((CORPUS / folder).glob(pattern))


def params(paths: list[Path], root: Path = ROOT) -> list[Any]:
    """`paths` as pytest params named by their path, or one skipped param when there are none
    (an empty list would hide why nothing ran)."""
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT), id="shared-corpus-absent")]
    return [pytest.param(p, id=_name(p, root)) for p in paths]


def _name(path: Path, root: Path) -> str:
    for base in (root, CORPUS.parent):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return path.name
