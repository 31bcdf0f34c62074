"""The hub's settings, roster and configuration, checked without starting anything."""
import argparse
import re
import types
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

from gapkit import _ipc
from gapkit import hub as H
from gapkit.content import find_root
from gapkit.hub import HubError, Person, configure_hub, helm_values_text, load_settings, read_roster

ROOT = find_root(Path(__file__).parent)
SETTINGS = load_settings(ROOT)
HEADER = "id,first_name,last_name,email,role,password\n"


def _roster(tmp_path, body, header=HEADER):
    path = tmp_path / "roster.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


class TestRoster:
    def test_example_roster(self):
        """Is the shipped example a valid roster with participants and a facilitator?"""
        people = read_roster(ROOT / "course_config" / "roster.example.csv")
        assert {p.role for p in people} == {"participant", "facilitator"}
        assert [p.id for p in people if not p.is_facilitator] == ["amorales", "bokafor", "cnguyen"]

    def test_password_column_optional(self, tmp_path):
        """Is a roster without the password column read, with no initial passwords?"""
        path = _roster(tmp_path, "ana,Ana,M,a@x.org,participant\nfk,F,K,f@x.org,facilitator\n",
                       header="id,first_name,last_name,email,role\n")
        assert [p.password for p in read_roster(path)] == ["", ""]

    @pytest.mark.parametrize("body, message", [
        ("Ana,Ana,M,a@x.org,participant,\n", r"row 2, column id: 'Ana' must start with a lower-case letter"),
        ("ana,A,M,a@x.org,teacher,\n", r"row 2, column role: 'teacher' not recognized"),
        ("ana,A,M,a@x.org,participant,short\n", r"row 2, column password: .* shorter than 8"),
        ("ana,A,M,a@x.org,participant,\nana,A,M,a@x.org,facilitator,\n", r"row 3, column id: 'ana' is already on row 2"),
        ("ana,A,M,a@x.org,participant,\n", r"no row has role 'facilitator'"),
    ])
    def test_bad_rows_named(self, tmp_path, body, message):
        """Is each bad row refused with the file, row, column and rule?"""
        with pytest.raises(HubError, match=message):
            read_roster(_roster(tmp_path, body))

    def test_missing_column(self, tmp_path):
        """Is a roster without the role column refused, naming it?"""
        with pytest.raises(HubError, match=r"roster.csv: missing column\(s\) role"):
            read_roster(_roster(tmp_path, "ana,A,M,a@x.org\n", header="id,first_name,last_name,email\n"))


class TestSettings:
    def test_shipped_settings(self):
        """Are the shipped settings what the docs describe (1 GB, the home page preheated, 30 min culling)?"""
        assert SETTINGS.memory_bytes == 2**30
        assert SETTINGS.preheat == ("00-course-home.ipynb",)
        assert SETTINGS.account("amorales") == "jupyter-amorales"

    @pytest.mark.parametrize("change, message", [
        ({"limits": {"memory": "lots", "cpu": 1}}, r"`limits.memory` \('lots'\) must be a size"),
        ({"exchange": "relative/path"}, r"`exchange` must be an absolute path"),
        ({"cull": {"server_idle_minutes": 0, "kernel_idle_minutes": 1}}, r"`cull.server_idle_minutes` must be"),
        ({"schema_version": 2}, r"`schema_version` must be 1"),
    ])
    def test_bad_settings_named(self, tmp_path, change, message):
        """Is a bad setting refused with its name?"""
        data = {**yaml.safe_load((ROOT / H.SETTINGS_FILE).read_text()), **change}
        path = tmp_path / "hub.yaml"
        path.write_text(yaml.safe_dump(data))
        with pytest.raises(HubError, match=message):
            load_settings(ROOT, path)


class TestConfiguration:
    def _spawner(self, name):
        return types.SimpleNamespace(user=types.SimpleNamespace(name=name), environment={}, default_url="")

    def test_hub_settings(self):
        """Does the shared configuration let only the roster in, make facilitators admins and cull idle servers?"""
        c = Config()
        roster = read_roster(ROOT / "course_config" / "roster.example.csv")
        configure_hub(c, SETTINGS, roster, root=str(ROOT), state="/srv/gapkit", db_url="postgresql://g@h/db")
        assert c.JupyterHub.authenticator_class == "firstuseauthenticator.FirstUseAuthenticator"
        assert c.FirstUseAuthenticator.create_users is False
        assert c.Authenticator.allowed_users == {"amorales", "bokafor", "cnguyen", "fkim"}
        assert c.Authenticator.admin_users == {"fkim"}
        assert c.JupyterHub.admin_access is False
        assert "--timeout=1800" in c.JupyterHub.services[0]["command"]

    def test_each_person_gets_their_own_journal_and_page(self):
        """Before a spawn, does each person get their journal, their role's page and the gradebook only if facilitator?"""
        c = Config()
        roster = read_roster(ROOT / "course_config" / "roster.example.csv")
        configure_hub(c, SETTINGS, roster, root=str(ROOT), state="/srv/gapkit", db_url="postgresql://g@h/db",
                      home="/home/jovyan")
        ana, chi, farah = self._spawner("amorales"), self._spawner("cnguyen"), self._spawner("fkim")
        for spawner in (ana, chi, farah):
            c.Spawner.pre_spawn_hook(spawner)
        assert ana.environment["GAPKIT_JOURNAL"] == "/home/jovyan/course-work/reflections.json"
        assert ana.default_url == "/lessons/voila/render/00-course-home.ipynb"
        assert ana.environment["GAPKIT_TRACK"] == "leaders"  # the roster leaves Ana's track empty: the first
        assert chi.default_url == "/lessons/voila/render/educators/00-course-home.ipynb"
        assert chi.environment["GAPKIT_TRACK"] == "educators"
        assert "GAPKIT_NBGRADER_DB_URL" not in ana.environment
        assert farah.environment["GAPKIT_NBGRADER_DB_URL"] == "postgresql://g@h/db"
        assert farah.environment["JUPYTER_CONFIG_PATH"] == "/srv/gapkit/jupyter/facilitator"
        assert farah.default_url == "/lab"

    def test_kernels_listen_on_unix_sockets_with_paths_short_enough(self, tmp_path):
        """Do a person's server's kernels use unix sockets, in a runtime folder short enough for a socket's path
        even under the longest account name Linux allows (32 characters)?"""
        c = Config()
        H.singleuser_config(c, root=ROOT, state=tmp_path)
        assert c.KernelManager.transport == "ipc"
        person = Person("x" * 23, "X", "Y", "x@x.org", "participant")
        env = H.user_environment(SETTINGS, person, home="/home/" + "a" * 32, config_dir="/srv/gapkit/jupyter",
                                 db_url=None, root=str(ROOT), tracks=H.course_tracks(ROOT))
        assert env["JUPYTER_RUNTIME_DIR"] == "/home/" + "a" * 32 + "/.jupyter/runtime"
        assert _ipc.fits(env["JUPYTER_RUNTIME_DIR"])
        assert not _ipc.fits("/home/" + "a" * 32 + "/.local/share/jupyter/runtime")  # Jupyter's default would not

    @pytest.mark.parametrize("track, warm", [("leaders", "00-course-home.ipynb"),
                                             ("educators", "educators/00-course-home.ipynb")])
    def test_only_the_listed_pages_of_the_track_are_preheated(self, track, warm):
        """Does a participant's Voila preheat only their own track's pages named in hub.yaml, as Voila matches?"""
        text = H.voila_hub_config(SETTINGS, ROOT, track, H.course_tracks(ROOT))
        cold = eval(text.split("preheat_denylist = ", 1)[1].splitlines()[0])
        lessons = ROOT / "notebooks" / "lessons"
        pages = sorted(lessons.rglob("*.ipynb"))
        assert len(pages) > 10 and lessons / warm in pages

        def denied(path):  # Voila's own rule (VoilaKernelManager._notebook_filter), on the path rglob gives
            return any(pattern in str(path) or re.match(pattern, str(path)) for pattern in cold)

        assert [p for p in pages if not denied(p)] == [lessons / warm]
        assert "GAPKIT_VOILA_TOKEN" in text
        assert f"cull_idle_timeout = {SETTINGS.kernel_idle_minutes * 60}" in text  # kernels left behind stop

    def test_a_track_not_in_the_course_is_refused(self, tmp_path):
        """Does a roster row naming an unknown track fail with its row and column?"""
        path = _roster(tmp_path, "ana,A,M,a@x.org,participant,,principals\nfkim,F,K,f@x.org,facilitator,,\n",
                       header="id,first_name,last_name,email,role,password,track\n")
        with pytest.raises(HubError, match=r"row 2, column track: 'principals'"):
            read_roster(path, tracks=H.course_tracks(ROOT))


class TestHelmValues:
    def test_values_file_is_current(self):
        """Is course_config/zero-to-jupyterhub.yaml what hub.yaml generates (gapkit hub --helm-values)?"""
        assert (ROOT / H.HELM_VALUES_FILE).read_text(encoding="utf-8") == helm_values_text(SETTINGS)

    def test_values_carry_the_settings(self):
        """Do the Helm values hold hub.yaml's limits, culling, and one inbound folder per participant's pod?"""
        values = yaml.safe_load((ROOT / H.HELM_VALUES_FILE).read_text(encoding="utf-8"))
        assert values["singleuser"]["memory"]["limit"] == SETTINGS.memory
        assert values["cull"]["timeout"] == SETTINGS.server_idle_minutes * 60
        mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
        inbound = [m for m in mounts if "/inbound" in m["mountPath"]]
        assert len(inbound) == 1 and inbound[0]["subPath"].endswith("inbound/{username}")

    def test_hub_snippet_runs(self, tmp_path):
        """Does the values' hub configuration run against hub.yaml and a roster, as the Helm chart would run it?"""
        values = yaml.safe_load((ROOT / H.HELM_VALUES_FILE).read_text(encoding="utf-8"))
        snippet = values["hub"]["extraConfig"]["gapkit"]
        (tmp_path / "hub.yaml").write_text((ROOT / H.SETTINGS_FILE).read_text())
        (tmp_path / "roster.csv").write_text((ROOT / "course_config" / "roster.example.csv").read_text())
        snippet = snippet.replace("/etc/gapkit", str(tmp_path)).replace("'/srv/course-kit'", repr(str(ROOT)))
        c = Config()
        exec(snippet, {"c": c})
        assert c.Authenticator.allowed_users == {"amorales", "bokafor", "cnguyen", "fkim"}
        assert "services" not in c.JupyterHub or not c.JupyterHub.services.to_dict()  # z2jh culls itself


class TestCommand:
    def test_refuses_without_root(self, monkeypatch, capsys):
        """Run by a normal user, does `gapkit hub` refuse with what to do instead?"""
        from gapkit.cli import hub as command

        monkeypatch.setattr(command.os, "geteuid", lambda: 1000)
        parser = command.configure_parser(argparse.ArgumentParser())
        assert command.run(parser.parse_args(["--roster", str(ROOT / "course_config" / "roster.example.csv"),
                                              "--root", str(ROOT)])) == 1
        err = capsys.readouterr().err
        assert "runs as root" in err and "gapkit serve" in err
