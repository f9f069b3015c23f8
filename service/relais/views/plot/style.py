"""What the four pictures share: colours, matplotlib settings, text wrapping, the filters line, writing SVG or PNG.

The palette is the browser's (Okabe-Ito), so page and paper agree; ``finish`` writes reproducible
files (no date in the SVG, a fixed hash salt for its ids).
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from relais.views.text import words

FORMATS = ("svg", "png")
# Okabe-Ito, as in the browser: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F", "#000000"]
INK, MUTED, LINE = "#1d2433", "#5b6475", "#dde2ea"
COVERED, EMPTY, GAP = "#2b8a5a", "#eef1f5", "#f4b8b2"
RC: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "relais", "font.family": "DejaVu Sans", "font.size": 9}


def wrap(text: str, width: int, lines: int = 2) -> str:
    """Wrap ``text`` to at most ``lines`` lines of ``width`` characters, with an ellipsis if cut.

    >>> wrap("relais auprès de l'Observatoire des partenariats", 20)
    "relais auprès de\\nl'Observatoire des…"
    """
    parts = textwrap.wrap(text, width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def filters_line(data: dict[str, Any], lang: str) -> str:
    """The filters in force, by their labels ("" when none): said under a picture's title."""
    t = words(lang)
    labels = {o["id"]: o["label"] for key in ("phases", "volets", "actorTypes") for o in data["options"].get(key, [])}
    shown = [f"{t[k]} = {labels.get(v, v)}" for k, v in data.get("filters", {}).items() if v]
    return (f"{t['filtered']}{' : ' if lang != 'en' else ': '}" + ", ".join(shown)) if shown else ""


def finish(fig: Figure, fmt: str, description: str) -> bytes:
    """``fig`` as SVG or PNG bytes, titled by its label and described by ``description`` (its counts)."""
    if fmt not in FORMATS:
        raise ValueError(f"cannot write .{fmt}; use one of: {', '.join(FORMATS)}")
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    if fmt == "svg":
        fig.savefig(out, format="svg", metadata={"Date": None, "Title": fig.get_label() or "Relais", "Description": description})
    else:
        fig.savefig(out, format="png", dpi=150, metadata={"Title": fig.get_label() or "Relais", "Description": description})
    return out.getvalue()
