"""Where the shipped graph lives: inside the installed wheel, or next to the package in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_resources"
_CHECKOUT = _PACKAGE.parents[1]


def _folder(name: str) -> Path:
    """The wheel's copy wins; an editable install or a checkout uses the repo's top-level folder."""
    return (_INSTALLED if _INSTALLED.is_dir() else _CHECKOUT) / name


def ontology_dir() -> Path:
    return _folder("ontology")


def data_dir() -> Path:
    return _folder("data")


def shapes_dir() -> Path:
    return _folder("shapes")


def queries_dir() -> Path:
    return _folder("queries")


def citation_file() -> Path:
    """CITATION.cff: ``relais release`` puts a dated copy of it in every release."""
    return _folder("CITATION.cff")
