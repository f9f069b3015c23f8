"""A seeded generator of synthetic Relais data at any size (``relais synth``).

The shipped graph is small; the inventory it models grows every month, and the same model fits
every territory's programmes. This generator writes data of the same model, at any size, to
benchmark and test Relais as the graph grows. Everything it writes is synthetic and says so:

- one named graph, ``https://w3id.org/relais/graph/synthetic`` (N-Quads), never the shipped
  graphs; a Turtle or N-Triples output is loaded by ``relais serve --data`` into the graph named
  after the file's stem;
- every resource it mints is under ``https://w3id.org/relais/id/synthetic/`` (no real IRI is ever
  minted) and carries ``rdfs:label "... (synthétique)"@fr``;
- the graph describes itself as a ``relais:SourceGraph`` with ``relais:provenanceStatus
  "illustrative"`` and a description that says it is synthetic, and every inventory record is
  ``relais:provenanceStatus "illustrative"``.

It reuses the real ontology's classes and properties and the real concept schemes (phases,
volets, actor types, relay statuses), and the real INSEE codes of the 18 regions and 101
departments as territories (``dcterms:identifier`` plus ``owl:sameAs`` the official INSEE IRI).

Shape. The data is a base (territories; per region: a regional council, a territorial
initiative, its inventory dataset with monthly snapshots, a capitalisation platform) and then
"territorial blocks", one department at a time, until the requested number of triples is
reached. A block holds what one territory's inventory and dialogue produce: needs, programmes
covering them, actors (organisations, a network, a person, territorial catalysts relaying the
programmes), a study and a finding (the needs' evidence), a dialogue space with its
deliverables, the relays that carry them, and the relays' events.

Distributions follow the shipped data (measured once with SPARQL over the shipped graph, 2026-11):

==========================================  =======================  ===========================
measure (shipped data)                      shipped                  generator
==========================================  =======================  ===========================
needs per programme                         13 / 19 = 0.68           4 / 6 per block = 0.67
programmes in phase urgence                 11 / 19 = 58 %           58 %
needs in phase urgence                      8 / 13 = 62 %            62 %
relais:covers per programme                 0:3 1:9 2:6 3:1          same weights
targeted actor types per programme          1:7 2:6 3:4 4:1 5:1      same weights
actor types expressing a need               1:7 2:5 3:1              same weights
needs no programme of their phase covers    2 / 13 = 15 %            emerges from the weights
needs with evidence (relais:evidencedBy)    6 / 13 = 46 %            46 %
programmes / needs with a volet             15/19 = 79 %, 11/13      79 %, 85 %
programmes with start / end date            12/19 = 63 %, 3/19       63 %, 16 %
deliverables per dialogue space             1:3 3:1                  same weights
relays per dialogue space                   1:2 2:1 3:1              same weights
deliverables carried per relay              0:1 1:4 3:2              same weights (0: a reason)
relays with a dated event / a target        4/7, 3/7                 4/7, 3/7
==========================================  =======================  ===========================

Output is streamed (N-Quads or N-Triples lines, written in chunks), so memory stays flat at any
size; the same seed and size give the same bytes.

Over 400 lines: the generator's tables of names and proportions are data, kept next to the code that draws from them.
"""

from __future__ import annotations

import datetime as _dt
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import Literal

SYNTHETIC_GRAPH = "https://w3id.org/relais/graph/synthetic"
SYNTHETIC_BASE = "https://w3id.org/relais/id/synthetic/"

_RELAIS = "https://w3id.org/relais/ontology#"
_ID = "https://w3id.org/relais/id/"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SUFFIX = " (synthétique)"


def _r(name: str) -> str:
    return f"<{_RELAIS}{name}>"


# Predicates, written once as N-Triples terms.
P = {
    "type": _RDF_TYPE,
    "label": _LABEL,
    "comment": "<http://www.w3.org/2000/01/rdf-schema#comment>",
    "identifier": "<http://purl.org/dc/terms/identifier>",
    "description": "<http://purl.org/dc/terms/description>",
    "dcdate": "<http://purl.org/dc/terms/date>",
    "sameAs": "<http://www.w3.org/2002/07/owl#sameAs>",
    "wasGeneratedBy": "<http://www.w3.org/ns/prov#wasGeneratedBy>",
    **{
        name: _r(name)
        for name in (
            "partOf inPhase inVolet targetsActorType expressedByActorType covers evidencedBy operatedBy startDate "
            "endDate provenanceStatus recordedIn legalBasisText keyFigures relaysProgramme locatedIn coversTerritory animatedBy "
            "foundedBy founderOf memberOf memberCount foundingYear roleTitle supportedBy initiatedBy coPilotedBy "
            "partOfInitiative hasDeliverable hasRelay deliverableOf deliverableType relayOf relayForm relayStatus "
            "subsequentStatus carriesDeliverable noDeliverableReason relayTo atEvent date precedes eventType "
            "organisedBy hostedBy conductedBy commissionedFor respondentCount derivedFromStudy value unit population "
            "statement snapshotOf snapshotDate recordCount countsKind countsPhase publishedOn concernsActorType"
        ).split()
    },
}

# Classes.
C = {
    name: _r(name)
    for name in (
        "Territory Need Programme InventoryRecord Organisation Association Enterprise LocalAuthority PublicBody Network Person "
        "TerritorialCatalyst Study Finding DialogueSpace Deliverable Relay Event Initiative InventoryDataset "
        "InventorySnapshot Platform SourceGraph"
    ).split()
}
C["Activity"] = "<http://www.w3.org/ns/prov#Activity>"

PHASES = (f"<{_ID}phase/urgence>", f"<{_ID}phase/relance>")
VOLETS = {PHASES[0]: tuple(f"<{_ID}volet/u{i}>" for i in (1, 2, 3)), PHASES[1]: tuple(f"<{_ID}volet/r{i}>" for i in (1, 2, 3))}
ACTOR_TYPES = tuple(
    f"<{_ID}actor-type/{slug}>"
    for slug in (
        "association",
        "association-employeuse",
        "association-non-employeuse",
        "entreprise",
        "tpe-pme",
        "acteur-interet-general",
        "collectivite",
        "ccas",
        "institution",
        "investisseur-societal",
        "citoyen",
    )
)
RELAY_STATUSES = tuple(f"<{_ID}relay-status/{s}>" for s in ("prevu", "en-cours", "realise"))
PERCENT = "<http://qudt.org/vocab/unit/PERCENT>"

# The 18 regions (INSEE code, name) and the 101 departments (INSEE code, name, region code).
REGIONS: tuple[tuple[str, str], ...] = (
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
    ("06", "Mayotte"),
    ("11", "Île-de-France"),
    ("24", "Centre-Val de Loire"),
    ("27", "Bourgogne-Franche-Comté"),
    ("28", "Normandie"),
    ("32", "Hauts-de-France"),
    ("44", "Grand Est"),
    ("52", "Pays de la Loire"),
    ("53", "Bretagne"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("94", "Corse"),
)
DEPARTMENTS: tuple[tuple[str, str, str], ...] = tuple(
    (code, name, region)
    for code, name, region in (
        line.split("|")
        for line in """01|Ain|84;02|Aisne|32;03|Allier|84;04|Alpes-de-Haute-Provence|93;05|Hautes-Alpes|93;06|Alpes-Maritimes|93;
07|Ardèche|84;08|Ardennes|44;09|Ariège|76;10|Aube|44;11|Aude|76;12|Aveyron|76;13|Bouches-du-Rhône|93;
14|Calvados|28;15|Cantal|84;16|Charente|75;17|Charente-Maritime|75;18|Cher|24;19|Corrèze|75;2A|Corse-du-Sud|94;
2B|Haute-Corse|94;21|Côte-d'Or|27;22|Côtes-d'Armor|53;23|Creuse|75;24|Dordogne|75;25|Doubs|27;26|Drôme|84;
27|Eure|28;28|Eure-et-Loir|24;29|Finistère|53;30|Gard|76;31|Haute-Garonne|76;32|Gers|76;33|Gironde|75;
34|Hérault|76;35|Ille-et-Vilaine|53;36|Indre|24;37|Indre-et-Loire|24;38|Isère|84;39|Jura|27;40|Landes|75;
41|Loir-et-Cher|24;42|Loire|84;43|Haute-Loire|84;44|Loire-Atlantique|52;45|Loiret|24;46|Lot|76;
47|Lot-et-Garonne|75;48|Lozère|76;49|Maine-et-Loire|52;50|Manche|28;51|Marne|44;52|Haute-Marne|44;
53|Mayenne|52;54|Meurthe-et-Moselle|44;55|Meuse|44;56|Morbihan|53;57|Moselle|44;58|Nièvre|27;59|Nord|32;
60|Oise|32;61|Orne|28;62|Pas-de-Calais|32;63|Puy-de-Dôme|84;64|Pyrénées-Atlantiques|75;65|Hautes-Pyrénées|76;
66|Pyrénées-Orientales|76;67|Bas-Rhin|44;68|Haut-Rhin|44;69|Rhône|84;70|Haute-Saône|27;71|Saône-et-Loire|27;
72|Sarthe|52;73|Savoie|84;74|Haute-Savoie|84;75|Paris|11;76|Seine-Maritime|28;77|Seine-et-Marne|11;
78|Yvelines|11;79|Deux-Sèvres|75;80|Somme|32;81|Tarn|76;82|Tarn-et-Garonne|76;83|Var|93;84|Vaucluse|93;
85|Vendée|52;86|Vienne|75;87|Haute-Vienne|75;88|Vosges|44;89|Yonne|27;90|Territoire de Belfort|27;
91|Essonne|11;92|Hauts-de-Seine|11;93|Seine-Saint-Denis|11;94|Val-de-Marne|11;95|Val-d'Oise|11;
971|Guadeloupe|01;972|Martinique|02;973|Guyane|03;974|La Réunion|04;976|Mayotte|06""".replace("\n", "").split(";")
    )
)

# Wording for labels (French, like the real inventory).
NEED_TOPICS = (
    "Faire face aux difficultés de trésorerie",
    "Maintenir l'emploi et les compétences",
    "Accéder aux outils numériques",
    "Mobiliser des bénévoles",
    "Sécuriser les partenariats financiers",
    "Reprendre l'activité en sécurité",
    "Adapter les subventions publiques",
    "Accompagner les dirigeants",
    "Mutualiser les moyens sur le territoire",
    "Anticiper la relance de l'activité",
    "Soutenir les publics fragiles",
    "Renforcer les fonds propres",
)
PROGRAMME_KINDS = (
    "Fonds territorial de solidarité",
    "Prêt d'honneur de relance",
    "Dispositif local d'accompagnement",
    "Aide régionale à la trésorerie",
    "Plateforme d'entraide",
    "Programme de relance de l'emploi",
    "Appel à projets innovation sociale",
    "Fonds de résilience",
    "Chèque numérique",
    "Avance remboursable",
)
ORG_KINDS = (
    (C["Association"], "Association"),
    (C["Enterprise"], "Entreprise"),
    (C["LocalAuthority"], "Communauté de communes"),
    (C["PublicBody"], "Agence"),
    (C["Organisation"], "Fondation"),
)
RELAY_FORMS = ("échange", "publication", "relais lors d'une réunion", "expérimentation", "avant-première", "relais")
EVENT_TYPES = ("réunion", "webinaire", "rencontre", "échange")
DELIVERABLE_TYPES = ("rapport de synthèse", "note", "étude pilote")
STATUSES = ('"illustrative"',)

# Weights from the shipped data (see the module docstring).
COVERS_WEIGHTS = ((0, 3), (1, 9), (2, 6), (3, 1))
TARGETS_WEIGHTS = ((1, 7), (2, 6), (3, 4), (4, 1), (5, 1))
EXPRESSED_WEIGHTS = ((1, 7), (2, 5), (3, 1))
DELIVERABLES_PER_SPACE = ((1, 3), (3, 1))
RELAYS_PER_SPACE = ((1, 2), (2, 1), (3, 1))
CARRIED_PER_RELAY = ((0, 1), (1, 4), (3, 2))


def _cumulative(weights: Sequence[tuple[int, int]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    values, cum, total = [], [], 0
    for value, weight in weights:
        total += weight
        values.append(value)
        cum.append(total)
    return tuple(values), tuple(cum)


def _lit(text: str, lang: str = "fr") -> str:
    """An N-Triples language-tagged literal.

    >>> _lit('dit "oui"')
    '"dit \\\\"oui\\\\""@fr'
    """
    return str(Literal(text, language=lang))  # pyoxigraph escapes


def _typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{_XSD}{datatype}>'


def _label(text: str) -> str:
    return _lit(text + _SUFFIX)


_DAY0 = _dt.date(2020, 1, 1)
# Every day of 2020 and 2021, as xsd:date literals, indexed from 2020-01-01.
_DATES = tuple(_typed((_DAY0 + _dt.timedelta(days=i)).isoformat(), "date") for i in range(731))
_MONTHS = tuple(_typed(f"2020-{m:02d}", "gYearMonth") for m in range(1, 13))


@dataclass
class SynthStats:
    """What a run wrote."""

    triples: int
    blocks: int


class _Out:
    """Buffers N-Triples / N-Quads lines and writes them in chunks."""

    def __init__(self, stream: IO[str], graph: str | None) -> None:
        self.stream = stream
        self.end = f" <{graph}> .\n" if graph else " .\n"
        self.buffer: list[str] = []
        self.count = 0

    def add(self, s: str, p: str, o: str) -> None:
        self.buffer.append(f"{s} {p} {o}{self.end}")
        if len(self.buffer) >= 20000:
            self.flush()

    def flush(self) -> None:
        self.count += len(self.buffer)
        self.stream.write("".join(self.buffer))
        self.buffer.clear()

    @property
    def written(self) -> int:
        return self.count + len(self.buffer)


class _Generator:
    def __init__(self, out: _Out, seed: int, triples: int) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.seed = seed
        self.target = triples
        self.block = 0
        self._covers = _cumulative(COVERS_WEIGHTS)
        self._targets = _cumulative(TARGETS_WEIGHTS)
        self._expressed = _cumulative(EXPRESSED_WEIGHTS)
        self._deliverables = _cumulative(DELIVERABLES_PER_SPACE)
        self._relays = _cumulative(RELAYS_PER_SPACE)
        self._carried = _cumulative(CARRIED_PER_RELAY)
        self.region_iri: dict[str, str] = {}
        self.department_iri: dict[str, str] = {}
        self.regional: dict[str, dict[str, str]] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def _pick(self, table: tuple[tuple[int, ...], tuple[int, ...]]) -> int:
        values, cum = table
        return self.rng.choices(values, cum_weights=cum)[0]

    @staticmethod
    def _iri(kind: str, slug: str) -> str:
        return f"<{SYNTHETIC_BASE}{kind}/{slug}>"

    # -- base ------------------------------------------------------------------------------------
    def base(self, expected_blocks: int) -> None:
        add = self.out.add
        graph = f"<{SYNTHETIC_GRAPH}>"
        activity = self._iri("activity", f"relais-synth-seed-{self.seed}-triples-{self.target}")
        add(graph, P["type"], C["SourceGraph"])
        add(graph, P["label"], _lit("graphe synthétique (généré, non sourcé)"))
        add(graph, P["label"], _lit("synthetic graph (generated, not sourced)", "en"))
        add(
            graph,
            P["description"],
            _lit(
                "SYNTHÉTIQUE, NON SOURCÉ : données générées par « relais synth » pour tester et mesurer Relais à grande "
                "échelle, selon le modèle et les distributions des données réelles. Ce ne sont pas des faits ; ne pas les citer."
            ),
        )
        add(
            graph,
            P["description"],
            _lit(
                "SYNTHETIC, NOT SOURCED: data generated by 'relais synth' to test and benchmark Relais at scale, following "
                "the model and the distributions of the real data. They are not facts; do not cite them.",
                "en",
            ),
        )
        add(graph, P["provenanceStatus"], '"illustrative"')
        add(graph, P["wasGeneratedBy"], activity)
        add(activity, P["type"], C["Activity"])
        add(activity, P["label"], _label(f"relais synth --triples {self.target} --seed {self.seed}"))

        for code, name in REGIONS:
            iri = self._iri("territory", f"region-{code}")
            self.region_iri[code] = iri
            add(iri, P["type"], C["Territory"])
            add(iri, P["label"], _label(f"Région {name}"))
            add(iri, P["identifier"], f'"{code}"')
            add(iri, P["sameAs"], f"<http://id.insee.fr/geo/region/{code}>")
        for code, name, region in DEPARTMENTS:
            iri = self._iri("territory", f"departement-{code.lower()}")
            self.department_iri[code] = iri
            add(iri, P["type"], C["Territory"])
            add(iri, P["label"], _label(f"{name} ({code})"))
            add(iri, P["identifier"], f'"{code}"')
            add(iri, P["sameAs"], f"<http://id.insee.fr/geo/departement/{code}>")
            add(iri, P["partOf"], self.region_iri[region])

        per_region = max(1, expected_blocks // len(REGIONS))
        for code, name in REGIONS:
            slug = f"region-{code}"
            council = self._iri("organisation", f"conseil-regional-{code}")
            initiative = self._iri("initiative", f"sortie-de-crise-{slug}")
            dataset = self._iri("dataset", f"inventaire-{slug}")
            platform = self._iri("platform", f"plateforme-{slug}")
            self.regional[code] = {"council": council, "initiative": initiative, "dataset": dataset, "platform": platform}
            add(council, P["type"], C["LocalAuthority"])
            add(council, P["label"], _label(f"Conseil régional {name}"))
            add(council, P["locatedIn"], self.region_iri[code])
            add(initiative, P["type"], C["Initiative"])
            add(initiative, P["label"], _label(f"Anticiper la sortie de crise en {name}"))
            add(initiative, P["initiatedBy"], council)
            add(initiative, P["startDate"], _DATES[79 + self.rng.randrange(30)])
            add(platform, P["type"], C["Platform"])
            add(platform, P["label"], _label(f"Plateforme territoriale {name}"))
            add(platform, P["supportedBy"], council)
            add(dataset, P["type"], C["InventoryDataset"])
            add(dataset, P["label"], _label(f"Inventaire des besoins et programmes, {name}"))
            add(dataset, P["publishedOn"], platform)
            # Monthly counts from June to December 2020, growing like the real inventory (250 in June).
            for i, month in enumerate(range(6, 13)):
                snapshot = self._iri("inventory-snapshot", f"{slug}-2020-{month:02d}")
                day = (_dt.date(2020, month, 19) - _DAY0).days
                count = max(1, per_region * 10 * (i + 3) // 9)
                add(snapshot, P["type"], C["InventorySnapshot"])
                add(snapshot, P["label"], _label(f"Inventaire {name} au 19/{month:02d}/2020 : {count} données"))
                add(snapshot, P["snapshotOf"], dataset)
                add(snapshot, P["snapshotDate"], _DATES[day])
                add(snapshot, P["recordCount"], _typed(str(count), "integer"))

    # -- one territorial block ---------------------------------------------------------------------
    def block_triples(self) -> None:
        rng, add, pick = self.rng, self.out.add, self._pick
        self.block += 1
        b = self.block
        dep_code, dep_name, region = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
        territory = self.department_iri[dep_code]
        reg = self.regional[region]
        where = f"{dep_name}, bloc {b}"
        iri = self._iri

        # Actors: organisations, a network, a person, catalysts.
        orgs = []
        for k in range(3):
            cls, kind = ORG_KINDS[rng.randrange(len(ORG_KINDS))]
            org = iri("organisation", f"b{b}-o{k}")
            orgs.append(org)
            add(org, P["type"], cls)
            add(org, P["label"], _label(f"{kind} {where} n° {k + 1}"))
            add(org, P["locatedIn"], territory)
            if rng.random() < 0.3:
                add(org, P["foundingYear"], _typed(str(1950 + rng.randrange(70)), "gYear"))
        network = iri("network", f"b{b}")
        add(network, P["type"], C["Network"])
        add(network, P["label"], _label(f"Réseau {where}"))
        add(network, P["animatedBy"], orgs[rng.randrange(3)])
        add(network, P["foundedBy"], orgs[rng.randrange(3)])
        add(network, P["memberCount"], _typed(str(2 + rng.randrange(60)), "integer"))
        add(network, P["locatedIn"], territory)
        person = iri("person", f"b{b}")
        add(person, P["type"], C["Person"])
        add(person, P["label"], _label(f"Personne {where}"))
        add(person, P["roleTitle"], _lit("Dirigeant·e" + _SUFFIX))
        add(person, P["founderOf"], orgs[0])
        add(person, P["memberOf"], network)
        actors = orgs + [network, person, reg["council"]]

        # Evidence: a study and a finding derived from it.
        study = iri("study", f"b{b}")
        add(study, P["type"], C["Study"])
        add(study, P["label"], _label(f"Enquête sur les besoins, {where}"))
        add(study, P["conductedBy"], orgs[rng.randrange(3)])
        add(study, P["commissionedFor"], actors[rng.randrange(len(actors))])
        month = 3 + rng.randrange(8)
        add(study, P["dcdate"], _MONTHS[month])
        add(study, P["respondentCount"], _typed(str(20 + rng.randrange(5000)), "integer"))
        finding = iri("finding", f"b{b}")
        pct = 10 + rng.randrange(85)
        add(finding, P["type"], C["Finding"])
        add(finding, P["label"], _label(f"{pct} % des répondants, {where}"))
        add(finding, P["value"], _typed(str(pct), "decimal"))
        add(finding, P["unit"], PERCENT)
        add(finding, P["population"], _lit("répondants" + _SUFFIX))
        add(finding, P["derivedFromStudy"], study)
        add(finding, P["date"], _MONTHS[month])
        evidence = (study, finding)

        # Needs (4 per block, 62 % urgence) and programmes (6 per block, 58 % urgence).
        needs_by_phase: dict[str, list[str]] = {PHASES[0]: [], PHASES[1]: []}
        for k in range(4):
            need = iri("need", f"b{b}-n{k}")
            phase = PHASES[0] if rng.random() < 0.62 else PHASES[1]
            needs_by_phase[phase].append(need)
            add(need, P["type"], C["Need"])
            add(need, P["type"], C["InventoryRecord"])
            add(need, P["label"], _label(f"{NEED_TOPICS[rng.randrange(len(NEED_TOPICS))]} ({where}, besoin {k + 1})"))
            add(need, P["identifier"], f'"S{b}-N{k + 1}"')
            add(need, P["inPhase"], phase)
            if rng.random() < 0.85:
                add(need, P["inVolet"], VOLETS[phase][rng.randrange(3)])
            for t in rng.sample(ACTOR_TYPES, pick(self._expressed)):
                add(need, P["expressedByActorType"], t)
            if rng.random() < 0.46:
                add(need, P["evidencedBy"], evidence[rng.randrange(2)])
            add(need, P["provenanceStatus"], '"illustrative"')
            add(need, P["recordedIn"], reg["dataset"])
        programmes = []
        for k in range(6):
            programme = iri("programme", f"b{b}-p{k}")
            programmes.append(programme)
            phase = PHASES[0] if rng.random() < 0.58 else PHASES[1]
            add(programme, P["type"], C["Programme"])
            add(programme, P["type"], C["InventoryRecord"])
            add(programme, P["label"], _label(f"{PROGRAMME_KINDS[rng.randrange(len(PROGRAMME_KINDS))]} ({where}, programme {k + 1})"))
            add(programme, P["identifier"], f'"S{b}-P{k + 1}"')
            add(programme, P["inPhase"], phase)
            if rng.random() < 0.79:
                add(programme, P["inVolet"], VOLETS[phase][rng.randrange(3)])
            for t in rng.sample(ACTOR_TYPES, pick(self._targets)):
                add(programme, P["targetsActorType"], t)
            candidates = needs_by_phase[phase]
            for need in rng.sample(candidates, min(len(candidates), pick(self._covers))):
                add(programme, P["covers"], need)
            if rng.random() < 0.63:
                start = 60 + rng.randrange(300)
                add(programme, P["startDate"], _DATES[start])
                if rng.random() < 0.25:
                    add(programme, P["endDate"], _DATES[start + 30 + rng.randrange(300)])
            add(programme, P["operatedBy"], actors[rng.randrange(len(actors))])
            add(programme, P["coversTerritory"], territory)
            add(programme, P["provenanceStatus"], '"illustrative"')
            add(programme, P["recordedIn"], reg["dataset"])
            if rng.random() < 0.4:
                add(programme, P["legalBasisText"], _lit(f"délibération n° {b}-{k + 1} du conseil" + _SUFFIX))

        # Territorial catalysts relaying the block's programmes (none in one block out of five).
        for k in range(0 if rng.random() < 0.2 else 1 + rng.randrange(2)):
            catalyst = iri("catalyst", f"b{b}-c{k}")
            add(catalyst, P["type"], C["TerritorialCatalyst"])
            add(catalyst, P["label"], _label(f"Catalyseur territorial {where} n° {k + 1}"))
            add(catalyst, P["locatedIn"], territory)
            add(catalyst, P["memberOf"], network)
            for programme in rng.sample(programmes, 1 + rng.randrange(3)):
                add(catalyst, P["relaysProgramme"], programme)

        # A dialogue space, its deliverables, the relays that carry them and their events.
        space = iri("dialogue-space", f"b{b}")
        add(space, P["type"], C["DialogueSpace"])
        add(space, P["label"], _label(f"Espace de dialogue {where}"))
        add(space, P["partOfInitiative"], reg["initiative"])
        add(space, P["concernsActorType"], ACTOR_TYPES[rng.randrange(len(ACTOR_TYPES))])
        deliverables = []
        for k in range(pick(self._deliverables)):
            deliverable = iri("deliverable", f"b{b}-d{k}")
            deliverables.append(deliverable)
            kind = DELIVERABLE_TYPES[rng.randrange(3)]
            add(space, P["hasDeliverable"], deliverable)
            add(deliverable, P["type"], C["Deliverable"])
            add(deliverable, P["label"], _label(f"{kind} ({where}, livrable {k + 1})"))
            add(deliverable, P["deliverableType"], _lit(kind))
        previous: tuple[str, int] | None = None
        day = 150 + rng.randrange(150)
        for k in range(pick(self._relays)):
            relay = iri("relay", f"b{b}-r{k}")
            form = RELAY_FORMS[rng.randrange(len(RELAY_FORMS))]
            add(space, P["hasRelay"], relay)
            add(relay, P["type"], C["Relay"])
            add(relay, P["label"], _label(f"{form} ({where}, relais {k + 1})"))
            add(relay, P["relayForm"], _lit(form))
            add(relay, P["relayStatus"], RELAY_STATUSES[rng.randrange(3)])
            carried = pick(self._carried)
            if carried == 0:
                add(relay, P["noDeliverableReason"], _lit("Le relais porte sur l'espace de dialogue lui-même" + _SUFFIX))
            else:
                for deliverable in rng.sample(deliverables, min(carried, len(deliverables))):
                    add(relay, P["carriesDeliverable"], deliverable)
            if rng.random() < 3 / 7:
                add(relay, P["relayTo"], actors[rng.randrange(len(actors))])
            if rng.random() < 4 / 7:
                day += rng.randrange(20)
                event = iri("event", f"b{b}-e{k}")
                etype = EVENT_TYPES[rng.randrange(len(EVENT_TYPES))]
                add(relay, P["atEvent"], event)  # the event carries the date (one date per event)
                add(event, P["type"], C["Event"])
                add(event, P["label"], _label(f"{etype} ({where}, événement {k + 1})"))
                add(event, P["eventType"], _lit(etype))
                add(event, P["date"], _DATES[day])
                if rng.random() < 0.5:
                    add(event, P["organisedBy"], actors[rng.randrange(len(actors))])
                if rng.random() < 0.5:
                    add(event, P["hostedBy"], reg["platform"])
                if previous is not None:
                    add(previous[0], P["precedes"], relay)
                previous = (relay, day)

    def run(self) -> SynthStats:
        # About 190 triples per block (measured); the estimate only scales the snapshot counts.
        self.base(expected_blocks=max(1, self.target // 190))
        while self.out.written < self.target:
            self.block_triples()
        self.out.flush()
        return SynthStats(self.out.count, self.block)


def synthesize(stream: IO[str], *, triples: int, seed: int, graph: str | None = SYNTHETIC_GRAPH) -> SynthStats:
    """Write about ``triples`` synthetic statements to ``stream``; the same seed gives the same text.

    ``graph`` None writes N-Triples (also valid Turtle), else N-Quads in that graph. The count is
    met or exceeded by less than one territorial block (about 200 triples); the base (territories
    and regional resources, about 1,100 triples) is always written.
    """
    if triples < 1:
        raise ValueError("--triples must be a positive number of triples")
    return _Generator(_Out(stream, graph), seed, triples).run()


def parse_size(text: str) -> int:
    """A triple count like ``10000``, ``10k``, ``1.5M`` or ``10M``.

    >>> parse_size("10k"), parse_size("1M"), parse_size("2500")
    (10000, 1000000, 2500)
    """
    raw = text.strip().lower().replace("_", "")
    factor = 1
    if raw.endswith("k"):
        factor, raw = 1_000, raw[:-1]
    elif raw.endswith("m"):
        factor, raw = 1_000_000, raw[:-1]
    try:
        value = int(float(raw) * factor)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of triples (e.g. 10000, 100k, 1M)") from None
    if value < 1:
        raise ValueError(f"{text!r}: give a positive number of triples")
    return value


def write_file(path: Path, *, triples: int, seed: int) -> SynthStats:
    """Write to ``path`` (.nq: N-Quads in the synthetic graph; .nt or .ttl: triples), atomically."""
    suffix = path.suffix.lower()
    if suffix not in (".nq", ".nt", ".ttl"):
        raise ValueError(f"{path}: write .nq (N-Quads, graph {SYNTHETIC_GRAPH}), .nt or .ttl")
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
        stats = synthesize(handle, triples=triples, seed=seed, graph=SYNTHETIC_GRAPH if suffix == ".nq" else None)
    tmp.replace(path)
    return stats


def synthesize_text(*, triples: int, seed: int) -> str:
    """The N-Quads text (for tests and small sizes)."""
    buffer = io.StringIO()
    synthesize(buffer, triples=triples, seed=seed)
    return buffer.getvalue()
