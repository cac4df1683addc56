"""Stand-ins for branch.providers in the meetings tests (the real rectification provider is built elsewhere)."""

CALLS: list[tuple[int, int]] = []


def annex(*, cycle, branch) -> list[str]:
    """What rectification.selectors.last_year_annex answers: lines about the previous cycle's measures."""
    CALLS.append((cycle.year, branch.pk))
    return [
        f"{cycle.year - 1}年度整改措施1：机井维修 — 已完成；最后进展：2019-06-30 新打机井两眼",
        "镇党委纠偏意见：台账不全 — 已答复",
    ]


def annex_revised(*, cycle, branch) -> list[str]:
    return ["整改记录此后改动过的内容"]


def nothing(*, cycle, branch) -> list[str]:
    return []


def must_not_be_called(*, cycle, branch) -> list[str]:
    raise AssertionError("no previous cycle: the provider is not asked")
