"""One language per page: which one (``?lang=``, then Accept-Language, then French), its words, dates and numbers.

Every HTML page asks :func:`page_language` once; the answer is kept on the request. The fixed texts
of every page are in :data:`WORDS` (French typography is applied to the French ones here, once).
When the language was chosen by ``?lang=``, :func:`carry_language` adds it to the page's internal
links and GET forms, so the choice survives a click; a language chosen by Accept-Language needs no
help, since the browser sends the same header with every request (and the URLs stay clean).

Over 400 lines: :data:`WORDS`, the site's fixed texts in both languages side by side, is most of
the module; the code that reads it is about 200 lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request

from relais.errors import BadRequest
from relais.formats import weighted

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
NNBSP = "\u202f"  # narrow no-break space: French thousands separator and the space before ; : ! ? and inside « »


@dataclass(frozen=True)
class PageLanguage:
    """The language of one page, and whether the address chose it (then links carry ``?lang=``)."""

    lang: str
    explicit: bool

    @property
    def other(self) -> str:
        return "en" if self.lang == "fr" else "fr"


def weighted_values(header: str) -> list[tuple[str, float]]:
    """The values of a weighted header (Accept, Accept-Language) by decreasing quality (stable for equal q), q=0 left out.

    >>> weighted_values("fr-CH, fr;q=0.9, en;q=0.95, de;q=0")
    [('fr-ch', 1.0), ('en', 0.95), ('fr', 0.9)]
    """
    return sorted(((tag, q) for tag, q in weighted(header) if q > 0), key=lambda r: -r[1])


def choose_language(query_lang: str | None, accept_language: str | None) -> PageLanguage:
    """``?lang=fr|en`` wins, then the first Accept-Language range we speak (``*`` means French), then French.

    >>> choose_language(None, "en-GB,en;q=0.9,fr;q=0.8")
    PageLanguage(lang='en', explicit=False)
    >>> choose_language("fr", "en")
    PageLanguage(lang='fr', explicit=True)
    >>> choose_language(None, "de, *;q=0.1")
    PageLanguage(lang='fr', explicit=False)
    """
    if query_lang is not None:
        chosen = query_lang.strip().lower()
        if chosen not in LANGUAGES:
            raise BadRequest(f"lang={query_lang!r} is not a language of this site; use lang=fr (français) or lang=en (English)")
        return PageLanguage(chosen, True)
    for tag, _ in weighted_values(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return PageLanguage(primary, False)
        if primary == "*":
            break
    return PageLanguage(DEFAULT_LANGUAGE, False)


def page_language(request: Request) -> PageLanguage:
    """The language of the page answering ``request`` (a 400 for an unknown ``?lang=``), computed once per request."""
    found = getattr(request.state, "page_language", None)
    if isinstance(found, PageLanguage):
        return found
    choice = choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    request.state.page_language = choice
    return choice


# --- links ------------------------------------------------------------------------------------

# Internal addresses that are files, not pages: a language parameter means nothing to them.
_NOT_PAGES = ("/static/", "/dumps/", "/sparql/editor/")
_LINK = re.compile(r'(\s(?:href|action))="(/(?!/)[^"]*)"')
_FORM = re.compile(r"(<form\b[^>]*>)(.*?</form>)", re.DOTALL | re.IGNORECASE)
_HAS_LANG = re.compile(r"(?:^|[?&;])lang=")


def with_lang(href: str, lang: str) -> str:
    """``href`` (as written in HTML, ``&amp;`` between parameters) with ``lang=`` added, unless it has one.

    >>> with_lang("/queries?format=json#top", "en")
    '/queries?format=json&amp;lang=en#top'
    >>> with_lang("/views/trace?lang=fr", "en")
    '/views/trace?lang=fr'
    """
    path, hash_, fragment = href.partition("#")
    base, question, query = path.partition("?")
    if base.startswith(_NOT_PAGES) or _HAS_LANG.search(query.replace("&amp;", "&")):
        return href
    query = f"{query}&amp;lang={lang}" if query else f"lang={lang}"
    return f"{base}?{query}{hash_}{fragment}"


def carry_language(html: str, lang: str) -> str:
    """Keep a language chosen by ``?lang=`` across links: internal hrefs get ``lang=``, GET forms a hidden field."""

    def form(match: re.Match[str]) -> str:
        opening, rest = match.group(1), match.group(2)
        if re.search(r'method="post"', opening, re.IGNORECASE) or 'name="lang"' in rest:
            return match.group(0)
        return f'{opening}<input type="hidden" name="lang" value="{lang}">{rest}'

    html = _FORM.sub(form, html)
    return _LINK.sub(lambda m: f'{m.group(1)}="{m.group(2) if m.group(1).strip() == "action" else with_lang(m.group(2), lang)}"', html)


def language_switch(path: str, query: Iterable[tuple[str, str]], current: str) -> list[dict[str, object]]:
    """The header's fr | en links: the same path and query, with ``lang=`` set to each language.

    >>> [s["href"] for s in language_switch("/queries/q", [("x", "1"), ("lang", "en")], "en")]
    ['/queries/q?x=1&lang=fr', '/queries/q?x=1&lang=en']
    """
    kept = [(k, v) for k, v in query if k != "lang"]
    return [
        {
            "lang": lang,
            "label": lang,
            "name": NAMES[lang],
            "href": f"{path}?{urlencode([*kept, ('lang', lang)])}",
            "current": lang == current,
        }
        for lang in LANGUAGES
    ]


def switch_of(request: Request) -> list[dict[str, object]]:
    """The language switch for the page answering ``request``."""
    return language_switch(request.url.path, parse_qsl(request.url.query, keep_blank_values=True), page_language(request).lang)


# --- dates, numbers and typography --------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def format_date(value: str, lang: str) -> str:
    """An xsd:date, dateTime or gYearMonth in the page's locale: jj/mm/aaaa in French, ISO 8601 in English.

    English pages keep ISO (2020-06-23): unambiguous for readers of any country, and what the data says.

    >>> format_date("2020-06-23", "fr"), format_date("2020-06-23T11:08:00", "fr"), format_date("2020-05", "fr")
    ('23/06/2020', '23/06/2020 11:08', '05/2020')
    >>> format_date("2020-06-23T11:08:00", "en"), format_date("soon", "fr")
    ('2020-06-23 11:08', 'soon')
    """
    found = _DATE.match(value)
    if found:
        year, month, day, hour, minute = found.groups()
        time = f" {hour}:{minute}" if hour else ""
        return f"{day}/{month}/{year}{time}" if lang == "fr" else f"{year}-{month}-{day}{time}"
    month_only = _YEAR_MONTH.match(value)
    if month_only and lang == "fr":
        return f"{month_only.group(2)}/{month_only.group(1)}"
    return value


def format_number(value: object, lang: str) -> str:
    """A number with the page's separators: 12 345,5 (narrow no-break space) in French, 12,345.5 in English.

    >>> format_number(12345, "fr") == "12" + NNBSP + "345", format_number("12345.5", "en"), format_number("n/a", "fr")
    (True, '12,345.5', 'n/a')
    """
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return text
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = digits.partition(".")
    text = sign + f"{int(whole):,}" + (f".{fraction}" if fraction else "")
    if lang == "fr":
        return text.replace(",", NNBSP).replace(".", ",")
    return text


_BEFORE = re.compile(r"[ \u00a0]?([;!?]|:(?=\s|$))")


def french_typography(text: str) -> str:
    """A narrow no-break space before ; : ! ? and inside « », as French typesetting wants (``a:b`` and URLs untouched).

    >>> french_typography("Type: relais ; « oui »?") == f"Type{NNBSP}: relais{NNBSP}; «{NNBSP}oui{NNBSP}»{NNBSP}?"
    True
    """
    text = _BEFORE.sub(lambda m: NNBSP + m.group(1), text)
    return re.sub(r"«[ \u00a0]?", "«" + NNBSP, re.sub(r"[ \u00a0]?»", NNBSP + "»", text))


# --- the fixed texts --------------------------------------------------------------------------

NAMES = {"fr": "français", "en": "English"}

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "site_nav": "Site",
        "nav_home": "Home",
        "nav_editor": "SPARQL editor",
        "nav_queries": "Named queries",
        "nav_views": "Views",
        "nav_ontology": "Ontology",
        "nav_dataset": "Dataset",
        "nav_dumps": "Dumps",
        "nav_api": "API",
        "language": "Language",
        "footer": "Relais: knowledge graph of the 2020 « anticiper la sortie de crise » initiative (Médiateur des entreprises, Le RAMEAU).",
        "footer_licence": "Data under",
        "home_lead": "A knowledge graph of the 2020 COVID-19 initiative « anticiper la sortie de crise des acteurs / actions d’intérêt général » "
        "(Médiateur des entreprises and Le RAMEAU): its needs, programmes, networks, dialogue spaces, their deliverables and the relays "
        "that carry them. Every fact links to its source: a quote from the article or a public address.",
        "home_stats": "{triples} distinct statements ({quads} quads) in {graphs} named graphs, about {entities} resources.",
        "entry_points": "Entry points",
        "card_editor": "write and run queries",
        "card_ontology": "classes, properties, shapes",
        "card_dumps": "the whole graph as files",
        "card_dataset": "DCAT / VoID description",
        "card_api": "API docs",
        "view_trace": "Relay trace",
        "view_trace_what": "which relay carries which deliverable, to whom, when",
        "view_timeline": "2020 timeline",
        "view_timeline_what": "démarche, report, events, programmes, inventory",
        "view_coverage": "Coverage matrix",
        "view_coverage_what": "needs × programmes: the « trous dans la raquette »",
        "lookup_label": "Look up an IRI of the graph",
        "lookup": "Look up",
        "start_here": "Start here: {label}",
        "research_questions": "Research questions",
        "queries_error": "The named queries cannot be listed: {error}",
        "what_it_answers": "What it answers",
        "run": "Run",
        "run_named": "Run",
        "no_queries": "No named queries yet.",
        "or_editor": "Or write your own in the ",
        "per_class": "Resources per class",
        "class": "Class",
        "resources": "Resources",
        "definition": "Definition",
        "named_graphs": "Named graphs",
        "graph": "Graph",
        "quads": "Quads",
        "what_it_holds": "What it holds",
        "also_as": "Also as:",
        "type": "Type:",
        "inferred_type": "inferred from the ontology",
        "illustrative_warning": "Some statements below come from the illustrative graph: invented examples, not facts. Do not cite them.",
        "illustrative_graph": "illustrative graph",
        "properties": "Properties",
        "property": "Property",
        "value_graph_source": "Value, graph and source",
        "no_outgoing": "No outgoing statements.",
        "type_source": "Source of the type",
        "incoming": "Incoming links",
        "from": "From",
        "and_more": "… and {n} more (see the",
        "turtle_description": "Turtle description",
        "nothing_links": "Nothing links here.",
        "neighbourhood_of": "Neighbourhood of {label}",
        "neighbourhood_caption": "Neighbourhood: {shown} of {total} linked resources; on the left what points here, on the right what this "
        "points to (relays, deliverables, dialogue spaces and events first).",
        "kind_relay": "relay",
        "kind_deliverable": "deliverable",
        "kind_dialogue_space": "dialogue space",
        "kind_event": "event",
        "kind_target": "target",
        "kind_organisation": "organisation",
        "article": "article",
        "read_article": "read the article",
        "public_source": "public source",
        "link_method": "link ({method})",
        "read_by": "read by Relais",
        "stated_by": "stated by the source",
        "record": "record",
        "provenance_record": "provenance record",
        "also_summary": "also as:",
        "also_text": "The same statement read through the ontology's alignment (rdfs:subPropertyOf), materialised in graph",
        "not_found": "Not found",
        "not_found_text": "There is no {what} {iri} in the graph.",
        "what_resource": "resource",
        "what_graph": "named graph",
        "not_found_next": "Start from the",
        "home_page": "home page",
        "browse_the": "browse the ",
        "editor_word": "SPARQL editor",
        "ontology_word": "ontology",
        "or_search": "or search with the ",
        "statements": "{n} statements.",
        "illustrative_graph_warning": "Illustrative, not sourced: invented examples that show the shape of the data. Do not cite them.",
        "classes_in_graph": "Classes in this graph",
        "n_resources_of": "{n} resources of class",
        "dumps": "Dumps",
        "dumps_lead": "The whole graph as files. N-Quads, TriG and JSON-LD keep the named graphs; Turtle and N-Triples hold their union.",
        "dumps_same": "The same files come from",
        "dumps_dcat": "Described as DCAT distributions in the",
        "dataset_description": "dataset description",
        "file": "File",
        "format": "Format",
        "media_type": "Media type",
        "size": "Size",
        "dataset": "Dataset",
        "in_catalogue": "in catalogue",
        "version": "Version",
        "data": "data",
        "release": "release:",
        "no_release": "no published release is configured:",
        "no_release_how": "writes one; publish its folder, then set RELAIS_RELEASE_URL to its address (docs/releases.md)",
        "licence": "Licence",
        "temporal": "Temporal coverage",
        "spatial": "Spatial coverage",
        "triples_resources": "{triples} distinct triples, {entities} resources",
        "endpoint": "SPARQL endpoint",
        "keywords": "Keywords",
        "distributions": "Distributions",
        "distribution": "Distribution",
        "void_subsets": "Named graphs (VoID subsets)",
        "triples": "Triples",
        "description": "Description",
        "machine_readable": "Machine-readable:",
        "queries_lead": "The research questions as SPARQL queries, each served at /queries/NAME (a page for a browser, JSON by default, CSV "
        "on request) and run by relais query NAME.",
        "api_documentation": "API documentation",
        "query": "Query",
        "question": "Question",
        "parameters": "Parameters",
        "open": "Open",
        "required": "required",
        "one_of": "one of",
        "default": "default",
        "none": "none",
        "rows_a_page": "{n} rows a page",
        "open_editor": "Open in the editor",
        "same_result_as": "Same result as:",
        "open_in_editor": "open in the SPARQL editor",
        "any": "(any)",
        "give_to_run": "Give {names} to run this query.",
        "rows_of": "Rows {first}–{last} of {total}",
        "no_rows": "No rows",
        "page_of": "page {page} of {last}",
        "one_row": "1 row",
        "n_rows": "{n} rows",
        "pages": "Pages",
        "first": "« first",
        "previous": "‹ previous",
        "next": "next ›",
        "last": "last »",
        "label_columns": "Label columns {names} are shown as the text of their resource's link; the JSON and CSV have every column.",
        "ontology_title": "Relais ontology",
        "iri": "IRI",
        "prefix": "Prefix",
        "creator": "Creator",
        "contents": "Contents",
        "ontology_contents": "{classes} classes, {properties} properties, {schemes} concept schemes, {shapes} SHACL node shapes",
        "terms": "Terms",
        "index": "Index",
        "classes": "Classes",
        "concept_schemes": "Concept schemes",
        "editor_title": "Relais SPARQL editor",
        "editor_endpoint": "Endpoint:",
        "share": "Share this query",
        "examples": "Examples",
        "no_named_queries": "No named queries.",
    },
    "fr": {
        "site_nav": "Site",
        "nav_home": "Accueil",
        "nav_editor": "Éditeur SPARQL",
        "nav_queries": "Requêtes nommées",
        "nav_views": "Vues",
        "nav_ontology": "Ontologie",
        "nav_dataset": "Jeu de données",
        "nav_dumps": "Exports",
        "nav_api": "API",
        "language": "Langue",
        "footer": "Relais : graphe de connaissances de la démarche « anticiper la sortie de crise » de 2020 (Médiateur des entreprises, "
        "Le RAMEAU).",
        "footer_licence": "Données sous licence",
        "home_lead": "Un graphe de connaissances de la démarche COVID-19 de 2020 « anticiper la sortie de crise des acteurs / actions "
        "d’intérêt général » (Médiateur des entreprises et Le RAMEAU) : ses besoins, programmes, réseaux, espaces de dialogue, leurs "
        "livrables et les relais qui les portent. Chaque fait renvoie à sa source : une citation de l’article ou une adresse publique.",
        "home_stats": "{triples} énoncés distincts ({quads} quadruplets) dans {graphs} graphes nommés, sur {entities} ressources environ.",
        "entry_points": "Points d’entrée",
        "card_editor": "écrire et lancer des requêtes",
        "card_ontology": "classes, propriétés, formes",
        "card_dumps": "tout le graphe en fichiers",
        "card_dataset": "description DCAT / VoID",
        "card_api": "Documentation de l’API",
        "view_trace": "Trace des relais",
        "view_trace_what": "quel relais porte quel livrable, vers qui, quand",
        "view_timeline": "Chronologie 2020",
        "view_timeline_what": "démarche, rapport, événements, programmes, inventaire",
        "view_coverage": "Matrice de couverture",
        "view_coverage_what": "besoins × programmes : les « trous dans la raquette »",
        "lookup_label": "Chercher une IRI du graphe",
        "lookup": "Chercher",
        "start_here": "Commencer ici : {label}",
        "research_questions": "Questions de recherche",
        "queries_error": "Impossible de lister les requêtes nommées : {error}",
        "what_it_answers": "Ce qu’elle répond",
        "run": "Lancer",
        "run_named": "Lancer",
        "no_queries": "Pas encore de requête nommée.",
        "or_editor": "Ou écrivez la vôtre dans l’",
        "per_class": "Ressources par classe",
        "class": "Classe",
        "resources": "Ressources",
        "definition": "Définition",
        "named_graphs": "Graphes nommés",
        "graph": "Graphe",
        "quads": "Quadruplets",
        "what_it_holds": "Ce qu’il contient",
        "also_as": "Aussi en :",
        "type": "Type :",
        "inferred_type": "déduit de l’ontologie",
        "illustrative_warning": "Certains énoncés ci-dessous viennent du graphe illustratif : des exemples inventés, pas des faits. "
        "Ne les citez pas.",
        "illustrative_graph": "graphe illustratif",
        "properties": "Propriétés",
        "property": "Propriété",
        "value_graph_source": "Valeur, graphe et source",
        "no_outgoing": "Aucun énoncé sortant.",
        "type_source": "Source du type",
        "incoming": "Liens entrants",
        "from": "Depuis",
        "and_more": "… et {n} de plus (voir la",
        "turtle_description": "description Turtle",
        "nothing_links": "Rien ne pointe ici.",
        "neighbourhood_of": "Voisinage de {label}",
        "neighbourhood_caption": "Voisinage : {shown} des {total} ressources liées ; à gauche ce qui pointe ici, à droite ce vers quoi "
        "ceci pointe (relais, livrables, espaces de dialogue et événements d’abord).",
        "kind_relay": "relais",
        "kind_deliverable": "livrable",
        "kind_dialogue_space": "espace de dialogue",
        "kind_event": "événement",
        "kind_target": "cible",
        "kind_organisation": "organisation",
        "article": "article",
        "read_article": "lire l’article",
        "public_source": "source publique",
        "link_method": "lien ({method})",
        "read_by": "lu par Relais",
        "stated_by": "énoncé par la source",
        "record": "fiche",
        "provenance_record": "fiche de provenance",
        "also_summary": "aussi en :",
        "also_text": "Le même énoncé lu à travers l’alignement de l’ontologie (rdfs:subPropertyOf), matérialisé dans le graphe",
        "not_found": "Introuvable",
        "not_found_text": "Il n’y a pas de {what} {iri} dans le graphe.",
        "what_resource": "ressource",
        "what_graph": "graphe nommé",
        "not_found_next": "Partez de la",
        "home_page": "page d’accueil",
        "browse_the": "parcourez l’",
        "editor_word": "éditeur SPARQL",
        "ontology_word": "ontologie",
        "or_search": "ou cherchez avec l’",
        "statements": "{n} énoncés.",
        "illustrative_graph_warning": "Illustratif, sans source : des exemples inventés qui montrent la forme des données. Ne les citez pas.",
        "classes_in_graph": "Classes de ce graphe",
        "n_resources_of": "{n} ressources de la classe",
        "dumps": "Exports",
        "dumps_lead": "Tout le graphe en fichiers. N-Quads, TriG et JSON-LD gardent les graphes nommés ; Turtle et N-Triples en "
        "contiennent l’union.",
        "dumps_same": "Les mêmes fichiers sortent de",
        "dumps_dcat": "Décrits comme distributions DCAT dans la",
        "dataset_description": "description du jeu de données",
        "file": "Fichier",
        "format": "Format",
        "media_type": "Type de média",
        "size": "Taille",
        "dataset": "Jeu de données",
        "in_catalogue": "dans le catalogue",
        "version": "Version",
        "data": "données",
        "release": "publication :",
        "no_release": "aucune publication n’est configurée :",
        "no_release_how": "en écrit une ; publiez son dossier, puis donnez son adresse à RELAIS_RELEASE_URL (docs/releases.md)",
        "licence": "Licence",
        "temporal": "Couverture temporelle",
        "spatial": "Couverture spatiale",
        "triples_resources": "{triples} triplets distincts, {entities} ressources",
        "endpoint": "Point d’accès SPARQL",
        "keywords": "Mots-clés",
        "distributions": "Distributions",
        "distribution": "Distribution",
        "void_subsets": "Graphes nommés (sous-ensembles VoID)",
        "triples": "Triplets",
        "description": "Description",
        "machine_readable": "Pour les machines :",
        "queries_lead": "Les questions de recherche en requêtes SPARQL, chacune servie à /queries/NOM (une page pour un navigateur, du "
        "JSON par défaut, du CSV sur demande) et lancée par relais query NOM.",
        "api_documentation": "documentation de l’API",
        "query": "Requête",
        "question": "Question",
        "parameters": "Paramètres",
        "open": "Ouvrir",
        "required": "obligatoire",
        "one_of": "parmi",
        "default": "par défaut",
        "none": "aucun",
        "rows_a_page": "{n} lignes par page",
        "open_editor": "Ouvrir dans l’éditeur",
        "same_result_as": "Le même résultat en :",
        "open_in_editor": "ouvrir dans l’éditeur SPARQL",
        "any": "(tous)",
        "give_to_run": "Donnez {names} pour lancer cette requête.",
        "rows_of": "Lignes {first} à {last} sur {total}",
        "no_rows": "Aucune ligne",
        "page_of": "page {page} sur {last}",
        "one_row": "1 ligne",
        "n_rows": "{n} lignes",
        "pages": "Pages",
        "first": "« première",
        "previous": "‹ précédente",
        "next": "suivante ›",
        "last": "dernière »",
        "label_columns": "Les colonnes de libellés {names} donnent le texte du lien de leur ressource ; le JSON et le CSV ont toutes les "
        "colonnes.",
        "ontology_title": "Ontologie Relais",
        "iri": "IRI",
        "prefix": "Préfixe",
        "creator": "Auteur",
        "contents": "Contenu",
        "ontology_contents": "{classes} classes, {properties} propriétés, {schemes} schémas de concepts, {shapes} formes SHACL",
        "terms": "Termes",
        "index": "Index",
        "classes": "Classes",
        "concept_schemes": "Schémas de concepts",
        "editor_title": "Éditeur SPARQL de Relais",
        "editor_endpoint": "Point d’accès :",
        "share": "Partager cette requête",
        "examples": "Exemples",
        "no_named_queries": "Aucune requête nommée.",
    },
}

WORDS: dict[str, dict[str, str]] = {"en": _WORDS["en"], "fr": {k: french_typography(v) for k, v in _WORDS["fr"].items()}}


def words(lang: str) -> dict[str, str]:
    """The fixed texts of the pages in ``lang`` (French for any other value)."""
    return WORDS.get(lang, WORDS[DEFAULT_LANGUAGE])
