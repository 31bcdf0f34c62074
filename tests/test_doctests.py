"""Docstring examples are tests: every `>>>` example in the gapkit package runs, module by module.

(pytest's --doctest-modules would also import the test folders' conftest.py files as modules, and two of
them share a name, so the examples are run here with the standard library's doctest instead.)
"""
import doctest
import importlib
import pkgutil

import pytest

import gapkit

MODULES = sorted(m.name for m in pkgutil.walk_packages(gapkit.__path__, "gapkit.") if m.name != "gapkit.__main__")


def _tests(name):
    return doctest.DocTestFinder(exclude_empty=True).find(importlib.import_module(name), name)


@pytest.mark.parametrize("name", MODULES)
def test_examples(name):
    """Does every example in the module's docstrings give the output written there?"""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in _tests(name):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_examples_are_found():
    """Are the package's examples found at all (it has about a hundred)?"""
    assert sum(len(t.examples) for name in MODULES for t in _tests(name)) >= 90
