"""Fixtures for running `python -m hub` in-process against a config.json on the test database
(a pytest plugin: the root conftest.py loads it)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest

from hubbub import main


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def clean_env(monkeypatch):
    for name in [n for n in os.environ if n.startswith("MM_") or n == "HUBBUB_CONFIG"]:
        monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def run(clean_env, capsys):
    def invoke(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def config_file(clean_env, tmp_path):
    path = tmp_path / "config" / "config.json"
    clean_env.setenv("MM_CONFIG", str(path))
    return path


@pytest.fixture
def db_config(database, hub, config_file, tmp_path):
    """A config.json on the test database; `hub` (on the same database) empties the tables afterwards."""
    driver, data_source = database
    config_file.parent.mkdir(parents=True)
    config_file.write_text(
        json.dumps(
            {
                "SqlSettings": {
                    "DriverName": driver,
                    "DataSource": data_source,
                    "MaxIdleConns": 2,
                    "MaxOpenConns": 5,
                },
                "FileSettings": {"Directory": str(tmp_path / "files")},
            }
        )
    )
    return config_file


def fails(result: Result, message: str) -> None:
    assert result.code == 1
    assert result.out == ""
    assert result.err == f"Error: {message}\n"
