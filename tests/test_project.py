"""The project's promises about itself: the conda environment matches the pip install, and CI runs
README's test command."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"duckdb": "python-duckdb", "psycopg[binary]": "psycopg"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0]


class TestProject:
    def test_environment_yml_lists_every_pip_requirement(self):
        """Does environment.yml name each dependency of pyproject.toml (runtime and test)?"""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        pip = [*project["dependencies"], *project["optional-dependencies"]["test"]]
        conda = {_name(d) for d in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
                 if isinstance(d, str)}
        missing = [p for p in map(_name, pip) if CONDA_NAMES.get(p, p) not in conda]
        assert not missing, f"environment.yml lacks {missing}"

    def test_ci_runs_the_readme_test_command(self):
        """Is the test command in README's quick start the one .ci/run calls?"""
        readme = (ROOT / "README.md").read_text()
        commands = re.findall(r"^(make \w+)\s+# sets everything up, then runs every test", readme, re.M)
        assert commands == ["make test"]
        ci = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
        assert commands[0] in ci
