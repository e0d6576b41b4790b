"""DATABASE_URL parsing, normalising and redaction."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core.urls import DatabaseUrl, UrlError, normalise, parse, redact, scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgres://app:pw@db.example.com/app", "postgresql://app:***@db.example.com:5432/app"),
        ("postgresql+asyncpg://app:pw@db:6543/x", "postgresql://app:***@db:6543/x"),
        (
            "postgresql+psycopg://app:pw@db/x?sslmode=require",
            "postgresql://app:***@db:5432/x?sslmode=require",
        ),
        ("postgresql://u:p%40ss@[::1]:5433/db", "postgresql://u:***@[::1]:5433/db"),
        ("postgresql://u@h/db", "postgresql://u@h:5432/db"),
        ("postgresql://h", "postgresql://h:5432"),
        ("  postgresql://u:p@h/d\n", "postgresql://u:***@h:5432/d"),
    ],
)
def test_accepted_forms_are_normalised_and_redacted(text: str, expected: str) -> None:
    assert redact(parse(text)) == expected


def test_percent_encoding_and_unencoded_specials_in_password() -> None:
    assert parse("postgresql://u:p%40ss%2F@h/d").password == "p@ss/"
    # An unencoded '@' or '/' in a password still parses: the userinfo ends at the last '@'.
    assert parse("postgresql://u:p@ss/w?rd@host/db").password == "p@ss/w?rd"
    assert parse("postgresql://u:p@ss/w?rd@host/db").host == "host"


def test_query_parameters() -> None:
    url = parse("postgresql://u@h/d?connect_timeout=7&sslmode=verify-full&application_name=x")
    assert url.connect_timeout == 7.0
    assert url.sslmode == "verify-full"
    assert dict(url.params)["application_name"] == "x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mysql://u:p@h/d", "unsupported scheme 'mysql'"),
        ("garbage", "not a database URL"),
        ("", "not a database URL"),
        ("postgresql+pg8000://u@h/d", "unsupported driver"),
        ("postgresql://u:p@h/d?foo=1", "unsupported query parameter 'foo'"),
        ("postgresql://u:p@h/d?sslmode=maybe", "invalid sslmode"),
        ("postgresql://u:p@h/d?connect_timeout=-1", "invalid connect_timeout"),
        ("postgresql://u:p@h:99999/d", "invalid port"),
        ("postgresql://u:p@h:x/d", "invalid port"),
        ("postgresql://u:p@/d", "missing host"),
        ("postgresql://u:p@::1/d", "IPv6 hosts must be in brackets"),
        ("postgresql://u:p@[::1/d", "malformed IPv6"),
        ("postgresql://u:p@a:1,b:2/d", "several hosts"),
    ],
)
def test_refused_forms_give_one_line_without_the_secret(text: str, message: str) -> None:
    with pytest.raises(UrlError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert ":p@" not in str(caught.value)


def test_str_and_repr_never_show_the_password() -> None:
    url = parse("postgresql://u:hunter2@h/d")
    assert "hunter2" not in str(url) and "hunter2" not in repr(url)
    assert "hunter2" not in f"{url}"


def test_scrub_removes_raw_and_encoded_password() -> None:
    url = parse("postgresql://u:p%40ss%20word@h/d")
    text = "failed for p@ss word and p%40ss%20word"
    assert scrub(text, url) == "failed for *** and ***"


passwords = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("@:/%?#[]"),
    min_size=1,
    max_size=40,
)
users = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)
hosts = st.sampled_from(["db.example.com", "127.0.0.1", "::1", "fe80::1", "h-1.internal"])
databases = st.none() | st.text(min_size=1, max_size=15).filter(lambda s: s.strip() == s)


@given(user=users, password=passwords, host=hosts, port=st.integers(1, 65535), db=databases)
def test_redaction_never_leaks_and_normalise_round_trips(
    user: str, password: str, host: str, port: int, db: str | None
) -> None:
    url = DatabaseUrl(host=host, port=port, user=user, password=password, database=db)
    text = normalise(url)
    assert parse(text) == url
    shown = redact(parse(text))
    bracketed = f"[{host}]" if ":" in host else host
    path = "/" + quote(db, safe="") if db else ""
    # The whole redacted form is fixed by the non-secret parts: no room for the password.
    assert shown == f"postgresql://{user}:***@{bracketed}:{port}{path}"


@given(password=passwords)
def test_raw_password_in_url_round_trips_when_encoded(password: str) -> None:
    text = f"postgres://app:{quote(password, safe='')}@db:5432/app"
    assert parse(text).password == password
    assert parse(normalise(parse(text))) == parse(text)
