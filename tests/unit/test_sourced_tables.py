"""The statement tables of data/sources/statements/ and the builder that writes the article and public graphs.

The committed Turtle must be what the tables build (so an edit of a table without a re-run fails here), and a
table that breaks a rule (numbering, translations, inverses, disagreements) stops the build with FILE:LINE and
writes nothing. The builder is standard library only and fast, so these run in the quick loop.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "data" / "sources" / "build_sourced_graphs.py"
TABLES = ROOT / "data" / "sources" / "statements"
OUTPUTS = ("article.ttl", "public.ttl", "provenance.ttl")


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_sourced_graphs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


BUILD = builder()


def table(name: str) -> list[dict[str, str]]:
    with (TABLES / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def copy_tables(tmp_path: Path) -> Path:
    tables = tmp_path / "statements"
    shutil.copytree(TABLES, tables)
    return tables


def append(tables: Path, name: str, *rows: dict[str, str]) -> int:
    """Append rows to a copied table; returns the line number of the first one."""
    path = tables / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        lines = sum(1 for _ in f)
    with path.open("a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=BUILD.COLUMNS[name], lineterminator="\n")
        writer.writerows(rows)
    return lines + 1


def next_id(name: str, offset: int = 1) -> str:
    """The id a new row of the table takes: the number after the highest of the table and retired.csv."""
    prefix = BUILD.ID_PREFIX[name]
    used = [int(r["id"][1:]) for r in table(name)] + [int(r["id"][1:]) for r in table("retired") if r["id"].startswith(prefix)]
    return f"{prefix}{max(used) + offset:03d}"


def article_row(**cells: str) -> dict[str, str]:
    row = dict.fromkeys(BUILD.COLUMNS["article"], "")
    row.update(
        id=next_id("article"),
        subject="id:organisation/test",
        object_type="iri",
        derivation="stated",
        quote_fr="Par Le RAMEAU",
    )
    row.update(cells)
    return row


def problems(tables: Path, out: Path) -> list[str]:
    with pytest.raises(BUILD.BuildError) as caught:
        BUILD.build(tables, out)
    assert not out.exists() or not any(out.iterdir()), "nothing is written when a table is wrong"
    return list(caught.value.problems)


def test_committed_graphs_are_what_the_tables_build(tmp_path: Path) -> None:
    summary = BUILD.build(TABLES, tmp_path)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / name).read_bytes(), (
            f"data/{name} differs from a build of the tables: run python data/sources/build_sourced_graphs.py"
        )
    assert summary.startswith(f"article: {len(table('article'))} triples, public: {len(table('public'))} triples")


def test_every_statement_number_is_given_once_and_never_reused() -> None:
    ids = [r["id"] for r in table("article")] + [r["id"] for r in table("public")]
    retired = {r["id"] for r in table("retired")}
    assert len(ids) == len(set(ids)) and not retired & set(ids)
    provenance = (ROOT / "data" / "provenance.ttl").read_text(encoding="utf-8")
    for st_id in retired:
        assert f"/statement/{st_id}>" not in provenance


def test_a_french_label_without_its_translation_stops_the_build(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    line = append(tables, "article", article_row(predicate="rdfs:label", object="Étiquette sans traduction", object_type="@fr"))
    found = problems(tables, tmp_path / "out")
    assert len(found) == 1
    assert found[0].startswith(f"{tables / 'article.csv'}:{line}: ")
    assert "no English translation for the French label 'Étiquette sans traduction'" in found[0]


def test_a_translation_needs_its_mark(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    label = article_row(predicate="rdfs:label", object="Étiquette", object_type="@fr")
    english = article_row(id=next_id("article", 2), predicate="rdfs:label", object="Label", object_type="@en", derivation="translation")
    append(tables, "article", label, english)
    assert any('has a translated label but no relais:translatedLabelLanguage "en" row' in p for p in problems(tables, tmp_path / "out"))
    mark = article_row(
        id=next_id("article", 3),
        predicate="relais:translatedLabelLanguage",
        object="en",
        object_type="string",
        derivation="translation-mark",
    )
    append(tables, "article", mark)
    BUILD.build(tables, tmp_path / "out")
    assert "<https://w3id.org/relais/id/organisation/test>" in (tmp_path / "out" / "article.ttl").read_text(encoding="utf-8")


def test_an_english_label_is_a_translation_not_a_stated_fact(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    line = append(tables, "article", article_row(predicate="rdfs:label", object="Label", object_type="@en"))
    assert problems(tables, tmp_path / "out") == [
        f"{tables / 'article.csv'}:{line}: English labels are Relais' translations: derivation translation, and only for them"
    ]


def test_a_retired_number_is_never_reused(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    st_id = next_id("article")
    append(
        tables, "retired", {"id": st_id, "subject": "id:x", "predicate": "rdfs:label", "object": "x", "object_type": "@fr", "why": "test"}
    )
    line = append(tables, "article", article_row(id=st_id, predicate="relais:memberOf", object="id:organisation/le-rameau"))
    assert problems(tables, tmp_path / "out") == [
        f"{tables / 'article.csv'}:{line}: id {st_id} is retired (retired.csv): numbers are never reused"
    ]


def test_a_row_inserted_out_of_order_is_refused(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    first = table("article")[0]["id"]
    line = append(tables, "article", article_row(id=first, predicate="relais:memberOf", object="id:organisation/le-rameau"))
    (found,) = problems(tables, tmp_path / "out")
    assert found.startswith(f"{tables / 'article.csv'}:{line}: id {first} after ") and "append new rows with the next number" in found


def test_only_one_direction_of_declared_inverses(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    deliverable = next(r for r in table("article") if r["predicate"] == "relais:hasDeliverable")
    line = append(
        tables,
        "article",
        article_row(subject=deliverable["object"], predicate="relais:deliverableOf", object=deliverable["subject"]),
        article_row(
            id=next_id("article", 2), subject="id:organisation/test", predicate="relais:foundedBy", object="id:organisation/le-rameau"
        ),
        article_row(
            id=next_id("article", 3), subject="id:organisation/le-rameau", predicate="relais:founderOf", object="id:organisation/test"
        ),
    )
    found = problems(tables, tmp_path / "out")
    assert found[0] == (
        f"{tables / 'article.csv'}:{line}: relais:deliverableOf is the inverse of relais:hasDeliverable: "
        "write that direction (from the dialogue space) only"
    )
    assert found[1].startswith(f"{tables / 'article.csv'}:{line + 1}: ") and "relais:foundedBy and its inverse relais:founderOf" in found[1]
    assert len(found) == 2


def test_a_disagreement_links_written_statements_about_its_resource(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    retired = table("retired")[0]["id"]
    first = table("article")[0]
    other = next(r for r in table("public") if r["subject"] != first["subject"])
    row = {"slug": "test", "about": first["subject"], "property": "rdfs:label", "label_fr": "x", "label_en": "x", "comment_en": "x"}
    line = append(
        tables,
        "disagreements",
        {**row, "statements": f"{first['id']} | {retired}"},
        {**row, "slug": "test-2", "statements": f"{first['id']} | {other['id']}"},
    )
    assert problems(tables, tmp_path / "out") == [
        f"{tables / 'disagreements.csv'}:{line}: statement {retired!r} is not a written statement of article.csv or public.csv",
        f"{tables / 'disagreements.csv'}:{line + 1}: statement {other['id']} is about {BUILD.name(other['subject']).ttl}, "
        f"not {BUILD.name(first['subject']).ttl}",
    ]


def test_the_command_reports_file_and_line_and_exits_2(tmp_path: Path) -> None:
    tables = copy_tables(tmp_path)
    line = append(tables, "public", {**dict.fromkeys(BUILD.COLUMNS["public"], ""), "id": next_id("public"), "subject": "http://x"})
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--tables", str(tables), "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith(f"build_sourced_graphs: error: {tables / 'public.csv'}:{line}: 'http://x' is not an IRI")
    assert not out.exists()
