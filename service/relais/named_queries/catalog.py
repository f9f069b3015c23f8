"""Named queries: queries/*.rq with grlc-style ``#+`` headers and BASIL-style parameters.

A parameter is a variable ``?_name_kind`` (required) or ``?__name_kind`` (optional), where the
kind is ``iri``, ``integer``, ``decimal``, ``date``, ``literal`` or a language tag. Values are
bound as typed RDF terms through pyoxigraph substitutions, never pasted into the query text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple, Variable

from relais.errors import BadRequest, NotFound, RelaisError
from relais.sparql_text import explain_syntax_error
from relais.vocab import ID_BASE, PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"
# grlc's keys, plus summary_fr and description_fr: the French texts (pages show one language each).
HEADER_KEYS = {"summary", "summary_fr", "description", "description_fr", "tags", "method", "pagination", "defaults", "enumerate"}
KINDS = {"iri", "integer", "decimal", "date", "literal"}
_HEADER = re.compile(r"^#\+\s*([A-Za-z_]+)\s*:\s*(.*)$")
_PARAM = re.compile(r"[?$](__?[A-Za-z][A-Za-z0-9_]*)")
_LANG = re.compile(r"^[a-z]{2,3}$")
# pyoxigraph evaluates BOUND() of a substituted variable as false (measured with 0.5.13), so an
# optional parameter must be tested as COALESCE(?x = ?__param, true), never with BOUND().
_BOUND_PARAM = re.compile(r"BOUND\s*\(\s*[?$](__?[A-Za-z][A-Za-z0-9_]*)\s*\)", re.IGNORECASE)


class QueryFileError(RelaisError):
    """A .rq file whose header or parameters are malformed: names file and line."""

    status = 500


# Parameters whose name is not the kind of Relais IRI they take.
SLUG_KINDS = {"space": "dialogue-space", "org": "organisation", "actor_type": "actor-type"}
_SLUG_VALUE = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$")


@dataclass(frozen=True)
class Parameter:
    """One query parameter: its public name, the SPARQL variable, whether required, its kind."""

    name: str
    variable: str
    required: bool
    kind: str  # iri | integer | decimal | date | literal | lang:<tag>

    def bind(self, raw: str) -> NamedNode | Literal:
        """Turn a request value into a typed RDF term, or say what is wrong with it.

        An IRI parameter also takes a Relais slug, as the API does: ``phase=urgence`` is
        ``https://w3id.org/relais/id/phase/urgence``, ``deliverable=deliverable/x`` its IRI.

        >>> Parameter("phase", "__phase_iri", False, "iri").bind("urgence").value
        'https://w3id.org/relais/id/phase/urgence'
        >>> Parameter("space", "__space_iri", False, "iri").bind("investisseurs-societaux").value
        'https://w3id.org/relais/id/dialogue-space/investisseurs-societaux'

        A CURIE with one of the project's prefixes is expanded (``relais:Need`` is not an IRI of
        scheme "relais": taken as one, it would silently match nothing).

        >>> Parameter("predicate", "__predicate_iri", False, "iri").bind("relais:carriesDeliverable").value
        'https://w3id.org/relais/ontology#carriesDeliverable'
        """
        try:
            if self.kind == "iri" and _SLUG_VALUE.match(raw):
                kind = SLUG_KINDS.get(self.name, self.name.replace("_", "-"))
                raw = f"{ID_BASE}{raw}" if "/" in raw else f"{ID_BASE}{kind}/{raw}"
            prefix, _, local = raw.partition(":")
            if self.kind == "iri" and prefix in PREFIXES and not local.startswith("//"):
                raw = PREFIXES[prefix] + local
            if self.kind == "iri":
                if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", raw):
                    raise ValueError("an absolute IRI such as https://w3id.org/relais/id/...")
                return NamedNode(raw)
            if self.kind == "integer":
                return Literal(str(int(raw)), datatype=NamedNode(XSD + "integer"))
            if self.kind == "decimal":
                return Literal(str(Decimal(raw)), datatype=NamedNode(XSD + "decimal"))
            if self.kind == "date":
                return Literal(dt.date.fromisoformat(raw).isoformat(), datatype=NamedNode(XSD + "date"))
            if self.kind.startswith("lang:"):
                return Literal(raw, language=self.kind[5:])
            return Literal(raw)
        except (ValueError, InvalidOperation) as exc:
            expected = {
                "integer": "an integer",
                "decimal": "a decimal number",
                "date": "a date as YYYY-MM-DD",
            }.get(self.kind, str(exc))
            raise BadRequest(f"parameter '{self.name}': {raw!r} is not {expected}") from None


@dataclass(frozen=True)
class NamedQuery:
    """A research question as a SPARQL query with its metadata."""

    name: str
    path: Path
    text: str
    summary: str
    summary_fr: str = ""
    description: str = ""
    description_fr: str = ""
    tags: tuple[str, ...] = ()
    method: str = "GET"
    pagination: int | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    enumerate: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()

    def summary_in(self, lang: str) -> tuple[str, str]:
        """The summary a page in ``lang`` shows and the language it is really in (English when no French one)."""
        return (self.summary_fr, "fr") if lang == "fr" and self.summary_fr else (self.summary, "en")

    def description_in(self, lang: str) -> tuple[str, str]:
        """The description a page in ``lang`` shows and the language it is really in (English when no French one)."""
        return (self.description_fr, "fr") if lang == "fr" and self.description_fr else (self.description, "en")

    def substitutions(self, values: dict[str, str]) -> dict[Variable, Any]:
        """Check and bind request values: missing, unknown, malformed or non-enumerated values are a 400."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise BadRequest(f"unknown parameter(s) {', '.join(unknown)} for query '{self.name}'; allowed: {allowed}")
        bound: dict[Variable, Any] = {}
        for param in self.parameters:
            raw = values.get(param.name, self.defaults.get(param.name))
            if raw is None or raw == "":
                if param.required:
                    raise BadRequest(f"parameter '{param.name}' is required for query '{self.name}'")
                continue
            allowed_values = self.enumerate.get(param.name)
            if allowed_values and raw not in allowed_values:
                raise BadRequest(f"parameter '{param.name}' must be one of: {', '.join(allowed_values)}")
            bound[Variable(param.variable)] = param.bind(raw)
        return bound


def _parse_value(raw: str) -> Any:
    """Parse the flow-style YAML subset used in headers: scalars, [lists] and {maps}.

    >>> _parse_value("[a, b]")
    ['a', 'b']
    >>> _parse_value("{phase: urgence}")
    {'phase': 'urgence'}
    >>> _parse_value("{phase: [urgence, relance]}")
    {'phase': ['urgence', 'relance']}
    """
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        return [item.strip().strip("'\"") for item in _split_top(raw[1:-1]) if item.strip()]
    if raw.startswith("{") and raw.endswith("}"):
        result: dict[str, Any] = {}
        for item in _split_top(raw[1:-1]):
            if not item.strip():
                continue
            key, sep, value = item.partition(":")
            if not sep:
                raise ValueError(f"expected 'key: value' in {raw!r}")
            result[key.strip()] = _parse_value(value)
        return result
    return raw.strip("'\"")


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside brackets (IRIs with ':' stay whole)."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _parameter(variable: str) -> Parameter:
    required = not variable.startswith("__")
    stem = variable.lstrip("_")
    name, _, suffix = stem.rpartition("_")
    if name and suffix in KINDS:
        return Parameter(name, variable, required, suffix)
    if name and _LANG.match(suffix):
        return Parameter(name, variable, required, f"lang:{suffix}")
    return Parameter(stem, variable, required, "literal")


def parse_query_file(path: Path, *, require_summary: bool = True) -> NamedQuery:
    """Read a .rq file; a malformed header, unknown key or missing summary names file and line.

    ``require_summary=False`` is for a file run by path (``relais query FILE.rq``): any SPARQL
    file runs; the grlc header is optional there, though lines it has are still checked.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise QueryFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise QueryFileError(f"{path}: cannot read it: {exc.strerror}") from None
    meta: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        match = _HEADER.match(line)
        if not match:
            raise QueryFileError(f"{path}:{number}: malformed header line; write '#+ key: value'")
        key, value = match.group(1), match.group(2)
        if key not in HEADER_KEYS:
            raise QueryFileError(f"{path}:{number}: unknown header key '{key}'; known: {', '.join(sorted(HEADER_KEYS))}")
        try:
            meta[key] = _parse_value(value)
        except ValueError as exc:
            raise QueryFileError(f"{path}:{number}: {exc}") from None
    if require_summary and not meta.get("summary"):
        raise QueryFileError(f"{path}:1: missing '#+ summary:' header")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    bound = _BOUND_PARAM.search(body)
    if bound:
        param = bound.group(1)
        raise QueryFileError(
            f"{path}: BOUND(?{param}) is always false once a value is substituted; "
            f"test an optional parameter with COALESCE(?x = ?{param}, true), or "
            f"!COALESCE(?{param} = ?{param}, false) || EXISTS {{ ... ?{param} }}, instead"
        )
    variables = dict.fromkeys(_PARAM.findall(body))
    parameters = tuple(_parameter(v) for v in variables)
    try:
        pagination = int(meta["pagination"]) if "pagination" in meta else None
    except ValueError:
        raise QueryFileError(f"{path}: 'pagination' must be a whole number") from None
    query = NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(meta.get("summary") or path.stem),
        summary_fr=str(meta.get("summary_fr", "")),
        description=str(meta.get("description", "")),
        description_fr=str(meta.get("description_fr", "")),
        tags=tuple(meta.get("tags") or ()),
        method=str(meta.get("method", "GET")).upper(),
        pagination=pagination,
        defaults={str(k): str(v) for k, v in (meta.get("defaults") or {}).items()},
        enumerate={str(k): tuple(v) for k, v in (meta.get("enumerate") or {}).items()},
        parameters=parameters,
    )
    _check_against_empty_store(query)
    return query


def _dummy(param: Parameter) -> NamedNode | Literal:
    samples = {"iri": "https://w3id.org/relais/id/x", "integer": "1", "decimal": "1.0", "date": "2020-01-01"}
    return param.bind(samples.get(param.kind, "x"))


def _check_against_empty_store(query: NamedQuery) -> None:
    """Parse the query and bind every parameter once: a SELECT that does not project a parameter fails here."""
    subs: dict[Variable, NamedNode | BlankNode | Literal | Triple] = {Variable(p.variable): _dummy(p) for p in query.parameters}
    try:
        result = Store().query(query.text, substitutions=subs, use_default_graph_as_union=True)
        if hasattr(result, "__iter__"):
            list(result)
    except SyntaxError as exc:
        raise QueryFileError(f"{query.path}: {explain_syntax_error(query.text, str(exc), PREFIXES)}") from None
    except RuntimeError as exc:
        raise QueryFileError(f"{query.path}: {exc}; a SELECT must project every ?_parameter") from None


def load_queries(folder: Path) -> dict[str, NamedQuery]:
    """Every .rq file in ``folder``, by name."""
    return {q.name: q for q in (parse_query_file(p) for p in sorted(folder.glob("*.rq")))}


def resolve(name_or_path: str, folder: Path) -> NamedQuery:
    """A query by name (queries/NAME.rq, header rules apply) or by file path (any SPARQL file), for the CLI.

    A bare word is a named query; a word with a suffix or a slash (``x.rq``, ``./x``) is a file.
    """
    path = Path(name_or_path)
    looks_like_path = bool(path.suffix) or "/" in name_or_path or path.name != name_or_path
    candidate = folder / f"{name_or_path}.rq"
    if not looks_like_path and candidate.is_file():
        return parse_query_file(candidate)
    if path.is_file():
        return parse_query_file(path, require_summary=False)
    if looks_like_path:
        what = "is not a file" if path.exists() else "does not exist"
        raise NotFound(f"{name_or_path}: the query file {what}")
    names = ", ".join(sorted(p.stem for p in folder.glob("*.rq"))) or "none"
    raise NotFound(f"no query file or named query '{name_or_path}' (named queries: {names})")
