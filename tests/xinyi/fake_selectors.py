"""A stand-in step selectors module for the composition tests: one check per branch, constant queries."""

from branch.checks import Check, Status
from branch.models import Member


def checks(*, cycle, branches):
    ids = [b.pk for b in branches]
    counts = dict.fromkeys(ids, 0)
    for branch_id in Member.objects.filter(branch_id__in=ids).values_list("branch_id", flat=True):
        counts[branch_id] += 1
    return {
        pk: [Check("R9.9", Status.FAIL if n < 3 else Status.PASS, f"党员 {n} 名", "/x/")]
        for pk, n in counts.items()
    }


def archive_context(*, cycle, branch):
    return {"fake_title": "测试步骤的档案部分"}
