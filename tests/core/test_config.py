"""The settings file: round trip, atomic save, corrupt files reported and never overwritten."""

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core import config as cfg
from pandadmin.core.config_schema import ConfigError


def sample() -> cfg.Config:
    api = cfg.Service(
        "api", "https://api.example.com/health", pool_size=10, max_overflow=5, workers=4, replicas=2
    )
    prod = cfg.Environment(
        "prod",
        plan="pro",
        alembic="/srv/app/alembic.ini",
        version_table="ops.alembic_version",
        interval=2.5,
        thresholds=cfg.Thresholds(70, 90, 30),
        services=(api,),
    )
    dev = cfg.Environment("dev", plan=None, connection_limit=20)
    return cfg.Config(
        (prod, dev),
        {**cfg.BUILTIN_PLANS, "hobby": 20},
        cfg.Notifications(fail_after=3, recover_after=4),
    )


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    cfg.save(sample(), path)
    assert cfg.load(path) == sample()


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    assert cfg.load(tmp_path / "nope.toml") == cfg.Config()


def test_plan_limit_and_budget() -> None:
    config = sample()
    prod, dev = config.environments
    assert config.plan_limit(prod) == 300
    assert config.plan_limit(dev) == 20
    assert prod.services[0].worst_case_connections == (10 + 5) * 4 * 2


names = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)


@given(
    env_names=st.lists(names, min_size=0, max_size=5, unique=True),
    pool=st.integers(0, 500),
    interval=st.floats(0.1, 3600),
)
def test_round_trip_property(
    tmp_path_factory: pytest.TempPathFactory, env_names: list[str], pool: int, interval: float
) -> None:
    path = tmp_path_factory.mktemp("c") / "config.toml"
    envs = tuple(
        cfg.Environment(n, interval=interval, services=(cfg.Service("s", "http://h/x", pool),))
        for n in env_names
    )
    cfg.save(cfg.Config(envs), path)
    assert cfg.load(path) == cfg.Config(envs)


def test_save_is_atomic_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    cfg.save(sample(), path)
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cfg.save(cfg.Config(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temp file left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[environments.prod\nplan='free'\n", "not valid TOML"),
        (
            "schema_version = 1\n\n[environments.prod]\nplan = 'gold'\n",
            ":4: environments.prod.plan",
        ),
        (
            "[environments.prod]\nplan='free'\n[environments.prod.services.api]\n"
            "health_url='http://h/x'\npool_size = -3\n",
            ":5: environments.prod.services.api.pool_size",
        ),
        ("[environments.prod]\ncolour='blue'\n", ":2: environments.prod.colour: unknown setting"),
        (
            "[environments.prod]\nplan='free'\nconnection_limit=3\n",
            "either plan or connection_limit",
        ),
        ("[environments.prod.services.api]\npool_size=1\n", "needs a health_url"),
        ("[environments.prod.services.api]\nhealth_url='ftp://x'\n", "invalid health URL"),
        ("[environments.prod.thresholds]\nwarning_pct=99\ncritical_pct=90\n", "must not exceed"),
        ("schema_version = 7\n", "needs a newer pandadmin"),
        ("[environments.'bad name']\n", "invalid environment name"),
    ],
)
def test_corrupt_file_is_reported_with_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        cfg.load(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message
    assert path.read_text() == text


def test_default_path_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PANDADMIN_CONFIG", str(tmp_path / "x.toml"))
    assert cfg.default_path() == tmp_path / "x.toml"
    monkeypatch.delenv("PANDADMIN_CONFIG")
    assert cfg.default_path().name == "config.toml"
    assert "pandadmin" in str(cfg.default_path())


def test_saved_file_never_holds_a_url(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    cfg.save(sample(), path)
    assert "postgres" not in path.read_text()
