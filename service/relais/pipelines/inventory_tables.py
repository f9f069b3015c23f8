"""The reconstructed inventory: the tables of data/sources/inventory/ (one folder per family of sources) to RDF.

Each folder holds five tables (format: data/sources/inventory/README.md): records, the pages that
state them (with a French excerpt), typed figures, organisations and coverage links. This module
checks every row (``FILE:LINE: reason`` for each problem) and builds three graphs:

- ``inventory``: the records, their organisations, figures and coverage links;
- ``inventory-provenance``: one citation per passage (record, page, excerpt): the address, the kind
  of page, the excerpt, what it supports, its derivation mode (``stated``: the excerpt says it) and
  the named graph of the triples it supports (``relais:inGraph``, graph ``inventory``);
- ``territories``: the regions and départements of the Code officiel géographique (from
  data/sources/reference/territories.csv), each matched to its INSEE geo IRI, plus France.

What a source states is kept apart from what Relais reads into it: English labels are marked as
Relais' translations (``relais:translatedLabelLanguage "en"``), volets and ``read`` coverage links are
Relais' readings (``relais:derivation``), and the reconstruction is its own dataset, never the
initiative's database.

Over 400 lines: one checker per table (records, sources, figures, organisations, coverage), each with its error messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from relais.vocab import GRAPH_BASE, ID_BASE, ONTOLOGY_NS

RELAIS = rdflib.Namespace(ONTOLOGY_NS)
ID = rdflib.Namespace(ID_BASE)
RECONSTRUCTION = ID["dataset/inventaire-reconstitue"]
INSEE_GEO = "http://id.insee.fr/geo/"
# The published reference the territory codes and names come from (Etalab's data of the COG 2021).
TERRITORY_REFERENCE = URIRef("https://www.npmjs.com/package/@etalab/decoupage-administratif/v/1.1.1")
FRANCE = ID["territory/fr"]
INVENTORY_GRAPH = URIRef(GRAPH_BASE + "inventory")
STATED = ID["derivation/stated"]
READ = ID["derivation/read"]
# Hosts that only copy pages published elsewhere: a row citing one is a `mirror`, never the page of
# record (cite the original first when it can be found). Host (or parent domain) -> what it copies.
MIRROR_HOSTS = {
    "nosdeputes.fr": "Regards Citoyens' copy of the Assemblée nationale's debates (assemblee-nationale.fr)",
    "nossenateurs.fr": "Regards Citoyens' copy of the Sénat's debates (senat.fr)",
    "123dok.net": "a document-sharing copy of others' files",
    "pukefugtribun.pages.dev": "an unattributed copy of a Banque des Territoires (Localtis) article",
    "hotnewsinworld.com": "a news scraper's copy of others' articles",
    "theworldnews.net": "a news scraper's copy of others' articles ('added by the user')",
    "ikeagenie.store": "an unattributed copy of a francetvinfo.fr page",
    "josephgkeys.s3.amazonaws.com": "an unattributed copy of a press article",
    "test.lmedia.fr": "a test copy of lmedia.fr",
    "testing.lemoniteur.fr": "a test copy of lemoniteur.fr",
    "pressreader.com": "a newsstand's copy of a printed paper",
    "rssing.com": "an RSS aggregator's copy of a blog",
    "newspress.fr": "a press-release relay's copy of a communiqué",
}

TABLES = {
    "records.csv": (
        "record_id record_kind label_fr label_en phase volet actor_types operated_by funded_by relayed_by reported_by "
        "territories announced opened closed legal_basis key_figures_fr notes_en"
    ).split(),
    "sources.csv": "record_id url source_kind excerpt_fr supports".split(),
    "figures.csv": "record_id measure value unit as_of url excerpt_fr".split(),
    "organisations.csv": "org_id label_fr label_en org_type territory url".split(),
    "coverage.csv": "programme_id need_id basis reading_en url excerpt_fr".split(),
}
ACTOR_TYPES = {
    "acteur-interet-general",
    "association",
    "association-employeuse",
    "association-non-employeuse",
    "entreprise",
    "tpe-pme",
    "collectivite",
    "ccas",
    "institution",
    "investisseur-societal",
    "citoyen",
}
VOLETS = {"urgence": {"U1", "U2", "U3"}, "relance": {"R1", "R2", "R3"}}
SOURCE_KINDS = {"official", "network", "press", "aggregator", "mirror"}
SUPPORTS = {"record", "dates", "amount", "territory", "operator", "target", "need"}
MEASURES = {"enveloppe", "montant-max", "montant-min", "beneficiaires", "montant-verse", "repondants", "part"}
# QUDT IRIs, as the article's findings use (unit/PERCENT).
UNIT_IRIS = {
    "EUR": URIRef("http://qudt.org/vocab/currency/EUR"),
    "count": URIRef("http://qudt.org/vocab/unit/NUM"),
    "percent": URIRef("http://qudt.org/vocab/unit/PERCENT"),
}
UNITS = set(UNIT_IRIS)
ORG_CLASSES = {
    "state": RELAIS.PublicBody,
    "public-body": RELAIS.PublicBody,
    "local-authority": RELAIS.LocalAuthority,
    "network": RELAIS.Network,
    "foundation": RELAIS.Foundation,
    "association": RELAIS.Association,
    "company": RELAIS.Enterprise,
    "bank": RELAIS.Enterprise,
}
# Column -> (property for a full date, property for a month).
DATE_COLUMNS = {
    "announced": (RELAIS.announcedDate, RELAIS.announcedMonth),
    "opened": (RELAIS.startDate, RELAIS.startMonth),
    "closed": (RELAIS.endDate, RELAIS.endMonth),
}
ORG_ROLES = {
    "operated_by": RELAIS.operatedBy,
    "funded_by": RELAIS.fundedBy,
    "relayed_by": RELAIS.relayedBy,
    "reported_by": RELAIS.reportedBy,
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?(?:/[^\s<>\"{}|\\^`]*)?$")
_TERRITORY = re.compile(r"^(?:FR|(region|departement):([0-9AB]{2,3}))$")
_LEGAL = re.compile(r"^(?P<text>[^<>]*?)\s*(?:<(?P<iri>[^<>\s]+)>)?$")
MAX_EXCERPT = 300


@dataclass(frozen=True)
class TableProblem:
    """One problem of one table: where it is and what to fix."""

    path: Path
    line: int
    reason: str

    def render(self) -> str:
        """``FILE:LINE: reason``.

        >>> TableProblem(Path("regional/records.csv"), 4, "unknown phase 'urgent'").render()
        "regional/records.csv:4: unknown phase 'urgent'"
        """
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class Territories:
    """The reference territories: kind -> code -> (name, region code)."""

    regions: dict[str, str] = field(default_factory=dict)
    departements: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Territories:
        found = cls()
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["kind"] == "region":
                    found.regions[row["code"]] = row["name_fr"]
                elif row["kind"] == "departement":
                    found.departements[row["code"]] = (row["name_fr"], row["region_code"])
        return found

    def iri(self, code: str) -> URIRef | None:
        """The territory resource for ``FR``, ``region:NN`` or ``departement:NN``; None if unknown."""
        if code == "FR":
            return FRANCE
        match = _TERRITORY.match(code)
        if not match:
            return None
        kind, number = match.groups()
        table = self.regions if kind == "region" else self.departements
        return ID[f"territory/{kind}-{number.lower()}"] if number in table else None

    def graph(self) -> rdflib.Graph:
        """France, every region and département, with its INSEE code and INSEE geo IRI."""
        g = rdflib.Graph()
        g.add((FRANCE, RDF.type, RELAIS.Territory))
        g.add((FRANCE, RDFS.label, Literal("France", lang="fr")))
        g.add((FRANCE, RDFS.label, Literal("France", lang="en")))
        for code, name in self.regions.items():
            self._add(g, "region", code, name, None)
        for code, (name, region) in self.departements.items():
            self._add(g, "departement", code, name, region)
        return g

    def _add(self, g: rdflib.Graph, kind: str, code: str, name: str, region: str | None) -> None:
        node = ID[f"territory/{kind}-{code.lower()}"]
        g.add((node, RDF.type, RELAIS.Territory))
        g.add((node, RDFS.label, Literal(name, lang="fr")))
        g.add((node, RELAIS.inseeCode, Literal(code)))
        g.add((node, RELAIS.territoryLevel, ID[f"territory-level/{kind}"]))
        g.add((node, SKOS.exactMatch, URIRef(f"{INSEE_GEO}{kind}/{code}")))
        g.add((node, DCTERMS.source, TERRITORY_REFERENCE))
        g.add((node, RELAIS.partOfTerritory, ID[f"territory/region-{region.lower()}"] if region else FRANCE))


@dataclass
class InventoryTables:
    """The three graphs built from the tables, and what they hold."""

    inventory: rdflib.Graph
    provenance: rdflib.Graph
    territories: rdflib.Graph
    records: dict[str, str]  # record_id -> "Need" | "Programme:urgence" ...
    problems: list[TableProblem]


def _rows(path: Path, expected: list[str], problems: list[TableProblem]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of one table as dictionaries, after checking its header."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            problems.append(TableProblem(path, 1, "empty file: expected a header line"))
            return
        header = [h.strip() for h in header]
        if header != expected:
            problems.append(TableProblem(path, 1, f"the header must be exactly: {','.join(expected)}"))
            return
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(expected):
                problems.append(TableProblem(path, line, f"{len(cells)} fields, the header has {len(expected)} (check quoting)"))
                continue
            yield line, {k: v.strip() for k, v in zip(expected, cells, strict=True)}


def mirror_of(url: str) -> str | None:
    """What the page's host copies, if it is a known mirror host; None otherwise.

    >>> mirror_of("https://2017-2022.nosdeputes.fr/15/intervention/1")
    "Regards Citoyens' copy of the Assemblée nationale's debates (assemblee-nationale.fr)"
    >>> mirror_of("https://www.assemblee-nationale.fr/") is None
    True
    """
    match = re.match(r"^https?://([^/:?#]+)", url)
    host = match[1].lower() if match else ""
    for known, what in MIRROR_HOSTS.items():
        if host == known or host.endswith("." + known):
            return what
    return None


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _date(value: str) -> tuple[bool, Literal] | None:
    """(full date?, typed literal) for YYYY-MM-DD or YYYY-MM; None if malformed."""
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = match.groups()
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return False, Literal(f"{year}-{month}", datatype=XSD.gYearMonth)
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return True, Literal(value, datatype=XSD.date)


class _Builder:
    """Accumulates the graphs and every problem found; one instance per import."""

    def __init__(self, territories: Territories, described: set[URIRef]) -> None:
        self.territories = territories
        self.described = described  # resources the shipped graph already labels (article, public)
        self.inventory = rdflib.Graph()
        self.provenance = rdflib.Graph()
        self.problems: list[TableProblem] = []
        self.records: dict[str, tuple[str, str, URIRef]] = {}  # id -> (kind, phase, iri)
        self.organisations: dict[str, tuple[str, str]] = {}  # id -> (label_fr, type)
        self.used_orgs: dict[str, tuple[Path, int]] = {}
        self.cited: set[str] = set()
        self.citations: dict[str, int] = {}
        self.figures: dict[str, int] = {}

    def problem(self, path: Path, line: int, reason: str) -> None:
        self.problems.append(TableProblem(path, line, reason))

    def url(self, path: Path, line: int, column: str, value: str) -> URIRef | None:
        if not _URL.match(value):
            self.problem(path, line, f"{column} {value!r} is not an http(s) address")
            return None
        return URIRef(value)

    def excerpt(self, path: Path, line: int, value: str) -> Literal | None:
        if not value:
            self.problem(path, line, "excerpt_fr is empty: copy the sentence of the page that states it")
            return None
        if len(value) > MAX_EXCERPT:
            self.problem(path, line, f"excerpt_fr has {len(value)} characters: keep one sentence of at most {MAX_EXCERPT}")
            return None
        return Literal(value, lang="fr")

    # -- organisations -------------------------------------------------------------------------
    def organisation(self, path: Path, line: int, row: dict[str, str]) -> None:
        org_id, label, kind = row["org_id"], row["label_fr"], row["org_type"]
        if not _SLUG.match(org_id):
            self.problem(path, line, f"org_id {org_id!r} must be a lower-case ASCII slug (letters, digits, hyphens)")
            return
        if kind not in ORG_CLASSES:
            self.problem(path, line, f"org_type {kind!r} is not one of {', '.join(sorted(ORG_CLASSES))}")
            return
        if not label or not row["label_en"]:
            self.problem(path, line, "label_fr and label_en are required")
            return
        known = self.organisations.get(org_id)
        if known and known != (label, kind):
            self.problem(
                path, line, f"org_id {org_id!r} is already {known[0]!r} ({known[1]}): use the same label_fr and org_type, or another id"
            )
            return
        node = ID[f"organisation/{org_id}"]
        source = self.url(path, line, "url", row["url"])
        if known:
            return
        self.organisations[org_id] = (label, kind)
        if node in self.described:
            return  # the same organisation as the article's or a public source's: one resource, its labels kept
        g = self.inventory
        g.add((node, RDF.type, ORG_CLASSES[kind]))
        g.add((node, RDFS.label, Literal(label, lang="fr")))
        g.add((node, RDFS.label, Literal(row["label_en"], lang="en")))
        g.add((node, RELAIS.translatedLabelLanguage, Literal("en")))
        g.add((node, RELAIS.organisationType, ID[f"organisation-type/{kind}"]))
        if source is not None:
            g.add((node, RDFS.seeAlso, source))
        if row["territory"]:
            territory = self.territories.iri(row["territory"])
            if territory is None:
                self.problem(path, line, f"territory {row['territory']!r} is not FR, region:NN or departement:NN of territories.csv")
            else:
                g.add((node, RELAIS.locatedIn, territory))

    # -- records -------------------------------------------------------------------------------
    def identify(self, path: Path, line: int, row: dict[str, str]) -> None:
        record_id, kind, phase = row["record_id"], row["record_kind"], row["phase"]
        if not _SLUG.match(record_id):
            self.problem(path, line, f"record_id {record_id!r} must be a lower-case ASCII slug (letters, digits, hyphens)")
            return
        if record_id in self.records:
            self.problem(path, line, f"record_id {record_id!r} is used twice: give each record its own id")
            return
        if kind not in ("Need", "Programme"):
            self.problem(path, line, f"record_kind {kind!r} must be Need or Programme")
            return
        if phase not in VOLETS:
            self.problem(path, line, f"phase {phase!r} must be urgence or relance")
            return
        self.records[record_id] = (kind, phase, ID[f"{kind.lower()}/{record_id}"])

    def record(self, path: Path, line: int, row: dict[str, str]) -> None:
        known = self.records.get(row["record_id"])
        if known is None:
            return
        kind, phase, node = known
        g = self.inventory
        g.add((node, RDF.type, RELAIS[kind]))
        g.add((node, RDF.type, RELAIS.InventoryRecord))
        g.add((node, DCTERMS.identifier, Literal(row["record_id"])))
        g.add((node, DCTERMS.isPartOf, RECONSTRUCTION))
        g.add((node, RELAIS.provenanceStatus, Literal("sourced")))
        if not row["label_fr"] or not row["label_en"]:
            self.problem(path, line, "label_fr and label_en are required")
        else:
            g.add((node, RDFS.label, Literal(row["label_fr"], lang="fr")))
            g.add((node, RDFS.label, Literal(row["label_en"], lang="en")))
            g.add((node, RELAIS.translatedLabelLanguage, Literal("en")))
        g.add((node, RELAIS.inPhase, ID[f"phase/{phase}"]))
        if row["volet"]:
            if row["volet"] not in VOLETS[phase]:
                self.problem(path, line, f"volet {row['volet']!r} is not a volet of phase {phase} ({', '.join(sorted(VOLETS[phase]))})")
            else:
                g.add((node, RELAIS.inVolet, ID[f"volet/{row['volet'].lower()}"]))
                g.add((node, RELAIS.voletDerivation, READ))
        actor_property = RELAIS.expressedByActorType if kind == "Need" else RELAIS.targetsActorType
        actors = _split(row["actor_types"])
        if not actors:
            self.problem(path, line, f"actor_types is empty: give at least one of {', '.join(sorted(ACTOR_TYPES))}")
        for actor in actors:
            if actor not in ACTOR_TYPES:
                self.problem(path, line, f"actor type {actor!r} is not one of {', '.join(sorted(ACTOR_TYPES))}")
            else:
                g.add((node, actor_property, ID[f"actor-type/{actor}"]))
        for column, prop in ORG_ROLES.items():
            for org in _split(row[column]):
                self.used_orgs.setdefault(org, (path, line))
                g.add((node, prop, ID[f"organisation/{org}"]))
        territories = _split(row["territories"])
        if kind == "Programme" and not territories:
            self.problem(path, line, "territories is empty: a programme covers FR, a region:NN or a departement:NN")
        for code in territories:
            territory = self.territories.iri(code)
            if territory is None:
                self.problem(path, line, f"territory {code!r} is not FR, region:NN or departement:NN of territories.csv")
            else:
                g.add((node, RELAIS.coversTerritory, territory))
        for column, (full, month) in DATE_COLUMNS.items():
            if row[column]:
                parsed = _date(row[column])
                if parsed is None:
                    self.problem(path, line, f"{column} {row[column]!r} is not a date YYYY-MM-DD (or a month YYYY-MM)")
                else:
                    g.add((node, full if parsed[0] else month, parsed[1]))
        if row["opened"] and row["closed"] and len(row["opened"]) == len(row["closed"]) and row["closed"] < row["opened"]:
            self.problem(path, line, f"closed {row['closed']} is before opened {row['opened']}")
        for text in _split(row["legal_basis"]):
            match = _LEGAL.match(text)
            if match is None:
                self.problem(path, line, f"legal_basis {text!r}: write the text, optionally followed by its ELI in <...>")
                continue
            g.add((node, RELAIS.legalBasisText, Literal(match["text"], lang="fr")))
            if match["iri"]:
                eli = self.url(path, line, "legal_basis ELI", match["iri"])
                if eli is not None:
                    g.add((node, RELAIS.legalBasis, eli))
                    g.add((eli, RDFS.label, Literal(match["text"], lang="fr")))
        if row["key_figures_fr"]:
            g.add((node, RELAIS.keyFigures, Literal(row["key_figures_fr"], lang="fr")))
        if row["notes_en"]:
            g.add((node, RELAIS.reading, Literal(row["notes_en"], lang="en")))

    def source(self, path: Path, line: int, row: dict[str, str]) -> None:
        known = self.records.get(row["record_id"])
        if known is None:
            self.problem(path, line, f"record_id {row['record_id']!r} is not a record of records.csv")
            return
        url = self.url(path, line, "url", row["url"])
        excerpt = self.excerpt(path, line, row["excerpt_fr"])
        if row["source_kind"] not in SOURCE_KINDS:
            self.problem(path, line, f"source_kind {row['source_kind']!r} is not one of {', '.join(sorted(SOURCE_KINDS))}")
            return
        copied = mirror_of(row["url"])
        if copied and row["source_kind"] != "mirror":
            self.problem(
                path,
                line,
                f"{row['url']} is {copied}: set source_kind to mirror, and cite the original page first when it can be found",
            )
            return
        supports = _split(row["supports"])
        unknown = [s for s in supports if s not in SUPPORTS]
        if not supports or unknown:
            self.problem(path, line, f"supports must list some of {', '.join(sorted(SUPPORTS))}")
            return
        if url is None or excerpt is None:
            return
        record_id = row["record_id"]
        self.cited.add(record_id)
        node = known[2]
        self.inventory.add((node, DCTERMS.source, url))
        number = self.citations[record_id] = self.citations.get(record_id, 0) + 1
        citation = ID[f"citation/{record_id}-{number}"]
        p = self.provenance
        p.add((citation, RDF.type, RELAIS.Citation))
        p.add((citation, RELAIS.citationOf, node))
        p.add((citation, DCTERMS.source, url))
        p.add((citation, RELAIS.excerpt, excerpt))
        p.add((citation, RELAIS.sourceKind, ID[f"source-kind/{row['source_kind']}"]))
        for item in supports:
            p.add((citation, RELAIS.supports, Literal(item)))
        # The excerpt says it (stated); what Relais reads is on the record (volet, reading) and the coverage links.
        p.add((citation, RELAIS.derivation, STATED))
        p.add((citation, RELAIS.inGraph, INVENTORY_GRAPH))

    def figure(self, path: Path, line: int, row: dict[str, str]) -> None:
        known = self.records.get(row["record_id"])
        if known is None:
            self.problem(path, line, f"record_id {row['record_id']!r} is not a record of records.csv")
            return
        if row["measure"] not in MEASURES:
            self.problem(path, line, f"measure {row['measure']!r} is not one of {', '.join(sorted(MEASURES))}")
            return
        if row["unit"] not in UNITS:
            self.problem(path, line, f"unit {row['unit']!r} is not one of {', '.join(sorted(UNITS))}")
            return
        try:
            value = Decimal(row["value"])
        except InvalidOperation:
            self.problem(path, line, f"value {row['value']!r} is not a decimal number (use '.' and no spaces)")
            return
        url = self.url(path, line, "url", row["url"])
        excerpt = self.excerpt(path, line, row["excerpt_fr"])
        as_of = _date(row["as_of"]) if row["as_of"] else None
        if row["as_of"] and as_of is None:
            self.problem(path, line, f"as_of {row['as_of']!r} is not a date YYYY-MM-DD (or a month YYYY-MM)")
            return
        if url is None or excerpt is None:
            return
        record_id = row["record_id"]
        number = self.figures[record_id] = self.figures.get(record_id, 0) + 1
        node = ID[f"figure/{record_id}-{number}"]
        g = self.inventory
        g.add((node, RDF.type, RELAIS.Figure))
        g.add((node, RELAIS.figureOf, known[2]))
        g.add((node, RELAIS.measure, ID[f"measure/{row['measure']}"]))
        g.add((node, RELAIS.value, Literal(str(value), datatype=XSD.decimal)))
        g.add((node, RELAIS.unit, UNIT_IRIS[row["unit"]]))
        if as_of is not None:
            g.add((node, RELAIS.asOf, as_of[1]))
        g.add((node, DCTERMS.source, url))
        g.add((node, RELAIS.excerpt, excerpt))

    def coverage(self, path: Path, line: int, row: dict[str, str]) -> None:
        programme, need = self.records.get(row["programme_id"]), self.records.get(row["need_id"])
        if programme is None or programme[0] != "Programme":
            self.problem(path, line, f"programme_id {row['programme_id']!r} is not a programme of records.csv")
            return
        if need is None or need[0] != "Need":
            self.problem(path, line, f"need_id {row['need_id']!r} is not a need of records.csv")
            return
        basis = row["basis"]
        node = ID[f"coverage/{row['programme_id']}--{row['need_id']}"]
        g = self.inventory
        if basis == "read":
            if not row["reading_en"]:
                self.problem(path, line, "basis read: say in reading_en why Relais reads the programme as covering the need")
                return
            g.add((node, RELAIS.reading, Literal(row["reading_en"], lang="en")))
        elif basis == "stated":
            url = self.url(path, line, "url", row["url"]) if row["url"] else None
            excerpt = self.excerpt(path, line, row["excerpt_fr"])
            if url is None or excerpt is None:
                if not row["url"]:
                    self.problem(path, line, "basis stated: give the url of the page that says so")
                return
            g.add((node, DCTERMS.source, url))
            g.add((node, RELAIS.excerpt, excerpt))
        else:
            self.problem(path, line, f"basis {basis!r} must be stated or read")
            return
        g.add((programme[2], RELAIS.covers, need[2]))
        g.add((node, RDF.type, RELAIS.CoverageLink))
        g.add((node, RELAIS.coveringProgramme, programme[2]))
        g.add((node, RELAIS.coveredNeed, need[2]))
        g.add((node, RELAIS.derivation, STATED if basis == "stated" else READ))
        g.add((node, RELAIS.inGraph, INVENTORY_GRAPH))

    def finish(self, folders: list[Path]) -> None:
        for org, (path, line) in sorted(self.used_orgs.items()):
            if org not in self.organisations:
                self.problem(path, line, f"organisation {org!r} is not in any organisations.csv")
        for record_id, (_, _, _) in self.records.items():
            if record_id not in self.cited:
                self.problem(
                    self._where(folders, record_id), 0, f"record {record_id!r} has no row in sources.csv: cite the page that states it"
                )

    def _where(self, folders: list[Path], record_id: str) -> Path:
        for folder in folders:
            if f"\n{record_id}," in (folder / "records.csv").read_text(encoding="utf-8"):
                return folder / "sources.csv"
        return folders[0] / "sources.csv"


def family_folders(root: Path) -> list[Path]:
    """The folders of ``root`` that hold a records.csv, in name order."""
    return sorted(p for p in root.iterdir() if (p / "records.csv").is_file()) if root.is_dir() else []


def read_tables(root: Path, territories_csv: Path, existing: rdflib.Graph | None = None) -> InventoryTables:
    """Check every table of every family folder under ``root`` and build the three graphs.

    An organisation the ``existing`` graph already labels (from the article or a public source)
    is the same resource: the tables link to it and leave its description alone.
    """
    territories = Territories.read(territories_csv)
    described = {s for s in (existing or rdflib.Graph()).subjects(RDFS.label, None) if isinstance(s, URIRef)}
    builder = _Builder(territories, described)
    folders = family_folders(root)
    steps = [
        ("organisations.csv", builder.organisation),
        ("records.csv", builder.identify),
        ("records.csv", builder.record),
        ("sources.csv", builder.source),
        ("figures.csv", builder.figure),
        ("coverage.csv", builder.coverage),
    ]
    for name, step in steps:
        for folder in folders:
            path = folder / name
            if not path.is_file():
                builder.problem(path, 0, f"missing table {name}: every family folder has the five tables")
                continue
            for line, row in _rows(path, TABLES[name], builder.problems):
                step(path, line, row)
    builder.finish(folders)
    summary = {rid: f"{kind}:{phase}" for rid, (kind, phase, _) in builder.records.items()}
    _describe_reconstruction(builder.inventory)
    return InventoryTables(builder.inventory, builder.provenance, territories.graph(), summary, builder.problems)


def _describe_reconstruction(g: rdflib.Graph) -> None:
    """The reconstruction as its own DCAT dataset, derived from the pages it cites."""
    g.add((RECONSTRUCTION, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")))
    g.add((RECONSTRUCTION, RDFS.label, Literal("Inventaire reconstitué des besoins et dispositifs de 2020 (Relais)", lang="fr")))
    g.add((RECONSTRUCTION, RDFS.label, Literal("Reconstructed inventory of the 2020 needs and programmes (Relais)", lang="en")))
    g.add(
        (
            RECONSTRUCTION,
            DCTERMS.description,
            Literal(
                "A reconstruction by Relais from public pages of 2020, each record with the page that states it; "
                "not the initiative's own database, which was not published as data.",
                lang="en",
            ),
        )
    )
    g.add((RECONSTRUCTION, OWL.differentFrom, ID["dataset/inventaire-covid-19-urgence-relance"]))
