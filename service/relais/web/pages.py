"""What the HTML pages share: labels in the page's language and the one Jinja environment of the site.

Which representation a page answers with (HTML or RDF) is chosen by ``relais.formats.negotiate``.

The IRIs in the data never change: ``https://w3id.org/relais/id/{path}`` is served at ``/id/{path}``,
the ontology (and its hash terms) at ``/ontology``, named graphs at ``/graph/{name}``. Links in the
HTML point to these local routes for our own IRIs and to the IRI itself for everything else.
Every value from the graph reaches the page through Jinja2 with autoescape on.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context
from pyoxigraph import NamedNode, Store
from starlette.requests import Request

from relais.graph.labels import Labeller
from relais.named_queries.catalog import NamedQuery
from relais.vocab import ID_BASE, RDF_TYPE, local_href
from relais.web.i18n import carry_language, format_date, format_number, french_typography, page_language, switch_of, words

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


# --- labels and named queries ----------------------------------------------------------------


class PageLabeller(Labeller):
    """Labels in the page's language, else the other one, else what :class:`Labeller` falls back to.

    Why a subclass: graph.labels is shared with the CLI and the pictures, whose order (French first) stays.
    """

    def __init__(self, store: Store, lang: str) -> None:
        super().__init__(store)
        self.lang = lang

    def label(self, iri: str) -> str:
        """The label in the page's language, else the other language's, else untagged, else the short forms.

        A French label on a French page gets French typography (no-break spaces before ; : ! ?
        and inside « »), as the page's own texts do; the graph keeps the plain text.
        """
        labels = self.labels(iri)
        for lang in (self.lang, "en" if self.lang == "fr" else "fr", ""):
            if lang in labels:
                return french_typography(labels[lang]) if lang == "fr" == self.lang else labels[lang]
        return super().label(iri)

    def label_language(self, iri: str) -> str | None:
        """The language tag of the label :meth:`label` shows (for ``<h1 lang>``), None when it is untagged or made up."""
        shown = self.label(iri)
        return next((lang for lang, text in self.labels(iri).items() if shown in (text, french_typography(text)) and lang), None)


def in_page_language(text: str, lang: str) -> dict[str, str]:
    """A text for a page with the language it is in (for ``lang=``), with French typography when French."""
    return {"text": french_typography(text) if lang == "fr" else text, "lang": lang}


def query_texts(query: NamedQuery, lang: str) -> dict[str, Any]:
    """What a page in ``lang`` shows of a named query: its summary and description in that language
    when the .rq file has them (else English), and the summary in the other language as a subtitle."""
    summary, summary_lang = query.summary_in(lang)
    description, description_lang = query.description_in(lang)
    other = query.summary_fr if summary_lang == "en" else query.summary
    return {
        "summary": in_page_language(summary, summary_lang),
        "alt": in_page_language(other, "fr" if summary_lang == "en" else "en") if other else None,
        "description": in_page_language(description, description_lang) if description else None,
    }


def iri_candidates(store: Store, labeller: Labeller, name: str) -> list[dict[str, str]]:
    """Suggested IRIs for an IRI parameter named after a kind of resource (deliverable, org, relay...)."""
    kinds = {"org": "organisation", "space": "dialogue-space", "territory": "territory"}
    kind = kinds.get(name, name.replace("_", "-"))
    prefix = f"{ID_BASE}{kind}/"
    found = {
        q.subject.value
        for q in store.quads_for_pattern(None, RDF_TYPE, None, None)
        if isinstance(q.subject, NamedNode) and q.subject.value.startswith(prefix)
    }
    return sorted(({"iri": iri, "label": labeller.label(iri)} for iri in found), key=lambda c: c["label"].lower())[:200]


_QUESTION_NUMBER = re.compile(r"^Q(\d+)\.")


def question_order(query: Any) -> tuple[int, str]:
    """Research questions in their order (a description starting "Q1." comes first), then the other queries by name.

    Why: the home page and /queries open on Q1 (which relay carries which deliverable), a
    question the shipped graph answers, instead of whichever file name sorts first.
    """
    found = _QUESTION_NUMBER.match(getattr(query, "description", "") or "")
    return (int(found.group(1)) if found else 10_000, query.name)


# --- templates --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def templates() -> Environment:
    """The Jinja2 environment: autoescape ON for every template, so graph values show as text."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals["local_href"] = local_href
    env.filters["filesize"] = _page_filesize
    env.filters["number"] = _page_number
    env.filters["date"] = _page_date
    env.filters["shown"] = _page_literal
    return env


def render(template: str, /, request: Request | None = None, **context: Any) -> str:
    """Render a template from templates/ (every value autoescaped), in the language of ``request``'s page.

    With a request, the template gets ``lang``, the fixed texts ``ui`` and the header's language
    ``switch``; when ``?lang=`` chose the language, the page's internal links carry it on.
    """
    if request is None:
        return templates().get_template(template).render(**{"lang": "fr", "ui": words("fr"), **context})
    choice = page_language(request)
    full = {"lang": choice.lang, "ui": words(choice.lang), "switch": switch_of(request), **context}
    html = templates().get_template(template).render(**full)
    return carry_language(html, choice.lang) if choice.explicit else html


@pass_context
def _page_number(context: Context, value: Any) -> str:
    return format_number(value, context.get("lang", "fr"))


@pass_context
def _page_date(context: Context, value: Any) -> str:
    return format_date(str(value), context.get("lang", "fr"))


@pass_context
def _page_filesize(context: Context, size: int) -> str:
    return filesize(size, context.get("lang", "fr"))


_DATE_TYPES = {"xsd:date", "xsd:dateTime", "xsd:gYearMonth"}
_NUMBER_TYPES = {"xsd:integer", "xsd:decimal", "xsd:nonNegativeInteger", "xsd:positiveInteger", "xsd:int", "xsd:long"}


@pass_context
def _page_literal(context: Context, value: dict[str, Any]) -> str:
    """A literal's text as the page shows it: dates and numbers in the page's locale, the rest as it is."""
    lang = context.get("lang", "fr")
    text = str(value.get("label", ""))
    if value.get("date") or value.get("datatype") in _DATE_TYPES:
        return format_date(text, lang)
    if value.get("num") or value.get("datatype") in _NUMBER_TYPES:
        return format_number(text, lang)
    return text


def filesize(size: int, lang: str = "en") -> str:
    """A human-readable file size (French: ko, Mo and a decimal comma).

    >>> filesize(1536), filesize(1536, "fr")
    ('1.5 KB', '1,5 ko')
    """
    units = ("o", "ko", "Mo", "Go") if lang == "fr" else ("B", "KB", "MB", "GB")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            text = f"{value:.0f} {unit}" if unit == units[0] else f"{value:.1f} {unit}"
            return text.replace(".", ",") if lang == "fr" else text
        value /= 1024
    return f"{size} B"


def public_base(request: Request) -> str:
    """The base URL for links the service publishes (Service Description, VoID, DCAT, JSON-LD context).

    ``RELAIS_PUBLIC_URL`` when set; else the request's own address when its Host is trusted
    (``RELAIS_TRUSTED_HOSTS``, by default this machine's names); else the address the service
    listens on. A forged Host header never reaches a published link.
    """
    settings = request.app.state.settings
    if settings.public_url:
        return str(settings.public_url)
    if (request.url.hostname or "") in settings.trusted_hosts or request.url.hostname == settings.host:
        return str(request.base_url).rstrip("/")
    return str(settings.base_url)
