"""Build data/article.ttl, data/public.ttl and data/provenance.ttl from one table.

Every statement of the seed article (Le RAMEAU, "Bilan de 3 mois d'anticipation de sortie
de crise", 23 June 2020) and of the other public sources is written ONCE below, with its
evidence: the verbatim French quote of the article (non-breaking spaces normalised to plain
spaces), or the address of the public source and a paraphrase. The script writes the
statements into their graph file and writes one rdf:Statement node per triple into
data/provenance.ttl, so the two can never drift apart (tests/shapes checks it too).

Run from the repository root:  python data/sources/build_sourced_graphs.py
Needs only the standard library. The generated Turtle files are committed; edit this
table, not the Turtle, then re-run. Statement IRIs (statement/aNNN, statement/pNNN) are numbered
in table order: append new statements at the end of a table so that existing numbers, which
researchers may cite, stay stable.

English labels are Relais' translations, not source facts. Every French rdfs:label / skos:prefLabel /
dcterms:title / schema:name of both graphs gets an English label of the same property from TRANSLATIONS
(the article's one dcterms:title, which ArticleShape allows once, is translated as rdfs:label), and each such
resource gets relais:translatedLabelLanguage "en". translate_labels() adds these rows at the end of each table.
Their provenance nodes cannot go without evidence (every triple has its rdf:Statement, and the shapes want a
quote or a source), so the simplest honest form is used: the node keeps the evidence of the French label it
translates (the article quote of the French original, or the public source(s) of the French name), and says
it is a translation: relais:translatedLabelLanguage "en" on the node, and an rdfs:comment (article) or
relais:evidence (public) beginning "Translation by Relais". A missing translation stops the build.

Public facts are cited by the source's address and an English paraphrase (no French excerpt is required
here, unlike the inventory tables). Of a pair of declared inverses (owl:inverseOf in ontology/relais.ttl)
only one direction is written: relais:hasDeliverable and relais:hasRelay (dialogue space -> deliverable /
relay, the direction DialogueSpaceShape needs). Rows with relais:deliverableOf / relais:relayOf stay in the
table only so that statement numbers do not move; they are not written (NOT_WRITTEN) and their numbers stay
unused. The build stops if both directions of a pair in INVERSES are asserted.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/relais/id/"
ONT = "https://w3id.org/relais/ontology#"
ARTICLE = ID + "article/bilan-3-mois-2020-06-23"

PREFIXES = {
    "relais": ONT,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": "https://schema.org/",
}


# ---------------------------------------------------------------- terms
class T:
    """An RDF term already rendered as Turtle (literals made by fr() / en() also keep text and language)."""

    def __init__(self, ttl: str, text: str | None = None, lang: str | None = None) -> None:
        self.ttl = ttl
        self.text = text
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, T) and other.ttl == self.ttl

    def __hash__(self) -> int:
        return hash(self.ttl)


def esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def iri(full: str) -> T:
    for p, ns in PREFIXES.items():
        if full.startswith(ns):
            local = full[len(ns):]
            if local and all(c.isalnum() or c in "_-" for c in local) and local[0].isalpha():
                return T(f"{p}:{local}")
    return T(f"<{full}>")


def i(path: str) -> T:
    """A Relais resource: i('organisation/le-rameau')."""
    return iri(ID + path)


def r(local: str) -> T:
    return iri(ONT + local)


def c(curie: str) -> T:
    p, local = curie.split(":", 1)
    return iri(PREFIXES[p] + local)


def fr(s: str) -> T:
    return T(f'"{esc(s)}"@fr', s, "fr")


def en(s: str) -> T:
    return T(f'"{esc(s)}"@en', s, "en")


def typed(lex: str, dt: str) -> T:
    return T(f'"{esc(lex)}"^^xsd:{dt}')


def date(s: str) -> T:
    return typed(s, "date")


def integer(n: int) -> T:
    return typed(str(n), "integer")


def dec(s: str) -> T:
    return typed(s, "decimal")


def gym(s: str) -> T:
    return typed(s, "gYearMonth")


def gy(s: str) -> T:
    return typed(s, "gYear")


TRUE = typed("true", "boolean")
A = c("rdf:type")
LABEL = c("rdfs:label")
COMMENT = c("rdfs:comment")


# ---------------------------------------------------------------- statement tables
# Rows: (s, p, o, quote, reading, note) for the article, (s, p, o, sources, evidence, reading, excerpt) for the
# public sources. A row with a reading is "read by Relais" (relais:derivation read, relais:reading in words): the
# quote or source does not itself say what the triple says (a year added, a reference resolved, a classification,
# a link resting on a generic sentence). A row without one is "stated by the source". A note is an rdfs:comment on
# the provenance node that does not change the mode (e.g. "local time").
article: list[tuple[T, T, T, str, str | None, str | None]] = []
public: list[tuple[T, T, T, tuple[str, ...], str, str | None, str | None]] = []


def art(s: T, quote: str, *pairs: tuple[T, T], reading: str | None = None, note: str | None = None) -> None:
    """Article statements: all pairs rest on the same verbatim quote (and the same reading, if read)."""
    for p, o in pairs:
        article.append((s, p, o, quote, reading, note))


def pub(s: T, sources: str | tuple[str, ...], evidence: str, *pairs: tuple[T, T], reading: str | None = None,
        excerpt: str | None = None) -> None:
    """Public-source statements: all pairs rest on the same source(s) and paraphrase (and optional French excerpt)."""
    srcs = (sources,) if isinstance(sources, str) else sources
    for p, o in pairs:
        public.append((s, p, o, srcs, evidence, reading, excerpt))


# Derivation modes (ontology/inventory-schemes.ttl, shared with the inventory's coverage links).
GRAPH = "https://w3id.org/relais/graph/"  # relais:inGraph: the named graph of each statement's triple
STATED = ID + "derivation/stated"
READ = ID + "derivation/read"
# The reading of an English rdfs:comment of a graph: it is Relais' note, never words of the source.
NOTE_READING = "Relais' note (in English) on what the source says and does not say; not words of the source."
# Triples kept in the tables only so that statement numbers do not move, but no longer written (issue #16: one
# date per event, the relay's own date was a copy of its event's). Their numbers stay unused, as NOT_WRITTEN ones.
RETIRED: set[tuple[T, T, T]] = set()


# ---------------------------------------------------------------- English labels: Relais' translations
LABEL_PROPS = (LABEL, c("skos:prefLabel"), c("dcterms:title"), c("schema:name"))
TRANSLATED_LANG = r("translatedLabelLanguage")
EN_MARK = T('"en"')
# Label triples whose English object is a translation by Relais (not words of the source). Their provenance
# node says so (see main()); the builder fills this set, do not list triples here by hand.
TRANSLATED: set[tuple[T, T, T]] = set()
# Properties that a shape allows once only: the English translation goes to rdfs:label instead.
ONE_ONLY = {(ID + "article/bilan-3-mois-2020-06-23", "dcterms:title")}

# French label -> Relais' English translation. Names stay names (the French name kept in brackets where the
# English alone would not identify the body); every French label / title of graphs article and public needs one.
TRANSLATIONS = {
    # article
    "Bilan de 3 mois d’anticipation de sortie de crise": "Review of 3 months of anticipating the way out of the crisis",
    "Charles-Benoît Heidsieck": "Charles-Benoît Heidsieck",
    "Cathy Racon-Bouzon": "Cathy Racon-Bouzon",
    "Gabriel Attal": "Gabriel Attal",
    "Médiateur des entreprises": "Business Mediator (Médiateur des entreprises)",
    "Le RAMEAU": "Le RAMEAU",
    "Caisse des Dépôts": "Caisse des Dépôts",
    "Cercle « Investisseur sociétal »": "'Social Investor' Circle (Cercle « Investisseur sociétal »)",
    "Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? »":
        "Collective 'General interest: everyone's business from today?'",
    "Observatoire des partenariats": "Partnerships Observatory (Observatoire des partenariats)",
    "CJD": "CJD",
    "Comisis": "Comisis",
    "OpinionWay": "OpinionWay",
    "l’innovation territoriale en actions": "Territorial innovation in action (l’innovation territoriale en actions)",
    "co-pilotage de la démarche : Médiateur des entreprises (institution)":
        "co-piloting of the initiative: Business Mediator (institution)",
    "co-pilotage de la démarche : Le RAMEAU (chercheur)": "co-piloting of the initiative: Le RAMEAU (researcher)",
    "comment utilement « agir ensemble » ?": "how to usefully 'act together'?",
    "comment aider les institutions à anticiper la sortie de crise ?":
        "how to help institutions anticipate the way out of the crisis?",
    "Comment favoriser l’articulation des ingénieries publiques & privées, nationales & territoriales ?":
        "How to foster the linking of public & private, national & territorial support engineering?",
    "programme systémique de 21 mesures": "systemic programme of 21 measures",
    "l’ODD 17 en pratique": "SDG 17 in practice",
    "Étude « jouer collectif en sortie de crise » - volet citoyens": "Study 'playing together to leave the crisis' - citizens part",
    "Étude « jouer collectif en sortie de crise » - volet entreprises":
        "Study 'playing together to leave the crisis' - enterprises part",
    "jouer collectif en sortie de crise": "playing together to leave the crisis",
    "81 % des Français": "81 % of French people",
    "84 % des dirigeants de TPE-PME": "84 % of heads of very small, small and medium enterprises",
    "Capitaliser les données pour se doter d’un 360° des besoins, programmes & acteurs":
        "Capitalising data to get a 360° view of needs, programmes & actors",
    "Structurer un cadre de référence commun pour faciliter les dialogues":
        "Structuring a common reference framework to ease dialogue",
    "Animer des espaces de dialogue entre « mondes » complémentaires pour faciliter l’interconnaissance des actions, favoriser les synergies et identifier les « trous dans la raquette »":
        "Running dialogue spaces between complementary 'worlds' so that actions get known to one another, synergies grow and 'gaps in the net' are found",
    "Qualifier les besoins au travers des différentes études… puis croiser les visions prospectives sur « l’après »":
        "Qualifying needs through the various studies… then crossing the forward-looking views on 'the after'",
    "Faire une cartographie des principaux programmes d’urgence et de relance": "Mapping the main emergency and recovery programmes",
    "Identifier les réseaux de référence capables de relayer l’information, et les « catalyseurs territoriaux » moteurs pour animer localement un dialogue collectif.":
        "Identifying the reference networks able to pass information on, and the 'territorial catalysts' that drive a collective dialogue locally.",
    "une cinquantaine d’entretiens individuels": "some fifty individual interviews",
    "étude documentaire": "desk research",
    "retour d’expérience du RAMEAU": "Le RAMEAU's lessons from experience",
    "rapport de synthèse des échanges (articulation des ingénieries)": "summary report of the discussions (linking support engineering)",
    "rapport de synthèse des échanges (investisseurs sociétaux)": "summary report of the discussions (social investors)",
    "note sur les enjeux de croiser les regards sur les visions de « l’après »":
        "note on why crossing views on the visions of 'the after' matters",
    "note d’analyse comparative des positionnements": "comparative analysis note on positionings",
    "note sur les synergies et différences des besoins & solutions": "note on the synergies and differences of needs & solutions",
    "étude pilote du CJD « jouer collectif en territoire »": "CJD pilot study 'playing together in the territories'",
    "jouer collectif en territoire": "playing together in the territories",
    "réflexion en cours sur le transfert de l’espace de dialogue": "ongoing reflection on handing over the dialogue space",
    "expérimentation « jouer collectif » entre investisseurs sur le thème « numérique & territoires »":
        "'playing together' experiment among investors on the theme 'digital & territories'",
    "échange avec le Cercle « Investisseur sociétal »": "exchange with the 'Social Investor' Circle",
    "échange avec le Cercle « Investisseur sociétal » (15 juillet 2020)": "exchange with the 'Social Investor' Circle (15 July 2020)",
    "relais auprès du Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? »":
        "relay to the Collective 'General interest: everyone's business from today?'",
    "réunion du Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? » (23 juin 2020)":
        "meeting of the Collective 'General interest: everyone's business from today?' (23 June 2020)",
    "partage en avant-première des premiers résultats de l’étude pilote du CJD": "preview of the first results of the CJD pilot study",
    "6ème Rencontre des pionniers des alliances en Territoire": "6th Meeting of the pioneers of alliances in the territories",
    "publication des travaux à l’occasion du webinaire de la plateforme « l’innovation territoriale en actions »":
        "publication of the work at the webinar of the platform 'Territorial innovation in action'",
    "webinaire de la plateforme « l’innovation territoriale en actions » (16 juillet 2020)":
        "webinar of the platform 'Territorial innovation in action' (16 July 2020)",
    "relais auprès de l’Observatoire des partenariats": "relay to the Partnerships Observatory",
    "base de données d’inventaire des besoins et des programmes d’urgence & de relance":
        "inventory database of needs and of emergency & recovery programmes",
    "inventaire au 19 juin 2020 : 250 données": "inventory at 19 June 2020: 250 records",
    "les 30 « têtes de pont »": "the 30 'bridgeheads'",
    "les 350 « catalyseurs territoriaux »": "the 350 'territorial catalysts'",
    "analyse des enseignements sur le « jouer collectif » en période de crise":
        "analysis of the lessons on 'playing together' in times of crisis",
    # public
    "MEDEF": "MEDEF",
    "Le Mouvement associatif": "Le Mouvement associatif",
    "PANA - Points d’appui au numérique associatif": "PANA - digital support points for associations (Points d’appui au numérique associatif)",
    "ANCT": "ANCT (National Agency for Territorial Cohesion)",
    "Groupe La Poste": "La Poste Group",
    "Réseau des pionniers des alliances en Territoire":
        "Network of the pioneers of alliances in the territories (Réseau des pionniers des alliances en Territoire)",
    "rapport de capitalisation de la démarche (septembre 2020)": "capitalisation report of the initiative (September 2020)",
    "inventaire au 23 avril 2020 : plus d’une centaine d’initiatives": "inventory at 23 April 2020: over a hundred initiatives",
    "inventaire au 7 septembre 2020 : 118 expressions de besoins": "inventory at 7 September 2020: 118 need expressions",
    "inventaire au 7 septembre 2020 : 119 programmes d’urgence": "inventory at 7 September 2020: 119 emergency programmes",
    "inventaire au 7 septembre 2020 : 61 programmes de relance": "inventory at 7 September 2020: 61 recovery programmes",
    "DJEPVA": "DJEPVA (Directorate for Youth, Popular Education and Voluntary Organisations)",
    "Pierre Pelouzet": "Pierre Pelouzet",
    "Enquête « COVID-19 : quels impacts pour votre association ? » (Le Mouvement associatif)":
        "Survey 'COVID-19: what impacts on your association?' (Le Mouvement associatif)",
    "Enquête « Où en sont les associations après le confinement ? » (Le Mouvement associatif)":
        "Survey 'Where do associations stand after the lockdown?' (Le Mouvement associatif)",
    "Recherches & Solidarités": "Recherches & Solidarités",
    "France Relance": "France Relance",
}


def translated(s: T, p: T, label_en: str) -> tuple[T, T]:
    """Register (s, p, label_en@en) as Relais' translation; returns the pair for art() / pub()."""
    o = en(label_en)
    TRANSLATED.add((s, p, o))
    return (p, o)


def translate_labels(rows: list) -> None:
    """Append to a table Relais' English translation of each French label that has no English one yet, then
    relais:translatedLabelLanguage "en" on each resource with a translated label. The new rows keep the evidence
    (article quote, or public sources) of the French label they translate; main() writes their provenance as a
    translation. Idempotent: call it at the end of each table, so that the rows it adds come last."""
    have_en = {(row[0], row[1]) for row in rows if row[1] in LABEL_PROPS and row[2].lang == "en"}
    marked = {row[0] for row in rows if row[1] == TRANSLATED_LANG}
    new = []
    for row in rows:
        s, p, o = row[:3]
        if p not in LABEL_PROPS or o.lang != "fr":
            continue
        target = LABEL if (s.ttl.strip("<>"), p.ttl) in ONE_ONLY else p
        if (s, target) in have_en:
            continue
        if o.text not in TRANSLATIONS:
            raise SystemExit(f"no English translation for the French label {o.text!r}: add it to TRANSLATIONS")
        pair = translated(s, target, TRANSLATIONS[o.text])
        have_en.add((s, target))
        new.append((s, *pair, *row[3:]))
    rows.extend(new)
    for row in list(rows):
        if tuple(row[:3]) in TRANSLATED and row[0] not in marked:
            marked.add(row[0])
            rows.append((row[0], TRANSLATED_LANG, EN_MARK, *row[3:]))


# ================================================================= ARTICLE
ART = i("article/bilan-3-mois-2020-06-23")
INIT = i("initiative/anticiper-sortie-de-crise")
MEDIATEUR = i("organisation/mediateur-des-entreprises")
RAMEAU = i("organisation/le-rameau")
CDC = i("organisation/caisse-des-depots")
CERCLE = i("organisation/cercle-investisseur-societal")
COLLECTIF = i("organisation/collectif-interet-general")
OBS = i("organisation/observatoire-des-partenariats")
CJD = i("organisation/cjd")
COMISIS = i("organisation/comisis")
OPINIONWAY = i("organisation/opinionway")
PLATFORM = i("platform/innovation-territoriale-en-actions")
CBH = i("person/charles-benoit-heidsieck")
CRB = i("person/cathy-racon-bouzon")
ATTAL = i("person/gabriel-attal")
URGENCE = i("phase/urgence")
RELANCE = i("phase/relance")
PREVU = i("relay-status/prevu")
EN_COURS = i("relay-status/en-cours")
REALISE = i("relay-status/realise")
ANNONCE = i("relay-status/annonce")

# --- the article itself
q = "Bilan de 3 mois d’anticipation de sortie de crise"
art(ART, q, (A, r("Article")), (c("dcterms:title"), fr(q)), (LABEL, fr(q)))
art(ART, "Par Le RAMEAU - Publié le 23 juin 2020 - 11:08", (c("dcterms:creator"), RAMEAU))
art(ART, "Publié le 23 juin 2020 - 11:08", (c("dcterms:issued"), typed("2020-06-23T11:08:00", "dateTime")),
    note="Local (Paris) time; the article gives no time zone.")
art(ART, "Mise à jour le 23 juin 2020 - 14:05", (c("dcterms:modified"), typed("2020-06-23T14:05:00", "dateTime")),
    note="Local (Paris) time; the article gives no time zone.")
art(ART, "Charles-Benoît HEIDSIECK, Président-fondateur du RAMEAU", (c("schema:author"), CBH))
art(ART, "Après 3 mois de cheminement, nous sommes heureux d’en partager les résultats.", (c("schema:about"), INIT))
art(ART, "Bilan de 3 mois d’anticipation de sortie de crise", (c("dcterms:language"), typed("fr", "language")),
    reading="The article is written in French.")

# --- people
q = "Charles-Benoît HEIDSIECK, Président-fondateur du RAMEAU"
art(CBH, q, (A, r("Person")), (LABEL, fr("Charles-Benoît Heidsieck")), (r("roleTitle"), fr("Président-fondateur du RAMEAU")),
    (r("founderOf"), RAMEAU))
q = "en copilotage avec la Députée Cathy RACON-BOUZON"
art(CRB, q, (A, r("Person")), (LABEL, fr("Cathy Racon-Bouzon")), (r("roleTitle"), fr("Députée")))
q = "à la demande du Secrétaire d’Etat Gabriel ATTAL"
art(ATTAL, q, (A, r("Person")), (LABEL, fr("Gabriel Attal")), (r("roleTitle"), fr("Secrétaire d’Etat")))

# --- organisations
q = "la démarche « anticiper la sortie de crise des acteurs / actions d’intérêt général » a été initiée par le Médiateur des entreprises et Le RAMEAU"
art(MEDIATEUR, q, (A, r("PublicBody")),
    reading="Typed as a public body: the article calls the Médiateur 'ce service' and speaks of the State's role ('positionnement atypique de l’Etat'); it does not say 'organisme public'.")
art(MEDIATEUR, q, (LABEL, fr("Médiateur des entreprises")))
art(MEDIATEUR, "Du fait du positionnement atypique de l’Etat dans cette fonction de facilitation",
    (COMMENT, en("A State service (the article speaks of 'ce service' and of the State's role in this facilitation function); hence typed as a public body.")),
    reading="Typing as public body is a reading of 'ce service' and of the State's position.")
art(MEDIATEUR, "Du fait de l’anniversaire des 10 ans de la création de ce service", (r("foundingYear"), gy("2010")),
    reading="Year computed from the 10th anniversary in 2020 (the article's year); not stated as such.")
art(RAMEAU, q, (A, r("Organisation")), (LABEL, fr("Le RAMEAU")))
q = "le Cercle « Investisseur sociétal » animé par la Caisse des Dépôts"
art(CDC, q, (A, r("Organisation")), (LABEL, fr("Caisse des Dépôts")))
art(CERCLE, q, (A, r("Network")), reading="A 'Cercle' of investors run by the Caisse des Dépôts is typed as a network of organisations.")
art(CERCLE, q, (LABEL, fr("Cercle « Investisseur sociétal »")), (r("animatedBy"), CDC))
q = "Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? »"
art(COLLECTIF, q, (A, r("Network")), reading="A 'Collectif' is typed as a network of organisations.")
art(COLLECTIF, q, (LABEL, fr("Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? »")))
q = "pour l’Observatoire des partenariats"
art(OBS, q, (A, r("Organisation")), (LABEL, fr("Observatoire des partenariats")))
q = "étude pilote du CJD « jouer collectif en territoire »"
art(CJD, q, (A, r("Organisation")), (LABEL, fr("CJD")))
q = "(Comisis-OpinionWay, mai 2020)"
art(COMISIS, q, (A, r("Organisation")), (LABEL, fr("Comisis")))
art(OPINIONWAY, q, (A, r("Organisation")), (LABEL, fr("OpinionWay")))
q = "Elle est en accès libre sur la plateforme l’innovation territoriale en actions"
art(PLATFORM, q, (A, r("Platform")), (LABEL, fr("l’innovation territoriale en actions")))

# --- the initiative
q = "la démarche « anticiper la sortie de crise des acteurs / actions d’intérêt général » a été initiée par le Médiateur des entreprises et Le RAMEAU"
art(INIT, q, (A, r("Initiative")), (LABEL, fr("anticiper la sortie de crise des acteurs / actions d’intérêt général")),
    (r("initiatedBy"), MEDIATEUR), (r("initiatedBy"), RAMEAU))
q = "Dès le 20 mars, la démarche"
art(INIT, q, (r("startDate"), date("2020-03-20")),
    (COMMENT, en("Start date: the article says 'Dès le 20 mars'; the year 2020 is inferred from the article's date (23 June 2020) and its '3 mois de cheminement'.")),
    reading="Year 2020 added to '20 mars' from the article's date.")
art(INIT, "Après 3 mois de cheminement", (r("durationAtReport"), typed("P3M", "duration")))
art(INIT, "COVID-19 : à crise inédite, réponses inédites !", (c("dcterms:subject"), fr("COVID-19")))
q = "la complémentarité des positionnements du binôme Médiateur des entreprises – Le RAMEAU permettait le « tiers de confiance » idéal pour co-construire la démarche"
art(INIT, q, (r("coPilotedBy"), MEDIATEUR), (r("coPilotedBy"), RAMEAU))
CP_MED = i("co-pilotage/mediateur-des-entreprises")
CP_RAM = i("co-pilotage/le-rameau")
art(INIT, q, (c("prov:qualifiedAssociation"), CP_MED), (c("prov:qualifiedAssociation"), CP_RAM))
q = "L’expérience d’un co-pilotage institution / chercheur"
rd = "Reading: in 'co-pilotage institution / chercheur' the institution is the Médiateur des entreprises and the researcher is Le RAMEAU (order of the 'binôme Médiateur des entreprises – Le RAMEAU')."
art(CP_MED, q, (A, r("CoPilotage")), (LABEL, fr("co-pilotage de la démarche : Médiateur des entreprises (institution)")),
    (c("prov:agent"), MEDIATEUR), (r("roleLabel"), fr("institution")), reading=rd)
art(CP_RAM, q, (A, r("CoPilotage")), (LABEL, fr("co-pilotage de la démarche : Le RAMEAU (chercheur)")),
    (c("prov:agent"), RAMEAU), (r("roleLabel"), fr("chercheur")), reading=rd)
art(CP_MED, "Le Médiateur des entreprises était un choix symbolique fort",
    (r("selectionReason"), fr("un choix symbolique fort")))
art(CP_MED, "Du fait de son métier de « médiation »", (r("selectionReason"), fr("son métier de « médiation »")))
art(CP_MED, "Du fait du positionnement atypique de l’Etat dans cette fonction de facilitation",
    (r("selectionReason"), fr("le positionnement atypique de l’Etat dans cette fonction de facilitation")))
art(CP_MED, "Du fait de l’anniversaire des 10 ans de la création de ce service qui a largement fait la « preuve de concept » de son utilité et envisage aujourd’hui un déploiement plus large",
    (r("selectionReason"), fr("l’anniversaire des 10 ans de la création de ce service, qui a largement fait la « preuve de concept » de son utilité et envisage aujourd’hui un déploiement plus large")))
REPORT = i("report/alliances-strategiques-2020")
q = "La démarche pouvait donc en être un exemple applicatif pour (dé)montrer la valeur ajoutée du « jouer collectif » pour sortir plus rapidement de la crise"
art(INIT, q, (r("applicationOf"), REPORT),
    reading="'en' is read as the ministerial report on strategic alliances of the previous sentence.")
art(INIT, q, (r("aim"), fr("(dé)montrer la valeur ajoutée du « jouer collectif » pour sortir plus rapidement de la crise")))

# --- initial questions
Q1, Q2, Q3 = i("initial-question/agir-ensemble"), i("initial-question/aider-les-institutions"), i("initial-question/articuler-les-ingenieries")
q = "les premières intuitions ont été fondées sur 3 questions"
art(INIT, q, (r("foundedOnQuestion"), Q1), (r("foundedOnQuestion"), Q2), (r("foundedOnQuestion"), Q3))
for qq, n in ((Q1, 1), (Q2, 2), (Q3, 3)):
    art(qq, q, (A, r("InitialQuestion")), (r("ordinal"), integer(n)))
art(Q1, "la question devenait donc comment utilement « agir ensemble » ?",
    (LABEL, fr("comment utilement « agir ensemble » ?")), (r("questionText"), fr("comment utilement « agir ensemble » ?")))
art(Q1, "L’ampleur de la situation était telle que personne ne pouvait savoir quoi faire de manière certaine, après s’être soi-même mis en sécurité",
    (r("context"), fr("L’ampleur de la situation était telle que personne ne pouvait savoir quoi faire de manière certaine, après s’être soi-même mis en sécurité")))
q = "Les institutions se devant d’être au front, elles n’auraient pas le temps matériel d’anticiper la sortie de crise. Comment les y aider ?"
art(Q2, q, (LABEL, fr("comment aider les institutions à anticiper la sortie de crise ?")),
    reading="The label spells out 'les y' of 'Comment les y aider ?' (the institutions, to anticipate the way out of the crisis).")
art(Q2, q, (r("questionText"), fr("Comment les y aider ?")),
    (r("context"), fr("Les institutions se devant d’être au front, elles n’auraient pas le temps matériel d’anticiper la sortie de crise.")),
    (r("concernsActorType"), i("actor-type/institution")))
q = "Comment favoriser l’articulation des ingénieries publiques & privées, nationales & territoriales ?"
art(Q3, q, (LABEL, fr(q)), (r("questionText"), fr(q)))
q = "« l’intendance » risquait de ne pas suivre… non seulement dans l’urgence, mais aussi dans la relance."
art(Q3, q, (r("context"), fr(q)), (r("concernsPhase"), URGENCE), (r("concernsPhase"), RELANCE))

# --- the ministerial report, its measures and kit
q = "Le RAMEAU était en cours de formalisation du rapport ministériel sur l’accélération des alliances stratégiques entre associations, entreprises et collectivités, en copilotage avec la Députée Cathy RACON-BOUZON, à la demande du Secrétaire d’Etat Gabriel ATTAL"
art(REPORT, q, (A, r("Report")),
    (LABEL, fr("rapport ministériel sur l’accélération des alliances stratégiques entre associations, entreprises et collectivités")),
    (r("coPilotedBy"), RAMEAU), (r("coPilotedBy"), CRB), (r("requestedBy"), ATTAL),
    (r("concernsActorType"), i("actor-type/association")), (r("concernsActorType"), i("actor-type/entreprise")),
    (r("concernsActorType"), i("actor-type/collectivite")))
q = "Le rapport a été remis au Ministre le 7 mai 2020"
art(REPORT, q, (r("handedOverOn"), date("2020-05-07")),
    (COMMENT, en("The article says the report was handed 'au Ministre' without naming him; graph public names Gabriel Attal from another source.")))
MP = i("measure-programme/21-mesures-alliances-strategiques")
q = "avec un programme systémique de 21 mesures"
art(REPORT, q, (r("includesMeasureProgramme"), MP))
art(MP, q, (A, r("MeasureProgramme")), (LABEL, fr("programme systémique de 21 mesures")), (r("memberCount"), integer(21)),
    (COMMENT, en("The 21 measures are not listed in the article nor in the public sources found; they are counted, not named.")))
KIT17 = i("kit/odd-17-en-pratique")
q = "ainsi qu’un kit « l’ODD 17 en pratique » pour aider les territoires et les organisations à agir dès aujourd’hui"
art(REPORT, q, (r("includesKit"), KIT17))
art(KIT17, q, (A, r("Kit")), (LABEL, fr("l’ODD 17 en pratique")),
    (r("purpose"), fr("aider les territoires et les organisations à agir dès aujourd’hui")))
SDG17 = T("<http://metadata.un.org/sdg/17>")
art(KIT17, "un kit « l’ODD 17 en pratique »", (c("dcterms:subject"), SDG17),
    reading="'ODD 17' is the French name of Sustainable Development Goal 17, identified by the UN SDG vocabulary IRI.")

# --- the two studies and their findings
ST_C = i("study/jouer-collectif-sortie-de-crise-citoyens")
ST_E = i("study/jouer-collectif-sortie-de-crise-entreprises")
q = "Etude « jouer collectif en sortie de crise » - volet citoyens - pour l’Observatoire des partenariats (Comisis-OpinionWay, mai 2020)"
art(ST_C, q, (A, r("Study")), (LABEL, fr("Étude « jouer collectif en sortie de crise » - volet citoyens")),
    (c("dcterms:title"), fr("jouer collectif en sortie de crise")), (r("studyPart"), fr("volet citoyens")),
    (r("commissionedFor"), OBS), (r("conductedBy"), COMISIS), (r("conductedBy"), OPINIONWAY), (c("dcterms:date"), gym("2020-05")))
q = "Etude « jouer collectif en sortie de crise » - volet entreprises - pour l’Observatoire des partenariats (Comisis-OpinionWay, juin 2020)"
art(ST_E, q, (A, r("Study")), (LABEL, fr("Étude « jouer collectif en sortie de crise » - volet entreprises")),
    (c("dcterms:title"), fr("jouer collectif en sortie de crise")), (r("studyPart"), fr("volet entreprises")),
    (r("commissionedFor"), OBS), (r("conductedBy"), COMISIS), (r("conductedBy"), OPINIONWAY), (c("dcterms:date"), gym("2020-06")))
F81, F84 = i("finding/81-pct-francais"), i("finding/84-pct-dirigeants-tpe-pme")
PCT = T("<http://qudt.org/vocab/unit/PERCENT>")
STMT = "plébiscitent la valeur ajoutée du « jouer collectif » pour sortir plus rapidement de la crise"
rd = "'Cette conviction' refers to the added value of 'jouer collectif' to leave the crisis faster (previous sentence)."
q = "Cette conviction a depuis été plébiscitée par 81% des Français[2]"
art(F81, q, (A, r("Finding")), (LABEL, fr("81 % des Français")), (r("value"), dec("81")), (r("unit"), PCT), (r("population"), fr("Français")))
art(F81, q, (r("statement"), fr(STMT)), reading=rd)
art(F81, "81% des Français[2]", (r("derivedFromStudy"), ST_C), (r("date"), gym("2020-05")),
    reading="Footnote [2] points to the citizens part of the study (May 2020); the finding's date is the study's month.")
q = "Cette conviction a depuis été plébiscitée par 81% des Français[2] et 84% des dirigeants de TPE-PME[3]"
art(F84, q, (A, r("Finding")), (LABEL, fr("84 % des dirigeants de TPE-PME")), (r("value"), dec("84")), (r("unit"), PCT),
    (r("population"), fr("dirigeants de TPE-PME")))
art(F84, q, (r("statement"), fr(STMT)), reading=rd)
art(F84, "84% des dirigeants de TPE-PME[3]", (r("derivedFromStudy"), ST_E), (r("date"), gym("2020-06")),
    reading="Footnote [3] points to the enterprises part of the study (June 2020); the finding's date is the study's month.")

# --- target
TARGET = i("target/acteurs-actions-interet-general")
art(INIT, "La cible de la démarche : les acteurs / actions d’intérêt général", (r("targets"), TARGET))
art(TARGET, "La cible de la démarche : les acteurs / actions d’intérêt général", (A, r("TargetPopulation")),
    (LABEL, fr("acteurs / actions d’intérêt général")))
art(TARGET, "Un choix structurant : cibler les structures les plus fragiles", (r("selectionPrinciple"), fr("cibler les structures les plus fragiles")))
art(TARGET, "Le choix s’est fait naturellement sur les acteurs / actions d’intérêt général pour les 3 raisons ci-contre.",
    (r("reasonCount"), integer(3)),
    (COMMENT, en("The article shows the three reasons only as a picture ('ci-contre'); their text is in graph public, from another source.")))

# --- objectives and inventory axes
O1 = i("objective/capitaliser-les-donnees")
O2 = i("objective/structurer-un-cadre-de-reference")
O3 = i("objective/animer-des-espaces-de-dialogue")
q = "Telles furent les 3 objectifs de la démarche qui se sont progressivement structurés."
art(INIT, q, (r("hasObjective"), O1), (r("hasObjective"), O2), (r("hasObjective"), O3))
for o in (O1, O2, O3):
    art(o, q, (A, r("Objective")))
rdq = "Reading: the three questions 'Comment se doter d’une vision systémique ? Comment la structurer ? Comment la mettre en débat ?' are matched to the three objectives by their order."
q = "1er objectif : Capitaliser les données pour se doter d’un 360° des besoins, programmes & acteurs"
art(O1, q, (LABEL, fr("Capitaliser les données pour se doter d’un 360° des besoins, programmes & acteurs")), (r("ordinal"), integer(1)))
art(O1, "Comment se doter d’une vision systémique ?", (r("guidingQuestion"), fr("Comment se doter d’une vision systémique ?")), reading=rdq)
art(O1, "Pour comprendre la diversité des dynamiques à l’œuvre", (r("purpose"), fr("comprendre la diversité des dynamiques à l’œuvre")))
q = "2ème objectif : Structurer un cadre de référence commun pour faciliter les dialogues"
art(O2, q, (LABEL, fr("Structurer un cadre de référence commun pour faciliter les dialogues")), (r("ordinal"), integer(2)))
art(O2, "Comment la structurer ?", (r("guidingQuestion"), fr("Comment la structurer ?")), reading=rdq)
q = "3ème objectif : Animer des espaces de dialogue entre « mondes » complémentaires pour faciliter l’interconnaissance des actions, favoriser les synergies et identifier les « trous dans la raquette »"
art(O3, q, (LABEL, fr("Animer des espaces de dialogue entre « mondes » complémentaires pour faciliter l’interconnaissance des actions, favoriser les synergies et identifier les « trous dans la raquette »")),
    (r("ordinal"), integer(3)), (r("goal"), fr("faciliter l’interconnaissance des actions")),
    (r("goal"), fr("favoriser les synergies")), (r("goal"), fr("identifier les « trous dans la raquette »")))
art(O3, "Comment la mettre en débat ?", (r("guidingQuestion"), fr("Comment la mettre en débat ?")), reading=rdq)

AX1 = i("inventory-axis/qualifier-les-besoins")
AX2 = i("inventory-axis/cartographier-les-programmes")
AX3 = i("inventory-axis/identifier-reseaux-et-catalyseurs")
q = "il était nécessaire de faire un inventaire autour de 3 axes"
art(O1, q, (r("hasAxis"), AX1), (r("hasAxis"), AX2), (r("hasAxis"), AX3))
q = "Qualifier les besoins au travers des différentes études… puis croiser les visions prospectives sur « l’après »"
art(AX1, q, (A, r("InventoryAxis")), (LABEL, fr(q)), (r("ordinal"), integer(1)))
q = "Faire une cartographie des principaux programmes d’urgence et de relance"
art(AX2, q, (A, r("InventoryAxis")), (LABEL, fr(q)), (r("ordinal"), integer(2)),
    (r("concernsPhase"), URGENCE), (r("concernsPhase"), RELANCE))
q = "Identifier les réseaux de référence capables de relayer l’information, et les « catalyseurs territoriaux » moteurs pour animer localement un dialogue collectif."
art(AX3, q, (A, r("InventoryAxis")), (LABEL, fr(q)), (r("ordinal"), integer(3)))

# --- reference framework
FW = i("reference-framework/cadre-de-reference-sortie-de-crise")
art(O2, "il convenait de définir un cadre autour des deux temporalités", (r("produces"), FW))
art(FW, "ont permis d’établir un cadre de référence partagé à partir duquel la capitalisation a pu être structurée",
    (A, r("ReferenceFramework")), (LABEL, fr("cadre de référence partagé")))
art(FW, "Pour pouvoir consolider les données et les rendre lisibles", (r("purpose"), fr("consolider les données et les rendre lisibles")))
art(FW, "Sur les différents volets des plans d’urgence", (r("hasPhase"), URGENCE))
art(FW, "Sur les différents volets des plans de relance.", (r("hasPhase"), RELANCE))
RA1 = i("research-activity/entretiens-individuels")
RA2 = i("research-activity/etude-documentaire")
RA3 = i("research-activity/retour-experience-le-rameau")
q = "Une cinquantaine d’entretiens individuels avec un panel d’acteurs représentatifs de la diversité de l’écosystème, une étude documentaire, ainsi que le retour d’expérience du RAMEAU ont permis d’établir un cadre de référence partagé"
art(FW, q, (c("prov:wasDerivedFrom"), RA1), (c("prov:wasDerivedFrom"), RA2), (c("prov:wasDerivedFrom"), RA3))
art(RA1, "Une cinquantaine d’entretiens individuels avec un panel d’acteurs représentatifs de la diversité de l’écosystème",
    (A, r("ResearchActivity")), (LABEL, fr("une cinquantaine d’entretiens individuels")), (r("approximateCount"), integer(50)),
    (r("panel"), fr("un panel d’acteurs représentatifs de la diversité de l’écosystème")))
art(RA2, "une étude documentaire", (A, r("ResearchActivity")), (LABEL, fr("étude documentaire")))
art(RA3, "le retour d’expérience du RAMEAU", (A, r("ResearchActivity")), (LABEL, fr("retour d’expérience du RAMEAU")),
    (c("prov:wasAssociatedWith"), RAMEAU))

# --- dialogue spaces, deliverables, relays, events
S1 = i("dialogue-space/articulation-ingenieries")
S2 = i("dialogue-space/investisseurs-societaux")
S3 = i("dialogue-space/regards-sur-l-apres")
S4 = i("dialogue-space/besoins-aig-pme")
q = "4 espaces de dialogue se sont structurés pour mettre en débat les résultats, permettre à chacun de s’en saisir, mais aussi se questionner sur les enjeux collectifs qui en résultaient"
art(O3, q, (r("realisedBy"), S1), (r("realisedBy"), S2), (r("realisedBy"), S3), (r("realisedBy"), S4))
for s in (S1, S2, S3, S4):
    art(s, q, (A, r("DialogueSpace")), (r("partOfInitiative"), INIT))
art(S1, "Espace de dialogue « Articulation des ingénieries nationales & territoriales »",
    (LABEL, fr("Articulation des ingénieries nationales & territoriales")))
art(S2, "Espace de dialogue « Jouer collectif entre investisseurs sociétaux »",
    (LABEL, fr("Jouer collectif entre investisseurs sociétaux")), (r("concernsActorType"), i("actor-type/investisseur-societal")))
art(S3, "Espace de dialogue « Croiser la diversité des regards sur « l’après »",
    (LABEL, fr("Croiser la diversité des regards sur « l’après »")))
art(S4, "Espace de dialogue « Comparer les besoins et solutions entre acteurs d’intérêt général et PME »",
    (LABEL, fr("Comparer les besoins et solutions entre acteurs d’intérêt général et PME")),
    (r("concernsActorType"), i("actor-type/acteur-interet-general")), (r("concernsActorType"), i("actor-type/tpe-pme")))


def deliverable(space: T, d: T, quote: str, label: str, dtype: str) -> None:
    # relais:deliverableOf (inverse of relais:hasDeliverable) stays in the table only to keep statement numbers:
    # it is in NOT_WRITTEN, so only space -> deliverable is asserted
    art(space, quote, (r("hasDeliverable"), d))
    art(d, quote, (A, r("Deliverable")), (LABEL, fr(label)), (r("deliverableType"), fr(dtype)), (r("deliverableOf"), space))


D1 = i("deliverable/rapport-synthese-articulation-ingenieries")
D2 = i("deliverable/rapport-synthese-investisseurs-societaux")
D3 = i("deliverable/note-regards-sur-l-apres")
D4a = i("deliverable/note-analyse-comparative-positionnements")
D4b = i("deliverable/note-synergies-differences-besoins-solutions")
D4c = i("deliverable/etude-pilote-cjd-jouer-collectif-en-territoire")
deliverable(S1, D1, "Livrable : rapport de synthèse des échanges,", "rapport de synthèse des échanges (articulation des ingénieries)", "rapport de synthèse")
deliverable(S2, D2, "Livrable : rapport de synthèse des échanges,", "rapport de synthèse des échanges (investisseurs sociétaux)", "rapport de synthèse")
deliverable(S3, D3, "Livrable : note sur les enjeux de croiser les regards sur les visions de « l’après »,",
            "note sur les enjeux de croiser les regards sur les visions de « l’après »", "note")
q4 = "Livrables : note d’analyse comparative des positionnements, note sur les synergies et différences des besoins & solutions, étude pilote du CJD « jouer collectif en territoire »."
deliverable(S4, D4a, q4, "note d’analyse comparative des positionnements", "note")
deliverable(S4, D4b, q4, "note sur les synergies et différences des besoins & solutions", "note")
deliverable(S4, D4c, q4, "étude pilote du CJD « jouer collectif en territoire »", "étude pilote")
art(D4c, "étude pilote du CJD « jouer collectif en territoire »", (A, r("Study")),
    (c("dcterms:title"), fr("jouer collectif en territoire")), (r("conductedBy"), CJD))

CARRY = "Les fruits des 4 espaces de dialogue vont être transmis à des relais"
CARRY_RD = ("Reading: the article says the outputs of each space 'vont être transmis à des relais' and lists a deliverable "
            "and relays per space; a relay is read as carrying its own space's deliverable(s).")
YEAR_RD = "Year 2020 added from the article's date."
# How each relay's status as of the article (23 June 2020) is established: None = stated by its own words.
FUTURE_RD = ("Planned: read from the heading's future tense 'vont être transmis à des relais'; the relay's own words "
             "give no tense{date}.")
LATER_RD = "Planned: dated {day}, after the article's date (23 June 2020), under the heading's future 'vont être transmis à des relais'."


def relay(space: T, rl: T, quote: str, label: str, form: str, status: T, status_quote: str, status_reading: str | None) -> None:
    # relais:relayOf (inverse of relais:hasRelay) stays in the table only to keep statement numbers: it is in
    # NOT_WRITTEN, so only space -> relay is asserted
    art(space, quote, (r("hasRelay"), rl))
    art(rl, quote, (A, r("Relay")), (LABEL, fr(label)), (r("relayOf"), space), (r("relayForm"), fr(form)))
    art(rl, status_quote, (r("relayStatus"), status), reading=status_reading)
    RELAY_STATUS[rl] = (status, status_quote, status_reading)


def retired(s: T, quote: str, *pairs: tuple[T, T], reading: str | None = None) -> None:
    """Rows kept only for their statement numbers (see RETIRED): not written."""
    art(s, quote, *pairs, reading=reading)
    RETIRED.update((s, p, o) for p, o in pairs)


# relay -> (status as of the article, its quote, its reading): the article's StatusAssertion of each relay (below)
RELAY_STATUS: dict[T, tuple[T, str, str | None]] = {}

R1 = i("relay/transfert-espace-articulation-ingenieries")
q = "Relais : réflexion en cours sur le transfert de l’espace de dialogue."
relay(S1, R1, q, "réflexion en cours sur le transfert de l’espace de dialogue", "transfert", EN_COURS, q, None)
art(R1, q, (r("transfersSpace"), S1),
    (r("noDeliverableReason"), fr("Le relais porte sur le transfert de l’espace de dialogue lui-même, pas sur un livrable.")),
    reading="Reading: this relay is the transfer of the dialogue space itself, so no deliverable is attached to it.")

q = "Relais : expérimentation « jouer collectif » entre investisseurs sur le thème « numérique & territoires », et échange avec le Cercle « Investisseur sociétal » animé par la Caisse des Dépôts, le 15 juillet."
R2a = i("relay/experimentation-numerique-et-territoires")
R2b = i("relay/echange-cercle-investisseur-societal-2020-07-15")
relay(S2, R2a, q, "expérimentation « jouer collectif » entre investisseurs sur le thème « numérique & territoires »",
      "expérimentation", PREVU, CARRY, FUTURE_RD.format(date=" nor date"))
art(R2a, "expérimentation « jouer collectif » entre investisseurs sur le thème « numérique & territoires »",
    (r("theme"), fr("numérique & territoires")))
art(R2a, CARRY, (r("carriesDeliverable"), D2), reading=CARRY_RD)
relay(S2, R2b, q, "échange avec le Cercle « Investisseur sociétal »", "échange", PREVU, "le 15 juillet.", LATER_RD.format(day="15 July"))
E_CERCLE = i("event/echange-cercle-investisseur-societal-2020-07-15")
qd = "échange avec le Cercle « Investisseur sociétal » animé par la Caisse des Dépôts, le 15 juillet."
art(R2b, qd, (r("relayTo"), CERCLE))
art(R2b, qd, (r("atEvent"), E_CERCLE), reading="The exchange of 15 July is modelled as an event at which the relay takes place.")
retired(R2b, "le 15 juillet.", (r("date"), date("2020-07-15")), reading=YEAR_RD)
art(R2b, CARRY, (r("carriesDeliverable"), D2), reading=CARRY_RD)
art(E_CERCLE, qd, (A, r("Event")), (LABEL, fr("échange avec le Cercle « Investisseur sociétal » (15 juillet 2020)")),
    (r("eventType"), fr("échange")))
art(E_CERCLE, "le 15 juillet.", (r("date"), date("2020-07-15")), reading=YEAR_RD)

q = "Relais : relais auprès du Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? » lors d’une réunion le 23 juin."
R3 = i("relay/collectif-interet-general-2020-06-23")
# The meeting is on the day of publication and the relay's words have no tense: "announced", not "planned".
relay(S3, R3, q, "relais auprès du Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? »", "relais lors d’une réunion",
      ANNONCE, q, None)
E_COLL = i("event/reunion-collectif-interet-general-2020-06-23")
art(R3, q, (r("relayTo"), COLLECTIF), (r("atEvent"), E_COLL))
retired(R3, "lors d’une réunion le 23 juin.", (r("date"), date("2020-06-23")), reading=YEAR_RD)
art(R3, "lors d’une réunion le 23 juin.",
    (COMMENT, en("The meeting is on the article's own publication day and the relay's words have no tense: the article does not say whether it had already taken place, so its status as of the article is 'announced', not 'planned'.")))
art(R3, CARRY, (r("carriesDeliverable"), D3), reading=CARRY_RD)
art(E_COLL, "lors d’une réunion le 23 juin.", (A, r("Event")), (LABEL, fr("réunion du Collectif « Intérêt général : dès aujourd’hui l’affaire de tous ? » (23 juin 2020)")),
    (r("eventType"), fr("réunion")))
art(E_COLL, "lors d’une réunion le 23 juin.", (r("date"), date("2020-06-23")), reading=YEAR_RD)

q = "Relais : les premiers résultats de l’étude pilote du CJD seront partagés en avant-première le 8 juillet, lors de la 6ème Rencontre des pionniers des alliances en Territoire, puis publication des travaux à l’occasion du webinaire de la plateforme « l’innovation territoriale en actions » du 16 juillet, et relais auprès de l’Observatoire des partenariats."
R4a = i("relay/avant-premiere-etude-cjd-2020-07-08")
R4b = i("relay/publication-webinaire-plateforme-2020-07-16")
R4c = i("relay/observatoire-des-partenariats")
E_RENC = i("event/rencontre-pionniers-alliances-territoire-6-2020-07-08")
E_WEB = i("event/webinaire-plateforme-innovation-territoriale-2020-07-16")
relay(S4, R4a, q, "partage en avant-première des premiers résultats de l’étude pilote du CJD", "avant-première", PREVU,
      "seront partagés en avant-première le 8 juillet", None)
q4a = "les premiers résultats de l’étude pilote du CJD seront partagés en avant-première le 8 juillet, lors de la 6ème Rencontre des pionniers des alliances en Territoire"
art(R4a, q4a, (r("carriesDeliverable"), D4c), (r("contentScope"), fr("premiers résultats")), (r("atEvent"), E_RENC))
retired(R4a, q4a, (r("date"), date("2020-07-08")), reading=YEAR_RD)
art(R4a, "seront partagés en avant-première le 8 juillet, lors de la 6ème Rencontre des pionniers des alliances en Territoire, puis publication des travaux",
    (r("precedes"), R4b))
qe = "le 8 juillet, lors de la 6ème Rencontre des pionniers des alliances en Territoire"
art(E_RENC, qe, (A, r("Event")), (LABEL, fr("6ème Rencontre des pionniers des alliances en Territoire")), (r("eventType"), fr("rencontre")),
    (r("editionNumber"), integer(6)))
art(E_RENC, qe, (r("date"), date("2020-07-08")), reading=YEAR_RD)
relay(S4, R4b, q, "publication des travaux à l’occasion du webinaire de la plateforme « l’innovation territoriale en actions »",
      "publication", PREVU, "puis publication des travaux à l’occasion du webinaire de la plateforme « l’innovation territoriale en actions » du 16 juillet",
      "Planned: the future 'seront partagés' of the same sentence governs 'puis publication'; dated 16 July, after the article's date.")
qw = "puis publication des travaux à l’occasion du webinaire de la plateforme « l’innovation territoriale en actions » du 16 juillet"
art(R4b, qw, (r("atEvent"), E_WEB))
retired(R4b, qw, (r("date"), date("2020-07-16")), reading=YEAR_RD)
art(R4b, "puis publication des travaux", (r("carriesDeliverable"), D4a), (r("carriesDeliverable"), D4b), (r("carriesDeliverable"), D4c),
    reading="Reading: 'publication des travaux' is read as covering the three deliverables of the space (a later source confirms the publication of the CJD study only).")
art(E_WEB, qw, (A, r("Event")), (LABEL, fr("webinaire de la plateforme « l’innovation territoriale en actions » (16 juillet 2020)")),
    (r("eventType"), fr("webinaire")), (r("hostedBy"), PLATFORM))
art(E_WEB, qw, (r("date"), date("2020-07-16")), reading=YEAR_RD)
relay(S4, R4c, q, "relais auprès de l’Observatoire des partenariats", "relais", PREVU, CARRY, FUTURE_RD.format(date=" nor date"))
art(R4c, "et relais auprès de l’Observatoire des partenariats.", (r("relayTo"), OBS))
art(R4c, CARRY, (r("carriesDeliverable"), D4a), (r("carriesDeliverable"), D4b), (r("carriesDeliverable"), D4c), reading=CARRY_RD)

# --- inventory dataset, snapshot, groups, kit
DS = i("dataset/inventaire-covid-19-urgence-relance")
NG = i("network-group/tetes-de-pont")
CG = i("catalyst-group/catalyseurs-territoriaux")
q = "Une base de données d’inventaire des besoins et des programmes d’urgence & de relance est mise à jour régulièrement"
art(DS, q, (A, r("InventoryDataset")), (LABEL, fr("base de données d’inventaire des besoins et des programmes d’urgence & de relance")),
    (c("dcterms:title"), fr("base de données d’inventaire des besoins et des programmes d’urgence & de relance")),
    (r("updateNote"), fr("mise à jour régulièrement")), (r("coversPhase"), URGENCE), (r("coversPhase"), RELANCE))
art(DS, "Elle est en accès libre sur la plateforme l’innovation territoriale en actions (https://innovationterritoriale.plateformecapitalisation.org/covid-19-urgence-et-relance)",
    (r("publishedOn"), PLATFORM), (c("dcat:landingPage"), T("<https://innovationterritoriale.plateformecapitalisation.org/covid-19-urgence-et-relance>")))
art(DS, "Elle est en accès libre", (c("dcterms:accessRights"), T("<http://publications.europa.eu/resource/authority/access-right/PUBLIC>")),
    reading="'accès libre' is expressed with the EU access-right authority value PUBLIC.")
art(DS, "Un outil d’inventaire très complet largement partagé en « open source »", (COMMENT, fr("Un outil d’inventaire très complet largement partagé en « open source »")))
SN = i("inventory-snapshot/2020-06-19")
q = "comporte 250 données aux 19 juin"
art(SN, q, (A, r("InventorySnapshot")), (LABEL, fr("inventaire au 19 juin 2020 : 250 données")), (r("snapshotOf"), DS))
art(SN, q, (r("snapshotDate"), date("2020-06-19")), reading=YEAR_RD)
art(SN, q, (r("recordCount"), integer(250)))
q = "Elle a été transmise aux 30 « têtes de pont » identifiées comme les accompagnateurs de référence des acteurs d’intérêt général."
art(DS, q, (r("transmittedTo"), NG))
art(NG, q, (A, r("NetworkGroup")), (LABEL, fr("les 30 « têtes de pont »")), (r("memberCount"), integer(30)),
    (r("role"), fr("accompagnateurs de référence des acteurs d’intérêt général")),
    (COMMENT, en("The 30 networks are not named in the article nor in the public sources found.")))
KITS = i("kit/sortie-de-crise-en-territoire")
q = "De plus, le kit pratique « sortie de crise en territoire » a été diffusé aux 350 « catalyseurs territoriaux »."
art(KITS, q, (A, r("Kit")), (LABEL, fr("sortie de crise en territoire")), (r("kitType"), fr("kit pratique")),
    (r("disseminatedTo"), CG), (r("partOfInitiative"), INIT))
art(CG, q, (A, r("TerritorialCatalystGroup")), (LABEL, fr("les 350 « catalyseurs territoriaux »")), (r("memberCount"), integer(350)))
art(CG, "les « catalyseurs territoriaux » moteurs pour animer localement un dialogue collectif",
    (r("mission"), fr("animer localement un dialogue collectif")))

# --- announced analysis
LESSONS = i("report/analyse-enseignements-jouer-collectif-crise")
q = "La démarche a été riche d’enseignements. Elle donnera lieu à une analyse qui sera publiée la semaine prochaine."
art(INIT, q, (r("announcedOutput"), LESSONS))
art(LESSONS, q, (A, r("Report")), (LABEL, fr("analyse des enseignements sur le « jouer collectif » en période de crise")),
    (COMMENT, en("Announced on 23 June 2020 for 'next week'; whether and when it was published could not be established.")))

# --- English labels (Relais' translations of the French labels above; appended here so statement numbers stay
# stable; their provenance says they are translations, see main())
for subj, quote, label_en in (
        (INIT, "la démarche « anticiper la sortie de crise des acteurs / actions d’intérêt général »",
         "anticipating the way out of the crisis for general-interest actors / actions"),
        (TARGET, "La cible de la démarche : les acteurs / actions d’intérêt général", "general-interest actors / actions"),
        (FW, "un cadre de référence partagé", "shared reference framework"),
        (S1, "Espace de dialogue « Articulation des ingénieries nationales & territoriales »", "Linking national and territorial support engineering"),
        (S2, "Espace de dialogue « Jouer collectif entre investisseurs sociétaux »", "Playing together among social investors"),
        (S3, "Espace de dialogue « Croiser la diversité des regards sur « l’après »", "Crossing the diverse views on 'the after'"),
        (S4, "Espace de dialogue « Comparer les besoins et solutions entre acteurs d’intérêt général et PME »",
         "Comparing needs and solutions of general-interest actors and SMEs"),
        (DS, "Une base de données d’inventaire des besoins et des programmes d’urgence & de relance",
         "inventory database of needs and of emergency & recovery programmes"),
        (KITS, "le kit pratique « sortie de crise en territoire »", "leaving the crisis in the territories (practical kit)"),
        (REPORT, "rapport ministériel sur l’accélération des alliances stratégiques entre associations, entreprises et collectivités",
         "ministerial report on accelerating strategic alliances between associations, enterprises and local authorities")):
    art(subj, quote, translated(subj, LABEL, label_en))

# --- every other French label: Relais' translation (TRANSLATIONS); keep this call last in the article table
translate_labels(article)

# ================================================================= PUBLIC
MEDEF = i("organisation/medef")
LMA = i("organisation/le-mouvement-associatif")
ANCT = i("organisation/anct")
LAPOSTE = i("organisation/groupe-la-poste")
PIONNIERS = i("organisation/reseau-des-pionniers-des-alliances-en-territoire")
DJEPVA = i("organisation/djepva")
RS = i("organisation/recherches-et-solidarites")
PANA = i("organisation/pana")
PELOUZET = i("person/pierre-pelouzet")

U_DONNEES = "https://www.lerameau.fr/d-comme-donnees/"
U_ISBLC = "http://www.isbl-consultants.fr/institutions-citoyens-associations-entreprises-accelerer-articulations-service-bien-commun/"
U_PDFSLIDE = "https://pdfslide.us/documents/qualifier-son-innovation-territoriale-qualifier-son-invention-caest-prendre-le.html"
U_FAIRE = "https://associations.gouv.fr/les-conditions-du-faire-alliance-en-territoire.html"
U_CATA = "https://associations.gouv.fr/les-catalyseurs-territoriaux-11363.html"
U_ERE = "https://www.lerameau.fr/une-nouvelle-ere/"
U_ODDJC = "https://www.lerameau.fr/odd-jouer-collectif-les-pratiques-des-entreprises/"
U_BILAN = "https://www.lerameau.fr/anticipation-sortie-de-crise-bilan-perspectives/"
U_CARE21 = "https://www.carenews.com/le-rameau/news/jouer-collectif-bilan-d-un-an-de-crise"
EXPERIMENT_RD = ("Done: read from the page (17 March 2021) listing the experiment among '3 résultats concrets' of the démarche; "
                 "it does not say when it took place or whether it is finished.")
U_ISBL = "https://institut-isbl.fr/anticiper-la-sortie-de-crise-des-structures-dinteret-general/"
U_ENS = "https://www.lerameau.fr/les-premiers-enseignements-de-lapres-crise/"
U_PROJ = "https://www.carenews.com/fr/news/se-projeter-vers-l-apres-crise"
U_INV = "https://associations.gouv.fr/covid-19-un-inventaire-partage-des-besoins-et-des-plans-de-relance.html"
U_MECENOVA = "http://www.mecenova.org/rapport-de-mission-alliances-strategiques-entre-associations-entreprises-et-collectivites/"
U_DECRYPT = "https://www.carenews.com/le-rameau/news/decrypter-l-economie-de-l-alliance"
U_ODD17RES = "https://www.carenews.com/le-rameau/news/odd-17-resultats-de-la-strategie-collective-du-faire-alliance-en-france"
U_81 = "https://www.lerameau.fr/81-des-francais-nous-invitent-aux-alliances/"
U_IDEAS = "https://ideas.asso.fr/actualites/actualites-secteur/resultats-plaidoyer-lenquete-covid-19-quels-impacts-sur-votre-association"
U_AVISE = "https://avise.org/actualites/resultats-de-la-seconde-enquete-du-mouvement-associatif"
U_ECO = "https://www.economie.gouv.fr/mediateur-des-entreprises/le-mediateur-des-entreprises-en-temps-de-crise-bilan-des-actions-au"
U_IGAT = "https://associations.gouv.fr/interet-general-des-aujourd-hui-l-affaire-de-tous.html"
U_ANTICIP = "https://www.lerameau.fr/anticipons-des-aujourdhui-lapres-crise/"
U_UNIV = "https://universalis.fr/evenement/3-septembre-2020-presentation-du-plan-de-relance-de-100-milliards-d-euros"
U_BOURSE = "http://bourseanalysis.fr/news/3224/3_axes_pour_les_100_Mrds_d%27euros_de_relance"
U_CHAMBRE = "https://www.chambre.cz/ressources/actualites/n/news/france-relance-un-plan-de-100-milliards-deuros-pour-eviter-le-decrochage-economique.html"
U_DOUBS = "https://www.doubs.gouv.fr/Actualites/Actualites-2020/France-Relance"
U_ECHO = "https://www.lecho.be/economie-politique/europe-economie/La-France-devoile-son-plan-de-relance-a-100-milliards/10249174"

# --- Observatoire des partenariats
pub(OBS, U_DONNEES, "The Observatoire des partenariats was created in 2008 by the Caisse des Dépôts and Le RAMEAU.",
    (r("foundedBy"), CDC), (r("foundedBy"), RAMEAU), (r("foundingYear"), gy("2008")),
    excerpt="l’Observatoire des partenariats a été créé en 2008 par la Caisse des Dépôts et Le RAMEAU, en partenariat avec le MEDEF et le Mouvement associatif")
pub(OBS, U_ISBLC, "Created in 2008 by the Caisse des Dépôts and Le RAMEAU in partnership with MEDEF and Le Mouvement associatif.",
    (r("foundingPartner"), MEDEF), (r("foundingPartner"), LMA))
pub(MEDEF, U_ISBLC, "MEDEF is named as a founding partner of the Observatoire des partenariats.", (A, r("Organisation")), (LABEL, fr("MEDEF")))
pub(LMA, U_ISBLC, "Le Mouvement associatif is named as a founding partner of the Observatoire des partenariats.",
    (A, r("Organisation")), (LABEL, fr("Le Mouvement associatif")))
pub(RAMEAU, U_MECENOVA, "Le RAMEAU, a partnership-innovation lab created in 2006.", (r("foundingYear"), gy("2006")))
pub(RAMEAU, U_ANTICIP, "Le RAMEAU, member of the PANA network, mobilises the 350 catalysts under HelloAsso's coordination.",
    (r("memberOf"), PANA))
pub(PANA, U_ANTICIP, "The PANA network (Points d'appui au numérique associatif).", (A, r("Network")),
    (LABEL, fr("PANA - Points d’appui au numérique associatif")))

# --- platform and catalysts
pub(PLATFORM, U_PDFSLIDE, "The platform 'l'innovation territoriale en actions' was put online on 24 December 2018.",
    (r("launchDate"), date("2018-12-24")))
# The page says the platform was launched in December 2018 "with the support of ANCT"; ANCT only exists since
# 1 January 2020 (in 2018 the State body was the CGET, which no source of this table names). So the 2018 part is
# dropped for ANCT: its support is stated as of the page (2020 or later), not dated to the launch. Three calls
# keep the rows, hence the statement numbers, in their original order.
pub(PLATFORM, U_FAIRE, "Launched in December 2018 by Le RAMEAU with the support of the Caisse des Dépôts.",
    (r("launchedBy"), RAMEAU), (r("supportedBy"), CDC))
pub(PLATFORM, U_FAIRE, "The page (written after 2020) names ANCT among the platform's supporters. ANCT exists only since 1 January 2020, so this support is not dated to the December 2018 launch (the CGET, its predecessor then, is named by no source here).",
    (r("supportedBy"), ANCT))
pub(PLATFORM, U_FAIRE, "At its December 2018 launch the platform was also supported by Groupe La Poste; since January 2020 it is piloted by the Réseau des pionniers des alliances en Territoire.",
    (r("supportedBy"), LAPOSTE), (r("pilotedBy"), PIONNIERS))
pub(ANCT, U_FAIRE, "ANCT (Agence nationale de la cohésion des territoires) supports the platform (as of the page, 2020 or later).", (A, r("PublicBody")), (LABEL, fr("ANCT")))
pub(LAPOSTE, U_FAIRE, "Groupe La Poste supports the platform.", (A, r("Organisation")), (LABEL, fr("Groupe La Poste")))
pub(PIONNIERS, U_CATA, "The pioneers' network of territorial catalysts, created informally in 2014, counts more than 350 catalysts in metropolitan and overseas France.",
    (A, r("Network")), (LABEL, fr("Réseau des pionniers des alliances en Territoire")), (r("foundingYear"), gy("2014")))
pub(CG, U_CATA, "More than 350 territorial catalysts form the pioneers' network; their four kinds of missions are territorial dialogue, collective experiments, support and running a place.",
    (r("memberOf"), PIONNIERS), (r("mission"), fr("dialogue territorial")), (r("mission"), fr("expérimentations collectives")),
    (r("mission"), fr("accompagnements")), (r("mission"), fr("gestion d’un lieu")))
pub(E_RENC, U_ERE, "The 6th Rencontre of the pioneers' network took place on 8 July 2020 (a replay is available).",
    (r("organisedBy"), PIONNIERS))
pub(R4a, (U_ERE, U_ODDJC), "The 6th Rencontre took place on 8 July 2020 and an extract of the CJD / Observatoire study was shown there.",
    (r("subsequentStatus"), REALISE))
pub(R4b, U_ODDJC, "The CJD / Observatoire des partenariats study was released in full at the platform webinar, after the extract shown at the Rencontre.",
    (r("subsequentStatus"), REALISE))
pub(D4c, U_ODDJC, "The study 'jouer collectif en territoire' is by the CJD and the Observatoire des partenariats.", (r("conductedBy"), OBS))

# --- the initiative
pub(INIT, U_BILAN, "51 organisations with complementary profiles took part over 3 months; the démarche ended with the government's France Relance announcement of 3 September 2020.",
    (r("participantCount"), integer(51)), (r("endDate"), date("2020-09-03")))
CAPI = i("report/capitalisation-demarche-2020-09")
pub(INIT, U_CARE21, "In September 2020 the démarche was capitalised in a synthesis report.", (r("capitalisedIn"), CAPI))
pub(CAPI, U_CARE21, "Synthesis report capitalising the démarche (September 2020).", (A, r("Report")),
    (LABEL, fr("rapport de capitalisation de la démarche (septembre 2020)")))
pub(INIT, U_CARE21, "A March 2021 page dates the start '20 mars 2019' and gives the duration as '4 mois'; both disagree with the seed article and every other source.",
    (COMMENT, en("Disagreement kept: a March 2021 Carenews page dates the start of the démarche '20 mars 2019' and its duration '4 mois'; the seed article (23 June 2020) implies 20 March 2020 and 3 months.")))
pub(TARGET, U_ISBL, "The three reasons for targeting general-interest actors (shown only as a picture in the seed article).",
    (r("reason"), fr("utilité renforcée sur les territoires en sortie de crise")),
    (r("reason"), fr("fragilité de leur modèle socio-économique")), (r("reason"), fr("complexité de leur équilibre")))

# --- reference framework
pub(FW, U_ENS, "The framework is built on two axes (urgence / (re)développement) and six complementary volets.",
    (r("axisLabel"), fr("urgence / (re)développement")))
pub(FW, U_PROJ, "Two axes and six complementary volets; meant for dialogue between four 'worlds'; the Recherches & Solidarités survey with Le Mouvement associatif and RNMA confirmed its relevance.",
    (r("voletCount"), integer(6)), (r("stakeholderWorld"), fr("acteurs de terrain")),
    (r("stakeholderWorld"), fr("ingénieries nationales et territoriales")), (r("stakeholderWorld"), fr("investisseurs sociétaux")),
    (r("stakeholderWorld"), fr("institutions")), (r("confirmedBy"), i("study/mouvement-associatif-covid-enquete-1")))

# --- inventory snapshots
S0423 = i("inventory-snapshot/2020-04-23")
pub(S0423, U_PROJ, "On 23 April 2020 the inventory held 'over a hundred structuring initiatives'.",
    (A, r("InventorySnapshot")), (LABEL, fr("inventaire au 23 avril 2020 : plus d’une centaine d’initiatives")),
    (r("snapshotOf"), DS), (r("snapshotDate"), date("2020-04-23")), (r("minimumRecordCount"), integer(100)))
for slug, lab, n, kind, phase in (
        ("2020-09-07-besoins", "inventaire au 7 septembre 2020 : 118 expressions de besoins", 118, "Need", None),
        ("2020-09-07-urgence", "inventaire au 7 septembre 2020 : 119 programmes d’urgence", 119, "Programme", URGENCE),
        ("2020-09-07-relance", "inventaire au 7 septembre 2020 : 61 programmes de relance", 61, "Programme", RELANCE)):
    sn = i("inventory-snapshot/" + slug)
    pairs = [(A, r("InventorySnapshot")), (LABEL, fr(lab)), (r("snapshotOf"), DS), (r("snapshotDate"), date("2020-09-07")),
             (r("recordCount"), integer(n)), (r("countsKind"), r(kind))]
    if phase is not None:
        pairs.append((r("countsPhase"), phase))
    pub(sn, U_INV, "At 7 September 2020 the inventory held 118 need expressions (from associations, local authorities and companies), 119 emergency programmes and 61 recovery programmes.", *pairs)
pub(i("inventory-snapshot/2020-09-07-besoins"), U_INV, "Need expressions come from associations, local authorities and companies.",
    (r("expressedByActorType"), i("actor-type/association")), (r("expressedByActorType"), i("actor-type/collectivite")),
    (r("expressedByActorType"), i("actor-type/entreprise")))

# --- report, measures, persons
pub(REPORT, U_MECENOVA, "The report was handed on 7 May 2020 to Secretary of State Gabriel Attal (the seed article only says 'au Ministre').",
    (r("handedOverTo"), ATTAL))
pub(MP, U_DECRYPT, "Implementation of the 21 measures was entrusted to DJEPVA in partnership with Le RAMEAU.", (r("coPilotedBy"), DJEPVA))
pub(MP, U_ODD17RES, "DJEPVA and Le RAMEAU co-pilot the 21-measure roadmap, which answers four structural objectives; 2022 assessment: 12 measures beyond target, 7 on target, 2 partly implemented.",
    (r("coPilotedBy"), RAMEAU), (r("structuralObjective"), fr("mobiliser")), (r("structuralObjective"), fr("soutenir")),
    (r("structuralObjective"), fr("éduquer")), (r("structuralObjective"), fr("légaliser")),
    (r("assessment"), fr("bilan 2022 : 12 mesures au-delà de l’objectif, 7 conformes, 2 partiellement mises en œuvre")))
pub(DJEPVA, U_DECRYPT, "DJEPVA (Direction de la jeunesse, de l'éducation populaire et de la vie associative).",
    (A, r("PublicBody")), (LABEL, fr("DJEPVA")))
pub(MEDIATEUR, U_ECO, "Pierre Pelouzet, médiateur des entreprises, at a press conference of 1 July 2020.", (r("headedBy"), PELOUZET))
pub(PELOUZET, U_ECO, "Pierre Pelouzet is the médiateur des entreprises.", (A, r("Person")), (LABEL, fr("Pierre Pelouzet")),
    (r("roleTitle"), fr("médiateur des entreprises")))
pub(COLLECTIF, U_IGAT, "The collective gathers 23 organisations from different worlds.", (r("memberCount"), integer(23)))

# --- studies
pub(ST_C, U_81, "The 81 % comes from the poll 'URGENCE-Covid-Citoyens' (Comisis & OpinionWay), published on the day the 21 measures were handed over (7 May 2020).",
    (c("dcterms:alternative"), fr("URGENCE-Covid-Citoyens")), (c("dcterms:issued"), date("2020-05-07")))
ENQ1, ENQ2 = i("study/mouvement-associatif-covid-enquete-1"), i("study/mouvement-associatif-covid-enquete-2")
pub(ENQ1, U_IDEAS, "Survey 'COVID-19 : quels impacts pour votre association ?', launched on 20 March 2020 by Le Mouvement associatif with RNMA, conducted by Recherches & Solidarités; the second analysis (20 April) rests on more than 16,000 answers.",
    (A, r("Study")), (LABEL, fr("Enquête « COVID-19 : quels impacts pour votre association ? » (Le Mouvement associatif)")),
    (r("commissionedFor"), LMA), (r("conductedBy"), RS), (r("startDate"), date("2020-03-20")), (r("respondentCount"), integer(16000)))
pub(ENQ2, U_AVISE, "Second survey 'Où en sont les associations après le confinement ?' by Le Mouvement associatif and RNMA with Recherches & Solidarités, online from 14 May to 15 June 2020; 12,248 associations answered (other sources say 13,500).",
    (A, r("Study")), (LABEL, fr("Enquête « Où en sont les associations après le confinement ? » (Le Mouvement associatif)")),
    (r("commissionedFor"), LMA), (r("conductedBy"), RS), (r("startDate"), date("2020-05-14")), (r("endDate"), date("2020-06-15")),
    (r("respondentCount"), integer(12248)))
pub(RS, U_IDEAS, "Recherches & Solidarités conducted the survey.", (A, r("Organisation")), (LABEL, fr("Recherches & Solidarités")))

# --- France Relance and its three pillars (disagreeing figures kept, each with its source)
FR_ = i("programme/france-relance")
FRS = i("scheme/france-relance")
FR_E, FR_C, FR_H = (i("programme-component/france-relance-ecologie"), i("programme-component/france-relance-competitivite"),
                    i("programme-component/france-relance-cohesion"))
pub(FR_, (U_UNIV, U_DOUBS, U_ECHO), "France Relance was presented on 3 September 2020: 100 billion euros over 2 years, 40 % funded by the EU, for enterprises, local authorities, associations and households.",
    (A, r("Programme")), (LABEL, fr("France Relance")), (r("inPhase"), RELANCE), (r("startDate"), date("2020-09-03")),
    (r("keyFigures"), fr("100 Md€ sur 2 ans, dont 40 % financés par l’Union européenne")),
    (r("targetsActorType"), i("actor-type/entreprise")), (r("targetsActorType"), i("actor-type/collectivite")),
    (r("targetsActorType"), i("actor-type/association")), (r("provenanceStatus"), T('"sourced"')))
pub(FRS, U_UNIV, "France Relance has three pillars: ecology, competitiveness, cohesion.", (A, c("skos:ConceptScheme")),
    (c("skos:prefLabel"), fr("volets de France Relance")), translated(FRS, c("skos:prefLabel"), "France Relance pillars"))
for comp, lfr, len_ in ((FR_E, "France Relance - volet écologie", "France Relance - ecology pillar"),
                        (FR_C, "France Relance - volet compétitivité", "France Relance - competitiveness pillar"),
                        (FR_H, "France Relance - volet cohésion", "France Relance - cohesion pillar")):
    pub(comp, U_UNIV, "France Relance has three pillars: ecology, competitiveness, cohesion.", (A, r("ProgrammeComponent")),
        (c("skos:prefLabel"), fr(lfr)), translated(comp, c("skos:prefLabel"), len_), (c("skos:inScheme"), FRS), (r("partOf"), FR_))
pub(FR_E, (U_UNIV, U_BOURSE, U_CHAMBRE), "Ecology pillar: 30 billion euros (all sources agree).", (r("keyFigures"), fr("30 Md€")))
pub(FR_C, U_UNIV, "Competitiveness pillar: 34 billion euros according to Universalis.", (r("keyFigures"), fr("34 Md€ (selon Universalis)")))
pub(FR_C, (U_BOURSE, U_CHAMBRE), "Competitiveness pillar: 35 billion euros according to other sources.", (r("keyFigures"), fr("35 Md€ (selon d’autres sources)")))
pub(FR_H, U_UNIV, "Cohesion pillar: 36 billion euros according to Universalis.", (r("keyFigures"), fr("36 Md€ (selon Universalis)")))
pub(FR_H, (U_BOURSE, U_CHAMBRE), "Cohesion pillar: 35 billion euros according to other sources.", (r("keyFigures"), fr("35 Md€ (selon d’autres sources)")))


# --- appended later (keep appending here so statement numbers stay stable)
pub(R2a, U_CARE21, "One year on (17 March 2021), the 'numérique & territoires' experiment is listed among the three results the démarche left.",
    (r("subsequentStatus"), REALISE), reading=EXPERIMENT_RD)
# The UN SDG vocabulary page identifies 'ODD 17' (Goal 17) by the IRI the article statement uses. Public facts cite
# an address with an English paraphrase (no French excerpt), so the English page is cited.
U_SDG17 = "https://metadata.un.org/sdg/17?lang=en"
pub(KIT17, U_SDG17, "The UN SDG vocabulary identifies Sustainable Development Goal 17 ('Partnerships for the Goals', 'ODD 17' in French) as http://metadata.un.org/sdg/17.",
    (c("dcterms:subject"), SDG17))

# --- every French label of the public table: Relais' translation (TRANSLATIONS); keep this call last
translate_labels(public)


# ================================================================= APPENDED AFTER THE TRANSLATIONS (issue #16)
# Rows added after the two translate_labels() calls, so that no existing statement number moves; main() translates
# their French labels (each gets its English one here already).

# --- missing article facts
CP_PAIR = "la complémentarité des positionnements du binôme Médiateur des entreprises – Le RAMEAU permettait le « tiers de confiance » idéal pour co-construire la démarche"
art(INIT, CP_PAIR, (r("coPilotPairRole"), fr("« tiers de confiance » idéal pour co-construire la démarche")))
q = "4 espaces de dialogue se sont structurés pour mettre en débat les résultats, permettre à chacun de s’en saisir, mais aussi se questionner sur les enjeux collectifs qui en résultaient"
for space in (S1, S2, S3, S4):
    art(space, q, (r("purpose"), fr("mettre en débat les résultats")), (r("purpose"), fr("permettre à chacun de s’en saisir")),
        (r("purpose"), fr("se questionner sur les enjeux collectifs qui en résultaient")))
art(R2a, "expérimentation « jouer collectif » entre investisseurs", (r("participantActorType"), i("actor-type/investisseur-societal")),
    reading="'entre investisseurs', in the dialogue space 'Jouer collectif entre investisseurs sociétaux', is read as social investors.")
RIGHTS = i("rights-statement/inventaire-open-source")
q = "Un outil d’inventaire très complet largement partagé en « open source »"
art(DS, q, (c("dcterms:rights"), RIGHTS))
art(RIGHTS, q, (A, c("dcterms:RightsStatement")), (LABEL, fr("largement partagé en « open source »")),
    translated(RIGHTS, LABEL, "widely shared as 'open source'"))
art(RIGHTS, q, (COMMENT, en("The article says 'open source' but names no licence; the inventory's terms of reuse are not known.")))
MISSION = i("mission/alliances-strategiques-2019-2020")
q = "L’expérience d’un co-pilotage institution / chercheur ayant prouvé à la fois sa pertinence et son efficacité à l’occasion de la mission ministérielle"
art(MISSION, q, (A, r("Mission")), (LABEL, fr("mission ministérielle sur l’accélération des alliances stratégiques")),
    translated(MISSION, LABEL, "ministerial mission on accelerating strategic alliances"))
q = "Le RAMEAU était en cours de formalisation du rapport ministériel sur l’accélération des alliances stratégiques entre associations, entreprises et collectivités, en copilotage avec la Députée Cathy RACON-BOUZON, à la demande du Secrétaire d’Etat Gabriel ATTAL"
art(REPORT, q, (c("prov:wasGeneratedBy"), MISSION),
    reading="The 'rapport ministériel' is read as the output of the 'mission ministérielle' the article names two paragraphs later; the mission is the activity, the report its product.")
art(MISSION, q, (r("requestedBy"), ATTAL), (r("coPilotedBy"), RAMEAU), (r("coPilotedBy"), CRB),
    reading="The request and co-piloting the article gives for the report's formalisation are read as those of the mission that produced it.")
art(REPORT, "Le rapport a été remis au Ministre le 7 mai 2020", (r("handedOverToTitle"), fr("Ministre")))

# --- statuses in time: one StatusAssertion per (relay or deliverable, date, source); relais:relayStatus (as of the
# article) and relais:subsequentStatus (the latest later one) above are kept as shortcuts of these assertions.
STATUS_WORDS = {PREVU: ("prévu", "planned"), EN_COURS: ("en cours", "ongoing"), REALISE: ("réalisé", "done"),
                ANNONCE: ("annoncé", "announced")}
DAY_WORDS = {"2020-06-23": ("23 juin 2020", "23 June 2020"), "2020-07-08": ("8 juillet 2020", "8 July 2020"),
             "2020-07-16": ("16 juillet 2020", "16 July 2020"), "2021-03-17": ("17 mars 2021", "17 March 2021")}
LABELS_FR = {row[0]: row[2].text for row in article if row[1] == LABEL and row[2].lang == "fr"}
LABELS_EN = {row[0]: row[2].text for row in article if row[1] == LABEL and row[2].lang == "en"}


def assertion_pairs(about: T, status: T, day: str, confirms: tuple[T, ...]) -> tuple[T, list[tuple[T, T]], list[tuple[T, T]]]:
    """The assertion node, its pairs resting on the status evidence, and its as-of date pair."""
    node = i(f"status-assertion/{about.ttl.strip('<>').rsplit('/', 1)[1]}-{day}")
    name_fr, name_en = LABELS_FR[about], LABELS_EN[about]
    (sfr, sen), (dfr, den) = STATUS_WORDS[status], DAY_WORDS[day]
    pairs = [(A, r("StatusAssertion")), (LABEL, fr(f"{name_fr} : {sfr} au {dfr}")),
             translated(node, LABEL, f"{name_en}: {sen} as of {den}"), (r("statusOf"), about), (r("assertedStatus"), status)]
    pairs += [(r("confirmsDeliverable"), d) for d in confirms]
    return node, pairs, [(r("asOf"), date(day))]


for rl, (status, quote, reading) in RELAY_STATUS.items():
    node, pairs, when = assertion_pairs(rl, status, "2020-06-23", ())
    art(node, quote, *pairs, reading=reading)
    art(node, "Publié le 23 juin 2020 - 11:08", *when)
LATER = (
    (R4a, "2020-07-08", (U_ERE, U_ODDJC), (D4c,), "The 6th Rencontre took place on 8 July 2020 and an extract of the CJD / Observatoire study was shown there.",
     None, None),
    (R4b, "2020-07-16", U_ODDJC, (D4c,), "The CJD / Observatoire des partenariats study was released in full at the platform webinar; the page says nothing of the two notes of the same space, so only the CJD study is confirmed.",
     None, None),
    (D4c, "2020-07-16", U_ODDJC, (), "The study 'jouer collectif en territoire' by the CJD and the Observatoire des partenariats was released in full at the platform webinar (16 July 2020).",
     None, None),
    (R2a, "2021-03-17", U_CARE21, (), "One year on (17 March 2021), the 'numérique & territoires' experiment is listed among the three results the démarche left.",
     "3 résultats concrets ont émergé de cette démarche", EXPERIMENT_RD),
)
for about, day, srcs, confirms, evidence, excerpt, reading in LATER:
    node, pairs, when = assertion_pairs(about, REALISE, day, confirms)
    pub(node, srcs, evidence, *pairs, *when, reading=reading, excerpt=excerpt)

# --- disagreements kept, each value with its source (pattern: relais:Disagreement in graph provenance, below)
U_ARTICLE = "https://www.carenews.com/le-rameau/news/bilan-de-3-mois-d-anticipation-de-sortie-de-crise"
pub(ART, U_ARTICLE, "The seed article is published on carenews.com, on Le RAMEAU's page, at this address (the research notes' source of the article).",
    (c("schema:url"), T(f"<{U_ARTICLE}>")))
U_VALDEMARNE = "https://www.valdemarne.fr/newsletters/projaide/comment-vont-les-associations"
U_DECONF = "https://associations.gouv.fr/ou-en-sont-les-associations-apres-le-deconfinement.html"
pub(ENQ2, (U_DECONF, U_VALDEMARNE), "The second survey ran from 18 May to 15 June 2020 (13,500 answers per associations.gouv.fr; 'plus de 13.000 responsables associatifs [...] entre le 18 mai et le 15 juin 2020' per the Val-de-Marne newsletter).",
    (r("startDate"), date("2020-05-18")), excerpt="Entre le 18 mai et le 15 juin 2020, 13 500 dirigeants ont témoigné de leur situation actuelle")
U_OBS_PROG = "https://pdfslide.fr/documents/prsentation-du-programme-datudes-1-voir-listes-des-tudes-en-annexe-de-cette.html"
U_OBS_2012 = "https://fdocuments.fr/document/observatoire-national-des-partenariats-associations-lorsque-humanisme-et.html"
pub(OBS, U_OBS_PROG, "Created in 2008 by Le RAMEAU in partnership with the Caisse des Dépôts (the Caisse des Dépôts as partner, not co-founder).",
    (r("foundingPartner"), CDC), excerpt="Créé en 2008 par Le RAMEAU en partenariat avec la Caisse des Dépôts")
pub(OBS, U_OBS_2012, "Le RAMEAU's five-year report of 11 December 2012 says the Observatoire national des partenariats associations - entreprises was created in 2007 (its first study programme ran from 2008).",
    (r("foundingYear"), gy("2007")), excerpt="Créé en 2007, l’Observatoire national")


# Each disagreement: (slug, resource, property, French label, English label, what disagrees, the triples whose
# provenance statements disagree). Every value stays in its graph with its own source; the relais:Disagreement
# node (graph provenance) links their statements, so a reader sees both and the shapes allow the second value.
DISAGREEMENTS = (
    ("enquete-2-date-de-debut", ENQ2, r("startDate"), "date de début de la deuxième enquête", "start date of the second survey",
     "Avise dates the start of the second survey 14 May 2020; associations.gouv.fr and the Val-de-Marne newsletter 18 May 2020. Both kept, each with its source.",
     ((ENQ2, r("startDate"), date("2020-05-14")), (ENQ2, r("startDate"), date("2020-05-18")))),
    ("observatoire-annee-de-creation", OBS, r("foundingYear"), "année de création de l’Observatoire des partenariats",
     "founding year of the Observatoire des partenariats",
     "Le RAMEAU's pages of 2020 say 2008; Le RAMEAU's five-year report of 2012 says 2007. Both kept, each with its source.",
     ((OBS, r("foundingYear"), gy("2008")), (OBS, r("foundingYear"), gy("2007")))),
    ("observatoire-fondateurs", OBS, r("foundedBy"), "fondateurs de l’Observatoire des partenariats", "founders of the Observatoire des partenariats",
     "One page says the Observatoire was created by the Caisse des Dépôts and Le RAMEAU; another that Le RAMEAU created it in partnership with the Caisse des Dépôts (a partner, not a co-founder). Both kept, each with its source.",
     ((OBS, r("foundedBy"), CDC), (OBS, r("foundingPartner"), CDC))),
    ("rapport-remis-a", REPORT, r("handedOverTo"), "destinataire du rapport ministériel", "recipient of the ministerial report",
     "The article says the report was handed 'au Ministre'; the mecenova page says to Secretary of State (Secrétaire d’État) Gabriel Attal, whom the article itself calls 'Secrétaire d’Etat'. Both kept, each with its source.",
     ((REPORT, r("handedOverToTitle"), fr("Ministre")), (REPORT, r("handedOverTo"), ATTAL))),
    ("france-relance-competitivite-montant", FR_C, r("keyFigures"), "montant du volet compétitivité de France Relance",
     "amount of the France Relance competitiveness pillar",
     "Universalis gives 34 billion euros, other sources 35 billion. Both kept, each with its source.",
     ((FR_C, r("keyFigures"), fr("34 Md€ (selon Universalis)")), (FR_C, r("keyFigures"), fr("35 Md€ (selon d’autres sources)")))),
    ("france-relance-cohesion-montant", FR_H, r("keyFigures"), "montant du volet cohésion de France Relance", "amount of the France Relance cohesion pillar",
     "Universalis gives 36 billion euros, other sources 35 billion. Both kept, each with its source.",
     ((FR_H, r("keyFigures"), fr("36 Md€ (selon Universalis)")), (FR_H, r("keyFigures"), fr("35 Md€ (selon d’autres sources)")))),
)


def disagreement_lines(arts: list, pubs: list) -> list[str]:
    """One relais:Disagreement node per entry of DISAGREEMENTS, linking the provenance statements of its values."""
    where = {tuple(row[:3]): st for st, row in [*arts, *pubs]}
    out = ["# Disagreements between sources, kept: each value is its own statement with its source; the node links them.\n"]
    for slug, about, prop, label_fr, label_en, what, triples in DISAGREEMENTS:
        missing = [t for t in triples if t not in where]
        if missing:
            raise SystemExit(f"disagreement {slug}: no statement for {missing[0][0].ttl} {missing[0][1].ttl} {missing[0][2].ttl}")
        sts = " , ".join(f"<{where[t]}>" for t in triples)
        out.append(f"<{ID}disagreement/{slug}> a relais:Disagreement ;\n    rdfs:label \"{esc(label_fr)}\"@fr , \"{esc(label_en)}\"@en ;\n"
                   f"    relais:disagreementAbout {about.ttl} ;\n    relais:disagreementProperty {prop.ttl} ;\n"
                   f"    relais:disagreeingStatement {sts} ;\n    rdfs:comment \"{esc(what)}\"@en .\n")
    return out


# ================================================================= WRITE
def header(title: str) -> str:
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    return f"# {title}\n# GENERATED by data/sources/build_sourced_graphs.py: edit the table there, then re-run.\n\n" + "\n".join(lines) + "\n\n"


def write_graph(path: Path, title: str, triples: list[tuple[T, T, T]]) -> None:
    seen: set[tuple[T, T, T]] = set()
    by_subject: dict[T, list[tuple[T, T]]] = {}
    for s, p, o in triples:
        if (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        by_subject.setdefault(s, []).append((p, o))
    chunks = []
    for s, pos in by_subject.items():
        body = " ;\n    ".join(f"{'a' if p == A else p.ttl} {o.ttl}" for p, o in pos)
        chunks.append(f"{s.ttl}\n    {body} .\n")
    path.write_text(header(title) + "\n".join(chunks), encoding="utf-8")


def dedupe(rows: list) -> list:
    out, seen = [], {}
    for row in rows:
        key = row[:3]
        if key in seen:
            continue
        seen[key] = True
        out.append(row)
    return out


# Declared inverses (owl:inverseOf in ontology/relais.ttl): only the first of each pair is written. Rows with the
# second stay in the tables so that statement numbers do not move, but are skipped (their aNNN stay unused).
INVERSES = ((r("hasDeliverable"), r("deliverableOf")), (r("hasRelay"), r("relayOf")),
            (r("foundedBy"), r("founderOf")), (r("headedBy"), T("<http://www.w3.org/ns/org#headOf>")))
NOT_WRITTEN = {r("deliverableOf"), r("relayOf")}

TRANSLATION_NOTE = "Translation by Relais of the resource's French label: not words of the {what}{why}."
MARK_NOTE = "Relais marks that the English labels of this resource are its own translations, not words of the {what}."


def numbered(rows: list, prefix: str) -> list:
    """(statement IRI, row) for each row that is written; NOT_WRITTEN and RETIRED rows keep (and leave unused) their number."""
    return [(f"{ID}statement/{prefix}{n:03d}", row) for n, row in enumerate(rows, 1)
            if row[1] not in NOT_WRITTEN and tuple(row[:3]) not in RETIRED]


def check_inverses(rows: list) -> None:
    triples = {tuple(row[:3]) for row in rows}
    for p, q in INVERSES:
        both = [(s, o) for s, pp, o in triples if pp == p and (o, q, s) in triples]
        if both:
            raise SystemExit(f"{p.ttl} and its inverse {q.ttl} both asserted: {both[0][0].ttl} ... {both[0][1].ttl}")


def mode(p: T, o: T, reading: str | None) -> str:
    """The derivation mode of a statement, as Turtle: read (with the reading in words) or stated by the source."""
    if reading is None and p == COMMENT and o.lang == "en":
        reading = NOTE_READING
    if reading is None:
        return f" ;\n    relais:derivation <{STATED}>"
    return f' ;\n    relais:derivation <{READ}> ;\n    relais:reading "{esc(reading)}"@en'


def main() -> None:
    translate_labels(article)  # no-op unless labels were appended after the calls in the tables
    translate_labels(public)
    arts = numbered(dedupe(article), "a")
    pubs = numbered(dedupe(public), "p")
    check_inverses([row for _, row in arts] + [row for _, row in pubs])
    write_graph(ROOT / "data/article.ttl", "Graph <https://w3id.org/relais/graph/article>: statements of the seed article (Le RAMEAU, 23 June 2020)",
                [row[:3] for _, row in arts])
    write_graph(ROOT / "data/public.ttl", "Graph <https://w3id.org/relais/graph/public>: statements from other public sources",
                [row[:3] for _, row in pubs])
    prov_lines = [header("Graph <https://w3id.org/relais/graph/provenance>: one rdf:Statement per triple of graphs article (aNNN) and public (pNNN)")
                  + "# Quotes are verbatim from the article, except that non-breaking spaces are normalised to plain spaces.\n"
                  + "# English labels are Relais' translations: their statements carry relais:translatedLabelLanguage \"en\" and say so;\n"
                  + "# the quote (or source) there is the evidence of the French label they translate.\n\n"]
    for st, (s, p, o, quote, reading, note) in arts:
        comment = note
        if (s, p, o) in TRANSLATED:
            reading = comment = TRANSLATION_NOTE.format(what="article", why="; the quote is the French original it translates")
        elif p == TRANSLATED_LANG:
            reading = comment = MARK_NOTE.format(what="article")
        extra = ' ;\n    relais:translatedLabelLanguage "en"' if (s, p, o) in TRANSLATED else ""
        extra += f' ;\n    rdfs:comment "{esc(comment)}"@en' if comment else ""
        prov_lines.append(f"<{st}> a rdf:Statement ;\n    rdf:subject {s.ttl} ;\n    rdf:predicate {p.ttl} ;\n"
                          f"    rdf:object {o.ttl} ;\n    relais:inGraph <{GRAPH}article> ;\n"
                          f"    prov:wasQuotedFrom <{ARTICLE}> ;\n    relais:quote \"{esc(quote)}\"@fr"
                          f"{mode(p, o, reading)}{extra} .\n")
    for st, (s, p, o, srcs, evidence, reading, excerpt) in pubs:
        extra = ""
        if (s, p, o) in TRANSLATED:
            reading = evidence = TRANSLATION_NOTE.format(what="source", why="; the source(s) are those of the French label")
            extra = ' ;\n    relais:translatedLabelLanguage "en"'
        elif p == TRANSLATED_LANG:
            reading = evidence = MARK_NOTE.format(what="source")
        if excerpt:
            extra += f' ;\n    relais:excerpt "{esc(excerpt)}"@fr'
        src = " , ".join(f"<{u}>" for u in srcs)
        prov_lines.append(f"<{st}> a rdf:Statement ;\n    rdf:subject {s.ttl} ;\n    rdf:predicate {p.ttl} ;\n"
                          f"    rdf:object {o.ttl} ;\n    relais:inGraph <{GRAPH}public> ;\n"
                          f"    dcterms:source {src} ;\n    relais:evidence \"{esc(evidence)}\"@en"
                          f"{mode(p, o, reading)}{extra} .\n")
    prov_lines.extend(disagreement_lines(arts, pubs))
    (ROOT / "data/provenance.ttl").write_text("\n".join(prov_lines), encoding="utf-8")
    print(f"article: {len(arts)} triples, public: {len(pubs)} triples, English labels translated by Relais: {len(TRANSLATED)} "
          f"on {len({t[0] for t in TRANSLATED})} resources")


if __name__ == "__main__":
    main()
