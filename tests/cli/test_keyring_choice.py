"""`pandadmin env list` reads the keyring keyring itself would choose, in a fresh process.

Without keyring settings it reads the Secret Service directly (and imports no keyring);
a backend named by PYTHON_KEYRING_BACKEND, by keyringrc.cfg or by a third-party plugin's
entry point must still win, as keyring's own precedence says.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import URL, Run

pytestmark = pytest.mark.usefixtures("secret_service")

Listed = Callable[[dict[str, str]], str]

FAKE_BACKEND = """
import keyring.backend


class Keyring(keyring.backend.KeyringBackend):
    priority = 20

    def get_password(self, service, username):
        return None if "/" in username else "postgresql://plugin:pw@plugin.example:5432/plug"

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError
"""


@pytest.fixture
def listed(run: Run, tmp_path: Path) -> Listed:
    """`run` with a private XDG_CONFIG_HOME, after `env add prod` into the Secret Service."""
    assert run("env", "add", "prod", "--database-url-stdin", stdin=URL).returncode == 0
    home = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}

    def list_with(env: dict[str, str]) -> str:
        done = run("env", "list", env={**home, **env})
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        return done.stdout

    return list_with


def _module(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fakering.py").write_text(FAKE_BACKEND)
    return folder


def test_without_keyring_settings_the_secret_service_is_read(listed: Listed) -> None:
    assert "db.example.com" in listed({})


def test_a_plugin_entry_point_wins(listed: Listed, tmp_path: Path) -> None:
    folder = _module(tmp_path / "plugin")
    info = folder / "fakering-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakering\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[keyring.backends]\nfake = fakering\n")
    assert "plugin.example" in listed({"PYTHONPATH": str(folder)})


def test_python_keyring_backend_wins(listed: Listed, tmp_path: Path) -> None:
    folder = _module(tmp_path / "module")
    env = {"PYTHONPATH": str(folder), "PYTHON_KEYRING_BACKEND": "fakering.Keyring"}
    assert "plugin.example" in listed(env)


def test_keyringrc_wins(listed: Listed, tmp_path: Path) -> None:
    folder = _module(tmp_path / "module")
    config = tmp_path / "xdg" / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text(f"[backend]\ndefault-keyring = fakering.Keyring\nkeyring-path = {folder}\n")
    assert "plugin.example" in listed({})
