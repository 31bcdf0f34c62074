"""Every practice exercise's model answers pass its own checks, by either route, and wrong answers fail.

The exercises' code runs here in-process, on the sample district, as the setup cell of the released
notebook would run it (the nbgrader tests run the real notebooks in a kernel). The hidden tests
compute their expected values with plain pandas and scipy, never with gapkit.
"""
from __future__ import annotations

import pytest

from gapkit import add_el_groups, gap_table, read_records
from gapkit.content import find_root, load_course
from gapkit.lookup import estimate, largest, shown, suppressed_cells
from gapkit.proficiency import elp_growth, former_el_outcomes, long_term_el_share, median_years, reclassification_time

ROOT = find_root()
COURSE = load_course(ROOT)
RECORDS = add_el_groups(read_records(ROOT / COURSE.dataset))
TASKS = [(m.id, t) for m in COURSE.modules if m.practice for t in m.practice.tasks]


def namespace(module_id):
    ns = dict(gap_table=gap_table, estimate=estimate, largest=largest, shown=shown, suppressed_cells=suppressed_cells,
              elp_growth=elp_growth, former_el_outcomes=former_el_outcomes, long_term_el_share=long_term_el_share,
              median_years=median_years, reclassification_time=reclassification_time, records=RECORDS.copy())
    setup = COURSE.module(module_id).practice.setup
    if setup:
        exec(setup, ns)
    return ns


def checks(task, ns):
    exec(task.tests, ns)
    exec(task.hidden_tests, ns)


@pytest.mark.parametrize("module_id, task", TASKS, ids=[f"{m}:{t.id}" for m, t in TASKS])
def test_model_answers_pass(module_id, task):
    """Does the model answer pass the visible and hidden checks, by the box and (where given) by code?"""
    ns = namespace(module_id)
    if task.code_route:  # solutions may build on earlier exercises' tables, as in the notebook
        for earlier in COURSE.module(module_id).practice.tasks:
            if earlier.code_route:
                exec(earlier.solution, ns)
            if earlier is task:
                break
        checks(task, ns)
    if task.box_route:
        ns = namespace(module_id)
        ns[task.name] = task.model
        checks(task, ns)


@pytest.mark.parametrize("module_id, task", [(m, t) for m, t in TASKS if t.box_route],
                         ids=[f"{m}:{t.id}" for m, t in TASKS if t.box_route])
def test_wrong_box_answer_fails(module_id, task):
    """Does a wrong answer in the box (another option, or a number well off) fail the checks with a message?"""
    ns = namespace(module_id)
    if task.input == "choice":
        ns[task.name] = next(chr(65 + i) for i in range(len(task.options)) if chr(65 + i) != task.model)
    else:
        ns[task.name] = task.model + max(1.0, abs(task.model) * 0.5)
    with pytest.raises(AssertionError) as info:
        checks(task, ns)
    assert str(info.value)


def test_every_practice_has_both_routes_a_reason_and_no_pandas_indexing():
    """Does every practice offer the no-code route for all its exercises, at least one written reason, and
    model code without `.loc`/`.item()`?"""
    for m in COURSE.modules:
        if not m.practice:
            continue
        tasks = m.practice.tasks
        assert all(t.box_route for t in tasks), m.id
        assert any(t.code_route for t in tasks), m.id
        assert any(t.reason for t in tasks), m.id
        for t in tasks:
            assert ".loc[" not in t.solution and ".item()" not in t.solution, (m.id, t.id)


def test_module_one_has_a_v_task():
    """Is there an exercise on the V statistic, by the explorer and by code?"""
    t = COURSE.task("01-what-gaps-are", "v-gap")
    assert t.show["explore"]["measure"] == "v_statistic" and '"v_statistic"' in t.solution
