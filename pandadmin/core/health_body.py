"""Judging a health answer: accepted status codes, the body's dialect, a JSON key condition.

Understood by default (DESIGN.md "Health dialects and conditions"): `{"ok": false}`; a
`status` word (`fail`, `down`, `error`, ... in any case); IETF health+json `checks` and
Spring Actuator `components` as sub-checks. A service's own top-level word is its verdict;
sub-checks only decide when there is none.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pandadmin.core.config import Service
from pandadmin.core.health_trace import certificate_note
from pandadmin.core.models import HealthResult, Note, Status, SubCheck, Timing
from pandadmin.core.settings import parse_accepted

UNHEALTHY = frozenset({"fail", "down", "error", "unhealthy", "critical", "out_of_service"})
WARNING = frozenset({"warn", "warning", "degraded"})
HEALTHY = frozenset({"pass", "up", "ok", "healthy"})
MAX_SUB_CHECKS = 50
MAX_DEPTH = 3
DEFAULT_ACCEPTED = "200-299"


@dataclass(frozen=True, slots=True)
class Conditions:
    """What a service's answer must satisfy beyond its own verdict (per-service settings)."""

    accepted_status: str = DEFAULT_ACCEPTED
    json_key: str | None = None
    json_value: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """What one GET brought back, before judging."""

    code: int
    body: bytes | None  # None: larger than the cap, left unread
    latency_ms: float
    timing: Timing | None = None
    certificate_expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class BodyVerdict:
    """The judgement of one answer: status, the reason when not ok, and sub-checks."""

    status: Status
    reason: str | None = None
    checks: tuple[SubCheck, ...] = ()


def assess(service: Service, answer: Answer, checked_at: float) -> HealthResult:
    """The HealthResult of one answer under the service's conditions and thresholds."""
    verdict = judge(answer.code, answer.body, conditions_of(service))
    ok = verdict.status != Status.CRITICAL
    notes = [Note(Status.WARNING, verdict.reason or "")] if verdict.status == Status.WARNING else []
    limit = service.latency_warning_ms
    if ok and limit is not None and answer.latency_ms > limit:
        notes.append(Note(Status.WARNING, f"latency {answer.latency_ms:.0f} ms above {limit:g} ms"))
    expiry = certificate_note(
        answer.certificate_expires_at,
        checked_at,
        service.cert_warning_days,
        service.cert_critical_days,
    )
    notes += [expiry] if expiry else []
    return HealthResult(
        service.name,
        service.health_url,
        ok,
        checked_at,
        answer.code,
        answer.latency_ms,
        None if ok else verdict.reason,
        tuple(notes),
        verdict.checks,
        answer.timing,
        answer.certificate_expires_at,
    )


def conditions_of(service: Service) -> Conditions:
    return Conditions(service.accepted_status, service.json_key, service.json_value)


def word_status(word: object) -> Status | None:
    """OK, WARNING or CRITICAL for a status word a service may use; None if not one."""
    if not isinstance(word, str):
        return None
    lowered = word.strip().lower()
    if lowered in UNHEALTHY:
        return Status.CRITICAL
    if lowered in WARNING:
        return Status.WARNING
    if lowered in HEALTHY:
        return Status.OK
    return None


def judge(code: int, body: bytes | None, conditions: Conditions | None = None) -> BodyVerdict:
    """The verdict on one answer; `body` None means too large to read (the code decides)."""
    conditions = conditions or Conditions()
    document = _json(body)
    if not _accepted(code, conditions.accepted_status):
        return BodyVerdict(Status.CRITICAL, f"HTTP {code}" + _reason_from(document))
    failed = _key_condition(document, conditions)
    verdict = judge_document(document)
    if failed is not None:
        return BodyVerdict(Status.CRITICAL, failed, verdict.checks)
    return verdict


def judge_document(document: Any) -> BodyVerdict:
    """Judge a parsed body by its dialect; anything that is not a JSON object is fine."""
    if not isinstance(document, dict):
        return BodyVerdict(Status.OK)
    checks = tuple(_sub_checks(document))
    own = [s for s in (_ok_status(document), word_status(document.get("status"))) if s]
    status = max(own) if own else max((_sub_status(c) for c in checks), default=Status.OK)
    if status == Status.OK:
        return BodyVerdict(Status.OK, None, checks)
    return BodyVerdict(status, _reported(document, checks), checks)


def _json(body: bytes | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None  # a plain-text "OK" is a fine health answer


def _accepted(code: int, spec: str) -> bool:
    return any(low <= code <= high for low, high in parse_accepted(spec))


def _ok_status(document: dict[str, Any]) -> Status | None:
    if "ok" in document and not document["ok"]:
        return Status.CRITICAL
    return None


def _sub_status(check: SubCheck) -> Status:
    return word_status(check.status) or Status.OK


def _reported(document: dict[str, Any], checks: tuple[SubCheck, ...]) -> str:
    word = document.get("status")
    bad_word = word_status(word) not in (None, Status.OK)
    text = f"reported {str(word).lower()}" if bad_word else "reported not ok"
    bad = [c for c in checks if _sub_status(c) != Status.OK]
    if bad:
        text += " (" + ", ".join(f"{c.name}: {c.status}" for c in bad[:3]) + ")"
    return text + _reason_from(document)


def _reason_from(document: Any) -> str:
    if isinstance(document, dict):
        for key in ("error", "detail", "message", "output"):
            if isinstance(document.get(key), str):
                return f": {document[key][:120]}"
    return ""


def _sub_checks(document: dict[str, Any]) -> Iterator[SubCheck]:
    found = itertools.chain(_ietf_checks(document.get("checks")), _components(document, "", 0))
    return itertools.islice(found, MAX_SUB_CHECKS)


def _ietf_checks(checks: object) -> Iterator[SubCheck]:
    """IETF draft: `"checks": {"db:responseTime": [{"status": "fail", "observedValue": ...}]}`."""
    if not isinstance(checks, dict):
        return
    for name, entries in checks.items():
        items = [e for e in (entries if isinstance(entries, list) else [entries])]
        items = [e for e in items if isinstance(e, dict) and isinstance(e.get("status"), str)]
        if items:
            entry = max(items, key=lambda e: word_status(e["status"]) or Status.OK)
            yield SubCheck(
                str(name)[:80],
                entry["status"].lower()[:40],
                _latency(entry),
                _text(entry.get("output")),
            )


def _components(node: dict[str, Any], prefix: str, depth: int) -> Iterator[SubCheck]:
    """Spring Actuator: `"components": {"db": {"status": "DOWN", "components": {...}}}`."""
    components = node.get("components")
    if not isinstance(components, dict) or depth >= MAX_DEPTH:
        return
    for name, child in components.items():
        if not isinstance(child, dict) or not isinstance(child.get("status"), str):
            continue
        full = f"{prefix}{name}"[:80]
        details = child.get("details")
        error = details.get("error") if isinstance(details, dict) else None
        yield SubCheck(full, child["status"].lower()[:40], None, _text(error))
        yield from _components(child, full + "/", depth + 1)


def _latency(entry: dict[str, Any]) -> float | None:
    value, unit = entry.get("observedValue"), entry.get("observedUnit")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    scale = {"ms": 1.0, "s": 1000.0, "us": 0.001}.get(str(unit).lower())
    return float(value) * scale if scale is not None else None


def _text(value: object) -> str | None:
    return value[:160] if isinstance(value, str) and value else None


def _key_condition(document: Any, conditions: Conditions) -> str | None:
    """None when the JSON key condition holds (or there is none), else why it does not."""
    key, expected = conditions.json_key, conditions.json_value
    if key is None or expected is None:
        return None
    found, value = _lookup(document, key)
    if not found:
        return f"no {key} in the body"
    text = _scalar(value)
    if text != expected:
        return f"{key} is {text[:60]!r}, expected {expected!r}"
    return None


def _lookup(document: Any, key: str) -> tuple[bool, Any]:
    node = document
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)
