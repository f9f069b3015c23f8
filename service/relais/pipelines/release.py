"""``relais release -o DIR``: a versioned, citable release of the graph, written to ``DIR/<version>/``.

A release folder holds every dump format (canonical: sorted statements, RDFC-1.0 blank nodes, so
the same data gives the same bytes and the same sums), ``void.ttl`` (the VoID + DCAT description
with the version IRI, its links resolve against the folder), ``CITATION.cff`` (dated, with the
version), ``CHANGES.md`` (per named graph: statements added and removed since ``--previous``,
with examples), ``added.nq`` and ``removed.nq`` (the N-Quads diff, when ``--previous`` is given),
``ro-crate-metadata.json`` (RO-Crate 1.2) and ``SHA256SUMS`` (``sha256sum -c SHA256SUMS``).

One folder per version so releases sit side by side under DIR and ``--previous DIR/<old>`` names
one. The folder is written under a temporary name and renamed into place: a failure leaves nothing
half-written. The previous release is never guessed: it is the one ``--previous`` names.

The dump files and the description are the web layer's (``relais.web.dataset``, the ones
``/dumps`` and ``/dataset`` serve); pipelines sit below web, so the CLI passes them in (``Publish``).

Over 400 lines: one writer per file of the folder (dumps, description, citation, changes, RO-Crate,
sums) around one atomic rename; each is short and they share the version and the file list.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pyoxigraph import NamedNode, RdfFormat, parse

from relais import __version__, resources
from relais.errors import RelaisError
from relais.graph.store import GraphStore
from relais.vocab import DATASET_IRI, DCTERMS, PREFIXES, dataset_version_iri

if TYPE_CHECKING:  # rdflib loads only when a release is made, not with every command
    import rdflib

# The description is built with the release's files under this base, then written with IRIs
# relative to it (no @base): they resolve against wherever the folder is published.
FILES_BASE = "https://relais.invalid/release/"
RO_CRATE = "https://w3id.org/ro/crate/1.2"
CFF_FORMAT = "https://citation-file-format.github.io/1.2.0/"
VERSION_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$")
EXAMPLES = 3  # statements shown per graph and direction in CHANGES.md
MAIN_DUMP = "relais.nq"
DEFAULT_GRAPH = "(default graph)"


class UsageError(RelaisError):
    """A release that cannot be made as asked: exit 2 with what to change."""


class DumpFormatLike(Protocol):
    @property
    def extension(self) -> str: ...
    @property
    def media_type(self) -> str: ...
    @property
    def label(self) -> str: ...


class DumpLike(Protocol):
    """A dump file (``relais.web.dataset.DumpFile``)."""

    @property
    def name(self) -> str: ...
    @property
    def format(self) -> DumpFormatLike: ...
    @property
    def data(self) -> bytes: ...
    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class ReleaseInfo:
    """What the description of a release says about it."""

    version: str
    released: date
    base_url: str  # the service's public address: the SPARQL endpoint and landing page
    previous_version: str | None = None
    release_url: str | None = None
    files_url: str = FILES_BASE

    @property
    def iri(self) -> str:
        return dataset_version_iri(self.version)


# The dump files (every format, canonical) and the VoID + DCAT description of a release.
Publish = Callable[[GraphStore, ReleaseInfo], "tuple[Sequence[DumpLike], rdflib.Graph]"]


@dataclass(frozen=True)
class Previous:
    """A release read back: its folder, version and statements (N-Quads lines)."""

    path: Path
    version: str
    lines: frozenset[bytes]


@dataclass
class GraphChange:
    graph: str
    before: int = 0
    after: int = 0
    added: list[bytes] = field(default_factory=list)
    removed: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class ReleaseReport:
    path: Path
    version: str
    files: list[str]
    quads: int
    previous: str | None
    added: int
    removed: int


def sha256_sums(folder: Path, names: Iterable[str]) -> str:
    """``sha256sum`` lines (two spaces: text mode, as ``sha256sum`` writes them), sorted by name."""
    return "".join(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n" for name in sorted(names))


def _nquads_lines(data: bytes) -> frozenset[bytes]:
    return frozenset(line + b"\n" for line in data.splitlines() if line.strip() and not line.startswith(b"#"))


def read_previous(path: Path) -> Previous:
    """Check that ``path`` is a release (crate, sums, N-Quads dump that matches its sum) and read it."""
    if not path.is_dir():
        raise UsageError(f"--previous {path}: no such folder; give the folder of an earlier release, e.g. DIR/0.1.0")
    crate_path, sums_path, dump_path = path / "ro-crate-metadata.json", path / "SHA256SUMS", path / MAIN_DUMP
    missing = [p.name for p in (crate_path, sums_path, dump_path) if not p.is_file()]
    if missing:
        raise UsageError(f"--previous {path}: not a release made by relais release (no {', '.join(missing)})")
    try:
        crate = json.loads(crate_path.read_text(encoding="utf-8"))
        root = next(e for e in crate["@graph"] if e.get("@id") == "./")
        version = str(root["version"])
    except (ValueError, KeyError, TypeError, AttributeError, StopIteration):
        raise UsageError(f"--previous {path}: ro-crate-metadata.json has no root dataset with a version; is it a relais release?") from None
    sums: dict[str, str] = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition(" ")
        sums[name.strip().lstrip("*")] = digest
    data = dump_path.read_bytes()
    if MAIN_DUMP not in sums:
        raise UsageError(f"--previous {path}: SHA256SUMS has no line for {MAIN_DUMP}; is it a relais release?")
    if sums[MAIN_DUMP] != hashlib.sha256(data).hexdigest():
        raise UsageError(f"--previous {path}: {MAIN_DUMP} does not match SHA256SUMS; the release is damaged, fetch it again")
    try:
        list(parse(data, format=RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise UsageError(f"--previous {path}: {MAIN_DUMP} is not valid N-Quads ({exc})") from None
    return Previous(path, version, _nquads_lines(data))


def _graph_name(quad: Any) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else DEFAULT_GRAPH


def _per_graph(lines: frozenset[bytes]) -> Counter[str]:
    return Counter(_graph_name(q) for q in parse(b"".join(lines), format=RdfFormat.N_QUADS))


def changes(previous: frozenset[bytes], current: frozenset[bytes]) -> dict[str, GraphChange]:
    """Per named graph: statements before and after, and the N-Quads lines added and removed."""
    before, after = _per_graph(previous), _per_graph(current)
    by_graph = {g: GraphChange(g, before[g], after[g]) for g in sorted(set(before) | set(after))}
    if not previous:
        return by_graph  # a first release: no diff to list
    for lines, attribute in ((sorted(current - previous), "added"), (sorted(previous - current), "removed")):
        # One statement per line, parsed in order: the n-th quad is the n-th line.
        for line, quad in zip(lines, parse(b"".join(lines), format=RdfFormat.N_QUADS), strict=True):
            getattr(by_graph[_graph_name(quad)], attribute).append(line)
    return by_graph


def _shown(line: bytes, limit: int = 240) -> str:
    text = line.decode("utf-8").rstrip("\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes_markdown(info: ReleaseInfo, by_graph: dict[str, GraphChange], previous: Previous | None) -> str:
    """CHANGES.md: what changed since the previous release, per named graph, with a few statements."""
    lines = [f"# Relais {info.version} ({info.released.isoformat()})", ""]
    if previous is None:
        total = sum(c.after for c in by_graph.values())
        lines += [
            "First release: no previous release was given (`relais release --previous DIR/<version>`),",
            f"so there is no diff. {total} statements in {len(by_graph)} graphs:",
            "",
            "| graph | statements |",
            "|---|---:|",
        ]
        lines += [f"| `{c.graph}` | {c.after} |" for c in by_graph.values()]
        return "\n".join(lines) + "\n"
    added = sum(len(c.added) for c in by_graph.values())
    removed = sum(len(c.removed) for c in by_graph.values())
    lines += [
        f"Changes since {previous.version} (`{dataset_version_iri(previous.version)}`): "
        f"{added} statements added, {removed} removed. `added.nq` and `removed.nq` hold them all (N-Quads).",
        "",
        "| graph | before | after | added | removed |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| `{c.graph}` | {c.before} | {c.after} | {len(c.added)} | {len(c.removed)} |" for c in by_graph.values()]
    for change in by_graph.values():
        if not change.added and not change.removed:
            continue
        lines += ["", f"## `{change.graph}`", ""]
        for label, statements in (("Added", change.added), ("Removed", change.removed)):
            if statements:
                more = f" (the first {EXAMPLES} of {len(statements)})" if len(statements) > EXAMPLES else ""
                lines += [f"{label}{more}:", "", "```", *(_shown(s) for s in statements[:EXAMPLES]), "```", ""]
        if lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"


def citation(text: str, info: ReleaseInfo) -> str:
    """CITATION.cff with this release's version, date, identifier and the data's licence."""
    replaced = {
        "version": json.dumps(info.version),
        "date-released": json.dumps(info.released.isoformat()),
        "license": "CC-BY-4.0",  # a release holds only data, under CC BY 4.0 (the code's MIT does not apply)
    }
    out: list[str] = []
    for line in text.splitlines():
        key = line.split(":", 1)[0]
        if not line.startswith((" ", "\t", "-")) and key in replaced:
            out.append(f"{key}: {replaced.pop(key)}")
        else:
            out.append(line)
    out += [f"{key}: {value}" for key, value in replaced.items()]
    if not any(line.startswith("identifiers:") for line in out):
        out += [
            "identifiers:",
            "  - type: url",
            f"    value: {json.dumps(info.iri)}",
            f"    description: {json.dumps('Relais ' + info.version)}",
        ]
    if info.release_url and not any(line.startswith("url:") for line in out):
        out.append(f"url: {json.dumps(info.release_url)}")
    return "\n".join(out) + "\n"


def _literal(g: rdflib.Graph, subject: str, predicate: str, lang: str = "en") -> str:
    from rdflib import Literal, URIRef

    values = [o for o in g.objects(URIRef(subject), URIRef(predicate)) if isinstance(o, Literal)]
    chosen = [v for v in values if v.language == lang] or values
    return str(sorted(chosen)[0]) if chosen else ""


def ro_crate(info: ReleaseInfo, description: rdflib.Graph, folder: Path, files: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """RO-Crate 1.2 metadata: the release as root dataset, each file with its format, size and SHA-256.

    ``files``: name -> (media type, what it is). Names, title, licence and keywords come from the
    VoID + DCAT description, so the crate and ``void.ttl`` say the same.
    """
    from rdflib import URIRef

    dataset = URIRef(DATASET_IRI)
    license_iri = str(description.value(dataset, URIRef(DCTERMS + "license")))
    title = _literal(description, DATASET_IRI, DCTERMS + "title")
    day = info.released.isoformat()
    entities: list[dict[str, Any]] = []
    for name, (media_type, about) in sorted(files.items()):
        data = (folder / name).read_bytes()
        entity: dict[str, Any] = {
            "@id": name,
            "@type": "File",
            "name": name,
            "description": about,
            "encodingFormat": media_type,
            "contentSize": str(len(data)),
            "sha256": hashlib.sha256(data).hexdigest(),
            "license": {"@id": license_iri},
            "datePublished": day,
        }
        if name == "CITATION.cff":
            entity["conformsTo"] = {"@id": CFF_FORMAT}
        entities.append(entity)
    keywords = sorted(
        str(k) for k in description.objects(dataset, URIRef(PREFIXES["dcat"] + "keyword")) if getattr(k, "language", "") == "en"
    )
    root: dict[str, Any] = {
        "@id": "./",
        "@type": "Dataset",
        "conformsTo": {"@id": RO_CRATE},
        "name": f"{title} — release {info.version}",
        "description": _literal(description, DATASET_IRI, DCTERMS + "description"),
        "version": info.version,
        "identifier": info.iri,
        "datePublished": day,
        "license": {"@id": license_iri},
        "keywords": keywords,
        "isPartOf": {"@id": DATASET_IRI},
        "author": {"@id": "#publisher"},
        "publisher": {"@id": "#publisher"},
        "subjectOf": {"@id": "CITATION.cff"},
        "hasPart": [{"@id": e["@id"]} for e in entities] + [{"@id": "SHA256SUMS"}],
    }
    if info.release_url:
        root["url"] = info.release_url
    if info.previous_version:
        root["isBasedOn"] = {"@id": dataset_version_iri(info.previous_version)}
    sums = {
        "@id": "SHA256SUMS",
        "@type": "File",
        "name": "SHA256SUMS",
        "description": "The SHA-256 of every other file of the release: sha256sum -c SHA256SUMS",
        "encodingFormat": "text/plain",
        "license": {"@id": license_iri},
        "datePublished": day,
    }
    return {
        "@context": f"{RO_CRATE}/context",
        "@graph": [
            {"@id": "ro-crate-metadata.json", "@type": "CreativeWork", "conformsTo": {"@id": RO_CRATE}, "about": {"@id": "./"}},
            root,
            *entities,
            sums,
            {"@id": "#publisher", "@type": "Organization", "name": "Relais developers"},
            {
                "@id": license_iri,
                "@type": "CreativeWork",
                "name": "Creative Commons Attribution 4.0 International",
                "identifier": "CC-BY-4.0",
            },
            {"@id": DATASET_IRI, "@type": "Dataset", "name": title},
        ],
    }


def _void_turtle(description: rdflib.Graph, files_url: str) -> bytes:
    """Turtle with the release's own files as relative IRIs (the ``@base`` line dropped)."""
    text = description.serialize(format="turtle", base=files_url)
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("@base ")).encode("utf-8")


def make_release(
    graph: GraphStore,
    out_dir: Path,
    publish: Publish,
    *,
    version: str = __version__,
    released: date | None = None,
    base_url: str,
    previous: Path | None = None,
    release_url: str | None = None,
    force: bool = False,
) -> ReleaseReport:
    """Write the release of ``graph`` to ``out_dir/<version>/``, all at once or not at all."""
    if not VERSION_NAME.match(version):
        raise UsageError(f"--version {version!r}: use letters, digits, '.', '_', '+' or '-' (e.g. 0.2.0), as it names a folder")
    target = out_dir / version
    if target.exists() and not force:
        raise UsageError(f"{target} already exists: choose another --version, or add --force to replace it")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {out_dir}: not a folder; give the folder that holds the releases")
    old = read_previous(previous) if previous is not None else None
    if old is not None and old.version == version:
        raise UsageError(f"--previous {previous} is version {version} too: give an earlier release, or another --version")
    info = ReleaseInfo(version, released or date.today(), base_url, old.version if old else None, release_url)
    dumps, description = publish(graph, info)

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{version}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        files: dict[str, tuple[str, str]] = {}
        for dump in dumps:
            (tmp / dump.name).write_bytes(dump.data)
            files[dump.name] = (dump.format.media_type, f"The whole graph, {dump.format.label}")
        (tmp / "void.ttl").write_bytes(_void_turtle(description, info.files_url))
        files["void.ttl"] = ("text/turtle", f"VoID and DCAT description of the dataset and of version {version} ({info.iri})")
        (tmp / "CITATION.cff").write_text(citation(resources.citation_file().read_text(encoding="utf-8"), info), encoding="utf-8")
        files["CITATION.cff"] = ("application/yaml", "How to cite this release (Citation File Format)")
        current = _nquads_lines(next(d.data for d in dumps if d.name == MAIN_DUMP))
        by_graph = changes(old.lines if old else frozenset(), current)
        if old is not None:
            for name, attribute in (("added.nq", "added"), ("removed.nq", "removed")):
                (tmp / name).write_bytes(b"".join(sorted(line for c in by_graph.values() for line in getattr(c, attribute))))
                files[name] = ("application/n-quads", f"The statements {attribute} since version {old.version} (N-Quads)")
        (tmp / "CHANGES.md").write_text(changes_markdown(info, by_graph, old), encoding="utf-8")
        files["CHANGES.md"] = ("text/markdown", "What changed since the previous release, per named graph")
        crate = ro_crate(info, description, tmp, files)
        (tmp / "ro-crate-metadata.json").write_text(json.dumps(crate, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        names = [*files, "ro-crate-metadata.json"]
        (tmp / "SHA256SUMS").write_text(sha256_sums(tmp, names), encoding="utf-8")
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ReleaseReport(
        target,
        version,
        sorted([*names, "SHA256SUMS"]),
        len(current),
        old.version if old else None,
        sum(len(c.added) for c in by_graph.values()),
        sum(len(c.removed) for c in by_graph.values()),
    )


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Rename the finished folder to its name; an older one (``--force``) is moved aside first, then removed."""
    aside = None
    if target.exists():
        aside = target.with_name(f".{target.name}.replaced-{os.getpid()}")
        target.rename(aside)
    try:
        tmp.rename(target)
    except OSError:
        if aside is not None:
            aside.rename(target)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
