"""`relais release`: the real CLI writes a release of the shipped graph; sums, RO-Crate, VoID, diff and errors checked.

The expected values come from the files the test loads: the store's own quads, hashlib over the
written bytes, and a diff of two quad sets computed here with Python sets.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat
from rdflib import RDF, Literal, Namespace, URIRef

from relais.cli.release import _release_files
from relais.config import Settings
from relais.graph.store import GraphStore, shipped_sources, sources_from_paths
from relais.pipelines.release import FILES_BASE, UsageError, make_release, read_previous
from relais.resources import data_dir
from relais.vocab import DATASET_IRI
from tests.conftest import run_cli
from tests.support.app import client

pytestmark = pytest.mark.integration

SCHEMA = Namespace("http://schema.org/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
OWL_VERSION_IRI = URIRef("http://www.w3.org/2002/07/owl#versionIRI")
FIRST, SECOND = "1.0.0", "1.1.0"
DAY = "2026-12-01"
# The RO-Crate 1.2 context maps these terms so (File is schema:MediaObject, conformsTo is Dublin
# Core's); it is read here instead of fetched, as the tests run offline.
CRATE_CONTEXT = {
    "@vocab": "http://schema.org/",
    "File": "http://schema.org/MediaObject",
    "conformsTo": {"@id": "http://purl.org/dc/terms/conformsTo", "@type": "@id"},
}
FORMATS = {
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".jsonld": RdfFormat.JSON_LD,
}


def _release(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("release", *args, env=env)


def _sums(folder: Path) -> dict[str, str]:
    sums = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    return sums


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DIR with release 1.0.0 of the shipped graph."""
    out = tmp_path_factory.mktemp("releases")
    result = _release("-o", str(out), "--version", FIRST, "--date", DAY)
    assert result.returncode == 0, result.stderr
    assert f"wrote release {FIRST}" in result.stdout
    return out


@pytest.fixture(scope="module")
def first(releases: Path) -> Path:
    return releases / FIRST


def test_sha256sums_cover_every_file_and_match(first: Path) -> None:
    sums = _sums(first)
    files = {p.name for p in first.iterdir()}
    assert set(sums) == files - {"SHA256SUMS"}
    assert {"relais.nq", "relais.trig", "relais.ttl", "relais.nt", "relais.jsonld", "void.ttl", "CITATION.cff", "CHANGES.md"} <= files
    assert {"ro-crate-metadata.json"} <= set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((first / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=first, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_dumps_parse_back_to_the_store(first: Path) -> None:
    store = GraphStore.open(shipped_sources())
    distinct = {q.triple for q in store.store}
    for suffix, fmt in FORMATS.items():
        parsed = list(pyoxigraph.parse(path=first / f"relais{suffix}", format=fmt))
        if fmt.supports_datasets:
            assert len(parsed) == store.quad_count(), suffix
            assert {q.graph_name.value for q in parsed} == set(store.named_graphs()), suffix
        else:
            assert {q.triple for q in parsed} == distinct, suffix
    lines = (first / "relais.nq").read_bytes().splitlines()
    assert lines == sorted(lines)  # sorted N-Quads, as `sort` would order them


def _small_data(folder: Path) -> list[Path]:
    """Two small files with blank nodes: their labels change at every load, the release's must not."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alpha.ttl").write_text(
        '<urn:x:a> <urn:x:knows> [ <urn:x:name> "b" ; <urn:x:knows> [ <urn:x:name> "c" ] ] .\n<urn:x:a> <urn:x:name> "a" .\n',
        encoding="utf-8",
    )
    (folder / "beta.ttl").write_text('<urn:x:d> <urn:x:knows> [ <urn:x:name> "e" ] , <urn:x:a> .\n', encoding="utf-8")
    return [folder / "alpha.ttl", folder / "beta.ttl"]


def test_same_data_gives_the_same_bytes_whatever_the_load_order(tmp_path: Path) -> None:
    files = [str(p) for p in _small_data(tmp_path / "data")]
    one = _release("-o", str(tmp_path / "one"), "--version", FIRST, "--date", DAY, "--data", *files)
    other = _release("-o", str(tmp_path / "other"), "--version", FIRST, "--date", DAY, "--data", *reversed(files))
    assert one.returncode == 0 and other.returncode == 0, one.stderr + other.stderr
    assert _sums(tmp_path / "one" / FIRST) == _sums(tmp_path / "other" / FIRST)
    assert b"_:" in (tmp_path / "one" / FIRST / "relais.nq").read_bytes()  # the blank nodes are there, canonically labelled


def _crate(folder: Path) -> tuple[dict[str, Any], rdflib.Graph]:
    document = json.loads((folder / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    assert document["@context"] == "https://w3id.org/ro/crate/1.2/context"
    graph = rdflib.Graph().parse(data=json.dumps({**document, "@context": CRATE_CONTEXT}), format="json-ld", base=folder.as_uri() + "/")
    return document, graph


def test_ro_crate_describes_every_file(first: Path) -> None:
    _, crate = _crate(first)
    base = first.as_uri() + "/"
    root = URIRef(base)
    metadata = URIRef(base + "ro-crate-metadata.json")
    assert (metadata, DCTERMS.conformsTo, URIRef("https://w3id.org/ro/crate/1.2")) in crate
    assert (metadata, SCHEMA.about, root) in crate
    assert (root, RDF.type, SCHEMA.Dataset) in crate
    assert crate.value(root, SCHEMA.version) == Literal(FIRST)
    assert crate.value(root, SCHEMA.datePublished) == Literal(DAY)
    assert crate.value(root, SCHEMA.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    sums = _sums(first)
    described = {str(part)[len(base) :] for part in crate.objects(root, SCHEMA.hasPart)}
    assert described == {p.name for p in first.iterdir()} - {"ro-crate-metadata.json"}
    for name in described:
        node = URIRef(base + name)
        assert (node, RDF.type, SCHEMA.MediaObject) in crate, name
        assert crate.value(node, SCHEMA.encodingFormat) is not None, name
        assert crate.value(node, SCHEMA.license) is not None and crate.value(node, SCHEMA.datePublished) == Literal(DAY), name
        if name != "SHA256SUMS":  # the sums file holds the crate's own sum, so the crate cannot hold its
            assert int(crate.value(node, SCHEMA.contentSize)) == (first / name).stat().st_size, name  # type: ignore[arg-type]
            assert str(crate.value(node, SCHEMA.sha256)) == sums[name], name
    assert crate.value(URIRef(base + "relais.nq"), SCHEMA.encodingFormat) == Literal("application/n-quads")


def test_void_names_the_version_and_its_files(first: Path) -> None:
    void = rdflib.Graph().parse(first / "void.ttl", format="turtle")
    dataset, version = URIRef(DATASET_IRI), URIRef(f"{DATASET_IRI}/{FIRST}")
    assert void.value(dataset, DCAT.version) == Literal(FIRST)
    assert void.value(dataset, OWL_VERSION_IRI) == version
    assert (dataset, DCAT.hasCurrentVersion, version) in void
    assert (version, DCTERMS.isVersionOf, dataset) in void
    assert void.value(version, DCTERMS.issued) == Literal(date.fromisoformat(DAY))
    assert FILES_BASE not in (first / "void.ttl").read_text(encoding="utf-8")
    distributions = list(void.objects(version, DCAT.distribution))
    assert len(distributions) == len(FORMATS)
    for dist in distributions:
        url = str(void.value(dist, DCAT.downloadURL))
        assert url.startswith(first.as_uri() + "/"), url  # relative in the file: it resolves inside the release
        path = first / url.rsplit("/", 1)[-1]
        checksum = void.value(void.value(dist, SPDX.checksum), SPDX.checksumValue)
        assert str(checksum) == hashlib.sha256(path.read_bytes()).hexdigest()
        assert int(void.value(dist, DCAT.byteSize)) == path.stat().st_size  # type: ignore[arg-type]


def test_citation_has_the_version_and_date(first: Path) -> None:
    text = (first / "CITATION.cff").read_text(encoding="utf-8")
    assert f'\nversion: "{FIRST}"\n' in text
    assert f'\ndate-released: "{DAY}"\n' in text
    assert f'value: "{DATASET_IRI}/{FIRST}"' in text
    assert len(re.findall(r"^version:", text, re.MULTILINE)) == 1


def test_first_release_counts_every_graph(first: Path) -> None:
    changes = (first / "CHANGES.md").read_text(encoding="utf-8")
    counts = Counter(q.graph_name.value for q in pyoxigraph.parse(path=first / "relais.nq", format=RdfFormat.N_QUADS))
    for graph, count in counts.items():
        assert f"| `{graph}` | {count} |" in changes
    assert not (first / "added.nq").exists()


def _modified_data(folder: Path) -> list[Path]:
    """The shipped graph with a new graph `extra`, two statements fewer in `links` and the ontology as one file."""
    shutil.copytree(data_dir(), folder / "data", ignore=shutil.ignore_patterns("sources"))
    shipped = GraphStore.open(shipped_sources()).store
    ontology = [q.triple for q in shipped.quads_for_pattern(None, None, None, NamedNode("https://w3id.org/relais/graph/ontology"))]
    pyoxigraph.serialize(ontology, str(folder / "data" / "ontology.nt"), format=RdfFormat.N_TRIPLES)
    links = sorted(pyoxigraph.parse(path=folder / "data" / "links.ttl", format=RdfFormat.TURTLE), key=str)
    (folder / "data" / "links.ttl").unlink()
    pyoxigraph.serialize(links[2:], str(folder / "data" / "links.nt"), format=RdfFormat.N_TRIPLES)
    (folder / "data" / "extra.ttl").write_text(
        '<https://w3id.org/relais/id/test/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@fr .\n'
        '<https://w3id.org/relais/id/test/a> <http://www.w3.org/2000/01/rdf-schema#comment> "ajouté pour le test"@fr .\n',
        encoding="utf-8",
    )
    return [folder / "data"]


def _table(changes: str) -> dict[str, tuple[int, int, int, int]]:
    rows = re.findall(r"^\| `([^`]+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", changes, re.MULTILINE)
    return {g: (int(a), int(b), int(c), int(d)) for g, a, b, c, d in rows}


def test_second_release_reports_exactly_what_changed(releases: Path, first: Path, tmp_path: Path) -> None:
    paths = _modified_data(tmp_path)
    result = _release(
        "-o", str(releases), "--version", SECOND, "--date", "2026-12-02", "--previous", str(first), "--data", *map(str, paths)
    )
    assert result.returncode == 0, result.stderr
    second = releases / SECOND
    before = set(pyoxigraph.parse(path=first / "relais.nq", format=RdfFormat.N_QUADS))
    current = pyoxigraph.Dataset(GraphStore.open(sources_from_paths(paths)).store)
    current.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)  # blank nodes labelled as the release labels them
    after = set(current)
    added, removed = after - before, before - after
    assert added and removed
    assert set(pyoxigraph.parse(path=second / "added.nq", format=RdfFormat.N_QUADS)) == added
    assert set(pyoxigraph.parse(path=second / "removed.nq", format=RdfFormat.N_QUADS)) == removed
    assert f"{len(added)} added, {len(removed)} removed" in result.stdout

    def per_graph(quads: set[Quad]) -> Counter[str]:
        return Counter(q.graph_name.value for q in quads)

    table = _table((second / "CHANGES.md").read_text(encoding="utf-8"))
    graphs = set(per_graph(before)) | set(per_graph(after))
    assert set(table) == graphs
    for graph in graphs:
        assert table[graph] == (per_graph(before)[graph], per_graph(after)[graph], per_graph(added)[graph], per_graph(removed)[graph])
    assert table["https://w3id.org/relais/graph/extra"][2] == 2
    changes = (second / "CHANGES.md").read_text(encoding="utf-8")
    assert f"Changes since {FIRST}" in changes and '"ajouté pour le test"@fr' in changes
    for name, digest in _sums(second).items():
        assert hashlib.sha256((second / name).read_bytes()).hexdigest() == digest, name
    document, crate = _crate(second)
    assert {"added.nq", "removed.nq"} <= {e["@id"] for e in document["@graph"]}
    void = rdflib.Graph().parse(second / "void.ttl", format="turtle")
    assert void.value(URIRef(f"{DATASET_IRI}/{SECOND}"), DCAT.previousVersion) == URIRef(f"{DATASET_IRI}/{FIRST}")


def test_existing_version_is_refused_then_replaced_with_force(tmp_path: Path) -> None:
    files = [str(p) for p in _small_data(tmp_path / "data")]
    out = tmp_path / "out"
    assert _release("-o", str(out), "--version", FIRST, "--date", DAY, "--data", *files).returncode == 0
    sums = (out / FIRST / "SHA256SUMS").read_bytes()
    refused = _release("-o", str(out), "--version", FIRST, "--data", *files)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert (out / FIRST / "SHA256SUMS").read_bytes() == sums
    forced = _release("-o", str(out), "--version", FIRST, "--date", "2026-12-03", "--force", "--data", *files)
    assert forced.returncode == 0, forced.stderr
    assert (out / FIRST / "SHA256SUMS").read_bytes() != sums  # replaced: another date, another CITATION.cff
    assert '"2026-12-03"' in (out / FIRST / "CITATION.cff").read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir()] == [FIRST]  # no temporary or replaced folder left


def test_bad_previous_is_refused(releases: Path, first: Path, tmp_path: Path) -> None:
    small = [str(p) for p in _small_data(tmp_path / "data")]

    def _release(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("release", *args, "--data", *small)

    missing = _release("-o", str(tmp_path / "out"), "--previous", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    not_release = _release("-o", str(tmp_path / "out"), "--previous", str(tmp_path / "empty"))
    assert not_release.returncode == 2 and "not a release" in not_release.stderr
    damaged = tmp_path / "damaged"
    shutil.copytree(first, damaged)
    with open(damaged / "relais.nq", "ab") as handle:
        handle.write(b"<urn:x> <urn:y> <urn:z> .\n")
    broken = _release("-o", str(tmp_path / "out"), "--previous", str(damaged))
    assert broken.returncode == 2 and "does not match SHA256SUMS" in broken.stderr
    same = _release("-o", str(tmp_path / "out"), "--version", FIRST, "--previous", str(first))
    assert same.returncode == 2 and "is version 1.0.0 too" in same.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    "damage,message",
    [
        ("crate-without-version", "has no root dataset with a version"),
        ("crate-not-json", "has no root dataset with a version"),
        ("sums-without-dump", "SHA256SUMS has no line for relais.nq"),
        ("dump-not-nquads", "relais.nq is not valid N-Quads"),
    ],
)
def test_previous_that_is_not_a_sound_release_is_refused(first: Path, tmp_path: Path, damage: str, message: str) -> None:
    previous = tmp_path / "previous"
    shutil.copytree(first, previous)
    if damage == "crate-without-version":
        crate = json.loads((previous / "ro-crate-metadata.json").read_text(encoding="utf-8"))
        del next(e for e in crate["@graph"] if e["@id"] == "./")["version"]
        (previous / "ro-crate-metadata.json").write_text(json.dumps(crate), encoding="utf-8")
    elif damage == "crate-not-json":
        (previous / "ro-crate-metadata.json").write_text("{ not json", encoding="utf-8")
    elif damage == "sums-without-dump":
        sums = (previous / "SHA256SUMS").read_text(encoding="utf-8").splitlines(keepends=True)
        (previous / "SHA256SUMS").write_text("".join(line for line in sums if not line.endswith("  relais.nq\n")), encoding="utf-8")
    else:
        bad = b"<urn:x:a> <urn:x:b> .\n"
        (previous / "relais.nq").write_bytes(bad)
        (previous / "SHA256SUMS").write_text(f"{hashlib.sha256(bad).hexdigest()}  relais.nq\n", encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape(message)):
        read_previous(previous)


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    small = [str(p) for p in _small_data(tmp_path / "data")]
    out = tmp_path / "out"

    def _release(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli("release", *args, "--data", *small, env=env)

    version = _release("-o", str(out), "--version", "../escape")
    assert version.returncode == 2 and "--version '../escape'" in version.stderr
    day = _release("-o", str(out), "--date", "01/12/2026")
    assert day.returncode == 2 and "write YYYY-MM-DD" in day.stderr
    (tmp_path / "file").write_text("x")
    not_folder = _release("-o", str(tmp_path / "file"))
    assert not_folder.returncode == 2 and "not a folder" in not_folder.stderr
    url = _release("-o", str(out), env={"RELAIS_RELEASE_URL": "zenodo"})
    assert url.returncode == 2 and "RELAIS_RELEASE_URL='zenodo'" in url.stderr
    assert not out.exists()


class _FailingDump:
    """A dump whose bytes cannot be read, as when the disk fails half-way through the release."""

    name = "relais.broken"

    @property
    def data(self) -> bytes:
        raise OSError("disk failed")


def test_a_failure_half_way_leaves_nothing(tmp_path: Path) -> None:
    def publish(graph: GraphStore, info: Any) -> Any:
        dumps, description = _release_files(graph, info)
        return [*dumps, _FailingDump()], description

    graph = GraphStore.open(sources_from_paths(_small_data(tmp_path / "data")))
    with pytest.raises(OSError, match="disk failed"):
        make_release(graph, tmp_path / "out", publish, version="9.9.9", base_url="http://example.org")
    assert list((tmp_path / "out").iterdir()) == []


def test_dataset_page_names_the_version_and_links_the_release() -> None:
    from relais import __version__

    page = client().get("/dataset", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f"<code>{__version__}</code>" in page.text and "relais release -o DIR" in page.text
    url = "https://doi.org/10.5281/zenodo.1234567"
    configured = client(Settings(release_url=url))
    assert f'href="{url}"' in configured.get("/dataset", headers={"Accept": "text/html"}).text
    turtle = configured.get("/dataset", headers={"Accept": "text/turtle"})
    void = rdflib.Graph().parse(data=turtle.text, format="turtle")
    version = URIRef(f"{DATASET_IRI}/{__version__}")
    assert void.value(URIRef(DATASET_IRI), DCAT.hasCurrentVersion) == version
    assert void.value(version, DCAT.landingPage) == URIRef(url)


def test_release_url_must_be_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_RELEASE_URL", "doi:10.5281/zenodo.1")
    with pytest.raises(ValueError, match="give the release's address"):
        Settings.from_env()
    monkeypatch.setenv("RELAIS_RELEASE_URL", "https://doi.org/10.5281/zenodo.1")
    assert Settings.from_env().release_url == "https://doi.org/10.5281/zenodo.1"
