"""The services editor's health form: conditions reach the Service, bad values are named,
headers typed (masked) or basic auth in a URL become keyring changes, never config."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from pandadmin.core import config as cfg
from pandadmin.qt.dialogs.services_editor import ServicesEditor


@pytest.fixture
def editor(qtbot: Any) -> ServicesEditor:
    widget = ServicesEditor()
    qtbot.addWidget(widget)
    widget.set_services(
        (
            cfg.Service("api", "http://api/health", retries=1),
            cfg.Service("web", "https://monitor:pa55@web/health"),
        )
    )
    return widget


def test_conditions_typed_in_the_form_reach_the_service(editor: ServicesEditor) -> None:
    form = editor.health
    assert form.isEnabled() and form.retries.value() == 1  # the first row is selected
    assert form.accepted.text() == "200-299"
    QTest.keyClicks(form.accepted, ",401")
    QTest.keyClicks(form.json_key, "components.db.status")
    QTest.keyClicks(form.json_value, "UP")
    form.latency_on.setChecked(True)
    form.latency.setValue(250)
    form.retries.setValue(3)
    form.cert_warning.setValue(21)
    editor.table.setCurrentCell(1, 0)  # away and back: the draft is kept per service
    assert form.retries.value() == 0 and form.json_key.text() == ""
    editor.table.setCurrentCell(0, 0)
    assert form.json_value.text() == "UP"

    api, web = editor.services()
    assert (api.accepted_status, api.json_key, api.json_value) == (
        "200-299,401",
        "components.db.status",
        "UP",
    )
    assert (api.latency_warning_ms, api.retries, api.cert_warning_days) == (250, 3, 21)
    assert web.health_url == "https://web/health"  # basic auth moved out of the URL
    assert web.retries == 0


def test_bad_conditions_are_named(editor: ServicesEditor) -> None:
    form = editor.health
    QTest.keyClicks(form.json_key, "status")
    with pytest.raises(ValueError, match="service api: json_key and json_value go together"):
        editor.services()
    QTest.keyClicks(form.json_value, "ok")
    form.accepted.selectAll()
    QTest.keyClicks(form.accepted, "2xx")
    with pytest.raises(ValueError, match="service api: invalid status code range '2xx'"):
        editor.services()


def test_headers_are_masked_and_become_keyring_changes(editor: ServicesEditor) -> None:
    form = editor.health
    assert form.headers.echoMode() == QLineEdit.EchoMode.Password
    assert editor.header_changes() == {
        "web": {"Authorization": "Basic " + base64.b64encode(b"monitor:pa55").decode()}
    }
    QTest.keyClicks(form.headers, "Authorization: Bearer t0k | X-Ingress: k2")
    changes = editor.header_changes()
    assert changes["api"] == {"Authorization": "Bearer t0k", "X-Ingress": "k2"}
    editor.table.setCurrentCell(1, 0)
    form.clear_headers.setChecked(True)
    assert editor.header_changes()["web"] == {
        "Authorization": "Basic " + base64.b64encode(b"monitor:pa55").decode()
    }  # the URL's credentials replace what was stored
    assert "t0k" not in str([s for s in editor.services()])
