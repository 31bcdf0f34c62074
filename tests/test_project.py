"""The project's promises about itself: the conda environment matches the pip install, CI runs
README's test command, and the lesson server's settings keep a preheated page usable."""
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

    def test_a_preheated_lesson_page_waits_for_its_request_however_long(self):
        """Does a page preheated at start still open when first asked for an hour later?

        A preheated lesson kernel waits for its page's request inside a cell (`voila.utils.wait_for_request`);
        Voila's per-cell time limit would end that wait, and the page would then never load. So the
        course's Voila settings must have none (a lesson page runs only the course's own code).
        """
        from traitlets.config.loader import JSONFileConfigLoader

        config = JSONFileConfigLoader("voila.json", path=str(ROOT / "course_config")).load_config()
        assert config.VoilaConfiguration.preheat_kernel is True
        assert config.VoilaExecutor.timeout is None
