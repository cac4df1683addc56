"""Stand-ins for what rectification provides to appraisal pages (branch.providers), so appraisal is tested alone."""

from __future__ import annotations

# (cycle id, member id) -> lines; a test fills it, the autouse fixture empties it.
COMMITMENTS: dict[tuple[int, int], list[str]] = {}


def commitments_beside(*, cycle, branch) -> dict[int, list[str]]:
    """What rectification.selectors.commitments_beside answers: member id -> lines on last year's commitments."""
    return {mid: lines for (cid, mid), lines in COMMITMENTS.items() if cid == cycle.pk}


def nothing(*, cycle, branch) -> dict[int, list[str]]:
    return {}
