"""DATABASE_URL parsing, normalising and redaction."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core.urls import (
    DatabaseUrl,
    UrlError,
    for_libpq,
    normalise,
    parse,
    redact,
    scrub,
)


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
        ("postgresql://u:p@::1/d", "IPv6 hosts must be in brackets"),
        ("postgresql://u:p@[::1/d", "malformed IPv6"),
        ("postgresql://u:p@a:1,,b:2/d", "empty host in a list"),
        ("postgresql://u:p@a,b/d?port=1,2,3", "3 ports given for 2 hosts"),
        ("postgresql://u:p@h/d?hostaddr=10.0.0.1", "hostaddr together with a host"),
        ("postgresql://u:p@h/d?sslmode", "has no value"),
        ("postgresql://u:p@h/d?target_session_attrs=any-old", "invalid target_session_attrs"),
        ("postgresql://u:p@h/d?channel_binding=require", "channel_binding=require cannot be"),
        ("postgresql://u:p@h/d?gssencmode=require", "gssencmode=require cannot be honoured"),
        ("postgresql://u:p@h/d?require_auth=scram-sha-256", "require_auth cannot be honoured"),
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
    url = DatabaseUrl((host,), (port,), user=user, password=password, database=db)
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


# Provider strings, as pasted (issue 19), and what pandadmin shows for them.
PROVIDER_URLS = [
    (
        "postgresql://alex:AbC123dEf@ep-cool-darkness-123456.us-east-2.aws.neon.tech/dbname"
        "?sslmode=require&channel_binding=prefer",
        "postgresql://alex:***@ep-cool-darkness-123456.us-east-2.aws.neon.tech:5432/dbname"
        "?sslmode=require&channel_binding=prefer",
        ("channel_binding",),
    ),
    (
        "postgres://postgres.abcdefgh:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"
        "?pgbouncer=true&connection_limit=1",
        "postgresql://postgres.abcdefgh:***@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"
        "?pgbouncer=true&connection_limit=1",
        ("pgbouncer", "connection_limit"),
    ),
    (
        "postgresql://app:pw@10.1.2.3/app?sslmode=verify-ca&sslrootcert=/c/server-ca.pem"
        "&sslcert=/c/client-cert.pem&sslkey=/c/client-key.pem",
        "postgresql://app:***@10.1.2.3:5432/app?sslmode=verify-ca&sslrootcert=/c/server-ca.pem"
        "&sslcert=/c/client-cert.pem&sslkey=/c/client-key.pem",
        (),
    ),
    (
        "postgresql://u:pw@h/d?options=-c%20search_path%3Dapp&target_session_attrs=read-write"
        "&keepalives=1&gssencmode=disable",
        "postgresql://u:***@h:5432/d?options=-c%20search_path%3Dapp"
        "&target_session_attrs=read-write&keepalives=1&gssencmode=disable",
        ("keepalives", "gssencmode"),
    ),
    (
        "postgresql://user@/db?host=/var/run/postgresql",
        "postgresql://user@/db?host=/var/run/postgresql&port=5432",
        (),
    ),
    ("postgresql://u:p@h1:5432,h2:5433/db", "postgresql://u:***@h1:5432,h2:5433/db", ()),
    ("postgresql:///?service=prod", "postgresql://?service=prod", ()),
    (
        "postgresql://u@h/d?schema=app&pool_timeout=10&application_name=api",
        "postgresql://u@h:5432/d?schema=app&pool_timeout=10&application_name=api",
        ("schema", "pool_timeout", "application_name"),
    ),
]


@pytest.mark.parametrize(("text", "shown", "ignored"), PROVIDER_URLS)
def test_provider_urls_are_accepted_redacted_and_round_trip(
    text: str, shown: str, ignored: tuple[str, ...]
) -> None:
    url = parse(text)
    assert redact(url) == shown
    assert url.ignored == ignored
    assert parse(normalise(url)) == url


def test_several_hosts_socket_folders_and_query_overrides() -> None:
    url = parse("postgresql://u@h1,[::1]:6000/d?port=5433")
    assert url.hosts == ("h1", "::1") and url.ports == (5433, 5433)
    assert url.where == "h1:5433, [::1]:5433"
    socket = parse("postgresql://u@%2Frun%2Fpg:5444/d")
    assert socket.hosts == ("/run/pg",) and socket.where == "socket /run/pg (port 5444)"
    assert parse("postgresql://u@h/d?host=a,b&port=1,2").ports == (1, 2)
    assert parse("postgresql://u@h/d?dbname=other&user=x").database == "other"
    assert parse("postgresql://u@/d?hostaddr=10.0.0.1").hosts == ("10.0.0.1",)
    assert parse("postgresql:///d").hosts == () and parse("postgresql:///d").where == (
        "the default server"
    )


def test_pgbouncer_marks_pooled_and_plus_is_not_a_space() -> None:
    assert parse("postgresql://u@h/d?pgbouncer=true").pooled
    assert not parse("postgresql://u@h/d?pgbouncer=false").pooled
    assert parse("postgresql://u@h/d?password=a+b").password == "a+b"


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://u:hunter2@h/d",
        "postgresql://u@h/d?password=hunter2",
        "postgresql://u@h1,h2/d?password=hunter2&sslmode=require",
        "postgresql://u@h/d?sslpassword=hunter2&sslcert=/c.pem",
        "postgresql://u:hunter2@/d?host=/run/pg,/tmp",
    ],
)
def test_redaction_covers_every_form(text: str) -> None:
    url = parse(text)
    for shown in (redact(url), str(url), repr(url)):
        assert "hunter2" not in shown and "***" in shown
    assert scrub("x hunter2 y", url) == "x *** y"


def test_scrub_takes_extra_secrets() -> None:
    assert scrub("from pgpass: s3cret", parse("postgresql://u@h/d"), "s3cret", None) == (
        "from pgpass: ***"
    )


hostnames = st.lists(
    st.sampled_from(["a.example", "10.0.0.7", "::1", "/run/pg"]), min_size=1, max_size=3
)


@given(hosts=hostnames, port=st.integers(1, 65535), password=passwords)
def test_several_hosts_round_trip_and_never_leak(
    hosts: list[str], port: int, password: str
) -> None:
    url = DatabaseUrl(tuple(hosts), (port,) * len(hosts), user="u", password=password)
    assert parse(normalise(url)) == url
    as_query = DatabaseUrl(tuple(hosts), (port,) * len(hosts), user="u", params=())
    assert redact(url) == redact(as_query).replace("postgresql://u@", "postgresql://u:***@")


def test_for_libpq_drops_other_clients_extras_only() -> None:
    url = parse("postgresql://u:p@h/d?pgbouncer=true&keepalives=1&schema=app&sslmode=require")
    assert for_libpq(url) == "postgresql://u:p@h:5432/d?keepalives=1&sslmode=require"
