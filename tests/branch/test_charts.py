"""Charts (issue 12 item 5): server-side SVG that scales to a phone, carries its numbers as text, escapes its labels,
and comes out of a PDF as text (pdftotext finds the labels) — the tally page, the grade list, the township overview
and the archive (R5.3, R5.9, R7.1, R7.2)."""

import subprocess

import pytest
from django.test import Client

from appraisal.models import GradeChoice as G
from branch import charts
from tests.appraisal import helpers as h

pytestmark = pytest.mark.django_db


def test_stacked_bar_scales_escapes_and_states_its_numbers():
    svg = charts.stacked_bar([("<b>满意</b>", 3), ("基本满意", 1), ("不满意", 0)], title="A&B")
    assert 'viewBox="0 0 ' in svg and 'width="100%"' in svg and 'width="300px"' not in svg
    assert "<b>" not in svg and "&lt;b&gt;满意&lt;/b&gt; 3（75%）" in svg and "A&amp;B" in svg
    assert "基本满意 1（25%）" in svg and "不满意 0（0%）" in svg
    empty = charts.stacked_bar([("满意", 0)])
    assert "满意 0（—）" in empty


def test_count_bars_one_bar_per_row_with_done_of_total():
    svg = charts.count_bars([("新义村党支部", 8, 8), ("双山村<党支部>", 3, 8)], title="步骤")
    assert svg.count("8/8") == 1 and "3/8" in svg and "双山村&lt;党支部&gt;" in svg


def test_tally_page_archive_and_pdf_carry_the_charts_R5_9(world, cycle, tmp_path):
    h.tally_by_ballots(world, cycle, ballots=4, grade=G.EXCELLENT)
    for m in h.rated(world, cycle)[:1]:
        h.grade(m, cycle, G.EXCELLENT)
    c = Client()
    c.force_login(world.users["secretary"])
    page = c.get("/2018/appraisal/tally/").content.decode()
    assert (
        page.count('<svg class="chart"') == len(h.rated(world, cycle)) + 1
    )  # one per member, the committee's
    assert "满意 4（100%）" in page
    grades = c.get("/2018/appraisal/grades/").content.decode()
    assert 'id="grades-chart"' in grades and "优秀 1" in grades
    from xinyi import archive

    path = tmp_path / "a.pdf"
    path.write_bytes(archive.archive_pdf(cycle=cycle, branch=world.branch))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "满意 4（100%）" in text.replace(" ", " ")
    assert "CJK" in subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_township_overview_shows_each_branchs_steps_R7_1(world, cycle):
    c = Client()
    c.force_login(world.users["township"])
    page = c.get("/2018/township/").content.decode()
    assert 'id="steps-chart"' in page and world.branch.name in page.split('id="steps-chart"')[1]
