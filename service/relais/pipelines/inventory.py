"""Import the inventory CSV (needs and programmes) into RDF, as a declarative mapping says.

The mapping (``data/sources/inventory-mapping.toml``) names, for each CSV column, the property
it becomes and the kind of its values (literal, date, lookup table, reference to another row or
to an existing resource, URL, legal text). This module only applies it:

1. read the CSV and check every row (line number + reason for each problem);
2. build two graphs: sourced rows -> graph ``inventory``, illustrative rows (and any statement
   that points to an illustrative record) -> graph ``illustrative``;
3. validate ontology + existing data + the new triples with the SHACL shapes;
4. only then write both Turtle files (temporary file, then rename).

Malformed rows raise ``InventoryError`` (CLI exit 2), SHACL violations ``relais.errors.ShapeViolation``
(exit 1); in both cases nothing is written.

Over 400 lines: the declarative mapping of the sample CSV, its checks and the import's atomic write of four graphs.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef

from relais import resources
from relais.errors import RelaisError, ShapeViolation
from relais.graph.shacl import read_union, shapes_graph, validate_graph
from relais.graph.store import GRAPH_BASE, shipped_sources
from relais.pipelines.inventory_tables import InventoryTables, TableProblem, Territories, family_folders, read_tables

log = logging.getLogger(__name__)

# The graphs an import replaces: their current files are not "existing data" for the import.
REPLACED_GRAPHS = ("inventory", "illustrative", "inventory-provenance", "territories")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_YEAR = re.compile(r"^[0-9]{4}$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_LEGAL = re.compile(r"^(?P<text>[^<>]*?)\s*(?:<(?P<iri>[^<>\s]+)>)?$")


def default_mapping_path() -> Path:
    return resources.data_dir() / "sources" / "inventory-mapping.toml"


@dataclass(frozen=True)
class RowProblem:
    """One problem of the CSV: where it is and what to fix."""

    line: int
    reason: str

    def render(self, path: Path) -> str:
        """One line, ``FILE:LINE: reason``.

        >>> RowProblem(3, "unknown phase").render(Path("inv.csv"))
        'inv.csv:3: unknown phase'
        """
        return f"{path}:{self.line}: {self.reason}" if self.line else f"{path}: {self.reason}"


class InventoryError(RelaisError):
    """The CSV (or the mapping) is malformed: every problem with its line; nothing was written."""

    exit_code = 2

    def __init__(self, path: Path, problems: list[RowProblem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(p.render(path) for p in problems))


class InventoryTablesError(RelaisError):
    """The tables of data/sources/inventory/ are malformed: every problem with its file and line."""

    exit_code = 2

    def __init__(self, problems: list[TableProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


@dataclass
class ImportResult:
    """The two graphs an import produces and how many records went into each."""

    sourced: rdflib.Graph
    illustrative: rdflib.Graph
    records: dict[str, str] = field(default_factory=dict)  # record_id -> status
    written: tuple[Path, ...] = ()
    tables: InventoryTables | None = None  # the reconstructed inventory's tables, when there are any

    @property
    def sourced_count(self) -> int:
        return sum(1 for s in self.records.values() if s != "illustrative")

    @property
    def illustrative_count(self) -> int:
        return sum(1 for s in self.records.values() if s == "illustrative")


# ----------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class Mapping:
    """The parsed TOML mapping, with CURIEs expanded."""

    raw: dict[str, Any]
    path: Path

    @property
    def prefixes(self) -> dict[str, str]:
        return dict(self.raw.get("prefixes", {}))

    def term(self, curie_or_iri: str) -> URIRef:
        """Expand ``relais:covers`` with the mapping's prefixes (a full IRI stays as it is)."""
        prefix, sep, local = curie_or_iri.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return URIRef(self.prefixes[prefix] + local)
        return URIRef(curie_or_iri)

    @property
    def record(self) -> dict[str, Any]:
        return dict(self.raw["record"])

    @property
    def kinds(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw["kinds"])

    @property
    def columns(self) -> list[dict[str, Any]]:
        return list(self.raw["columns"])

    def lookup(self, name: str) -> dict[str, list[str]]:
        table = self.raw.get("lookups", {}).get(name)
        if table is None:
            raise InventoryError(self.path, [RowProblem(0, f"mapping: no [lookups.{name}] table")])
        return {k: (v if isinstance(v, list) else [v]) for k, v in table.items()}

    @property
    def header_names(self) -> list[str]:
        return [self.record["id_column"], self.record["kind_column"], *(c["name"] for c in self.columns)]


def load_mapping(path: Path | None = None) -> Mapping:
    """Read the TOML mapping; a missing or malformed file is an ``InventoryError`` at line 0."""
    path = path or default_mapping_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InventoryError(path, [RowProblem(0, f"cannot read the mapping: {exc.strerror}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InventoryError(path, [RowProblem(0, f"malformed TOML: {exc}")]) from None
    for key in ("record", "kinds", "columns"):
        if key not in raw:
            raise InventoryError(path, [RowProblem(0, f"mapping has no '{key}' section")])
    return Mapping(raw, path)


# ----------------------------------------------------------------------------- reading


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    record_id: str
    kind: str
    iri: URIRef
    status: str


def _split(value: str, column: dict[str, Any]) -> list[str]:
    sep = column.get("separator")
    if not sep:
        return [value]
    return [item.strip() for item in value.split(sep) if item.strip()]


def _read_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line of the header, header) then (first line of each record, row)."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InventoryError(path, [RowProblem(0, f"cannot read the CSV: {exc.strerror}")]) from None
    with handle:
        reader = csv.reader(handle)
        previous_end = 0
        try:
            for row in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                yield start, row
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InventoryError(path, [RowProblem(previous_end + 1, f"unreadable CSV: {exc}")]) from None


class _Builder:
    """Turns checked rows into triples; collects every problem instead of stopping at the first."""

    def __init__(self, mapping: Mapping, existing: rdflib.Graph, csv_path: Path) -> None:
        self.mapping = mapping
        self.existing = existing
        self.csv_path = csv_path
        self.problems: list[RowProblem] = []
        self.sourced = rdflib.Graph()
        self.illustrative = rdflib.Graph()
        for graph in (self.sourced, self.illustrative):
            for prefix, ns in mapping.prefixes.items():
                graph.bind(prefix, ns)
        self.rows: dict[str, _Row] = {}
        self.illustrative_iris: set[URIRef] = set()

    def problem(self, line: int, reason: str) -> None:
        self.problems.append(RowProblem(line, reason))

    # -- pass 1: identity of each row
    def identify(self, line: int, values: dict[str, str]) -> None:
        rec = self.mapping.record
        record_id = values.get(rec["id_column"], "")
        kind = values.get(rec["kind_column"], "")
        status = values.get(rec["status_column"], "")
        kinds = self.mapping.kinds
        if not record_id:
            self.problem(line, f"missing {rec['id_column']}")
            return
        if kind not in kinds:
            self.problem(line, f"{record_id}: unknown {rec['kind_column']} {kind!r} (expected one of: {', '.join(kinds)})")
            return
        spec = kinds[kind]
        if not re.match(spec["id_pattern"], record_id):
            self.problem(line, f"{record_id}: a {kind} {rec['id_column']} must match {spec['id_pattern']}")
            return
        if record_id in self.rows:
            self.problem(line, f"{record_id}: duplicate {rec['id_column']} (first on line {self.rows[record_id].line})")
            return
        if status not in rec["statuses"]:
            self.problem(line, f"{record_id}: unknown {rec['status_column']} {status!r} (expected one of: {', '.join(rec['statuses'])})")
            return
        iri = URIRef(spec["iri_template"].format(slug=record_id.lower(), id=record_id))
        self.rows[record_id] = _Row(line, values, record_id, kind, iri, status)
        if status == rec["illustrative_status"]:
            self.illustrative_iris.add(iri)

    # -- pass 2: triples
    def add(self, row: _Row, p: URIRef, o: rdflib.term.Node, s: URIRef | None = None) -> None:
        subject = s if s is not None else row.iri
        illustrative = row.iri in self.illustrative_iris or o in self.illustrative_iris
        (self.illustrative if illustrative else self.sourced).add((subject, p, o))

    def build(self, row: _Row) -> None:
        rec, mapping = self.mapping.record, self.mapping
        spec = mapping.kinds[row.kind]
        self.add(row, RDF.type, mapping.term(spec["class"]))
        self.add(row, mapping.term(rec["identifier_property"]), Literal(row.record_id))
        self.add(row, RDF.type, mapping.term(rec["record_class"]))
        self.add(row, mapping.term(rec["dataset_property"]), URIRef(rec["dataset"]))
        if row.status == rec["illustrative_status"]:
            self.add(row, RDFS.comment, Literal(rec["illustrative_comment_fr"], lang="fr"))
            self.add(row, RDFS.comment, Literal(rec["illustrative_comment_en"], lang="en"))
        for column in mapping.columns:
            name = column["name"]
            value = row.values.get(name, "")
            if not value:
                unless = column.get("required_unless_status")
                if (
                    column.get("required")
                    or row.kind in column.get("required_for_kinds", ())
                    or (unless is not None and row.status != unless)
                ):
                    self.problem(row.line, f"{row.record_id}: missing {name}")
                continue
            if "kinds" in column and row.kind not in column["kinds"]:
                self.problem(
                    row.line, f"{row.record_id}: column {name} does not apply to a {row.kind} (only to {', '.join(column['kinds'])})"
                )
                continue
            prop_name = column.get("property_by_kind", {}).get(row.kind) or column.get("property")
            if not prop_name:
                self.problem(0, f"mapping: column {name} has no property for a {row.kind}")
                continue
            prop = mapping.term(str(prop_name))
            handler = getattr(self, f"_value_{column['kind']}", None)
            if handler is None:
                self.problem(0, f"mapping: column {name} has unknown kind {column['kind']!r}")
                continue
            for item in _split(value, column):
                handler(row, column, prop, item)
            if name == "label_fr" and spec.get("extra_label_property"):
                self.add(row, mapping.term(spec["extra_label_property"]), Literal(value, lang=column.get("lang")))

    def _literal(self, column: dict[str, Any], text: str) -> Literal:
        datatype = column.get("datatype")
        if datatype and self.mapping.term(datatype) != XSD.string:
            return Literal(text, datatype=self.mapping.term(datatype))
        return Literal(text, lang=column.get("lang"))

    def _value_literal(self, row: _Row, column: dict[str, Any], prop: URIRef, item: str) -> None:
        self.add(row, prop, self._literal(column, item))

    def _value_date(self, row: _Row, column: dict[str, Any], prop: URIRef, item: str) -> None:
        name = column["name"]
        if _YEAR.match(item) and column.get("year_property"):
            self.add(row, self.mapping.term(column["year_property"]), Literal(item, datatype=XSD.gYear))
            return
        if not _DATE.match(item):
            self.problem(row.line, f"{row.record_id}: {name} {item!r} is not a date (write YYYY-MM-DD)")
            return
        try:
            day = dt.date.fromisoformat(item)
        except ValueError as exc:
            self.problem(row.line, f"{row.record_id}: {name} {item!r} is not a valid date ({exc})")
            return
        before = column.get("not_before")
        if before and _DATE.match(row.values.get(before, "")):
            try:
                if day < dt.date.fromisoformat(row.values[before]):
                    self.problem(row.line, f"{row.record_id}: {name} {item} is before {before} {row.values[before]}")
                    return
            except ValueError:
                pass  # reported on its own column
        self.add(row, prop, Literal(item, datatype=XSD.date))

    def _known(self, iri: URIRef) -> bool:
        return (iri, None, None) in self.existing

    def _value_lookup(self, row: _Row, column: dict[str, Any], prop: URIRef, item: str) -> None:
        name = column["name"]
        table = self.mapping.lookup(column["lookup"])
        if item not in table:
            known = ", ".join(sorted(table))
            self.problem(row.line, f"{row.record_id}: unknown {name} {item!r} (expected one of: {known})")
            return
        targets = [URIRef(t) for t in table[item]]
        for target in targets:
            if not self._known(target):
                self.problem(
                    row.line, f"mapping: [lookups.{column['lookup']}] maps {item!r} to <{target}>, which the ontology does not define"
                )
                return
        broader_column = column.get("broader_must_be")
        if broader_column:
            other = next(c for c in self.mapping.columns if c["name"] == broader_column)
            parent = self.mapping.lookup(other["lookup"]).get(row.values.get(broader_column, ""), [])
            for target in targets:
                if parent and (target, rdflib.SKOS.broader, URIRef(parent[0])) not in self.existing:
                    self.problem(
                        row.line, f"{row.record_id}: {name} {item!r} does not belong to {broader_column} {row.values.get(broader_column)!r}"
                    )
                    return
        if column.get("text_property"):
            self.add(row, self.mapping.term(column["text_property"]), Literal(item, lang=column.get("lang")))
        for target in targets:
            self.add(row, prop, target)

    def _value_record(self, row: _Row, column: dict[str, Any], prop: URIRef, item: str) -> None:
        name = column["name"]
        target = self.rows.get(item)
        if target is None:
            self.problem(row.line, f"{row.record_id}: {name} refers to unknown record {item!r}")
            return
        allowed = column.get("target_kinds")
        if allowed and target.kind not in allowed:
            self.problem(row.line, f"{row.record_id}: {name} refers to {item}, a {target.kind} (expected {' or '.join(allowed)})")
            return
        if target.record_id == row.record_id:
            self.problem(row.line, f"{row.record_id}: {name} refers to the record itself")
            return
        self.add(row, prop, target.iri)

    def _value_ref(self, row: _Row, column: dict[str, Any], prop: URIRef, item: str) -> None:
        iri = URIRef(item if _URL.match(item) else column.get("base", "") + item)
        if not self._known(iri) or (iri, RDF.type, None) not in self.existing:
            self.problem(
                row.line, f"{row.record_id}: {column['name']} refers to {item!r}, which is not a resource of the shipped graph (<{iri}>)"
            )
            return
        self.add(row, prop, iri)

    def _value_url(self, row: _Row, column: dict[str, Any], prop: URIRef, item: str) -> None:
        if not _URL.match(item):
            self.problem(row.line, f"{row.record_id}: {column['name']} {item!r} is not an http(s) address")
            return
        self.add(row, prop, URIRef(item))

    def _value_legal(self, row: _Row, column: dict[str, Any], prop: URIRef, item: str) -> None:
        match = _LEGAL.match(item)
        if not match or not (match.group("text") or match.group("iri")):
            self.problem(row.line, f"{row.record_id}: {column['name']} {item!r}: write the text, optionally followed by its ELI in <...>")
            return
        text, iri = match.group("text").strip(), match.group("iri")
        if iri is not None:
            pattern = column.get("iri_pattern")
            if not _URL.match(iri) or (pattern and not re.match(pattern, iri)):
                self.problem(row.line, f"{row.record_id}: {column['name']} <{iri}> is not a Légifrance ELI address (expected {pattern})")
                return
            self.add(row, prop, URIRef(iri))
            if text:
                self.add(row, RDFS.label, Literal(text, lang=column.get("lang")), s=URIRef(iri))
        if text and column.get("text_property"):
            self.add(row, self.mapping.term(column["text_property"]), Literal(text, lang=column.get("lang")))


def read_inventory(csv_path: Path, mapping: Mapping, existing: rdflib.Graph) -> ImportResult:
    """Check every row of ``csv_path`` and build the sourced and illustrative graphs.

    ``existing`` (ontology + the other data graphs) is used to check references and lookups.
    Raises ``InventoryError`` listing every problem with its CSV line.
    """
    builder = _Builder(mapping, existing, csv_path)
    rows = _read_csv(csv_path)
    first = next(rows, None)
    if first is None:
        raise InventoryError(csv_path, [RowProblem(1, "empty file: expected a header line")])
    header = [h.strip() for h in first[1]]
    expected = mapping.header_names
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)}")
        raise InventoryError(csv_path, [RowProblem(1, "; ".join(parts) + f" (expected: {', '.join(expected)})")])
    pending: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            builder.problem(line, f"{len(cells)} fields, the header has {len(header)} (check quoting)")
            continue
        values = {h: c.strip() for h, c in zip(header, cells, strict=True)}
        pending.append((line, values))
        builder.identify(line, values)
    for row in builder.rows.values():
        builder.build(row)
    if builder.problems:
        problems = sorted(builder.problems, key=lambda p: p.line)
        raise InventoryError(csv_path, problems)
    if not builder.rows:
        raise InventoryError(csv_path, [RowProblem(2, "no records after the header")])
    return ImportResult(builder.sourced, builder.illustrative, {r.record_id: r.status for r in builder.rows.values()})


# ----------------------------------------------------------------------------- writing


def turtle(graph: rdflib.Graph, header: str) -> str:
    """Turtle with a leading comment block (each line of ``header`` prefixed with '# ')."""
    body = graph.serialize(format="turtle")
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + "\n" + body


def _header(mapping: Mapping, graph_name: str, illustrative: bool) -> str:
    lines = [
        f"Graph <{GRAPH_BASE}{graph_name}>: "
        + (
            "ILLUSTRATIVE inventory records (not facts; do not cite them)."
            if illustrative
            else "the inventory of needs and programmes (sourced and partly-sourced rows)."
        ),
        f"GENERATED by `{mapping.raw.get('generated_by', 'relais import inventory')}`",
        "from data/sources/inventory.csv with data/sources/inventory-mapping.toml: do not edit by hand;",
        "edit the CSV (format: data/sources/README.md) and re-run the import.",
    ]
    return "\n".join(lines)


def _write_all(files: list[tuple[Path, str]]) -> None:
    """Write every file to a temporary sibling first, then rename them all: no half-written output."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".part")
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            temps.append((tmp, path))
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


def existing_graph(exclude: Iterable[Path] = (), territories_csv: Path | None = None) -> rdflib.Graph:
    """Ontology + shipped data, without the graphs an import replaces (and without ``exclude``),
    plus the reference territories the rows point to (rebuilt from ``territories_csv``)."""
    excluded = {p.resolve() for p in exclude}
    replaced = {GRAPH_BASE + name for name in REPLACED_GRAPHS}
    paths = [
        s.path for s in shipped_sources() if s.path.resolve() not in excluded and not (s.graph is not None and s.graph.value in replaced)
    ]
    territories = Territories.read(territories_csv or resources.data_dir() / "sources" / "reference" / "territories.csv")
    return read_union(paths) + territories.graph()


@dataclass(frozen=True)
class Outputs:
    """Where an import writes its four graphs."""

    inventory: Path
    illustrative: Path
    provenance: Path
    territories: Path

    @classmethod
    def beside(cls, inventory: Path, illustrative: Path) -> Outputs:
        folder = inventory.parent
        return cls(inventory, illustrative, folder / "inventory-provenance.ttl", folder / "territories.ttl")

    def all(self) -> tuple[Path, ...]:
        return (self.inventory, self.illustrative, self.provenance, self.territories)


def import_inventory(
    csv_path: Path,
    output: Path,
    illustrative_output: Path,
    *,
    mapping_path: Path | None = None,
    shapes_dir: Path | None = None,
    tables_dir: Path | None = None,
    territories_csv: Path | None = None,
) -> ImportResult:
    """Read, check, validate and (only if all is well) write the inventory graphs.

    The tables of the reconstructed inventory (``tables_dir``, by default the ``inventory/`` folder
    beside the CSV) and the reference territories (``reference/territories.csv``) are read too:
    their records join graph ``inventory``, their citations graph ``inventory-provenance`` and the
    territories graph ``territories``, written beside ``output``.
    """
    outputs = Outputs.beside(output, illustrative_output)
    if len({p.resolve() for p in outputs.all()}) < len(outputs.all()):
        raise RelaisError(f"{output}: the sourced and the illustrative records need two different output files")
    mapping = load_mapping(mapping_path)
    tables_dir = tables_dir or csv_path.parent / "inventory"
    territories_csv = territories_csv or _territories_csv(csv_path)
    if not territories_csv.is_file():
        raise RelaisError(f"{territories_csv}: the reference territories file is missing (see data/sources/README.md)")
    territories = Territories.read(territories_csv).graph()
    existing = existing_graph(outputs.all(), territories_csv)  # the CSV's territory references point into it
    tables = None
    if family_folders(tables_dir):
        tables = read_tables(tables_dir, territories_csv, existing)
        if tables.problems:
            raise InventoryTablesError(tables.problems)
    result = read_inventory(csv_path, mapping, existing)
    result.tables = tables
    sourced = result.sourced + tables.inventory if tables else result.sourced
    union = existing + sourced + result.illustrative + (tables.provenance if tables else rdflib.Graph())  # territories are in existing
    report = validate_graph(union, shapes_graph(shapes_dir or resources.shapes_dir()))
    if not report.conforms:
        raise ShapeViolation("the imported inventory does not conform to the SHACL shapes; nothing was written", report.text)
    files = [
        (output, turtle(sourced, _header(mapping, "inventory", illustrative=False))),
        (illustrative_output, turtle(result.illustrative, _header(mapping, "illustrative", illustrative=True))),
    ]
    files.append((outputs.territories, turtle(territories, _tables_header("territories", TERRITORIES_WHAT))))
    if tables is not None:
        files.append((outputs.provenance, turtle(tables.provenance, _tables_header("inventory-provenance", PROVENANCE_WHAT))))
    _write_all(files)
    result.sourced = sourced
    result.written = tuple(path for path, _ in files)
    log.info(
        "imported %d records (%d illustrative) from %s and %d from %s",
        len(result.records),
        result.illustrative_count,
        csv_path,
        len(tables.records) if tables else 0,
        tables_dir,
    )
    return result


TERRITORIES_WHAT = "France, its regions and départements (COG 2021, from @etalab/decoupage-administratif 1.1.1), each with its INSEE code and INSEE geo IRI"
PROVENANCE_WHAT = "the citations of the reconstructed inventory: for each record, each page that states it, with a French excerpt"


def _territories_csv(csv_path: Path) -> Path:
    """The reference territories beside the CSV, else the shipped ones."""
    beside = csv_path.parent / "reference" / "territories.csv"
    return beside if beside.is_file() else resources.data_dir() / "sources" / "reference" / "territories.csv"


def _tables_header(graph_name: str, what: str) -> str:
    return "\n".join(
        [
            f"Graph <{GRAPH_BASE}{graph_name}>: {what}.",
            "GENERATED by `relais import inventory data/sources/inventory.csv` from data/sources/inventory/*/ and",
            "data/sources/reference/territories.csv: do not edit by hand; edit the tables and re-run the import.",
        ]
    )
