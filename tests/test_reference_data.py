import pytest
from django.core.management import call_command

from branch.models import Cycle
from meetings.models import RequiredMaterial


@pytest.mark.django_db(transaction=True)
def test_plan_cycle_and_materials_survive_a_flush_R0_1_R1_2():
    """The 2018 cycle (deadline 2019-03-20) and its required materials are there after migrate and after a flush."""
    assert Cycle.objects.get(year=2018).deadline.isoformat() == "2019-03-20"
    call_command("flush", interactive=False, verbosity=0)
    cycle = Cycle.objects.get(year=2018)
    assert cycle.deadline.isoformat() == "2019-03-20"
    titles = list(RequiredMaterial.objects.filter(cycle=cycle).values_list("title", flat=True))
    assert "《中国共产党纪律处分条例》" in titles
    assert "《中国共产党支部工作条例（试行）》" in titles
