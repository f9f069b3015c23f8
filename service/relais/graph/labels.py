"""Labels of IRIs, looked up in the store and cached: French first, then English, then a short form."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from relais.vocab import BASE, KNOWN_LABELS, LABEL_PREDICATES, XSD, curie, local_href


def _pick(literals: Iterable[Literal], langs: tuple[str, ...] = ("fr", "en", "")) -> Literal | None:
    ranked = sorted(literals, key=lambda lit: langs.index(lit.language or "") if (lit.language or "") in langs else len(langs))
    return ranked[0] if ranked else None


class Labeller:
    """Looks up and caches the labels of IRIs in the store (one index lookup per IRI and predicate)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, dict[str, str]] = {}

    def labels(self, iri: str) -> dict[str, str]:
        """Every label of ``iri`` by language ('' for none), from the best label predicate that has one."""
        if iri in self._cache:
            return self._cache[iri]
        found: dict[str, str] = {}
        node = NamedNode(iri)
        for predicate in LABEL_PREDICATES:
            for quad in self.store.quads_for_pattern(node, predicate, None, None):
                if isinstance(quad.object, Literal):
                    found.setdefault(quad.object.language or "", quad.object.value)
            if found:
                break
        self._cache[iri] = found
        return found

    def label(self, iri: str) -> str:
        """The French label, else English, else any, else a prefixed name, else the IRI's last segment."""
        labels = self.labels(iri)
        for lang in ("fr", "en", ""):
            if lang in labels:
                return labels[lang]
        if labels:
            return next(iter(labels.values()))
        if iri in KNOWN_LABELS:
            return KNOWN_LABELS[iri]
        short = curie(iri)
        if short:
            return short
        tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
        # Our own IRIs end in a readable slug; other addresses are clearer in full.
        return tail if tail and (iri.startswith(BASE) or not iri.startswith(("http://", "https://"))) else iri

    def link(self, node: Any) -> dict[str, Any]:
        """A template-ready view of a term: label, href, and how to show a literal."""
        if isinstance(node, NamedNode):
            return {
                "kind": "iri",
                "iri": node.value,
                "label": self.label(node.value),
                "href": local_href(node.value),
                "external": local_href(node.value) == node.value,
            }
        if isinstance(node, BlankNode):
            return {"kind": "bnode", "label": f"_:{node.value}"}
        if isinstance(node, Literal):
            datatype = node.datatype.value if node.datatype else None
            shown_type = None
            if datatype and not node.language and datatype not in (XSD + "string",):
                shown_type = curie(datatype) or datatype
            is_url = datatype == XSD + "anyURI" and node.value.startswith(("http://", "https://"))
            return {
                "kind": "literal",
                "label": node.value,
                "lang": node.language,
                "datatype": shown_type,
                "href": node.value if is_url else None,
            }
        return {"kind": "other", "label": str(node)}
