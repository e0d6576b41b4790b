"""Locating Alembic scripts and reading revision files statically (no import, no exec)."""

from __future__ import annotations

import os
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core.alembic_config import ScriptLocationError, locate_scripts
from pandadmin.core.alembic_scripts import (
    Revision,
    RevisionFileError,
    RevisionReader,
    iter_revision_files,
    parse_revision_source,
)
from tests.support.alembic_projects import AlembicProject


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def revision_file(
    folder: Path, rev: str, down: object = None, message: str = "msg", **extra: object
) -> Path:
    lines = [f'"""{message}\n\nRevision ID: {rev}\n"""', f"revision = {rev!r}"]
    lines.append(f"down_revision = {down!r}")
    lines += [f"{key} = {value!r}" for key, value in extra.items()]
    return write(folder / f"{rev}_file.py", "\n".join(lines) + "\n")


def parse(source: str, name: str = "x.py") -> Revision:
    return parse_revision_source(textwrap.dedent(source), Path(name))


# --- locating ----------------------------------------------------------------------------


def test_ini_script_location_with_here(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nscript_location = %(here)s/mig\n")
    location = locate_scripts(ini)
    assert location.script_directory == str(tmp_path / "mig")
    assert location.version_locations == (str(tmp_path / "mig" / "versions"),)
    assert location.config_file == str(ini) and not location.recursive


def test_relative_script_location_resolves_from_the_ini_folder(tmp_path: Path) -> None:
    ini = write(tmp_path / "proj" / "alembic.ini", "[alembic]\nscript_location = db\n")
    assert locate_scripts(ini).script_directory == str(tmp_path / "proj" / "db")


@pytest.mark.parametrize(
    ("separator", "raw"),
    [
        ("os", f"%(here)s/a{os.pathsep}%(here)s/b"),
        ("space", "%(here)s/a   %(here)s/b"),
        ("newline", "\n    %(here)s/a\n    %(here)s/b"),
        (";", "%(here)s/a;%(here)s/b"),
        (":", "%(here)s/a:%(here)s/b"),
        (None, "%(here)s/a, %(here)s/b"),  # legacy: no separator configured
        (None, "%(here)s/a %(here)s/b"),
    ],
)
def test_version_locations_split_like_alembic(
    tmp_path: Path, separator: str | None, raw: str
) -> None:
    sep_line = f"path_separator = {separator}\n" if separator else ""
    ini = write(
        tmp_path / "alembic.ini",
        f"[alembic]\nscript_location = m\n{sep_line}version_locations = {raw}\n",
    )
    assert locate_scripts(ini).version_locations == (str(tmp_path / "a"), str(tmp_path / "b"))


def test_legacy_version_path_separator(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = m\nversion_path_separator = ;\nversion_locations = a;b\n",
    )
    assert locate_scripts(ini).version_locations == (str(tmp_path / "a"), str(tmp_path / "b"))


def test_invalid_separator_is_a_clear_error(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = m\npath_separator = pipe\nversion_locations = a|b\n",
    )
    with pytest.raises(ScriptLocationError, match="path_separator"):
        locate_scripts(ini)


def test_recursive_version_locations(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = m\nrecursive_version_locations = true\n",
    )
    assert locate_scripts(ini).recursive


def test_pyproject_tool_alembic(tmp_path: Path) -> None:
    toml = write(
        tmp_path / "pyproject.toml",
        """
        [tool.alembic]
        script_location = "%(here)s/mig"
        version_locations = ["%(here)s/v1", "v2"]
        recursive_version_locations = true
        """,
    )
    location = locate_scripts(toml)
    assert location.script_directory == str(tmp_path / "mig")
    assert location.version_locations == (str(tmp_path / "v1"), str(tmp_path / "v2"))
    assert location.recursive


def test_ini_without_script_location_falls_back_to_pyproject(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nsqlalchemy.url = x\n[loggers]\nkeys=root\n")
    write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "%(here)s/m"\n')
    assert locate_scripts(ini).script_directory == str(tmp_path / "m")


def test_ini_options_win_over_pyproject(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nscript_location = from_ini\n")
    write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "from_toml"\n')
    assert locate_scripts(ini).script_directory == str(tmp_path / "from_ini")


def test_script_directory_and_project_directory(tmp_path: Path) -> None:
    (tmp_path / "mig" / "versions").mkdir(parents=True)
    assert locate_scripts(tmp_path / "mig").version_locations == (
        str(tmp_path / "mig" / "versions"),
    )
    write(tmp_path / "alembic.ini", "[alembic]\nscript_location = %(here)s/mig\n")
    assert locate_scripts(tmp_path).script_directory == str(tmp_path / "mig")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("[alembic]\nsqlalchemy.url = x\n", "no script_location"),
        ("[alembic]\nscript_location = myapp:migrations\n", "package resource"),
        ("[alembic]\nscript_location = %(nothere)s/m\n", "alembic.ini"),
        ("not an ini file", "alembic.ini"),
    ],
)
def test_unusable_ini_is_a_clear_error(tmp_path: Path, content: str, match: str) -> None:
    ini = write(tmp_path / "alembic.ini", content)
    with pytest.raises(ScriptLocationError, match=match):
        locate_scripts(ini)


def test_missing_or_empty_paths(tmp_path: Path) -> None:
    with pytest.raises(ScriptLocationError, match="no such file"):
        locate_scripts(tmp_path / "nope.ini")
    with pytest.raises(ScriptLocationError, match="no versions/"):
        locate_scripts(tmp_path)


def test_real_alembic_init_is_located(tmp_path: Path) -> None:
    project = AlembicProject(tmp_path / "p")
    location = locate_scripts(project.ini)
    assert location.version_locations == (str(project.versions),)


def test_real_pyproject_template_is_located(tmp_path: Path) -> None:
    project = AlembicProject(tmp_path / "p", pyproject=True)
    assert "script_location" not in project.ini.read_text().split("[alembic]")[1].split("[")[0]
    assert locate_scripts(project.ini).version_locations == (str(project.versions),)
    assert locate_scripts(project.pyproject).version_locations == (str(project.versions),)


# --- listing -----------------------------------------------------------------------------


def test_listing_skips_what_alembic_skips(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    for name in ("a.py", "b.py", "__init__.py", ".#a.py", "notes.txt", "c.pyc", "sub/d.py"):
        write(versions / name, "")
    write(versions / "__pycache__" / "e.py", "")
    location = locate_scripts(tmp_path)
    assert [p.name for p in iter_revision_files(location)] == ["a.py", "b.py"]


def test_recursive_listing_walks_subfolders_but_not_pycache(tmp_path: Path) -> None:
    for name in ("a.py", "2024/b.py", "2024/01/c.py", "__pycache__/d.py"):
        write(tmp_path / "versions" / name, "")
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = %(here)s\nrecursive_version_locations = true\n",
    )
    names = [p.relative_to(tmp_path / "versions").as_posix() for p in iter_revision_files(
        locate_scripts(ini))]  # fmt: skip
    assert names == ["a.py", "2024/b.py", "2024/01/c.py"]


def test_a_file_reached_twice_is_listed_once(tmp_path: Path) -> None:
    revision_file(tmp_path / "real", "a1")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "link.py").symlink_to(tmp_path / "real" / "a1_file.py")
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = %(here)s\npath_separator = space\n"
        "version_locations = %(here)s/alias %(here)s/real %(here)s/missing\n",
    )
    assert [p.name for p in iter_revision_files(locate_scripts(ini))] == ["a1_file.py"]


# --- parsing -----------------------------------------------------------------------------


def test_annotated_assignments_as_in_the_current_template() -> None:
    rev = parse('''
        """Add users table

        Revision ID: 1a2b
        Revises: 0f0f
        Create Date: 2026-01-01 00:00:00

        """
        from typing import Sequence, Union

        revision: str = "1a2b"
        down_revision: Union[str, Sequence[str], None] = "0f0f"
        branch_labels: Union[str, Sequence[str], None] = ("core",)
        depends_on: Union[str, Sequence[str], None] = ["aaaa", "bbbb"]
    ''')
    assert rev == Revision("1a2b", ("0f0f",), ("core",), ("aaaa", "bbbb"), "Add users table",
                           "x.py", datetime(2026, 1, 1))  # fmt: skip


def test_plain_assignments_merge_tuple_and_none() -> None:
    rev = parse("""
        revision = 'm1'
        down_revision = ('a', 'b')
        branch_labels = None
        depends_on = None
    """)
    assert (rev.revision, rev.down_revisions, rev.branch_labels, rev.depends_on) == (
        "m1", ("a", "b"), (), ()
    )  # fmt: skip
    assert rev.message == ""


def test_base_revision_string_label_and_unpacking() -> None:
    rev = parse("revision, down_revision = 'b1', None\nbranch_labels = 'billing'\n")
    assert (rev.revision, rev.down_revisions, rev.branch_labels) == ("b1", (), ("billing",))


def test_last_module_level_assignment_wins_and_nested_ones_are_ignored() -> None:
    rev = parse("""
        revision = 'old'
        revision = 'new'
        down_revision: str
        def upgrade():
            revision = 'inner'
    """)
    assert rev.revision == "new" and rev.down_revisions == ()


def test_empty_message_falls_back_to_empty_string() -> None:
    assert parse('"""\n\nRevision ID: x\nRevises:\n"""\nrevision = "x"\n').message == ""
    assert parse('"""only line"""\nrevision = "x"\n').message == "only line"
    assert parse('"""first\nsecond\n\nRevision ID: x\n"""\nrevision = "x"\n').message == "first"


def test_legacy_revision_from_the_file_name() -> None:
    assert parse("down_revision = None\n", "ab12cd.py").revision == "ab12cd"


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("revision = 'x'\ndown_revision = (\n", "syntax error at line"),
        ("revision = 'x'\ndown_revision = compute()\n", "down_revision is not a literal .line 2"),
        ("revision = PREFIX + 'x'\n", "revision is not a literal"),
        ("revision, down_revision = make()\n", "not a literal"),
        ("revision = 3\n", "non-empty string"),
        ("revision = 'x'\ndepends_on = 5\n", "depends_on must be"),
        ("revision = 'x'\nbranch_labels = ('a', None)\n", "branch_labels must be"),
        ("down_revision = None\n", "no module-level 'revision'"),
        ("revision = 'x'\0\n", "cannot parse|syntax error"),
    ],
)
def test_unreadable_sources(source: str, match: str) -> None:
    with pytest.raises(RevisionFileError, match=match):
        parse_revision_source(source, Path("broken_name.py"))


def test_a_file_that_would_run_code_is_only_read(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = write(
        tmp_path / "versions" / "evil.py",
        f"""
        \"\"\"evil\"\"\"
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("imported")
        raise SystemExit("executed")
        revision = "e1"
        down_revision = None
    """,
    )
    scripts = RevisionReader().read(tmp_path)
    assert [r.revision for r in scripts.revisions] == ["e1"]
    assert scripts.revisions[0].path == str(path)
    assert not marker.exists()


_ident = st.text(alphabet="0123456789abcdef", min_size=1, max_size=12)
_ids = st.one_of(st.none(), _ident, st.lists(_ident, max_size=3, unique=True).map(tuple))
_message = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).filter(
    lambda m: m.strip() == m and '"' not in m and "\\" not in m and m
)


@given(rev=_ident, down=_ids, labels=_ids, deps=_ids, message=_message, annotated=st.booleans())
def test_round_trip_through_the_template(
    rev: str, down: object, labels: object, deps: object, message: str, annotated: bool
) -> None:
    kind = ": Union[str, Sequence[str], None]" if annotated else ""
    source = (
        f'"""{message}\n\nRevision ID: {rev}\nRevises: \nCreate Date: now\n\n"""\n'
        f"revision{': str' if annotated else ''} = {rev!r}\n"
        f"down_revision{kind} = {down!r}\nbranch_labels{kind} = {labels!r}\n"
        f"depends_on{kind} = {deps!r}\n"
    )
    parsed = parse_revision_source(source, Path("f.py"))

    def as_tuple(value: object) -> tuple[object, ...]:
        return () if value is None else (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]

    expected_message = "" if message.startswith("Revision ID:") else message.splitlines()[0]
    assert parsed == Revision(rev, as_tuple(down), as_tuple(labels), as_tuple(deps),  # type: ignore[arg-type]
                              expected_message.strip(), "f.py")  # fmt: skip


# --- the reader and its cache --------------------------------------------------------------


def test_unreadable_files_are_named_and_the_rest_still_works(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    revision_file(versions, "a1")
    revision_file(versions, "a2", "a1")
    write(versions / "broken.py", "revision = 'b'\ndown_revision = (\n")
    scripts = RevisionReader().read(tmp_path)
    assert [r.revision for r in scripts.revisions] == ["a1", "a2"]
    assert len(scripts.unreadable) == 1
    name, reason = scripts.unreadable[0]
    assert name == "broken.py" and reason.startswith("syntax error at line")


def test_cache_reparses_only_changed_files(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    paths = [revision_file(versions, f"r{i}", f"r{i - 1}" if i else None) for i in range(5)]
    reader = RevisionReader()
    reader.read(tmp_path)
    assert (reader.files_parsed, reader.files_reused) == (5, 0)

    reader.read(tmp_path)
    assert (reader.files_parsed, reader.files_reused) == (5, 5)

    paths[2].write_text(paths[2].read_text().replace('"""msg', '"""changed message'))
    stat = paths[2].stat()
    os.utime(paths[2], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    scripts = reader.read(tmp_path)
    assert (reader.files_parsed, reader.files_reused) == (6, 9)
    assert {r.revision: r.message for r in scripts.revisions}["r2"] == "changed message"


def test_cache_forgets_deleted_files_and_reads_new_ones(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    first = revision_file(versions, "r1")
    reader = RevisionReader()
    reader.read(tmp_path)
    first.unlink()
    revision_file(versions, "r2")
    scripts = reader.read(tmp_path)
    assert [r.revision for r in scripts.revisions] == ["r2"]
    assert reader.files_parsed == 2


def test_cache_keeps_projects_apart(tmp_path: Path) -> None:
    revision_file(tmp_path / "one" / "versions", "a")
    revision_file(tmp_path / "two" / "versions", "b")
    reader = RevisionReader()
    for _ in range(2):
        assert [r.revision for r in reader.read(tmp_path / "one").revisions] == ["a"]
        assert [r.revision for r in reader.read(tmp_path / "two").revisions] == ["b"]
    assert (reader.files_parsed, reader.files_reused) == (2, 2)


def test_files_generated_by_real_alembic(tmp_path: Path) -> None:
    project = AlembicProject(tmp_path / "annotated")
    project.revision("aaa1", "create users")
    project.revision("aaa2", "add email")
    plain = AlembicProject(tmp_path / "plain", annotated=False)
    plain.revision("bbb1", "first", branch_label="core")
    plain.revision("bbb2", "second")
    for proj, expected in ((project, ["create users", "add email"]), (plain, ["first", "second"])):
        scripts = RevisionReader().read(proj.ini)
        assert sorted(r.message for r in scripts.revisions) == sorted(expected)
        assert scripts.unreadable == ()
    by_id = {r.revision: r for r in RevisionReader().read(plain.ini).revisions}
    assert by_id["bbb1"].branch_labels == ("core",) and by_id["bbb2"].down_revisions == ("bbb1",)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Create Date: 2026-10-02 09:05:17.094412", datetime(2026, 10, 2, 9, 5, 17, 94412)),
        (
            "Create Date: 2026-10-02 09:05:17+02:00",
            datetime.fromisoformat("2026-10-02T09:05:17+02:00"),
        ),
        ("Create Date: yesterday", None),
        ("Created: 2026-10-02", None),
    ],
)
def test_create_date_from_the_docstring(line: str, expected: datetime | None) -> None:
    source = f'"""msg\n\nRevision ID: a\nRevises:\n{line}\n\n"""\nrevision = "a"\n'
    assert parse_revision_source(source, Path("a.py")).create_date == expected
