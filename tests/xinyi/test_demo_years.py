"""The demo has two years (issue 11, item 9): 新义村's 2018 closed and frozen, 2019 open and half done."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from branch.models import BranchCycle, Cycle, Member, Participant
from branch.selectors import cycle_roster
from tests.factories import under_year

pytestmark = pytest.mark.django_db


def test_demo_has_2018_closed_and_2019_open_and_half_done_R7_2(client):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # safe to run again
    c2018, c2019 = Cycle.objects.get(year=2018), Cycle.objects.get(year=2019)
    xinyi = BranchCycle.objects.get(branch__name="新义村党支部", cycle=c2018)
    assert xinyi.is_closed and len(xinyi.archive_sha256) == 64
    assert not BranchCycle.objects.get(branch__name="双山村党支部", cycle=c2018).is_closed

    # 2019's transfer-out, 转正 and newcomer change nothing in 2018's roster
    in_2018 = {m.name: m.status for m in cycle_roster(cycle=c2018, branch=xinyi.branch)}
    assert in_2018["孙立军"] == Member.Status.FULL and in_2018["阿拉坦"] == Member.Status.PROBATIONARY
    assert "包晓燕" not in in_2018
    assert Member.objects.get(name="孙立军").left_on is not None
    assert Member.objects.get(name="阿拉坦").status == Member.Status.FULL
    assert not Participant.objects.filter(cycle=c2019).exists()  # 2019's meeting is only planned

    # the secretary moves between the years; 2018's archive is the stored file
    client.login(username="secretary", password="xinyi2019demo")
    page = client.get("/2019/dashboard/").content.decode()
    assert "2019年度" in page and "/2018/dashboard/" in page  # the year switcher
    with under_year(2018):
        pdf = client.get(reverse("dashboard_archive"))
    assert pdf.status_code == 200 and pdf["X-Archive-SHA256"] == xinyi.archive_sha256
    # 双山村 still owes 2018's rectification: its 2019 dashboard says so
    client.login(username="secretary2", password="xinyi2019demo")
    assert "上年度尚未完成" in client.get("/2019/dashboard/").content.decode()
