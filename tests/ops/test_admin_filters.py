"""Admin filter sidebars keep the scope of the rows: a township reviewer sees no other township's names there."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from branch.access import ScopedAdmin
from meetings.models import Problem, StudyAttendance, StudySession
from tests import factories
from tests.xinyi import records

pytestmark = pytest.mark.django_db

# The seven changelists the probe found leaking, and every other scoped one with them.
LEAKED = {
    "meetings.meeting",
    "meetings.meetingattendance",
    "meetings.problem",
    "meetings.speech",
    "meetings.studyattendance",
    "meetings.studysession",
    "meetings.talk",
}


def _records(w, cycle):
    records.full_cycle_before_deadline(w, cycle)
    session = StudySession.objects.get(branch=w.branch)
    StudyAttendance.objects.create(session=session, member=w.members[0], present=True)
    Problem.objects.create(
        cycle=cycle, branch=w.branch, area=Problem.Area.ORG_LIFE, text="三会一课不按时召开"
    )


def _scoped_changelists():
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ScopedAdmin):
            yield (
                model._meta.label_lower,
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
            )


def test_reviewer_filter_choices_name_only_own_township_R7_1(client_for, world, other_world, cycle):
    neighbour = factories.world(
        township_=world.township
    )  # two own branches: a filter needs two choices to show
    for w in (world, neighbour, other_world):
        _records(w, cycle)
    foreign = (other_world.branch.name, other_world.township.name)
    urls = dict(_scoped_changelists())
    assert LEAKED <= set(urls)

    reviewer = client_for(world.users["township"])
    for label, url in urls.items():
        body = reviewer.get(url).content.decode()
        for name in foreign:
            assert name not in body, f"{label}: {name}"
    # The filter is there and names the reviewer's own branches, so the search above reads a real sidebar.
    body = reviewer.get(urls["meetings.studyattendance"]).content.decode()
    assert world.branch.name in body and neighbour.branch.name in body

    # The superuser's sidebar still lists every branch.
    root = get_user_model().objects.create_superuser("root", password=factories.PASSWORD)
    body = client_for(root).get(urls["meetings.studyattendance"]).content.decode()
    assert world.branch.name in body and other_world.branch.name in body
