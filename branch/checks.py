"""The shape of one rule check (issue: dashboard, township overview, archive and cycle_status show the same result).

Each app exposes `checks(*, cycle, branches) -> dict[int, list[Check]]` (branch id -> results) in its selectors, computing
all branches with a constant number of queries. xinyi composes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


STATUS_LABELS = {Status.PASS: "通过", Status.WARN: "提醒", Status.FAIL: "未通过"}


@dataclass(frozen=True)
class Check:
    rule: str  # "R2.1"
    status: Status
    reason: str  # one line of Chinese
    url: str = ""  # where to fix it (may be empty)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]
