"""`pandadmin screenshot`: argument checks, and a real offscreen render to PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from pandadmin.cli import main
from pandadmin.core import config as cfg
from pandadmin.qt.screenshot import shoot
from tests.qt.conftest import AppHarness, environment


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "nope"], "no environment named 'nope' (known: prod)"),
        (["--size", "big"], "invalid size 'big'"),
        (["--after", "-1"], "--after must not be negative"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    config = tmp_path / "config.toml"
    cfg.save(cfg.Config((environment("prod"),)), config)
    assert main(["--config", str(config), "screenshot", str(tmp_path / "out.png"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out.png").exists()


def test_renders_the_window_to_a_png_of_the_requested_size(
    harness: AppHarness, tmp_path: Path, run: Any
) -> None:
    harness.write(cfg.Config())
    out = tmp_path / "shot.png"
    assert run(shoot(harness.path, out, 0.2, (900, 600), None, harness.secrets)) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)
