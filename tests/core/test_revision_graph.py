"""The revision graph and the status rules, on hand-made and generated graphs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core.alembic_scripts import Revision
from pandadmin.core.revision_graph import (
    AHEAD,
    BEHIND,
    DIVERGED,
    ERROR,
    MULTIPLE_HEADS,
    NOT_INITIALIZED,
    UP_TO_DATE,
    RevisionGraph,
    evaluate,
)


def rev(
    rid: str,
    *down: str,
    labels: tuple[str, ...] = (),
    deps: tuple[str, ...] = (),
) -> Revision:
    return Revision(rid, down, labels, deps, f"message {rid}", f"/v/{rid}.py")


def graph(*revisions: Revision) -> RevisionGraph:
    return RevisionGraph.build(revisions)


LINEAR = graph(rev("r1"), rev("r2", "r1"), rev("r3", "r2"), rev("r4", "r3"))


def test_linear_shape() -> None:
    assert LINEAR.heads == ("r4",) and LINEAR.bases == ("r1",)
    assert LINEAR.merge_points == () and LINEAR.branch_points == () and LINEAR.problems == ()


def test_behind_lists_exactly_the_missing_revisions_in_upgrade_order() -> None:
    verdict = evaluate(LINEAR, ("r2",))
    assert (verdict.status, verdict.pending) == (BEHIND, ("r3", "r4"))


def test_up_to_date() -> None:
    assert evaluate(LINEAR, ("r4",)).status == UP_TO_DATE
    assert evaluate(LINEAR, ("r4",)).pending == ()


def test_not_initialized_when_the_table_is_missing_or_empty() -> None:
    for rows in (None, ()):
        verdict = evaluate(LINEAR, rows)
        assert (verdict.status, verdict.pending) == (NOT_INITIALIZED, ("r1", "r2", "r3", "r4"))
    assert evaluate(graph(), ()).status == UP_TO_DATE
    assert evaluate(graph(), None).status == NOT_INITIALIZED


def test_ahead_when_the_database_is_at_an_unknown_revision() -> None:
    verdict = evaluate(LINEAR, ("zz99",))
    assert (verdict.status, verdict.pending) == (AHEAD, ())
    assert verdict.detail is not None and "zz99" in verdict.detail


BRANCHED = graph(
    rev("base", labels=("core",)),
    rev("c2", "base"),
    rev("b1", labels=("billing",)),
    rev("b2", "b1"),
)


def test_ahead_when_known_rows_cover_every_head_and_one_is_unknown() -> None:
    assert evaluate(BRANCHED, ("b2", "c2", "new-billing")).status == AHEAD


def test_diverged_when_unknown_rows_and_missing_revisions_coexist() -> None:
    verdict = evaluate(BRANCHED, ("base", "newer-billing"))
    assert verdict.status == DIVERGED
    assert verdict.pending == ("b1", "b2", "c2")


def test_labelled_branches_at_all_heads_are_up_to_date_and_otherwise_behind() -> None:
    assert BRANCHED.heads == ("b2", "c2") and BRANCHED.bases == ("b1", "base")
    assert evaluate(BRANCHED, ("b2", "c2")).status == UP_TO_DATE
    verdict = evaluate(BRANCHED, ("b1", "c2"))
    assert (verdict.status, verdict.pending) == (BEHIND, ("b2",))
    assert BRANCHED.branch_labels == {"core": "base", "billing": "b1"}


def test_accidental_heads_are_multiple_heads() -> None:
    forked = graph(rev("a"), rev("b", "a"), rev("x", "b"), rev("y", "b"))
    assert forked.heads == ("x", "y") and forked.branch_points == ("b",)
    verdict = evaluate(forked, ("x",))
    assert (verdict.status, verdict.pending) == (MULTIPLE_HEADS, ("y",))
    assert evaluate(forked, ("b",)).status == MULTIPLE_HEADS
    assert evaluate(forked, ("x", "y")).status == UP_TO_DATE


def test_heads_sharing_a_label_are_still_multiple_heads() -> None:
    forked = graph(rev("a", labels=("core",)), rev("x", "a"), rev("y", "a"))
    assert evaluate(forked, ("x",)).status == MULTIPLE_HEADS


def test_merge_revision_closes_the_fork() -> None:
    merged = graph(rev("a"), rev("x", "a"), rev("y", "a"), rev("m", "x", "y"), rev("n", "m"))
    assert merged.heads == ("n",) and merged.merge_points == ("m",)
    verdict = evaluate(merged, ("x",))
    assert (verdict.status, verdict.pending) == (BEHIND, ("y", "m", "n"))
    assert evaluate(merged, ("x", "y")).pending == ("m", "n")


def test_depends_on_target_absorbed_into_its_dependant_row() -> None:
    # After `upgrade heads` Alembic stores only "b1": "a1" is below it through depends_on.
    project = graph(rev("a1", labels=("a",)), rev("b1", labels=("b",), deps=("a1",)))
    assert project.heads == ("a1", "b1") and project.dependencies["b1"] == ("a1",)
    assert evaluate(project, ("b1",)).status == UP_TO_DATE
    verdict = evaluate(project, None)
    assert verdict.pending == ("a1", "b1")


def test_unlabelled_dependency_head_is_not_an_accidental_head() -> None:
    project = graph(rev("a1"), rev("b1"), rev("b2", "b1", deps=("a1",)))
    assert project.effective_heads() == ("b2",)
    verdict = evaluate(project, ("b1",))
    assert (verdict.status, verdict.pending) == (BEHIND, ("a1", "b2"))


def test_depends_on_a_branch_label() -> None:
    project = graph(rev("a1", labels=("auth",)), rev("a2", "a1"), rev("b1", deps=("auth",)))
    assert project.dependencies["b1"] == ("a1",)
    assert evaluate(project, None).pending == ("a1", "a2", "b1")


def test_cycle_is_an_error() -> None:
    cyclic = graph(rev("a", "c"), rev("b", "a"), rev("c", "b"), rev("d"))
    verdict = evaluate(cyclic, ("d",))
    assert verdict.status == ERROR and verdict.detail is not None and "a, b, c" in verdict.detail


def test_problems_are_reported_and_the_rest_still_works() -> None:
    project = graph(
        rev("r1", labels=("x",)),
        rev("r1"),
        rev("r3", "r2", labels=("x",)),  # r2 unreadable or deleted
        rev("r4", "r3", deps=("nothing",)),
    )
    assert len(project.problems) == 4
    assert any("r2 referenced from r3" in p for p in project.problems)
    assert any("branch label x" in p for p in project.problems)
    assert project.bases == ("r1", "r3")
    # The chain is cut at r2, so r1 cannot be known to be applied: it shows as pending.
    assert evaluate(project, ("r3",)).pending == ("r1", "r4")


# --- generated graphs ----------------------------------------------------------------------


@st.composite
def dags(draw: st.DrawFn) -> RevisionGraph:
    """Random DAGs: each revision revises (and may depend on) earlier ones."""
    count = draw(st.integers(min_value=1, max_value=25))
    revisions = []
    for index in range(count):
        earlier = [f"n{i:02d}" for i in range(index)]
        down = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        deps = draw(st.lists(st.sampled_from(earlier), max_size=1)) if earlier else []
        revisions.append(rev(f"n{index:02d}", *down, deps=tuple(d for d in deps if d not in down)))
    return RevisionGraph.build(revisions)


@given(dags(), st.data())
def test_pending_is_a_valid_upgrade_plan(g: RevisionGraph, data: st.DataObject) -> None:
    rows = tuple(data.draw(st.lists(st.sampled_from(sorted(g.revisions)), max_size=3, unique=True)))
    verdict = evaluate(g, rows or None)
    applied = g.ancestors(rows)
    assert set(verdict.pending) == set(g.revisions) - applied
    done = set(applied)
    for rid in verdict.pending:
        assert set(g.parents[rid]) | set(g.dependencies[rid]) <= done
        done.add(rid)
    if rows:
        assert verdict.status in (UP_TO_DATE, BEHIND, MULTIPLE_HEADS)
        assert (verdict.status == UP_TO_DATE) == (not verdict.pending)


@given(dags())
def test_a_database_at_every_head_is_up_to_date(g: RevisionGraph) -> None:
    assert g.cycle == () and g.problems == ()
    assert evaluate(g, g.heads).status == UP_TO_DATE
    assert set(g.ancestors(g.heads)) == set(g.revisions)


@given(st.integers(min_value=1, max_value=60), st.data())
def test_linear_chains_are_behind_by_exactly_the_tail(length: int, data: st.DataObject) -> None:
    ids = [f"{i:04x}" for i in range(length)]
    chain = graph(*(rev(r, *ids[i - 1 : i]) for i, r in enumerate(ids)))
    at = data.draw(st.integers(min_value=0, max_value=length - 1))
    verdict = evaluate(chain, (ids[at],))
    expected = tuple(ids[at + 1 :])
    assert verdict.pending == expected
    assert verdict.status == (BEHIND if expected else UP_TO_DATE)


@given(dags(), st.text(alphabet="xyz", min_size=1, max_size=4))
def test_unknown_rows_are_ahead_or_diverged(g: RevisionGraph, unknown: str) -> None:
    assert evaluate(g, (unknown,)).status == AHEAD
    assert evaluate(g, (*g.heads, unknown)).status == AHEAD
    base = g.bases[0]
    expected = AHEAD if set(g.ancestors([base])) >= set(g.heads) else DIVERGED
    assert evaluate(g, (base, unknown)).status == expected
