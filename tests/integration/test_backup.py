"""relais backup / restore of an on-disk store, and their error paths."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli, running_server

pytestmark = pytest.mark.integration


@pytest.fixture()
def store(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "facts.ttl").write_text("<http://e/a> <http://e/p> 1 .\n<http://e/b> <http://e/p> 2 .\n")
    store = tmp_path / "store"
    assert run_cli("export", "--store", str(store), "--data", str(data), "-o", str(tmp_path / "x.nq")).returncode == 0
    return data, store


def test_backup_then_restore_serves_the_same_graph_without_reload(tmp_path: Path, store: tuple[Path, Path]) -> None:
    data, path = store
    backup = tmp_path / "backup"
    made = run_cli("backup", "--store", str(path), "-o", str(backup))
    assert made.returncode == 0, made.stderr
    assert "backed up 2 quads" in made.stdout
    restored = tmp_path / "restored"
    back = run_cli("restore", str(backup), "--store", str(restored))
    assert back.returncode == 0, back.stderr
    with running_server(["--store", str(restored), "--data", str(data)], tmp=tmp_path) as server:
        health = httpx.get(f"{server.url}/health").json()
    assert health["triples"] == 2 and health["reloaded"] is False


def test_backup_refuses_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    result = run_cli("backup", "--store", str(tmp_path), "-o", str(tmp_path / "b"))
    assert result.returncode == 2 and "is not a Relais store" in result.stderr


def test_backup_refuses_a_non_empty_target(tmp_path: Path, store: tuple[Path, Path]) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = run_cli("backup", "--store", str(store[1]), "-o", str(target))
    assert result.returncode == 2 and "not empty" in result.stderr
    assert (target / "keep.txt").read_text() == "mine"


def test_restore_refuses_a_non_empty_store_folder(tmp_path: Path, store: tuple[Path, Path]) -> None:
    backup = tmp_path / "backup"
    assert run_cli("backup", "--store", str(store[1]), "-o", str(backup)).returncode == 0
    result = run_cli("restore", str(backup), "--store", str(store[1]))
    assert result.returncode == 2 and "is not empty" in result.stderr
    not_a_backup = run_cli("restore", str(tmp_path), "--store", str(tmp_path / "new"))
    assert not_a_backup.returncode == 2 and "is not a Relais backup" in not_a_backup.stderr


def test_backup_of_a_store_in_use_says_to_stop_the_server(tmp_path: Path, store: tuple[Path, Path]) -> None:
    data, path = store
    with running_server(["--store", str(path), "--data", str(data)], tmp=tmp_path):
        result = run_cli("backup", "--store", str(path), "-o", str(tmp_path / "live"))
    assert result.returncode == 2 and "stop the server" in result.stderr
