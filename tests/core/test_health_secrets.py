"""Request headers for protected health endpoints: parsing, basic auth from the URL, and the
poller reading them from the keyring (in memory here; the Secret Service in integration)."""

from __future__ import annotations

import asyncio
import base64

import pytest

from pandadmin.core.config import Config, Environment, Service
from pandadmin.core.health_secrets import (
    decode_headers,
    encode_headers,
    headers_key,
    parse_header_lines,
    split_userinfo,
)
from pandadmin.core.models import Status
from pandadmin.core.poller import Poller
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.secrets import AsyncSecrets, MemoryStore, SecretStoreError
from tests.conftest import DIALECT_TOKEN


def test_header_lines() -> None:
    text = "# for the ingress\nAuthorization: Bearer abc:def \n\nX-Key:  k1\n"
    assert parse_header_lines(text) == {"Authorization": "Bearer abc:def", "X-Key": "k1"}
    with pytest.raises(ValueError, match="line 1: expected 'Name: value'"):
        parse_header_lines("Bearer abc")
    with pytest.raises(ValueError, match="invalid header name 'Bad Name'"):
        parse_header_lines("Bad Name: secret-value")
    with pytest.raises(ValueError) as refused:
        parse_header_lines("X-Key:   ")
    assert "secret" not in str(refused.value)


def test_basic_auth_moves_out_of_the_url() -> None:
    url, headers = split_userinfo("https://mon%40x:p%3Ass@api.example.com:8443/health?x=1")
    assert url == "https://api.example.com:8443/health?x=1"
    assert headers == {"Authorization": "Basic " + base64.b64encode(b"mon@x:p:ss").decode()}
    assert split_userinfo("https://api.example.com/health") == (
        "https://api.example.com/health",
        {},
    )


def test_stored_form_round_trips_and_damage_is_named_without_the_text() -> None:
    assert decode_headers(encode_headers({"A": "1"})) == {"A": "1"}
    assert decode_headers(None) == {}
    with pytest.raises(ValueError, match="not valid JSON") as damaged:
        decode_headers("Bearer s3cret")
    assert "s3cret" not in str(damaged.value)
    assert headers_key("prod", "api") == "prod/service/api/headers"


def poll(config: Config, store: MemoryStore) -> EnvironmentReport:
    async def main() -> EnvironmentReport:
        secrets = AsyncSecrets(store)
        poller = Poller(config, secrets, on_report=lambda report: None)
        try:
            return (await poller.poll_now())[0]
        finally:
            await poller.close()
            secrets.close()

    return asyncio.run(main())


def test_poller_sends_the_keyring_headers(dialects: str) -> None:
    services = (
        Service("bearer", f"{dialects}/protected"),
        Service("basic", f"{dialects}/basic"),
    )
    config = Config((Environment("prod", services=services),))
    store = MemoryStore()
    without = poll(config, store)
    assert [s.http_status for s in without.services] == [401, 401]
    assert without.status == Status.CRITICAL

    store.set(
        headers_key("prod", "bearer"), encode_headers({"Authorization": f"Bearer {DIALECT_TOKEN}"})
    )
    _url, basic = split_userinfo(f"http://monitor:{DIALECT_TOKEN}@localhost/")
    store.set(headers_key("prod", "basic"), encode_headers(basic))
    report = poll(config, store)
    assert [(s.ok, s.http_status) for s in report.services] == [(True, 200), (True, 200)]
    assert report.status == Status.OK
    assert DIALECT_TOKEN not in str(report.to_json())


def test_damaged_entry_is_named_on_a_failing_check(dialects: str) -> None:
    config = Config((Environment("prod", services=(Service("api", f"{dialects}/protected"),)),))
    store = MemoryStore()
    store.set(headers_key("prod", "api"), "not json")
    result = poll(config, store).services[0]
    assert result.error == (
        "HTTP 401: missing or wrong bearer token; its request headers could not be read: "
        "the stored request headers are not valid JSON"
    )


def test_password_left_in_an_older_url_never_reaches_the_result(dialects: str) -> None:
    url = dialects.replace("http://", f"http://monitor:{DIALECT_TOKEN}@") + "/basic"
    config = Config((Environment("prod", services=(Service("basic", url),)),))
    report = poll(config, MemoryStore())
    result = report.services[0]
    assert result.ok and result.http_status == 200  # sent as an Authorization header
    assert result.url == f"{dialects}/basic"
    assert DIALECT_TOKEN not in str(report.to_json())


class BrokenStore(MemoryStore):
    """A keyring that fails every read (locked, or no Secret Service), counting them."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, name: str) -> str | None:
        self.reads += 1
        raise SecretStoreError("the system keyring is locked")


def test_failed_keyring_is_not_asked_again_per_service(dialects: str) -> None:
    services = tuple(Service(f"s{i}", f"{dialects}/dialect/ok") for i in range(5))
    protected = Service("api", f"{dialects}/protected")
    config = Config((Environment("prod", services=(*services, protected)),))
    store = BrokenStore()
    report = poll(config, store)
    assert store.reads == 1  # the DATABASE_URL only
    assert [s.ok for s in report.services] == [True] * 5 + [False]
    assert report.services[-1].error == (
        "HTTP 401: missing or wrong bearer token; its request headers could not be read: "
        "keyring: the system keyring is locked"
    )
