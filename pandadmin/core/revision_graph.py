"""The Alembic revision graph and the rules that compare it with a database's version rows.

Status rules (first match wins; `rows` are the database's version-table rows):

1. `error`: the scripts contain a cycle (Alembic refuses to run them).
2. `not_initialized`: no version table, or an empty one (unless there are no revisions
   at all, which is `up_to_date`).
3. Some row is unknown to the scripts:
   - `ahead` if every row is unknown (newer code was deployed than these scripts), or if
     the known rows already cover every head (the database has all we have, and more);
   - `diverged` otherwise: the database has revisions the scripts lack *and* the scripts
     have revisions the database lacks. `pending` then counts from the known rows only
     (what lies below an unknown row cannot be known). With only known rows the two
     histories cannot diverge: every known revision is below some head, so the database
     is at most behind.
4. `up_to_date`: every head is at or below some row. "Below" follows `down_revision`
   and `depends_on` edges, because Alembic merges a revision reachable only as a
   dependency into its dependant's row (it is not stored after `upgrade heads`).
5. `multiple_heads`: heads are missing from the database and the scripts have more than
   one *effective* head (a head not already below another head via a dependency) that
   are not on distinct branch labels: typically two developers branched from the same
   parent and nobody wrote the merge revision, so `alembic upgrade head` fails. A project
   whose heads sit on distinct branch labels is branched on purpose and is merely `behind`.
6. `behind` otherwise; `pending` lists the missing revisions in upgrade order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pandadmin.core.alembic_scripts import Revision
from pandadmin.core.migration_status import MigrationState

UP_TO_DATE = MigrationState.UP_TO_DATE
BEHIND = MigrationState.BEHIND
AHEAD = MigrationState.AHEAD
DIVERGED = MigrationState.DIVERGED
NOT_INITIALIZED = MigrationState.NOT_INITIALIZED
MULTIPLE_HEADS = MigrationState.MULTIPLE_HEADS
NOT_CONFIGURED = MigrationState.NOT_CONFIGURED
ERROR = MigrationState.ERROR
STATUSES = tuple(MigrationState)


@dataclass(frozen=True, slots=True)
class RevisionGraph:
    """Revisions by id with resolved edges; build it with `RevisionGraph.build`."""

    revisions: Mapping[str, Revision]
    parents: Mapping[str, tuple[str, ...]]  # down_revision edges to known revisions
    dependencies: Mapping[str, tuple[str, ...]]  # depends_on edges, branch labels resolved
    branch_labels: Mapping[str, str]  # label -> the revision that declares it
    heads: tuple[str, ...]
    bases: tuple[str, ...]
    merge_points: tuple[str, ...]
    branch_points: tuple[str, ...]
    problems: tuple[str, ...]  # what Alembic would warn about or refuse
    cycle: tuple[str, ...]  # revisions on or behind a cycle; empty when the graph is a DAG

    @classmethod
    def build(cls, revisions: Iterable[Revision]) -> RevisionGraph:
        problems: list[str] = []
        by_id = _index(revisions, problems)
        labels = _label_map(by_id, problems)
        parents = {r: _known(by_id, rev.down_revisions, r, problems) for r, rev in by_id.items()}
        deps = {r: _deps(by_id, labels, rev.depends_on, r, problems) for r, rev in by_id.items()}
        children = _children(parents)
        order = _topological(by_id, parents, deps)
        return cls(
            revisions=by_id,
            parents=parents,
            dependencies=deps,
            branch_labels=labels,
            heads=tuple(sorted(r for r in by_id if not children[r])),
            bases=tuple(sorted(r for r in by_id if not parents[r])),
            merge_points=tuple(
                sorted(r for r, rev in by_id.items() if len(rev.down_revisions) > 1)
            ),
            branch_points=tuple(sorted(r for r in by_id if len(children[r]) > 1)),
            problems=tuple(problems),
            cycle=tuple(sorted(set(by_id) - set(order))),
        )

    def ancestors(self, revisions: Iterable[str]) -> frozenset[str]:
        """The given known revisions and everything below them (down_revision + depends_on)."""
        seen: set[str] = set()
        stack = [r for r in revisions if r in self.revisions]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.parents[current] + self.dependencies[current])
        return frozenset(seen)

    def upgrade_order(self, revisions: Iterable[str]) -> tuple[str, ...]:
        """The given revisions sorted so every revision follows what it needs (bases first)."""
        wanted = {r for r in revisions if r in self.revisions}
        order = _topological(self.revisions, self.parents, self.dependencies)
        ordered = [r for r in order if r in wanted]
        return (*ordered, *sorted(wanted - set(ordered)))  # cycle members last, stably

    def effective_heads(self) -> tuple[str, ...]:
        """Heads not already below another head through a dependency."""
        return tuple(
            head for head in self.heads
            if head not in self.ancestors(h for h in self.heads if h != head)
        )  # fmt: skip

    def labelled_apart(self, heads: tuple[str, ...]) -> bool:
        """True when each head carries branch labels that no other head shares."""
        label_sets = [self._labels_below(head) for head in heads]
        if not all(label_sets):
            return False
        flat = [label for labels in label_sets for label in labels]
        return len(flat) == len(set(flat))

    def _labels_below(self, head: str) -> frozenset[str]:
        # Alembic propagates a label to descendants along down_revision, not depends_on.
        seen: set[str] = set()
        stack = [head]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.parents[current])
        return frozenset(label for r in seen for label in self.revisions[r].branch_labels)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A status for one database against one graph; `pending` in upgrade order."""

    status: MigrationState
    pending: tuple[str, ...] = ()
    detail: str | None = None


def evaluate(graph: RevisionGraph, rows: tuple[str, ...] | None) -> Verdict:
    """Apply the module's status rules to the database's version-table rows."""
    if graph.cycle:
        return Verdict(ERROR, detail=f"revision cycle involving {', '.join(graph.cycle)}")
    if not rows:
        if rows is not None and not graph.revisions:
            return Verdict(UP_TO_DATE)
        return Verdict(NOT_INITIALIZED, graph.upgrade_order(graph.revisions))
    known = [r for r in rows if r in graph.revisions]
    unknown = [r for r in rows if r not in graph.revisions]
    applied = graph.ancestors(known)
    missing_heads = [h for h in graph.heads if h not in applied]
    pending = graph.upgrade_order(r for r in graph.revisions if r not in applied)
    if unknown:
        if not known or not missing_heads:
            return Verdict(AHEAD, detail=f"unknown to the scripts: {', '.join(unknown)}")
        return Verdict(DIVERGED, pending, f"unknown to the scripts: {', '.join(unknown)}")
    if not missing_heads:
        return Verdict(UP_TO_DATE)
    effective = graph.effective_heads()
    if len(effective) > 1 and not graph.labelled_apart(effective):
        return Verdict(MULTIPLE_HEADS, pending, f"unmerged heads: {', '.join(effective)}")
    return Verdict(BEHIND, pending)


def _index(revisions: Iterable[Revision], problems: list[str]) -> dict[str, Revision]:
    by_id: dict[str, Revision] = {}
    for rev in revisions:
        if rev.revision in by_id:
            problems.append(f"revision {rev.revision} is present more than once")
        else:
            by_id[rev.revision] = rev
    return by_id


def _label_map(by_id: Mapping[str, Revision], problems: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for rid, rev in by_id.items():
        for label in rev.branch_labels:
            if label in labels:
                problems.append(f"branch label {label} used by {labels[label]} and {rid}")
            else:
                labels[label] = rid
    return labels


def _known(
    by_id: Mapping[str, Revision], ids: tuple[str, ...], owner: str, problems: list[str]
) -> tuple[str, ...]:
    # A missing parent (often an unreadable file) leaves its child a base: the rest still works.
    for missing in (i for i in ids if i not in by_id):
        problems.append(f"revision {missing} referenced from {owner} is not present")
    return tuple(i for i in ids if i in by_id)


def _deps(
    by_id: Mapping[str, Revision],
    labels: Mapping[str, str],
    ids: tuple[str, ...],
    owner: str,
    problems: list[str],
) -> tuple[str, ...]:
    resolved = tuple(labels.get(i, i) for i in ids)  # depends_on may name a branch label
    return _known(by_id, resolved, owner, problems)


def _children(parents: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {r: [] for r in parents}
    for child, ups in parents.items():
        for parent in ups:
            children[parent].append(child)
    return children


def _topological(
    by_id: Mapping[str, Revision],
    parents: Mapping[str, tuple[str, ...]],
    deps: Mapping[str, tuple[str, ...]],
) -> list[str]:
    """Kahn's algorithm, smallest id first among the ready ones so the order is stable."""
    needs = {r: set(parents[r]) | set(deps[r]) for r in by_id}
    unlocks: dict[str, list[str]] = {r: [] for r in by_id}
    for rid, required in needs.items():
        for other in required:
            unlocks[other].append(rid)
    ready = [r for r, required in needs.items() if not required]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        current = heapq.heappop(ready)
        order.append(current)
        for waiting in unlocks[current]:
            needs[waiting].discard(current)
            if not needs[waiting]:
                heapq.heappush(ready, waiting)
    return order  # shorter than by_id when there is a cycle
