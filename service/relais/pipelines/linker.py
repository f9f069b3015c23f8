"""Find links from Relais to other open graphs (Wikidata, INSEE) and write the reviewed ones.

The curation loop:

1. ``relais link wikidata|insee`` reads the organisations, people or territories of the graph,
   asks the remote SPARQL endpoint (SPARQLWrapper: batched, polite User-Agent, retries, timeout)
   for candidates whose French or English label (or alias) matches a normalised variant of a
   Relais label, or that share an identifier (SIREN = Wikidata P1616, INSEE codes = P374 commune,
   P2586 département, P2585 région), scores each candidate (labels + type + identifiers) and
   writes a review CSV with the evidence. Nothing is accepted here: every row is "proposed", or
   "ambiguous" when the best two candidates of one resource are too close to tell apart.
2. A person sets ``status`` to accepted or rejected (and ``decided_by``).
3. ``relais link accept FILE`` turns the accepted rows into link triples with their provenance
   (a ``relais:LinkStatement``), validates them with shapes/ and appends them to data/links.ttl.
   It refuses a file in which a resource with an accepted row still has rows marked ambiguous,
   or two accepted candidates; re-accepting the same file adds nothing.

The remote endpoint is a configuration value (``--endpoint``): tests run against a local
Oxigraph server loaded with a small extract in Wikidata's (or INSEE's) shape.

Over 400 lines: the whole curation loop (candidates from Wikidata and INSEE, review files, acceptance with provenance) shares its matching and provenance helpers; splitting it is planned.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import logging
import re
import time
import unicodedata
import urllib.error
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyoxigraph import Literal

from relais.errors import RelaisError, ShapeViolation
from relais.graph.store import GraphStore

log = logging.getLogger(__name__)

WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
INSEE_ENDPOINT = "https://rdf.insee.fr/sparql"
USER_AGENT = "relais-linker/0.1 (https://w3id.org/relais; knowledge-graph curation, a few batched queries per run) SPARQLWrapper/2.0"

RELAIS = "https://w3id.org/relais/ontology#"
LINK_BASE = "https://w3id.org/relais/id/link/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
WDT = "http://www.wikidata.org/prop/direct/"
IGEO = "http://rdf.insee.fr/def/geo#"
INSEE_GEO = "http://id.insee.fr/geo/"
ILLUSTRATIVE_GRAPH = "https://w3id.org/relais/graph/illustrative"

PREFIXES = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "skos": SKOS, "dcterms": DCTERMS, "xsd": XSD, "relais": RELAIS}
# The link properties a review row may carry (a curator may downgrade owl:sameAs to skos:closeMatch).
LINK_PREDICATES = {"owl:sameAs": OWL + "sameAs", "skos:exactMatch": SKOS + "exactMatch", "skos:closeMatch": SKOS + "closeMatch"}
STATUSES = ("proposed", "ambiguous", "accepted", "rejected")
METHODS = ("label-match", "identifier-match", "source-confirmed")
REVIEW_COLUMNS = (
    "relais_iri",
    "relais_label",
    "candidate_iri",
    "candidate_label",
    "candidate_description",
    "score",
    "evidence",
    "status",
    "decided_by",
    # How the candidate was found; `relais link accept` copies them into the link's provenance.
    "predicate",
    "method",
    "endpoint",
    "retrieved",
)

KIND_CLASSES = {
    "organisation": RELAIS + "Organisation",
    "person": RELAIS + "Person",
    "territory": RELAIS + "Territory",
}
# Wikidata classes a candidate's P31 must reach through P279* for the type to agree:
# Q43229 organization, Q5 human, Q56061 administrative territorial entity.
WIKIDATA_ROOTS = {"organisation": "Q43229", "person": "Q5", "territory": "Q56061"}
ROOT_NAMES = {"Q43229": "organization", "Q5": "human", "Q56061": "administrative territorial entity"}
# Identifier properties: Relais identifier kind -> Wikidata property.
WIKIDATA_IDS = {"siren": "P1616", "insee_commune": "P374", "insee_departement": "P2586", "insee_region": "P2585"}
INSEE_LEVELS = {"region": "Region", "departement": "Departement", "commune": "Commune"}

ARTICLES = {"le", "la", "les", "l", "un", "une", "the", "a", "an"}
LABEL_LANGS = ("fr", "en")

# Scoring weights: labels carry most of the score, the type the rest; a shared identifier decides.
LABEL_WEIGHT = Decimal("0.7")
TYPE_POINTS = {"agrees": Decimal("0.3"), "unknown": Decimal("0.1"), "disagrees": Decimal("0")}
MIN_SCORE = Decimal("0.5")
AMBIGUITY_MARGIN = Decimal("0.1")
MAX_CANDIDATES = 3


class LinkerError(RelaisError):
    """The linker cannot run or the review file cannot be accepted: the message says what to fix."""


class ReviewRefused(LinkerError):
    """The review file has rows that cannot be accepted (ambiguous, conflicting, incomplete)."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{path}: nothing written: {problems[0]}{more}")


# ------------------------------------------------------------------ labels


def normalise(label: str) -> str:
    """Casefold, strip accents, punctuation and articles, collapse spaces.

    >>> normalise("Le RAMEAU")
    'rameau'
    >>> normalise("Cercle « Investisseur sociétal »")
    'cercle investisseur societal'
    >>> normalise("L’Observatoire des partenariats")
    'observatoire des partenariats'
    """
    text = unicodedata.normalize("NFKD", label.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\W_]+", " ", text)
    words = [w for w in text.split() if w not in ARTICLES]
    return " ".join(words)


def label_similarity(a: str, b: str) -> Decimal:
    """Similarity of two labels after normalisation, between 0 and 1 (difflib ratio).

    >>> label_similarity("Caisse des Dépôts", "Caisse des dépôts")
    Decimal('1.00')
    >>> label_similarity("MEDEF", "Medef")
    Decimal('1.00')
    >>> label_similarity("Caisse des Dépôts", "Caisse des dépôts et consignations") < 1
    True
    """
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return Decimal("0.00")
    if na == nb:
        return Decimal("1.00")
    ratio = difflib.SequenceMatcher(None, na, nb).ratio()
    return Decimal(str(ratio)).quantize(Decimal("0.01"))


def label_variants(label: str) -> list[str]:
    """Exact spellings to look up remotely: as written, without quotes, without a leading article,
    in sentence case, lower case and (for short labels) upper case.

    >>> label_variants("Le RAMEAU")[:4]
    ['Le RAMEAU', 'Le rameau', 'le rameau', 'Le Rameau']
    >>> "RAMEAU" in label_variants("Le RAMEAU")
    True
    >>> "Caisse des dépôts" in label_variants("Caisse des Dépôts")
    True
    """
    base = unicodedata.normalize("NFC", label).strip()
    forms = [base, base.replace("’", "'"), re.sub(r"\s*[«»“”\"]\s*", " ", base).strip()]
    forms = [re.sub(r"\s+", " ", f) for f in forms]
    stripped = []
    for form in forms:
        match = re.match(r"^(?:le|la|les|the)\s+|^l['’]\s*", form, re.IGNORECASE)
        if match:
            stripped.append(form[match.end() :])
    forms += stripped
    variants: list[str] = []
    for form in forms:
        for variant in (form, form[:1].upper() + form[1:].lower(), form.lower(), form.title(), form.upper() if len(form) <= 12 else form):
            if variant and variant not in variants:
                variants.append(variant)
    return variants


# ------------------------------------------------------------------ model


@dataclass
class Entity:
    """A Relais resource to link: its labels and the identifiers the graph gives for it."""

    iri: str
    kind: str
    labels: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    identifiers: dict[str, str] = field(default_factory=dict)  # siren, insee_region, ...
    linked: set[str] = field(default_factory=set)  # IRIs it is already owl:sameAs
    from_reference: bool = False  # matched to its INSEE IRI by the published reference (skos:exactMatch)

    @property
    def label(self) -> str:
        for lang in ("fr", "en", ""):
            for text, tag in self.labels:
                if tag == lang:
                    return text
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class Candidate:
    """A resource of the remote graph, with what the endpoint said about it."""

    iri: str
    labels: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    identifiers: dict[str, str] = field(default_factory=dict)
    found_by: set[str] = field(default_factory=set)

    def best(self, values: list[tuple[str, str]]) -> str:
        for lang in ("fr", "en", "mul", ""):
            for text, tag in values:
                if tag == lang:
                    return text
        return values[0][0] if values else ""


@dataclass
class ReviewRow:
    """One line of the review CSV."""

    relais_iri: str
    relais_label: str
    candidate_iri: str
    candidate_label: str
    candidate_description: str
    score: Decimal
    evidence: str
    status: str
    decided_by: str
    predicate: str
    method: str
    endpoint: str
    retrieved: str

    def as_dict(self) -> dict[str, str]:
        return {
            "relais_iri": self.relais_iri,
            "relais_label": self.relais_label,
            "candidate_iri": self.candidate_iri,
            "candidate_label": self.candidate_label,
            "candidate_description": self.candidate_description,
            "score": f"{self.score:.2f}",
            "evidence": self.evidence,
            "status": self.status,
            "decided_by": self.decided_by,
            "predicate": self.predicate,
            "method": self.method,
            "endpoint": self.endpoint,
            "retrieved": self.retrieved,
        }


# ------------------------------------------------------------------ Relais side

ENTITY_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX relais: <https://w3id.org/relais/ontology#>
SELECT DISTINCT ?e ?label ?siren ?same ?reference WHERE {
  ?e a ?type . ?type rdfs:subClassOf* <%(cls)s> .
  FILTER(isIRI(?e))
  FILTER NOT EXISTS { GRAPH <%(illustrative)s> { ?e ?anyp ?anyo } }
  OPTIONAL { ?e rdfs:label|skos:prefLabel|skos:altLabel|dcterms:alternative ?label }
  OPTIONAL { ?e relais:siren ?siren }
  OPTIONAL { ?e owl:sameAs ?same FILTER(isIRI(?same)) }
  OPTIONAL { ?e skos:exactMatch ?reference FILTER(STRSTARTS(STR(?reference), "http://id.insee.fr/")) }
}
"""


def insee_identifier(iri: str) -> tuple[str, str] | None:
    """The INSEE code a geographic IRI carries, as (kind, code).

    >>> insee_identifier("http://id.insee.fr/geo/departement/75")
    ('insee_departement', '75')
    >>> insee_identifier("http://www.wikidata.org/entity/Q90") is None
    True
    """
    match = re.match(r"^http://id\.insee\.fr/geo/(region|departement|commune)/([0-9AB]{2,5})$", iri)
    return (f"insee_{match.group(1)}", match.group(2)) if match else None


def relais_entities(graph: GraphStore, kind: str) -> list[Entity]:
    """The resources of ``kind`` in the graph (illustrative ones excluded), with labels and identifiers."""
    cls = KIND_CLASSES[kind]
    entities: dict[str, Entity] = {}
    for row in graph.query(ENTITY_QUERY % {"cls": cls, "illustrative": ILLUSTRATIVE_GRAPH}):  # type: ignore[union-attr]
        iri = row["e"].value
        entity = entities.setdefault(iri, Entity(iri, kind))
        label = row["label"]
        if label is not None:
            pair = (label.value, label.language or "")
            if pair not in entity.labels:
                entity.labels.append(pair)
        if row["siren"] is not None:
            entity.identifiers["siren"] = re.sub(r"\s+", "", row["siren"].value)
        if row["reference"] is not None:
            entity.from_reference = True
        if row["same"] is not None:
            entity.linked.add(row["same"].value)
            ident = insee_identifier(row["same"].value)
            if ident:
                entity.identifiers[ident[0]] = ident[1]
    return sorted(entities.values(), key=lambda e: (normalise(e.label), e.iri))


# ------------------------------------------------------------------ remote side


class SparqlClient:
    """SELECT queries against a remote endpoint with SPARQLWrapper: POST, timeout, retries with backoff."""

    def __init__(
        self, endpoint: str, *, timeout: float = 30.0, retries: int = 3, backoff: float = 1.0, user_agent: str = USER_AGENT
    ) -> None:
        if not re.match(r"^https?://", endpoint):
            raise LinkerError(f"--endpoint {endpoint!r}: give the http(s) address of a SPARQL endpoint")
        self.endpoint = endpoint
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.user_agent = user_agent
        self.requests = 0

    def select(self, query: str) -> list[dict[str, dict[str, str]]]:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, EndPointNotFound, QueryBadFormed, Unauthorized

        wrapper = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        wrapper.setMethod(POST)
        wrapper.setReturnFormat(JSON)
        wrapper.setTimeout(max(1, int(self.timeout)))
        wrapper.setQuery(query)
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                log.info("retrying %s in %.1f s (%s)", self.endpoint, delay, last)
                time.sleep(delay)
            self.requests += 1
            log.debug("query to %s:\n%s", self.endpoint, query)
            try:
                result: Any = wrapper.queryAndConvert()
                return list(result["results"]["bindings"])
            except QueryBadFormed as exc:
                raise LinkerError(f"{self.endpoint} rejected the linker's query as malformed: {_short(exc)}") from None
            except (EndPointNotFound, Unauthorized) as exc:
                raise LinkerError(f"{self.endpoint}: {type(exc).__name__}; check --endpoint") from None
            except EndPointInternalError as exc:
                last = f"server error: {_short(exc)}"
            except urllib.error.HTTPError as exc:
                if exc.code not in (429, 502, 503, 504):
                    raise LinkerError(f"{self.endpoint} answered HTTP {exc.code}; check --endpoint") from None
                last = f"HTTP {exc.code}"
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                if retry_after and retry_after.isascii() and retry_after.isdigit():  # int() refuses "²"
                    time.sleep(min(int(retry_after), 60))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last = f"{getattr(exc, 'reason', exc)}"
            except (ValueError, KeyError) as exc:
                raise LinkerError(f"{self.endpoint} did not answer with SPARQL JSON results: {_short(exc)}") from None
        raise LinkerError(f"{self.endpoint}: no answer after {self.retries + 1} attempts ({last})")


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _literal(text: str, lang: str = "") -> str:
    """A literal in N-Triples / SPARQL syntax, escaped by pyoxigraph (the one escaper of the project)."""
    return str(Literal(text, language=lang or None))


def _iri(value: str) -> str:
    if re.search(r"[\s<>\"{}|^`\\]", value):
        raise LinkerError(f"{value!r} is not a valid IRI")
    return f"<{value}>"


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def _binding(row: dict[str, dict[str, str]], name: str) -> tuple[str, str] | None:
    cell = row.get(name)
    if not cell:
        return None
    return cell["value"], cell.get("xml:lang", "")


@dataclass(frozen=True)
class Profile:
    """How one remote graph names labels, descriptions, types and identifiers."""

    name: str
    label_properties: tuple[str, ...]
    alias_properties: tuple[str, ...]
    description_properties: tuple[str, ...]
    type_property: str
    identifier_properties: dict[str, str]  # Relais identifier kind -> property IRI
    label_langs: tuple[str, ...]
    # Relais identifier kind -> class the candidate must have (INSEE reuses one code property for
    # every level, and code "11" is both a région and a département).
    identifier_classes: dict[str, str] = field(default_factory=dict)


WIKIDATA = Profile(
    name="wikidata",
    label_properties=(RDFS + "label",),
    alias_properties=(SKOS + "altLabel",),
    description_properties=("http://schema.org/description",),
    type_property=WDT + "P31",
    identifier_properties={k: WDT + p for k, p in WIKIDATA_IDS.items()},
    label_langs=("fr", "en", "mul"),
)

INSEE = Profile(
    name="insee",
    label_properties=(IGEO + "nom", RDFS + "label"),
    alias_properties=(IGEO + "nomSansArticle",),
    description_properties=(),
    type_property=RDF + "type",
    identifier_properties={f"insee_{level}": IGEO + "codeINSEE" for level in INSEE_LEVELS},
    label_langs=("fr", ""),
    identifier_classes={f"insee_{level}": IGEO + cls for level, cls in INSEE_LEVELS.items()},
)

PROFILES = {"wikidata": WIKIDATA, "insee": INSEE}
DEFAULT_ENDPOINTS = {"wikidata": WIKIDATA_ENDPOINT, "insee": INSEE_ENDPOINT}
TARGET_KINDS = {"wikidata": ("organisation", "person", "territory"), "insee": ("territory",)}


class RemoteGraph:
    """Candidate look-ups on one remote endpoint, in batches."""

    def __init__(self, profile: Profile, client: SparqlClient, batch_size: int = 20) -> None:
        self.profile = profile
        self.client = client
        self.batch_size = batch_size

    def find_by_labels(self, entities: Sequence[Entity]) -> dict[str, dict[str, Candidate]]:
        """Candidates whose label or alias is exactly a variant of an entity's label, per entity IRI."""
        found: dict[str, dict[str, Candidate]] = {e.iri: {} for e in entities}
        props = " ".join(_iri(p) for p in self.profile.label_properties + self.profile.alias_properties)
        for batch in _chunks(list(entities), self.batch_size):
            values: list[str] = []
            for index, entity in enumerate(batch):
                for text, _lang in entity.labels:
                    for variant in label_variants(text):
                        for lang in self.profile.label_langs:
                            values.append(f'("{index}" {_literal(variant, lang)})')
            if not values:
                continue
            query = (
                "SELECT DISTINCT ?key ?item ?text WHERE {\n"
                f"  VALUES (?key ?text) {{ {' '.join(dict.fromkeys(values))} }}\n"
                f"  VALUES ?p {{ {props} }}\n"
                "  ?item ?p ?text .\n  FILTER(isIRI(?item))\n}"
            )
            for row in self.client.select(query):
                key, item, text = _binding(row, "key"), _binding(row, "item"), _binding(row, "text")
                if not (key and item and text):
                    continue
                entity = batch[int(key[0])]
                candidate = found[entity.iri].setdefault(item[0], Candidate(item[0]))
                candidate.found_by.add(f"label {_literal(text[0], text[1])}")
        return found

    def find_by_identifiers(self, entities: Sequence[Entity]) -> dict[str, dict[str, Candidate]]:
        """Candidates that carry one of an entity's identifiers (SIREN, INSEE code)."""
        found: dict[str, dict[str, Candidate]] = {e.iri: {} for e in entities}
        with_ids = [e for e in entities if any(k in self.profile.identifier_properties for k in e.identifiers)]
        for batch in _chunks(with_ids, self.batch_size):
            values = []
            classes = self.profile.identifier_classes
            for index, entity in enumerate(batch):
                for kind, code in entity.identifiers.items():
                    prop = self.profile.identifier_properties.get(kind)
                    if prop:
                        cls = f" {_iri(classes[kind])}" if classes else ""
                        values.append(f'("{index}" {_iri(prop)} {_literal(code)} "{kind}"{cls})')
            typed = " ?cls" if classes else ""
            query = (
                "SELECT DISTINCT ?key ?item ?kind WHERE {\n"
                f"  VALUES (?key ?p ?code ?kind{typed}) {{ {' '.join(values)} }}\n"
                "  ?item ?p ?code .\n" + ("  ?item a ?cls .\n" if classes else "") + "  FILTER(isIRI(?item))\n}"
            )
            for row in self.client.select(query):
                key, item, kind = _binding(row, "key"), _binding(row, "item"), _binding(row, "kind")
                if not (key and item and kind):
                    continue
                entity = batch[int(key[0])]
                candidate = found[entity.iri].setdefault(item[0], Candidate(item[0]))
                candidate.found_by.add(f"{kind[0]} {entity.identifiers[kind[0]]}")
        return found

    def describe(self, candidates: Iterable[Candidate]) -> None:
        """Fill in labels, aliases, descriptions, types and identifiers of the candidates."""
        by_iri = {c.iri: c for c in candidates}
        props = {p: "label" for p in self.profile.label_properties}
        props.update({p: "alias" for p in self.profile.alias_properties})
        props.update({p: "description" for p in self.profile.description_properties})
        props[self.profile.type_property] = "type"
        ident_props: dict[str, str] = {}
        for kind, prop in self.profile.identifier_properties.items():
            ident_props.setdefault(prop, kind)
        for prop in ident_props:
            props.setdefault(prop, "identifier")
        prop_values = " ".join(_iri(p) for p in props)
        langs = ", ".join(_literal(lang) for lang in self.profile.label_langs if lang)
        for batch in _chunks(sorted(by_iri), self.batch_size * 2):
            query = (
                "SELECT ?item ?p ?v WHERE {\n"
                f"  VALUES ?item {{ {' '.join(_iri(i) for i in batch)} }}\n"
                f"  VALUES ?p {{ {prop_values} }}\n"
                "  ?item ?p ?v .\n"
                f'  FILTER(!isLiteral(?v) || LANG(?v) = "" || LANG(?v) IN ({langs}))\n}}'
            )
            for row in self.client.select(query):
                item, pred, value = _binding(row, "item"), _binding(row, "p"), _binding(row, "v")
                if not (item and pred and value) or item[0] not in by_iri:
                    continue
                candidate = by_iri[item[0]]
                role = props.get(pred[0])
                pair = (value[0], value[1])
                if role == "label" and pair not in candidate.labels:
                    candidate.labels.append(pair)
                elif role == "alias" and pair not in candidate.aliases:
                    candidate.aliases.append(pair)
                elif role == "description" and pair not in candidate.descriptions:
                    candidate.descriptions.append(pair)
                elif role == "type":
                    candidate.types.add(value[0])
                if pred[0] in ident_props:
                    candidate.identifiers[ident_props[pred[0]]] = value[0]
        if self.profile.identifier_classes:
            # One code property for every level: the candidate's class says which code it is.
            for candidate in by_iri.values():
                codes = set(candidate.identifiers.values())
                kinds = [k for k, cls in self.profile.identifier_classes.items() if cls in candidate.types]
                candidate.identifiers = {k: c for k in kinds for c in codes}

    def type_roots(self, kind: str, candidates: Iterable[Candidate]) -> dict[str, set[str]]:
        """For each candidate type, the expected root classes it reaches (Wikidata: P31 then P279*)."""
        types = sorted({t for c in candidates for t in c.types})
        if not types or self.profile.name != "wikidata":
            return {}
        reached: dict[str, set[str]] = {}
        # Roots live in the candidates' own namespace (http://www.wikidata.org/entity/ on Wikidata).
        namespaces = sorted({t.rsplit("/", 1)[0] + "/" for t in types})
        roots = [ns + q for ns in namespaces for q in ROOT_NAMES]
        for batch in _chunks(types, self.batch_size * 2):
            query = (
                "SELECT DISTINCT ?type ?root WHERE {\n"
                f"  VALUES ?type {{ {' '.join(_iri(t) for t in batch)} }}\n"
                f"  VALUES ?root {{ {' '.join(_iri(r) for r in roots)} }}\n"
                f"  ?type {_iri(WDT + 'P279')}* ?root .\n}}"
            )
            for row in self.client.select(query):
                t, root = _binding(row, "type"), _binding(row, "root")
                if t and root:
                    reached.setdefault(t[0], set()).add(root[0].rsplit("/", 1)[-1])
        return reached


# ------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Assessment:
    score: Decimal
    method: str
    evidence: str


def assess(entity: Entity, candidate: Candidate, type_state: tuple[str, str]) -> Assessment:
    """Combine label similarity, type agreement and identifier agreement into one score.

    >>> e = Entity("https://w3id.org/relais/id/organisation/x", "organisation", [("Le RAMEAU", "fr")])
    >>> c = Candidate("http://stand-in.test/Q1", labels=[("Le Rameau", "fr")])
    >>> a = assess(e, c, ("agrees", "organization"))
    >>> a.score, a.method
    (Decimal('1.00'), 'label-match')
    >>> assess(e, c, ("disagrees", "no organization type")).score
    Decimal('0.70')
    """
    best = (Decimal("0"), "", "")
    for text, lang in entity.labels:
        for ctext, clang in candidate.labels + candidate.aliases:
            sim = label_similarity(text, ctext)
            if sim > best[0]:
                best = (sim, _literal(text, lang), _literal(ctext, clang))
    label_sim = best[0]
    state, type_note = type_state
    score = LABEL_WEIGHT * label_sim + TYPE_POINTS[state]
    method = "label-match"
    parts = []
    if best[1]:
        parts.append(f"label {best[1]} ~ {best[2]}: {label_sim:.2f}")
    else:
        parts.append("no label to compare")
    parts.append(f"type {state}: {type_note}")
    shared = [k for k in entity.identifiers if k in candidate.identifiers]
    agree = [k for k in shared if _same_code(entity.identifiers[k], candidate.identifiers[k])]
    conflict = [k for k in shared if k not in agree]
    if agree:
        score = max(score, Decimal("0.9") + Decimal("0.1") * label_sim)
        method = "identifier-match"
        parts.append("identifier agrees: " + ", ".join(f"{k} {entity.identifiers[k]}" for k in agree))
    if conflict:
        score = score * Decimal("0.5")
        parts.append("identifier DIFFERS: " + ", ".join(f"{k} {entity.identifiers[k]} vs {candidate.identifiers[k]}" for k in conflict))
    if not shared:
        parts.append("no identifier to compare")
    parts.append("found by " + "; ".join(sorted(candidate.found_by)) if candidate.found_by else "found by description")
    score = min(Decimal("1"), max(Decimal("0"), score)).quantize(Decimal("0.01"))
    return Assessment(score, method, "; ".join(parts))


def _same_code(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a).upper() == re.sub(r"\s+", "", b).upper()


def _type_state(kind: str, candidate: Candidate, profile: Profile, reached: dict[str, set[str]]) -> tuple[str, str]:
    if profile.name == "insee":
        levels = [cls for cls in INSEE_LEVELS.values() if IGEO + cls in candidate.types]
        if kind == "territory" and levels:
            return "agrees", "INSEE " + ", ".join(levels)
        return ("unknown", "no INSEE territory type") if not candidate.types else ("disagrees", "not an INSEE territory")
    if not candidate.types:
        return "unknown", "no P31 given"
    root = WIKIDATA_ROOTS[kind]
    roots = set().union(*(reached.get(t, set()) for t in candidate.types))
    shown = ", ".join(sorted(t.rsplit("/", 1)[-1] for t in candidate.types))
    if root in roots:
        return "agrees", f"P31 {shown} is under {ROOT_NAMES[root]} ({root})"
    others = sorted(roots - {root})
    if others:
        return "disagrees", f"P31 {shown} is under {', '.join(ROOT_NAMES[o] for o in others)}, not {ROOT_NAMES[root]} ({root})"
    return "disagrees", f"P31 {shown} is not under {ROOT_NAMES[root]} ({root})"


def review_rows(
    entities: Sequence[Entity],
    candidates: dict[str, dict[str, Candidate]],
    profile: Profile,
    reached: dict[str, set[str]],
    *,
    endpoint: str,
    retrieved: str,
    min_score: Decimal = MIN_SCORE,
    margin: Decimal = AMBIGUITY_MARGIN,
    max_candidates: int = MAX_CANDIDATES,
) -> list[ReviewRow]:
    """Score each entity's candidates and mark the close calls ambiguous."""
    rows: list[ReviewRow] = []
    for entity in entities:
        scored = []
        for candidate in candidates.get(entity.iri, {}).values():
            if candidate.iri in entity.linked:
                continue  # already linked: nothing new to review
            assessment = assess(entity, candidate, _type_state(entity.kind, candidate, profile, reached))
            if assessment.score >= min_score:
                scored.append((assessment, candidate))
        scored.sort(key=lambda pair: (-pair[0].score, pair[1].iri))
        scored = scored[:max_candidates]
        close = [c.iri for a, c in scored if scored[0][0].score - a.score <= margin] if scored else []
        ambiguous = len(close) > 1
        for assessment, candidate in scored:
            is_close = ambiguous and candidate.iri in close
            evidence = assessment.evidence
            if is_close:
                others = ", ".join(i for i in close if i != candidate.iri)
                evidence += f"; AMBIGUOUS: within {margin} of {others}: accept one and reject the others"
            rows.append(
                ReviewRow(
                    relais_iri=entity.iri,
                    relais_label=entity.label,
                    candidate_iri=candidate.iri,
                    candidate_label=candidate.best(candidate.labels) or candidate.best(candidate.aliases),
                    candidate_description=candidate.best(candidate.descriptions),
                    score=assessment.score,
                    evidence=evidence,
                    status="ambiguous" if is_close else "proposed",
                    decided_by="",
                    predicate="owl:sameAs",
                    method=assessment.method,
                    endpoint=endpoint,
                    retrieved=retrieved,
                )
            )
    return rows


@dataclass(frozen=True)
class FindResult:
    entities: int
    rows: list[ReviewRow]
    requests: int

    @property
    def ambiguous(self) -> int:
        return len({r.relais_iri for r in self.rows if r.status == "ambiguous"})

    @property
    def with_candidates(self) -> int:
        return len({r.relais_iri for r in self.rows})


def find_links(
    graph: GraphStore,
    target: str,
    kind: str,
    output: Path,
    *,
    endpoint: str | None = None,
    batch_size: int = 20,
    timeout: float = 30.0,
    retries: int = 3,
    user_agent: str = USER_AGENT,
    today: dt.date | None = None,
) -> FindResult:
    """Query ``target`` for candidates for every ``kind`` resource of the graph; write the review CSV."""
    if target not in PROFILES:
        raise LinkerError(f"unknown link target {target!r}; use one of {', '.join(PROFILES)}")
    if kind not in TARGET_KINDS[target]:
        raise LinkerError(f"--kind {kind} cannot be linked to {target}; use one of {', '.join(TARGET_KINDS[target])}")
    endpoint = endpoint or DEFAULT_ENDPOINTS[target]
    profile = PROFILES[target]
    client = SparqlClient(endpoint, timeout=timeout, retries=retries, user_agent=user_agent)
    remote = RemoteGraph(profile, client, batch_size)
    entities = relais_entities(graph, kind)
    if target == "insee":
        # A territory of the reference (graph territories) carries its INSEE IRI already: nothing to find.
        entities = [e for e in entities if not e.from_reference]
    log.info("%d %s resources to link to %s", len(entities), kind, endpoint)
    candidates: dict[str, dict[str, Candidate]] = {e.iri: {} for e in entities}
    if entities:
        for found in (remote.find_by_labels(entities), remote.find_by_identifiers(entities)):
            for iri, by_candidate in found.items():
                for c_iri, candidate in by_candidate.items():
                    merged = candidates[iri].setdefault(c_iri, Candidate(c_iri))
                    merged.found_by |= candidate.found_by
        everyone = {c.iri: c for per in candidates.values() for c in per.values()}
        remote.describe(everyone.values())
        for per in candidates.values():
            for c_iri, candidate in per.items():
                described = everyone[c_iri]
                found_by = candidate.found_by
                per[c_iri] = Candidate(
                    c_iri, described.labels, described.aliases, described.descriptions, described.types, described.identifiers, found_by
                )
        reached = remote.type_roots(kind, everyone.values())
    else:
        reached = {}
    day = (today or dt.date.today()).isoformat()
    rows = review_rows(entities, candidates, profile, reached, endpoint=endpoint, retrieved=day)
    write_review(output, rows)
    return FindResult(len(entities), rows, client.requests)


def write_review(path: Path, rows: Sequence[ReviewRow]) -> None:
    """Write the review CSV (UTF-8, one header line), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(REVIEW_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow(row.as_dict())
    tmp.replace(path)


# ------------------------------------------------------------------ accept


@dataclass(frozen=True)
class Link:
    """An accepted link and its provenance, ready to be written as Turtle."""

    subject: str
    predicate: str  # full IRI
    object: str
    method: str
    score: Decimal
    endpoint: str
    found_on: str
    accepted_on: str
    accepted_by: str
    evidence: str
    line: int

    @property
    def slug(self) -> str:
        return link_slug(self.subject, self.predicate, self.object)

    @property
    def statement_iri(self) -> str:
        return LINK_BASE + self.slug


def _slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def link_slug(subject: str, predicate: str, obj: str) -> str:
    """A readable, stable slug for a link statement.

    >>> link_slug("https://w3id.org/relais/id/organisation/le-rameau", "http://www.w3.org/2002/07/owl#sameAs", "http://www.wikidata.org/entity/Q42")
    'organisation-le-rameau-same-as-wikidata-q42'
    >>> link_slug("https://w3id.org/relais/id/territory/paris", "http://www.w3.org/2002/07/owl#sameAs", "http://id.insee.fr/geo/departement/75")
    'territory-paris-same-as-insee-departement-75'
    """
    subject_part = subject.split("/id/", 1)[1] if "/id/" in subject else urlsplit(subject).path
    predicate_word = re.sub(r"(?<!^)(?=[A-Z])", "-", re.split(r"[#/]", predicate)[-1])
    parts = urlsplit(obj)
    host = [h for h in parts.netloc.split(".") if h not in ("www", "id", "rdf", "query", "data")]
    path = [p for p in parts.path.split("/") if p and p not in ("entity", "geo", "resource", "wiki")]
    return _slugify("-".join([subject_part, predicate_word, host[0] if host else "", *path]))


def read_review(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a review CSV with their line numbers; a missing column is an error."""
    if not path.is_file():
        raise LinkerError(f"{path}: no such review file")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        # A spreadsheet in a French locale saves ';'-separated CSV: take the header's separator.
        header = handle.readline()
        handle.seek(0)
        delimiter = max(",;\t", key=header.count)
        reader = csv.DictReader(handle, delimiter=delimiter)
        missing = [c for c in ("relais_iri", "candidate_iri", "score", "status", "decided_by") if c not in (reader.fieldnames or [])]
        if missing:
            raise LinkerError(f"{path}: not a review file: missing column(s) {', '.join(missing)}")
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]


def plan_links(path: Path, rows: list[tuple[int, dict[str, str]]], accepted_by: str | None, today: dt.date) -> list[Link]:
    """The links the accepted rows ask for; every refusal is collected and reported together."""
    problems: list[str] = []
    by_resource: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        status = row.get("status", "").lower()
        if status not in STATUSES:
            problems.append(f"line {line}: status {row.get('status')!r} is not one of {', '.join(STATUSES)}")
            continue
        row["status"] = status
        by_resource.setdefault(row.get("relais_iri", ""), []).append((line, row))
    links: list[Link] = []
    for resource, group in by_resource.items():
        accepted = [(line, row) for line, row in group if row["status"] == "accepted"]
        if not accepted:
            continue
        undecided = [line for line, row in group if row["status"] == "ambiguous"]
        if undecided:
            problems.append(
                f"line {accepted[0][0]}: {resource} still has ambiguous candidates (line {', '.join(map(str, undecided))}); "
                "an ambiguous candidate is never accepted as is: set each of them to accepted or rejected"
            )
            continue
        same_as = [line for line, row in accepted if row.get("predicate", "owl:sameAs") in ("", "owl:sameAs")]
        if len(same_as) > 1:
            problems.append(
                f"lines {', '.join(map(str, same_as))}: two candidates accepted as owl:sameAs for {resource}; keep one, or use skos:closeMatch"
            )
            continue
        for line, row in accepted:
            link, problem = _link_from_row(line, row, accepted_by, today)
            if problem:
                problems.append(problem)
            elif link:
                links.append(link)
    if problems:
        raise ReviewRefused(path, problems)
    return links


def _link_from_row(line: int, row: dict[str, str], accepted_by: str | None, today: dt.date) -> tuple[Link | None, str | None]:
    subject, obj = row.get("relais_iri", ""), row.get("candidate_iri", "")
    for name, value in (("relais_iri", subject), ("candidate_iri", obj)):
        if not re.match(r"^https?://[^\s<>\"{}|^`\\]+$", value):
            return None, f"line {line}: {name} {value!r} is not an http(s) IRI"
    if not subject.startswith("https://w3id.org/relais/id/"):
        return None, f"line {line}: relais_iri {subject} is not a Relais resource (https://w3id.org/relais/id/...)"
    predicate_name = row.get("predicate") or "owl:sameAs"
    predicate = LINK_PREDICATES.get(predicate_name)
    if predicate is None:
        return None, f"line {line}: predicate {predicate_name!r} is not one of {', '.join(LINK_PREDICATES)}"
    try:
        score = Decimal(row.get("score", "").replace(",", "."))  # a French spreadsheet writes 0,95
    except InvalidOperation:
        return None, f"line {line}: score {row.get('score')!r} is not a number between 0 and 1"
    if not Decimal("0") <= score <= Decimal("1"):
        return None, f"line {line}: score {score} is not between 0 and 1"
    method = row.get("method") or "label-match"
    if method not in METHODS:
        return None, f"line {line}: method {method!r} is not one of {', '.join(METHODS)}"
    endpoint = row.get("endpoint", "")
    if endpoint and not re.match(r"^https?://[^\s<>\"{}|^`\\]+$", endpoint):
        return None, f"line {line}: endpoint {endpoint!r} is not an http(s) address"
    found_on = row.get("retrieved") or today.isoformat()
    try:
        dt.date.fromisoformat(found_on)
    except ValueError:
        return None, f"line {line}: retrieved {found_on!r} is not a date YYYY-MM-DD"
    who = row.get("decided_by") or (accepted_by or "")
    if not who:
        return None, f"line {line}: who accepted this link? fill decided_by, or pass --by NAME"
    link = Link(subject, predicate, obj, method, score, endpoint, found_on, today.isoformat(), who, row.get("evidence", ""), line)
    return link, None


def _turtle_block(link: Link, review_name: str) -> str:
    predicate = next(name for name, iri in LINK_PREDICATES.items() if iri == link.predicate)
    lines = [
        f"# accepted on {link.accepted_on} by {link.accepted_by.replace(chr(10), ' ')}, from {review_name} line {link.line}",
        f"{_iri(link.subject)} {predicate} {_iri(link.object)} .",
        "",
        f"{_iri(link.statement_iri)} a rdf:Statement , relais:LinkStatement ;",
        f"    rdf:subject {_iri(link.subject)} ;",
        f"    rdf:predicate {predicate} ;",
        f"    rdf:object {_iri(link.object)} ;",
        f"    relais:linkMethod {_literal(link.method)} ;",
        f'    relais:linkScore "{link.score:.2f}"^^xsd:decimal ;',
    ]
    if link.endpoint:
        lines.append(f"    relais:linkEndpoint {_iri(link.endpoint)} ;")
    lines += [
        f'    dcterms:date "{link.found_on}"^^xsd:date ;',
        f'    dcterms:dateAccepted "{link.accepted_on}"^^xsd:date ;',
        f"    relais:acceptedBy {_literal(link.accepted_by)} ;",
    ]
    if link.evidence:
        lines.append(f"    relais:linkEvidence {_literal(link.evidence)} ;")
    # The confirming address of a match is the candidate's own record in the other graph.
    lines.append(f"    dcterms:source {_iri(link.object)} .")
    return "\n".join(lines) + "\n"


LINKS_HEADER = """# Graph <https://w3id.org/relais/graph/links>: links to other open graphs, each with a
# relais:LinkStatement carrying its provenance (ontology/links-terms.ttl, shapes/links-shapes.ttl).
"""


@dataclass(frozen=True)
class AcceptResult:
    added: list[Link]
    already_there: int
    output: Path


def accept_review(
    review: Path,
    output: Path,
    *,
    accepted_by: str | None = None,
    shapes_dir: Path,
    ontology_dir: Path,
    today: dt.date | None = None,
) -> AcceptResult:
    """Append the accepted rows of ``review`` to ``output`` as links with provenance.

    Nothing is written if a row is refused or the result does not conform to shapes/; links
    already in ``output`` are skipped, so accepting the same file twice adds nothing.
    """
    import rdflib

    from relais.graph.shacl import read_union, shapes_graph, validate_graph

    day = today or dt.date.today()
    links = plan_links(review, read_review(review), accepted_by, day)
    existing = rdflib.Graph()
    text = ""
    if output.is_file():
        text = output.read_text(encoding="utf-8")
        try:
            existing.parse(data=text, format="turtle")
        except Exception as exc:  # rdflib raises parser-specific types
            raise LinkerError(f"{output}: cannot parse the existing links: {_short(exc)}") from None
    new: list[Link] = []
    seen: set[tuple[str, str, str]] = set()
    already = 0
    for link in links:
        triple = (link.subject, link.predicate, link.object)
        if (rdflib.URIRef(link.subject), rdflib.URIRef(link.predicate), rdflib.URIRef(link.object)) in existing or triple in seen:
            already += 1
            continue
        if (rdflib.URIRef(link.statement_iri), None, None) in existing:
            already += 1
            continue
        seen.add(triple)
        new.append(link)
    if not new:
        return AcceptResult([], already, output)
    header = ""
    if not text:
        header = LINKS_HEADER
    needed = ("rdf", "relais", "owl", "skos", "dcterms", "xsd")
    declared = set(re.findall(r"@prefix\s+([A-Za-z][\w-]*)?:", text))
    prefix_lines = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in needed if p not in declared)
    block = header + prefix_lines + "\n" + "\n".join(_turtle_block(link, review.name) for link in new)
    combined = (text.rstrip("\n") + "\n\n" if text else "") + block
    # Validate the links file as it would be, with the ontology, before writing anything.
    candidate = rdflib.Graph()
    try:
        candidate.parse(data=combined, format="turtle")
    except Exception as exc:  # a bug in the Turtle writer must not reach the file
        raise LinkerError(f"internal error: the links to write do not parse: {_short(exc)}") from None
    data = read_union(sorted(ontology_dir.glob("*.ttl")))
    for t in candidate:
        data.add(t)
    report = validate_graph(data, shapes_graph(shapes_dir))
    if not report.conforms:
        raise ShapeViolation("the accepted links do not conform to shapes/; nothing written (report above)", report.text)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    tmp.write_text(combined, encoding="utf-8")
    tmp.replace(output)
    return AcceptResult(new, already, output)
