"""The app shows each DATABASE_URL redacted, with the keywords it ignores named (issue 19)."""

from __future__ import annotations

from typing import Any

from pandadmin.core import config as cfg
from pandadmin.qt.dialogs.environment import EnvironmentDialog
from tests.qt.conftest import AppHarness, environment, plain, unique, until


def test_detail_names_ignored_keywords_without_the_password(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    database = unique("notes")
    pg.create_database(database)
    url = pg.url(database, keepalives="1", gssencmode="disable", sslmode="disable")

    async def scenario() -> None:
        harness.write(cfg.Config((environment("prod"),)), {"prod": url})
        controller = await harness.open()
        window = controller.window
        await until(lambda: window.reports.get("prod"), what="report")
        await until(lambda: "ignored" in plain(window.detail.subtitle), what="subtitle")
        subtitle = plain(window.detail.subtitle)
        assert "ignored for monitoring: keepalives, gssencmode" in subtitle
        assert "postgres:***@127.0.0.1" in subtitle and pg.password not in subtitle

    run(scenario())


def test_dialog_describes_the_typed_url_as_it_is_typed(harness: AppHarness, run: Any) -> None:
    async def scenario() -> None:
        harness.write(cfg.Config())
        controller = await harness.open()
        controller.open_dialog(None)
        dialog: EnvironmentDialog = await until(lambda: controller.dialog, what="dialog")
        dialog.url.setText(
            "postgres://app:hunter2@pooler.example.com:6543/db?pgbouncer=true&keepalives=1"
        )
        note = dialog.url_note.text()  # plain text: no &amp; for the user to read
        assert note == (
            "postgresql://app:***@pooler.example.com:6543/db?pgbouncer=true&keepalives=1"
            "\nignored for monitoring: pgbouncer, keepalives · pooled (PgBouncer)"
        )
        dialog.url.setText("postgresql://app:hunter2@h/db?channel_binding=require")
        assert plain(dialog.url_note).startswith("✗ channel_binding=require cannot be honoured")
        assert "hunter2" not in plain(dialog.url_note)
        dialog.url.setText("")
        assert plain(dialog.url_note) == ""
        dialog.reject()

    run(scenario())
