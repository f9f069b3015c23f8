"""Build data/article.ttl, data/public.ttl and data/provenance.ttl from the statement tables in statements/.

The tables hold every statement of the seed article (Le RAMEAU, "Bilan de 3 mois d'anticipation de sortie de
crise", 23 June 2020) and of the other public sources once, one row each, with its evidence. This script checks
them, writes each statement into its graph file, and one rdf:Statement node per triple into data/provenance.ttl,
so the two can never drift apart. The tables' format and the rules they follow (append-only numbering, one
direction of declared inverses, English labels as Relais' translations) are in data/sources/README.md; the checks
below enforce them.

Run:  python data/sources/build_sourced_graphs.py [--tables DIR] [--out DIR]
Standard library only. The generated Turtle files are committed: edit the tables, not the Turtle, then re-run.
A malformed table is reported as FILE:LINE: reason (exit 2), and nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLES = Path(__file__).resolve().parent / "statements"
ID = "https://w3id.org/relais/id/"
ONT = "https://w3id.org/relais/ontology#"
ARTICLE = ID + "article/bilan-3-mois-2020-06-23"
GRAPH = "https://w3id.org/relais/graph/"  # relais:inGraph: the named graph of each statement's triple
# Derivation modes (ontology/inventory-schemes.ttl, shared with the inventory's coverage links).
STATED = ID + "derivation/stated"
READ = ID + "derivation/read"

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
# The tables also write Relais resources as id:PATH; the Turtle writes them in full.
TABLE_PREFIXES = {**PREFIXES, "id": ID}

COLUMNS = {
    "article": ("id", "subject", "predicate", "object", "object_type", "derivation", "quote_fr", "reading_en", "note_en"),
    "public": ("id", "subject", "predicate", "object", "object_type", "derivation", "sources", "evidence_en", "excerpt_fr", "reading_en"),
    "retired": ("id", "subject", "predicate", "object", "object_type", "why"),
    "disagreements": ("slug", "about", "property", "label_fr", "label_en", "comment_en", "statements"),
}
ID_PREFIX = {"article": "a", "public": "p"}
DERIVATIONS = ("stated", "read", "relais-note", "translation", "translation-mark")
SEPARATOR = " | "  # between the addresses of `sources` and the ids of `statements`

# The reading of an English rdfs:comment of a graph: it is Relais' note, never words of the source.
NOTE_READING = "Relais' note (in English) on what the source says and does not say; not words of the source."
TRANSLATION_NOTE = "Translation by Relais of the resource's French label: not words of the {what}{why}."
MARK_NOTE = "Relais marks that the English labels of this resource are its own translations, not words of the {what}."


# ---------------------------------------------------------------- terms
@dataclass(frozen=True)
class Term:
    """An RDF term already rendered as Turtle; a literal also keeps its text and language."""

    ttl: str
    text: str | None = field(default=None, compare=False)
    lang: str | None = field(default=None, compare=False)


def esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def iri(full: str) -> Term:
    """An IRI as a prefixed name when one of PREFIXES fits, else in full."""
    for p, ns in PREFIXES.items():
        if full.startswith(ns):
            local = full[len(ns) :]
            if local and all(c.isalnum() or c in "_-" for c in local) and local[0].isalpha():
                return Term(f"{p}:{local}")
    return Term(f"<{full}>")


A = iri(PREFIXES["rdf"] + "type")
LABEL = iri(PREFIXES["rdfs"] + "label")
COMMENT = iri(PREFIXES["rdfs"] + "comment")
LABEL_PROPS = (LABEL, iri(PREFIXES["skos"] + "prefLabel"), iri(PREFIXES["dcterms"] + "title"), iri(PREFIXES["schema"] + "name"))
TRANSLATED_LANG = iri(ONT + "translatedLabelLanguage")
EN_MARK = Term('"en"')
# Properties that a shape allows once only: the English translation goes to rdfs:label instead.
ONE_ONLY = {(iri(ARTICLE), iri(PREFIXES["dcterms"] + "title"))}
# Declared inverses (owl:inverseOf in ontology/relais.ttl): the build stops if both directions of a pair are asserted.
INVERSES = (
    (iri(ONT + "hasDeliverable"), iri(ONT + "deliverableOf")),
    (iri(ONT + "hasRelay"), iri(ONT + "relayOf")),
    (iri(ONT + "foundedBy"), iri(ONT + "founderOf")),
    (iri(ONT + "headedBy"), Term("<http://www.w3.org/ns/org#headOf>")),
)
# Of these pairs only the first direction is written (the one DialogueSpaceShape needs): a row with the second is refused.
ONE_DIRECTION = {inverse: written for written, inverse in INVERSES[:2]}


class TableError(Exception):
    """A cell that cannot be read; the caller adds FILE:LINE."""


def name(cell: str) -> Term:
    """An IRI cell: PREFIX:LOCAL (a prefix of TABLE_PREFIXES) or <FULL-IRI>."""
    if cell.startswith("<") and cell.endswith(">") and len(cell) > 2 and not re.search(r'[\s<>"{}|\\^`]', cell[1:-1]):
        return iri(cell[1:-1])
    prefix, colon, local = cell.partition(":")
    if not colon or prefix not in TABLE_PREFIXES or not local or re.search(r'[\s<>"{}|\\^`]', local):
        raise TableError(f"{cell!r} is not an IRI: write PREFIX:LOCAL ({', '.join(TABLE_PREFIXES)}) or <FULL-IRI>")
    return iri(TABLE_PREFIXES[prefix] + local)


def obj(cell: str, object_type: str) -> Term:
    """The object cell read by its object_type: iri, @LANG, string (plain literal) or an xsd: datatype."""
    if object_type == "iri":
        return name(cell)
    if re.fullmatch(r"@[a-z]{2,3}", object_type):
        return Term(f'"{esc(cell)}"{object_type}', cell, object_type[1:])
    if object_type == "string":
        return Term(f'"{esc(cell)}"')
    if re.fullmatch(r"xsd:[A-Za-z]+", object_type):
        return Term(f'"{esc(cell)}"^^{object_type}')
    raise TableError(f"object_type {object_type!r}: use iri, @fr, @en, string or an xsd: datatype such as xsd:date")


# ---------------------------------------------------------------- tables
@dataclass(frozen=True)
class Statement:
    """One row of article.csv or public.csv: a triple of its graph and the evidence its provenance node gives."""

    id: str
    where: str  # FILE:LINE, for messages
    s: Term
    p: Term
    o: Term
    derivation: str
    reading: str
    quote: str = ""  # article
    note: str = ""  # article
    sources: tuple[str, ...] = ()  # public
    evidence: str = ""  # public
    excerpt: str = ""  # public

    @property
    def triple(self) -> tuple[Term, Term, Term]:
        return (self.s, self.p, self.o)


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def rows(path: Path, table: str, problems: list[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """(FILE:LINE, row) of a UTF-8 CSV table whose header is exactly COLUMNS[table]."""
    if not path.is_file():
        problems.append(f"{shown(path)}: the {table} table is missing")
        return
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, strict=True)
        if tuple(reader.fieldnames or ()) != COLUMNS[table]:
            problems.append(f"{shown(path)}:1: the header must be exactly {','.join(COLUMNS[table])}")
            return
        try:
            for row in reader:
                where = f"{shown(path)}:{reader.line_num}"
                if None in row or None in row.values():
                    problems.append(f"{where}: {len(COLUMNS[table])} fields expected")
                    continue
                yield where, row
        except csv.Error as exc:
            problems.append(f"{shown(path)}:{reader.line_num}: not a valid CSV row ({exc})")


def number(cell: str, prefix: str) -> int:
    """The number of a statement id (aNNN / pNNN, at least three digits)."""
    if not re.fullmatch(rf"{prefix}\d{{3,}}", cell) or cell != f"{prefix}{int(cell[1:]):03d}":
        raise TableError(f"id {cell!r}: write {prefix} and the number on at least three digits, e.g. {prefix}007")
    return int(cell[1:])


def statement(table: str, where: str, row: dict[str, str]) -> Statement:
    """One row read, and checked on its own: evidence present, derivation consistent with the triple."""
    s, p, o = name(row["subject"]), name(row["predicate"]), obj(row["object"], row["object_type"])
    derivation, reading = row["derivation"], row["reading_en"]
    if derivation not in DERIVATIONS:
        raise TableError(f"derivation {derivation!r}: one of {', '.join(DERIVATIONS)}")
    if p in ONE_DIRECTION:
        raise TableError(f"{p.ttl} is the inverse of {ONE_DIRECTION[p].ttl}: write that direction (from the dialogue space) only")
    english_label = p in LABEL_PROPS and o.lang == "en"
    if english_label != (derivation == "translation"):
        raise TableError("English labels are Relais' translations: derivation translation, and only for them")
    if (p == TRANSLATED_LANG) != (derivation == "translation-mark") or (p == TRANSLATED_LANG and o != EN_MARK):
        raise TableError(
            'derivation translation-mark is relais:translatedLabelLanguage "en" (object en, object_type string), and only that'
        )
    if derivation == "relais-note" and not (p == COMMENT and o.lang == "en"):
        raise TableError("derivation relais-note is for an English rdfs:comment (Relais' note) only")
    if derivation == "stated" and p == COMMENT and o.lang == "en":
        raise TableError("an English rdfs:comment is Relais' note, not words of the source: derivation relais-note (or read)")
    if (derivation == "read") != bool(reading):
        raise TableError("reading_en is required with derivation read, and only there")
    generated = derivation in ("translation", "translation-mark")  # the script writes their note
    common = Statement(row["id"], where, s, p, o, derivation, reading)
    if table == "article":
        if not row["quote_fr"]:
            raise TableError("quote_fr is required: the verbatim words of the article")
        if generated and row["note_en"]:
            raise TableError("note_en must be empty on a translation row: the script writes its note")
        return replace(common, quote=row["quote_fr"], note=row["note_en"])
    sources = tuple(row["sources"].split(SEPARATOR)) if row["sources"] else ()
    if not sources or not all(re.fullmatch(r"https?://\S+", u) for u in sources):
        raise TableError(f"sources: one or more http(s) addresses separated by {SEPARATOR!r}")
    if generated == bool(row["evidence_en"]):
        raise TableError("evidence_en (the English paraphrase) is required, except on a translation row (the script writes its note)")
    return replace(common, sources=sources, evidence=row["evidence_en"], excerpt=row["excerpt_fr"])


def read_statements(tables: Path, table: str, retired: set[str], problems: list[str]) -> list[Statement]:
    """A statement table, in id order: ids increase (new rows are appended), no retired id, no repeated triple."""
    out: list[Statement] = []
    last, seen = 0, dict[tuple[Term, Term, Term], str]()
    for where, row in rows(tables / f"{table}.csv", table, problems):
        try:
            n = number(row["id"], ID_PREFIX[table])
            if n <= last:
                raise TableError(f"id {row['id']} after {ID_PREFIX[table]}{last:03d}: append new rows with the next number")
            last = n
            if row["id"] in retired:
                raise TableError(f"id {row['id']} is retired (retired.csv): numbers are never reused")
            st = statement(table, where, row)
            if st.triple in seen:
                raise TableError(f"the same triple as {seen[st.triple]}")
        except TableError as exc:
            problems.append(f"{where}: {exc}")
            continue
        seen[st.triple] = st.id
        out.append(st)
    return out


def read_retired(tables: Path, problems: list[str]) -> set[str]:
    """Numbers of statements no longer written, kept so that they are never given to another statement."""
    out: set[str] = set()
    for where, row in rows(tables / "retired.csv", "retired", problems):
        try:
            prefix = row["id"][:1]
            if prefix not in ID_PREFIX.values():
                raise TableError(f"id {row['id']!r}: a statement id of article.csv (aNNN) or public.csv (pNNN)")
            number(row["id"], prefix)
            name(row["subject"]), name(row["predicate"]), obj(row["object"], row["object_type"])
            if not row["why"] or row["id"] in out:
                raise TableError("each retired id once, with why it is no longer written")
        except TableError as exc:
            problems.append(f"{where}: {exc}")
            continue
        out.add(row["id"])
    return out


def check_translations(table: list[Statement], problems: list[str]) -> set[tuple[Term, Term, Term]]:
    """Every French label has Relais' English one (same property, or rdfs:label where ONE_ONLY), and every resource
    with one is marked relais:translatedLabelLanguage "en". Returns the translated triples."""
    english = {(st.s, st.p) for st in table if st.derivation == "translation"}
    for st in table:
        if st.p in LABEL_PROPS and st.o.lang == "fr":
            target = LABEL if (st.s, st.p) in ONE_ONLY else st.p
            if (st.s, target) not in english:
                problems.append(
                    f"{st.where}: {st.id}: no English translation for the French label {st.o.text!r}: append a row "
                    f"{st.s.ttl} {target.ttl} with derivation translation (and a translation-mark row for the resource)"
                )
    translated = {st.s for st in table if st.derivation == "translation"}
    marked = {st.s for st in table if st.derivation == "translation-mark"}
    for st in table:
        if st.derivation == "translation" and st.s not in marked:
            problems.append(f'{st.where}: {st.id}: {st.s.ttl} has a translated label but no relais:translatedLabelLanguage "en" row')
        if st.derivation == "translation-mark" and st.s not in translated:
            problems.append(f"{st.where}: {st.id}: {st.s.ttl} is marked as translated but has no translation row")
    return {st.triple for st in table if st.derivation == "translation"}


def check_inverses(statements: list[Statement], problems: list[str]) -> None:
    triples = {st.triple: st for st in statements}
    for p, q in INVERSES:
        for (s, pp, o), st in triples.items():
            if pp == p and (o, q, s) in triples:
                problems.append(f"{st.where}: {st.id}: {p.ttl} and its inverse {q.ttl} both asserted: {s.ttl} ... {o.ttl}")


@dataclass(frozen=True)
class Disagreement:
    slug: str
    about: Term
    prop: Term
    label_fr: str
    label_en: str
    comment: str
    statements: tuple[str, ...]


def read_disagreements(tables: Path, by_id: dict[str, Statement], problems: list[str]) -> list[Disagreement]:
    """Each disagreement links the provenance statements of its values, all about the same resource."""
    out: list[Disagreement] = []
    for where, row in rows(tables / "disagreements.csv", "disagreements", problems):
        try:
            about, prop = name(row["about"]), name(row["property"])
            ids = tuple(row["statements"].split(SEPARATOR))
            if not re.fullmatch(r"[a-z0-9-]+", row["slug"]) or not all(row[k] for k in ("label_fr", "label_en", "comment_en")):
                raise TableError("a slug (a-z, 0-9, -), both labels and the comment are required")
            if len(ids) < 2:
                raise TableError(f"statements: two or more statement ids separated by {SEPARATOR!r}")
            for st_id in ids:
                if st_id not in by_id:
                    raise TableError(f"statement {st_id!r} is not a written statement of article.csv or public.csv")
                if by_id[st_id].s != about:
                    raise TableError(f"statement {st_id} is about {by_id[st_id].s.ttl}, not {about.ttl}")
        except TableError as exc:
            problems.append(f"{where}: {exc}")
            continue
        out.append(Disagreement(row["slug"], about, prop, row["label_fr"], row["label_en"], row["comment_en"], ids))
    return out


# ---------------------------------------------------------------- Turtle
def header(title: str) -> str:
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    return (
        f"# {title}\n# GENERATED by data/sources/build_sourced_graphs.py: edit the table there, then re-run.\n\n"
        + "\n".join(lines)
        + "\n\n"
    )


def graph_text(title: str, statements: list[Statement]) -> str:
    """The triples grouped by subject, subjects and predicates in table order."""
    by_subject: dict[Term, list[tuple[Term, Term]]] = {}
    for st in statements:
        by_subject.setdefault(st.s, []).append((st.p, st.o))
    chunks = []
    for s, pos in by_subject.items():
        body = " ;\n    ".join(f"{'a' if p == A else p.ttl} {o.ttl}" for p, o in pos)
        chunks.append(f"{s.ttl}\n    {body} .\n")
    return header(title) + "\n".join(chunks)


def mode(reading: str | None) -> str:
    """The derivation mode of a statement, as Turtle: read (with the reading in words) or stated by the source."""
    if reading is None:
        return f" ;\n    relais:derivation <{STATED}>"
    return f' ;\n    relais:derivation <{READ}> ;\n    relais:reading "{esc(reading)}"@en'


def reading_of(st: Statement, what: str, why: str) -> str | None:
    """The relais:reading of a statement: its own, or the standard one of a Relais note, translation or mark."""
    return {
        "stated": None,
        "read": st.reading,
        "relais-note": NOTE_READING,
        "translation": TRANSLATION_NOTE.format(what=what, why=why),
        "translation-mark": MARK_NOTE.format(what=what),
    }[st.derivation]


def node_head(st: Statement, graph: str) -> str:
    return (
        f"<{ID}statement/{st.id}> a rdf:Statement ;\n    rdf:subject {st.s.ttl} ;\n    rdf:predicate {st.p.ttl} ;\n"
        f"    rdf:object {st.o.ttl} ;\n    relais:inGraph <{GRAPH}{graph}> ;\n"
    )


def article_node(st: Statement) -> str:
    """Article evidence: the verbatim quote; a translation says so in its comment, other notes are rdfs:comment."""
    reading = reading_of(st, "article", "; the quote is the French original it translates")
    comment = reading if st.derivation in ("translation", "translation-mark") else st.note
    extra = ' ;\n    relais:translatedLabelLanguage "en"' if st.derivation == "translation" else ""
    extra += f' ;\n    rdfs:comment "{esc(comment)}"@en' if comment else ""
    return (
        f'{node_head(st, "article")}    prov:wasQuotedFrom <{ARTICLE}> ;\n    relais:quote "{esc(st.quote)}"@fr{mode(reading)}{extra} .\n'
    )


def public_node(st: Statement) -> str:
    """Public evidence: the address(es) and an English paraphrase (a translation's paraphrase says it is one)."""
    reading = reading_of(st, "source", "; the source(s) are those of the French label")
    evidence = reading if st.derivation in ("translation", "translation-mark") else st.evidence
    extra = ' ;\n    relais:translatedLabelLanguage "en"' if st.derivation == "translation" else ""
    extra += f' ;\n    relais:excerpt "{esc(st.excerpt)}"@fr' if st.excerpt else ""
    src = " , ".join(f"<{u}>" for u in st.sources)
    return f'{node_head(st, "public")}    dcterms:source {src} ;\n    relais:evidence "{esc(evidence or "")}"@en{mode(reading)}{extra} .\n'


def disagreement_text(d: Disagreement) -> str:
    sts = " , ".join(f"<{ID}statement/{st_id}>" for st_id in d.statements)
    return (
        f'<{ID}disagreement/{d.slug}> a relais:Disagreement ;\n    rdfs:label "{esc(d.label_fr)}"@fr , "{esc(d.label_en)}"@en ;\n'
        f"    relais:disagreementAbout {d.about.ttl} ;\n    relais:disagreementProperty {d.prop.ttl} ;\n"
        f'    relais:disagreeingStatement {sts} ;\n    rdfs:comment "{esc(d.comment)}"@en .\n'
    )


def provenance_text(arts: list[Statement], pubs: list[Statement], disagreements: list[Disagreement]) -> str:
    lines = [
        header("Graph <https://w3id.org/relais/graph/provenance>: one rdf:Statement per triple of graphs article (aNNN) and public (pNNN)")
        + "# Quotes are verbatim from the article, except that non-breaking spaces are normalised to plain spaces.\n"
        + '# English labels are Relais\' translations: their statements carry relais:translatedLabelLanguage "en" and say so;\n'
        + "# the quote (or source) there is the evidence of the French label they translate.\n\n"
    ]
    lines += [article_node(st) for st in arts]
    lines += [public_node(st) for st in pubs]
    lines.append("# Disagreements between sources, kept: each value is its own statement with its source; the node links them.\n")
    lines += [disagreement_text(d) for d in disagreements]
    return "\n".join(lines)


# ---------------------------------------------------------------- build
class BuildError(Exception):
    """The tables are wrong: one FILE:LINE: reason per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def build(tables: Path = TABLES, out: Path = ROOT / "data") -> str:
    """Check every table, then write the three files (nothing if a check fails); returns the summary line."""
    problems: list[str] = []
    retired = read_retired(tables, problems)
    arts = read_statements(tables, "article", retired, problems)
    pubs = read_statements(tables, "public", retired, problems)
    translated = check_translations(arts, problems) | check_translations(pubs, problems)
    check_inverses(arts + pubs, problems)
    disagreements = read_disagreements(tables, {st.id: st for st in arts + pubs}, problems)
    if problems:
        raise BuildError(problems)
    files = {
        "article.ttl": graph_text(
            "Graph <https://w3id.org/relais/graph/article>: statements of the seed article (Le RAMEAU, 23 June 2020)", arts
        ),
        "public.ttl": graph_text("Graph <https://w3id.org/relais/graph/public>: statements from other public sources", pubs),
        "provenance.ttl": provenance_text(arts, pubs, disagreements),
    }
    out.mkdir(parents=True, exist_ok=True)
    for file_name, text in files.items():
        (out / file_name).write_text(text, encoding="utf-8")
    return (
        f"article: {len(arts)} triples, public: {len(pubs)} triples, English labels translated by Relais: {len(translated)} "
        f"on {len({t[0] for t in translated})} resources"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--tables", type=Path, default=TABLES, help="folder of the statement tables (default: statements/ beside this script)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "data", help="folder to write article.ttl, public.ttl, provenance.ttl (default: data/)"
    )
    args = parser.parse_args(argv)
    try:
        print(build(args.tables, args.out))
    except BuildError as exc:
        for problem in exc.problems:
            print(f"build_sourced_graphs: error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
