"""A cohort on JupyterHub: each participant's own lessons, answers and assignments.

``gapkit hub --roster ROSTER.csv`` (`gapkit.cli.hub`) runs the course for a cohort on one machine (as root, like
The Littlest JupyterHub): JupyterHub with configurable-http-proxy, an account and a private home
folder per person (``jupyter-<id>``, mode 0700), passwords checked by FirstUseAuthenticator (the
roster's ``password`` column, or the first login sets it), and for each person their own server:

* **participants** land on the course home page. The lesson pages are served by standalone Voila
  (which refuses code sent from the browser) running in their own server, behind it through
  jupyter-server-proxy at ``/user/<id>/lessons/`` and reachable only with a token that server
  holds. Answers go to their own journal, ``~/course-work/reflections.json``; JupyterLab
  (``/user/<id>/lab``) has the Assignments tab, where ``nbgrader submit`` carries the
  assignment's graded answers from that journal (`gapkit.exchange`);
* **facilitators** get JupyterLab with formgrader on the shared course folder
  (``<state>/course``, laid out by `gapkit.course.init_course`) and a PostgreSQL gradebook: a
  throwaway local server the command starts (``--db-url`` to use another).

The settings come from ``course_config/hub.yaml`` (`HubSettings`): `configure_hub` applies them
to a JupyterHub configuration, and is what The Littlest JupyterHub's and zero-to-jupyterhub's
configurations call too (docs/deploying.md), so what the tests start is what is deployed.
"""
from __future__ import annotations

import csv
import dbm
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gapkit._ipc import TRANSPORT
from gapkit.journal import ENV_VARIABLE as JOURNAL_ENV

__all__ = ["SETTINGS_FILE", "HELM_VALUES_FILE", "HubError", "HubSettings", "Person", "load_settings",
           "read_roster", "course_tracks", "landing_url", "configure_hub", "configure_tljh", "singleuser_config", "helm_values",
           "helm_values_text", "write_user_configs", "prepare", "CourseSpawner", "LocalPostgres"]

SETTINGS_FILE = Path("course_config") / "hub.yaml"
HELM_VALUES_FILE = Path("course_config") / "zero-to-jupyterhub.yaml"
SETTINGS_SCHEMA = 1
ROLES = ("participant", "facilitator")
LESSONS_PREFIX = "lessons"  # /user/<id>/lessons/ is the participant's Voila
TRACK_ENV = "GAPKIT_TRACK"  # a person's track in their server (empty: the course's first track)
RUNTIME_DIR = ".jupyter/runtime"  # in a person's home: their server's connection files and kernels' sockets
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,22}$")
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([KMG])$")


class HubError(ValueError):
    """A hub setting, the roster or the machine is not usable; the message names the file, row and fix."""


# ---------------------------------------------------------------------------------------------
# Settings and roster
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HubSettings:
    """``course_config/hub.yaml``: the settings shared by every way the cohort's hub is deployed."""

    course_id: str
    exchange: str
    state: str
    account_prefix: str
    facilitators_group: str
    journal: str
    min_password_length: int
    preheat: tuple[str, ...]
    server_idle_minutes: int
    kernel_idle_minutes: int
    memory: str
    cpu: float

    def account(self, person_id: str) -> str:
        """The system account of a roster id (``jupyter-amorales``)."""
        return f"{self.account_prefix}{person_id}"

    @property
    def memory_bytes(self) -> int:
        number, unit = _SIZE.match(self.memory).groups()
        return int(float(number) * 1024 ** " KMG".index(unit))


def load_settings(root, path=None) -> HubSettings:
    """Read and check ``course_config/hub.yaml`` (or `path`)."""
    path = Path(path) if path is not None else Path(root) / SETTINGS_FILE
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HubError(f"{path}: file not found.") from None
    except yaml.YAMLError as exc:
        raise HubError(f"{where}: not valid YAML ({exc}).") from None
    if not isinstance(data, dict) or data.get("schema_version") != SETTINGS_SCHEMA:
        raise HubError(f"{where}: `schema_version` must be {SETTINGS_SCHEMA}.")

    def text(key, mapping=data, prefix=""):
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            raise HubError(f"{where}: `{prefix}{key}` must be non-empty text; got {value!r}.")
        return value.strip()

    def number(key, mapping, prefix, kind=int, minimum=0):
        value = mapping.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum \
                or (kind is int and not isinstance(value, int)):
            raise HubError(f"{where}: `{prefix}{key}` must be a {'whole ' if kind is int else ''}number of at "
                           f"least {minimum}; got {value!r}.")
        return kind(value)

    lessons, cull, limits = (data.get(k) or {} for k in ("lessons", "cull", "limits"))
    preheat = lessons.get("preheat") or []
    if not isinstance(preheat, list) or not all(isinstance(p, str) and p.endswith(".ipynb") for p in preheat):
        raise HubError(f"{where}: `lessons.preheat` must be a list of lesson notebook names; got {preheat!r}.")
    memory = text("memory", limits, "limits.")
    if not _SIZE.match(memory):
        raise HubError(f"{where}: `limits.memory` ({memory!r}) must be a size like 600M or 1G.")
    for key in ("exchange", "state"):
        if not text(key).startswith("/"):
            raise HubError(f"{where}: `{key}` must be an absolute path; got {data[key]!r}.")
    prefix = data.get("account_prefix", "")
    if not isinstance(prefix, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", prefix or "x"):
        raise HubError(f"{where}: `account_prefix` ({prefix!r}) must be lower-case letters, digits, '-' or '_'.")
    return HubSettings(
        course_id=text("course_id"), exchange=text("exchange"), state=text("state"), account_prefix=prefix,
        facilitators_group=text("facilitators_group"), journal=text("journal"),
        min_password_length=number("min_password_length", data, "", minimum=1),
        preheat=tuple(preheat),
        server_idle_minutes=number("server_idle_minutes", cull, "cull.", minimum=1),
        kernel_idle_minutes=number("kernel_idle_minutes", cull, "cull.", minimum=1),
        memory=memory, cpu=number("cpu", limits, "limits.", kind=float, minimum=0.1))


@dataclass(frozen=True)
class Person:
    """One row of the roster: nbgrader's student columns, the role and an optional initial password."""

    id: str
    first_name: str
    last_name: str
    email: str
    role: str
    password: str = field(default="", repr=False)
    track: str = ""  # the participant's track id; empty for the course's first track

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator"


def read_roster(path, *, min_password_length: int = 8, tracks=None) -> tuple[Person, ...]:
    """The cohort's roster: ``id,first_name,last_name,email,role[,password][,track]`` (nbgrader's columns and more).

    `tracks` lists the course's track ids; a participant's ``track`` (empty: the first track) must be one.

    Raises
    ------
    HubError
        The file, the row and the column of the first problem, and what is allowed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HubError(f"{path}: roster file not found.") from None
    except UnicodeDecodeError as exc:
        raise HubError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV.") from None
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in ("id", "first_name", "last_name", "email", "role") if c not in columns]
    if missing:
        raise HubError(f"{path.name}: missing column(s) {', '.join(missing)}; the roster needs "
                       "id,first_name,last_name,email,role and may have password.")
    people, seen = [], {}
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        where = f"{path.name}, row {line}"
        if not any(row.values()):
            continue
        pid = row["id"]
        if not _ID.match(pid):
            raise HubError(f"{where}, column id: {pid!r} must start with a lower-case letter and have at most 23 "
                           "lower-case letters, digits, '-' or '_' (it becomes the login and account name).")
        if pid in seen:
            raise HubError(f"{where}, column id: {pid!r} is already on row {seen[pid]}.")
        seen[pid] = line
        role = row["role"].lower() or "participant"
        if role not in ROLES:
            raise HubError(f"{where}, column role: {row['role']!r} not recognized; must be 'participant' or "
                           "'facilitator'.")
        password = row.get("password", "")
        if password and len(password) < min_password_length:
            raise HubError(f"{where}, column password: the password of {pid!r} is shorter than "
                           f"{min_password_length} characters.")
        track = row.get("track", "")
        if track and tracks is not None and track not in tracks:
            raise HubError(f"{where}, column track: {track!r} is not a track of this course; use one of "
                           f"{', '.join(map(repr, tracks))} (or leave it empty for {tracks[0]!r}).")
        people.append(Person(pid, row["first_name"], row["last_name"], row["email"], role, password, track))
    if not people:
        raise HubError(f"{path.name}: the roster has no one in it.")
    if not any(p.is_facilitator for p in people):
        raise HubError(f"{path.name}: no row has role 'facilitator'; the cohort needs someone to grade.")
    return tuple(people)


# ---------------------------------------------------------------------------------------------
# JupyterHub configuration (shared by every deployment)
# ---------------------------------------------------------------------------------------------

def course_tracks(root) -> tuple[str, ...]:
    """The course's track ids, the first (a roster's default) first."""
    from gapkit.content import load_course

    return tuple(t.id for t in load_course(root).tracks)


def _track_folder(track: str, tracks) -> str:
    """A track's folder under the lesson pages: the first track at the top (as `gapkit.widgets.lesson.track_folder`)."""
    return "" if not track or track == tracks[0] else track


def landing_url(person: Person, tracks) -> str:
    """Where a person lands after logging in: a participant on their track's home page, a facilitator in JupyterLab."""
    from gapkit.serve import HOME_NOTEBOOK

    if person.is_facilitator:
        return "/lab"
    folder = _track_folder(person.track, tracks)
    return f"/{LESSONS_PREFIX}/voila/render/{folder + '/' if folder else ''}{HOME_NOTEBOOK}"


def user_environment(settings: HubSettings, person: Person, *, home: str, config_dir: str, db_url: str | None,
                     root: str, tracks) -> dict:
    """The environment of a person's server: their journal, track, the exchange, their role's configuration.

    Its kernels' connection files and unix sockets go in ``~/.jupyter/runtime``: Jupyter's default,
    ``~/.local/share/jupyter/runtime``, is too long for a socket's path under a long account name.
    """
    env = {
        JOURNAL_ENV: f"{home}/{settings.journal}",
        TRACK_ENV: person.track or tracks[0],
        "JUPYTER_CONFIG_PATH": f"{config_dir}/{person.role}",
        "JUPYTER_RUNTIME_DIR": f"{home}/{RUNTIME_DIR}",
        "GAPKIT_ROOT": root,
        "GAPKIT_COURSE_ID": settings.course_id,
        "GAPKIT_NBGRADER_EXCHANGE": settings.exchange,
    }
    if person.is_facilitator and db_url:
        env["GAPKIT_NBGRADER_DB_URL"] = db_url
    return env


def configure_hub(c, settings: HubSettings, roster, *, root, state=None, db_url: str | None = None,
                  config_dir: str | None = None, home: str | None = None, culler: bool = True,
                  manage_accounts: bool = False, spawner_env: dict | None = None) -> None:
    """Apply the course's hub settings to a JupyterHub configuration `c` (every deployment calls this).

    Sets the authenticator (FirstUseAuthenticator: only roster ids may log in, facilitators are
    admins), each person's default page and environment, server culling (the
    jupyterhub-idle-culler service, unless `culler` is false because the deployment runs its
    own) and the memory and CPU limits. The spawner is the deployment's: `configure_local` adds
    the one for a single machine.

    Parameters
    ----------
    root : path-like
        Where the course kit is installed, as the single-user servers see it.
    state : path-like, optional
        The hub's folder (default: the settings' ``state``).
    db_url : str, optional
        The gradebook, given to facilitators' servers.
    config_dir : str, optional
        Where the roles' Jupyter configuration folders are (`write_user_configs`; default ``<state>/jupyter``).
    home : str, optional
        Every person's home folder in their server (``/home/jovyan`` on Kubernetes); default: their account's.
    culler : bool
        Run jupyterhub-idle-culler as a hub service (zero-to-jupyterhub and TLJH run their own).
    manage_accounts : bool
        Before each spawn, make sure the person's account, home folder (0700), journal folder and
        exchange folder are right (needs the hub to run as root on the machine of the servers).
    """
    state = str(state or settings.state)
    root = str(root)
    config_dir = config_dir or f"{state}/jupyter"
    people = {p.id: p for p in roster}
    c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
    c.FirstUseAuthenticator.dbm_path = f"{state}/passwords.dbm"
    c.FirstUseAuthenticator.create_users = False
    c.FirstUseAuthenticator.min_password_length = settings.min_password_length
    c.Authenticator.allowed_users = set(people)
    c.Authenticator.admin_users = {p.id for p in roster if p.is_facilitator}
    c.JupyterHub.admin_access = False  # facilitators grade submissions; they never open a participant's server
    c.Spawner.mem_limit = settings.memory
    c.Spawner.cpu_limit = settings.cpu
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180
    tracks = course_tracks(root)
    extra_env = dict(spawner_env or {})

    def pre_spawn(spawner):
        person = people[spawner.user.name]
        spawner.default_url = landing_url(person, tracks)
        spawner.environment.update(extra_env)
        spawner.environment.update(user_environment(
            settings, person, home=home or _home_of(settings.account(person.id)), config_dir=config_dir,
            db_url=db_url, root=root, tracks=tracks))
        if manage_accounts:
            prepare_person(settings, person, facilitators=[p for p in roster if p.is_facilitator])

    c.Spawner.pre_spawn_hook = pre_spawn
    if not culler:
        return
    minutes = settings.server_idle_minutes
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={minutes * 60}",
                    "--cull-every=60"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler", "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    }]


def _home_of(account: str) -> str:
    try:
        return pwd.getpwnam(account).pw_dir
    except KeyError:
        return f"/home/{account}"


def singleuser_config(c, *, root, state, settings: HubSettings | None = None) -> None:
    """Settings of a person's own server (its ``jupyter_server_config.py`` calls this).

    Adds the lesson pages at ``/lessons/``: standalone Voila on a loopback port, started on first
    use by jupyter-server-proxy and reached only through this server, which adds a token that
    only it and that Voila know (another account on the machine cannot read the pages). Idle
    kernels are culled, and kernels listen on unix sockets (in ``$JUPYTER_RUNTIME_DIR``, which
    `user_environment` sets), not on TCP ports that another process could take first. Voila reads the course's settings (``course_config``: its template among them)
    and those of the person's track (``<state>/voila/<track>``: which pages are preheated).
    """
    from gapkit.serve import LESSONS_DIR, VOILA_CONFIG_DIR

    settings = settings or load_settings(root)
    root, state = Path(root), Path(state)
    track = os.environ.get(TRACK_ENV) or course_tracks(root)[0]
    token = secrets.token_urlsafe(24)
    c.ServerProxy.servers = {
        LESSONS_PREFIX: {
            "command": [sys.executable, "-m", "gapkit.cli.launch", "voila", str(root / LESSONS_DIR), "--port={port}",
                        "--no-browser", "--Voila.ip=127.0.0.1", "--Voila.base_url={base_url}" + f"{LESSONS_PREFIX}/",
                        "--Voila.config_file_paths=" + json.dumps([str(root / VOILA_CONFIG_DIR),
                                                                   str(state / "voila" / track)])],
            "environment": {"GAPKIT_VOILA_TOKEN": token},
            "request_headers_override": {"Authorization": f"token {token}"},
            "absolute_url": True,
            "timeout": 120,
            "launcher_entry": {"title": "Course lessons"},
            "new_browser_tab": False,
        }
    }
    c.MappingKernelManager.cull_idle_timeout = settings.kernel_idle_minutes * 60
    c.MappingKernelManager.cull_interval = 60
    # JupyterLab's kernels on unix sockets too (`gapkit._ipc`); Voila's get it from course_config/voila.py.
    c.KernelManager.transport = TRANSPORT


def voila_hub_config(settings: HubSettings, root, track: str, tracks) -> str:
    """The Voila configuration (``voila.py``) added for the lesson pages of a person on `track`."""
    from gapkit.serve import LESSONS_DIR

    lessons = Path(root) / LESSONS_DIR
    folder = _track_folder(track, tracks)
    warm = {f"{folder}/{name}" if folder else name for name in settings.preheat}
    names = sorted(p.relative_to(lessons).as_posix() for p in lessons.rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
    # Voila tries each entry on every notebook's full path, as a substring and as a regular expression
    # (re.match): anchored on the lessons folder, an entry matches one page only, in any track.
    cold = [f"^(.*/)?{re.escape(lessons.name)}/{re.escape(n)}$" for n in names if n not in warm]
    return ("# Written by `gapkit hub`: the lesson pages of one person's server.\n"
            "import os\n\n"
            "c = get_config()  # noqa: F821\n"
            "# Only the server that started this Voila knows the token (jupyter-server-proxy adds it).\n"
            "c.Voila.token = os.environ['GAPKIT_VOILA_TOKEN']\n"
            f"# Preheat only the pages in course_config/hub.yaml (lessons.preheat) of the track {track!r}.\n"
            f"c.VoilaKernelManager.preheat_denylist = {cold!r}\n"
            "# A page's kernel is stopped when the page is left; one left running (the page could not say so,\n"
            "# or the participant left while an answer was being saved) is stopped once idle. Voila never\n"
            "# culls its preheated kernels.\n"
            f"c.MappingKernelManager.cull_idle_timeout = {settings.kernel_idle_minutes * 60}\n"
            "c.MappingKernelManager.cull_interval = 60\n")


def _course_spawner():
    from jupyterhub.spawner import LocalProcessSpawner
    from traitlets import Unicode

    class CourseSpawner(LocalProcessSpawner):
        """LocalProcessSpawner whose server runs as the person's account, ``<prefix><hub user name>``."""

        account_prefix = Unicode("jupyter-", help="Prefix of each person's system account.").tag(config=True)

        @property
        def account(self) -> str:
            return f"{self.account_prefix}{self.user.name}"

        def make_preexec_fn(self, name):
            become = super().make_preexec_fn(self.account)

            def preexec():
                os.umask(0o022)  # the hub itself runs with 077
                become()
            return preexec

        def user_env(self, env):
            user = pwd.getpwnam(self.account)
            env.update(USER=self.account, HOME=user.pw_dir, SHELL=user.pw_shell or "/bin/bash")
            return env

    return CourseSpawner


def __getattr__(name):
    if name == "CourseSpawner":
        return _course_spawner()
    raise AttributeError(name)


def _from_runtime(c, runtime: dict) -> HubSettings:
    """`configure_hub` with what `prepare` wrote (``<state>/runtime.json``); returns the settings used."""
    root, state = Path(runtime["root"]), Path(runtime["state"])
    settings = load_settings(root, runtime.get("settings"))
    settings = HubSettings(**{**settings.__dict__, "exchange": runtime["exchange"], "state": str(state)})
    roster = read_roster(runtime["roster"], min_password_length=settings.min_password_length,
                         tracks=course_tracks(runtime["root"]))
    bin_dir = Path(sys.executable).parent
    configure_hub(c, settings, roster, root=root, state=state, db_url=runtime.get("db_url"), manage_accounts=True,
                  spawner_env={"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"})
    return settings


def configure_tljh(c, state="/srv/gapkit") -> None:
    """The course on The Littlest JupyterHub: its spawner and proxy, the course's settings.

    For ``/opt/tljh/config/jupyterhub_config.d/gapkit.py`` after ``gapkit hub --prepare-only``
    (docs/deploying.md). TLJH makes the same ``jupyter-<id>`` accounts and runs them with systemd,
    which enforces the memory and CPU limits.
    """
    _from_runtime(c, json.loads((Path(state) / "runtime.json").read_text()))


def configure_local(c, runtime: dict) -> None:
    """The hub on this machine (``gapkit hub``): `configure_hub` plus ports, proxy and the local spawner."""
    state = Path(runtime["state"])
    settings = _from_runtime(c, runtime)
    c.JupyterHub.ip = runtime["ip"]
    c.JupyterHub.port = runtime["port"]
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = runtime["hub_port"]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{runtime['proxy_api_port']}"
    c.ConfigurableHTTPProxy.command = [runtime["proxy"]]
    c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.spawner_class = _course_spawner()
    c.CourseSpawner.account_prefix = settings.account_prefix
    c.Spawner.cmd = [sys.executable, "-m", "gapkit.cli.launch", "singleuser"]
    c.Spawner.notebook_dir = "~"
    # Stop servers (and the culler service) promptly when the hub stops.
    c.LocalProcessSpawner.interrupt_timeout = 3
    c.LocalProcessSpawner.term_timeout = 5


# ---------------------------------------------------------------------------------------------
# Accounts, folders, passwords (as root, on one machine)
# ---------------------------------------------------------------------------------------------

def _run(*cmd):
    done = subprocess.run(list(cmd), capture_output=True, text=True)
    if done.returncode != 0:
        raise HubError(f"`{' '.join(cmd)}` failed: {done.stderr.strip() or done.stdout.strip()}")


def ensure_group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run("groupadd", "--system", name)
        return grp.getgrnam(name).gr_gid


def ensure_account(account: str) -> pwd.struct_passwd:
    """The system account, made when missing (no password: people log in through the hub), home folder 0700."""
    try:
        user = pwd.getpwnam(account)
    except KeyError:
        try:  # the account's own group may outlive an earlier account of the same name
            group = ["--gid", str(grp.getgrnam(account).gr_gid)]
        except KeyError:
            group = ["--user-group"]
        _run("useradd", "--create-home", "--shell", "/bin/bash", *group, account)
        user = pwd.getpwnam(account)
    home = Path(user.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, user.pw_uid, user.pw_gid)
    os.chmod(home, 0o700)
    return user


def prepare_person(settings: HubSettings, person: Person, *, facilitators=()) -> None:
    """A person's account, home, journal folder and exchange folder; facilitators join the right groups."""
    from gapkit.exchange import prepare_exchange

    user = ensure_account(settings.account(person.id))
    journal_dir = Path(user.pw_dir) / Path(settings.journal).parent
    if not journal_dir.exists():
        journal_dir.mkdir(parents=True)
        os.chown(journal_dir, user.pw_uid, user.pw_gid)
    if person.is_facilitator:
        _run("usermod", "--append", "--groups", settings.facilitators_group, settings.account(person.id))
        # formgrader works only on a course folder inside the server's own folder: ~/course leads to the shared one.
        link = Path(user.pw_dir) / "course"
        if not link.is_symlink():
            link.symlink_to(Path(settings.state) / "course")
            os.lchown(link, user.pw_uid, user.pw_gid)
    else:
        prepare_exchange(settings.exchange, settings.course_id, facilitators_group=settings.facilitators_group,
                         participants=[(person.id, settings.account(person.id))])
        # Facilitators give each feedback file to its participant's own group (gapkit.exchange).
        members = grp.getgrnam(settings.account(person.id)).gr_mem
        missing = [settings.account(f.id) for f in facilitators if settings.account(f.id) not in members]
        if missing:
            _run("gpasswd", "--members", ",".join([*members, *missing]), settings.account(person.id))


def seed_passwords(path, roster) -> list[str]:
    """Store the roster's initial passwords (bcrypt hashes, as FirstUseAuthenticator does) for people with none yet."""
    import bcrypt

    seeded = []
    with dbm.open(str(path), "c", 0o600) as db:
        for person in roster:
            if person.password and person.id.encode() not in db:
                db[person.id] = bcrypt.hashpw(person.password.encode("utf-8"), bcrypt.gensalt())
                seeded.append(person.id)
    return seeded


def _readable_by_others(path: Path) -> Path | None:
    """The first folder on the way to `path` that other accounts cannot pass through, or None."""
    for folder in [*reversed(path.resolve().parents), path.resolve()]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH or (folder == path.resolve() and not mode & stat.S_IROTH):
            return folder
    return None


def prepare_course_folder(settings: HubSettings, roster, *, root, state: Path, db_url: str) -> Path:
    """The shared course folder (``<state>/course``) for the facilitators, with the participants in the gradebook."""
    from nbgrader.api import Gradebook

    from gapkit.course import CONFIG_FILE, init_course

    course = state / "course"
    gid = grp.getgrnam(settings.facilitators_group).gr_gid
    init_course(course, root=root)
    shutil.copyfile(Path(root) / CONFIG_FILE, course / CONFIG_FILE.name)  # always the kit's current one
    for path in [course, *course.rglob("*")]:
        os.chown(path, 0, gid, follow_symlinks=False)
        os.chmod(path, (0o2770 if path.is_dir() else 0o660))
    with Gradebook(db_url, settings.course_id) as gb:
        for person in roster:
            if not person.is_facilitator:
                gb.update_or_create_student(person.id, first_name=person.first_name, last_name=person.last_name,
                                            email=person.email)
    return course


def write_user_configs(settings: HubSettings, *, root, state: Path, course: Path) -> None:
    """Each role's Jupyter configuration folder (``$JUPYTER_CONFIG_PATH`` of their servers) and Voila's."""
    from gapkit.exchange import factory_config

    factory = "".join(f"c.ExchangeFactory.{k} = {v!r}\n" for k, v in factory_config().items())
    server = ("# Written by `gapkit hub`.\n"
              "from gapkit.hub import singleuser_config\n\n"
              f"singleuser_config(get_config(), root={str(root)!r}, state={str(state)!r})  # noqa: F821\n")
    files = {
        "jupyter/participant/jupyter_server_config.py": server,
        "jupyter/participant/nbgrader_config.py": (
            "# Written by `gapkit hub`: a participant's nbgrader settings.\n"
            "c = get_config()  # noqa: F821\n"
            f"c.Exchange.root = {settings.exchange!r}\n"
            f"c.CourseDirectory.course_id = {settings.course_id!r}\n" + factory),
        "jupyter/facilitator/jupyter_server_config.py": server,
        "jupyter/facilitator/nbgrader_config.py": (
            "# Written by `gapkit hub`: the facilitators' nbgrader settings are the shared course folder's.\n"
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(course / 'nbgrader_config.py')!r})  # noqa: F821\n"
            "# Several facilitators work in one course folder; formgrader reaches it through ~/course.\n"
            "import os\n"
            "c.CourseDirectory.root = os.path.expanduser('~/course')\n"
            "c.CourseDirectory.groupshared = True\n"),
    }
    tracks = course_tracks(root)
    for track in tracks:
        files[f"voila/{track}/voila.py"] = voila_hub_config(settings, root, track, tracks)
    for name, text in files.items():
        path = state / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for part in (path, *path.parents):
            if part == state:
                break
            os.chmod(part, 0o755 if part.is_dir() else 0o644)


# ---------------------------------------------------------------------------------------------
# A throwaway PostgreSQL server for the gradebook
# ---------------------------------------------------------------------------------------------

class LocalPostgres:
    """A PostgreSQL server of the hub's own in ``<state>/postgres`` on a loopback port, with a password.

    Made with ``initdb`` and ``pg_ctl`` as the ``postgres`` account (PostgreSQL refuses to run as
    root). Only the role ``grader`` with its generated password may reach the ``gradebook``
    database over TCP, so participants on the same machine cannot.
    """

    def __init__(self, folder, *, port: int):
        self.folder = Path(folder)
        self.port = port
        self.password_file = self.folder / "grader.password"

    @staticmethod
    def binaries() -> Path | None:
        import glob

        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if found:
            return Path(found[-1]).parent
        initdb = shutil.which("initdb")
        return Path(initdb).parent if initdb else None

    def _as_postgres(self, *cmd, check=True):
        done = subprocess.run(["runuser", "-u", "postgres", "--", *map(str, cmd)], capture_output=True, text=True,
                              timeout=180)
        if check and done.returncode != 0:
            raise HubError(f"PostgreSQL: `{' '.join(map(str, cmd))}` failed:\n{done.stderr or done.stdout}")
        return done

    @property
    def url(self) -> str:
        return f"postgresql://grader:{self.password_file.read_text().strip()}@127.0.0.1:{self.port}/gradebook"

    def start(self) -> str:
        pg = self.binaries()
        if pg is None:
            raise HubError("PostgreSQL is not installed (apt-get install postgresql), and no --db-url was given.")
        user = pwd.getpwnam("postgres")
        data = self.folder / "data"
        fresh = not data.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chown(self.folder, user.pw_uid, user.pw_gid)
        os.chmod(self.folder, 0o700)
        if fresh:
            self._as_postgres(pg / "initdb", "-D", data, "--auth-local=peer", "--auth-host=scram-sha-256",
                              "--username=postgres", "--encoding=UTF8")
        self._as_postgres(pg / "pg_ctl", "-D", data, "-l", self.folder / "server.log", "-w", "-t", "120", "start",
                          "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1")
        if fresh:
            password = secrets.token_urlsafe(24)
            sql = (f"CREATE ROLE grader LOGIN PASSWORD '{password}'; "
                   "CREATE DATABASE gradebook OWNER grader;")
            for statement in sql.split("; "):
                self._as_postgres(pg / "psql", "-h", self.folder, "-p", self.port, "-U", "postgres", "-d",
                                  "postgres", "-v", "ON_ERROR_STOP=1", "-c", statement.rstrip(";"))
            self.password_file.write_text(password + "\n")
            os.chmod(self.password_file, 0o600)
        return self.url

    def stop(self) -> None:
        pg = self.binaries()
        if pg is not None and (self.folder / "data").exists():
            self._as_postgres(pg / "pg_ctl", "-D", self.folder / "data", "-m", "fast", "-w", "stop", check=False)


# ---------------------------------------------------------------------------------------------
# zero-to-jupyterhub values, generated from the same settings
# ---------------------------------------------------------------------------------------------

def helm_values(settings: HubSettings) -> dict:
    """zero-to-jupyterhub values for the course (``course_config/zero-to-jupyterhub.yaml``).

    The hub's ``extraConfig`` calls `configure_hub` with ``hub.yaml`` and the roster, mounted
    from ConfigMaps; the limits, culling and the exchange's shared volume come from the settings.
    """
    exchange = settings.exchange
    course = settings.course_id
    volume = {"name": "exchange", "persistentVolumeClaim": {"claimName": "gapkit-exchange"}}
    return {
        "hub": {
            "image": {"name": "ghcr.io/OWNER/gapkit-hub", "tag": "REPLACE"},
            "extraVolumes": [{"name": "gapkit-config", "configMap": {"name": "gapkit-config"}}],
            "extraVolumeMounts": [{"name": "gapkit-config", "mountPath": "/etc/gapkit", "readOnly": True}],
            "extraConfig": {"gapkit": (
                "import os\n"
                "from gapkit.hub import configure_hub, course_tracks, load_settings, read_roster\n"
                "settings = load_settings('/srv/course-kit', '/etc/gapkit/hub.yaml')\n"
                "roster = read_roster('/etc/gapkit/roster.csv', min_password_length=settings.min_password_length,\n"
                "                     tracks=course_tracks('/srv/course-kit'))\n"
                "# zero-to-jupyterhub culls idle servers itself (cull: below).\n"
                "configure_hub(c, settings, roster, root='/srv/course-kit', state='/srv/jupyterhub',\n"
                "              config_dir='/srv/gapkit/jupyter', home='/home/jovyan', culler=False,\n"
                "              db_url=os.environ.get('GAPKIT_NBGRADER_DB_URL'))\n")},
            "extraEnv": {"GAPKIT_NBGRADER_DB_URL": {"valueFrom": {"secretKeyRef": {
                "name": "gapkit-gradebook", "key": "url"}}}},
        },
        "singleuser": {
            "image": {"name": "ghcr.io/OWNER/gapkit-course", "tag": "REPLACE"},
            "memory": {"limit": settings.memory, "guarantee": settings.memory},
            "cpu": {"limit": settings.cpu},
            # The first track's home; each participant's own track's home is set before their server starts.
            "defaultUrl": landing_url(Person("", "", "", "", "participant"), ("",)),
            "storage": {
                "extraVolumes": [volume],
                # Each participant's pod sees the released assignments, its own inbound folder and
                # the feedback folder; one pod never mounts another participant's inbound folder.
                "extraVolumeMounts": [
                    {"name": "exchange", "mountPath": f"{exchange}/{course}/outbound",
                     "subPath": f"{course}/outbound", "readOnly": True},
                    {"name": "exchange", "mountPath": f"{exchange}/{course}/inbound/{{username}}",
                     "subPath": f"{course}/inbound/{{username}}"},
                    {"name": "exchange", "mountPath": f"{exchange}/{course}/feedback",
                     "subPath": f"{course}/feedback", "readOnly": True},
                ],
            },
        },
        "cull": {"enabled": True, "timeout": settings.server_idle_minutes * 60, "every": 60},
        "proxy": {"https": {"enabled": True, "type": "letsencrypt",
                            "letsencrypt": {"contactEmail": "REPLACE@example.org"}}},
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the hub's Python) as readable literal blocks."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def helm_values_text(settings: HubSettings) -> str:
    return ("# zero-to-jupyterhub values for the course, generated from course_config/hub.yaml by\n"
            "# `gapkit hub --helm-values course_config/zero-to-jupyterhub.yaml`; do not edit by hand.\n"
            "# Replace OWNER, REPLACE and the e-mail, then follow docs/deploying.md.\n"
            + yaml.dump(helm_values(settings), Dumper=_Dumper, sort_keys=False, width=110))


# ---------------------------------------------------------------------------------------------
# Everything before JupyterHub starts (``gapkit hub``, gapkit.cli.hub)
# ---------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(args, root: Path) -> dict:
    """Everything `gapkit hub` does before JupyterHub starts; returns the runtime settings.

    `args` holds the command's options (``roster``, ``settings``, ``state``, ``exchange``,
    ``db_url``, ``ip``, ``port``). Raises `HubError` for anything the facilitator must fix.
    """
    # nbgrader runs `alembic` from PATH, which `sudo .venv/bin/gapkit hub` does not include.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    settings = load_settings(root, args.settings)
    if args.roster is None:
        raise HubError("`--roster` is required: the cohort's CSV (course_config/roster.example.csv shows it).")
    roster = read_roster(args.roster, min_password_length=settings.min_password_length, tracks=course_tracks(root))
    state = Path(args.state or settings.state).resolve()
    exchange = str(Path(args.exchange or settings.exchange).resolve())
    settings = HubSettings(**{**settings.__dict__, "exchange": exchange, "state": str(state)})
    proxy = shutil.which("configurable-http-proxy")
    if proxy is None:
        raise HubError("configurable-http-proxy is not installed: `npm install -g configurable-http-proxy`.")
    for needed in (Path(sys.executable), root):
        blocked = _readable_by_others(needed)
        if blocked is not None:
            raise HubError(f"Participants' servers run as their own accounts and cannot reach {needed}: {blocked} "
                           f"is not open to other accounts. Install the kit where all can read it (e.g. /opt), "
                           f"or run `chmod o+rx {blocked}`.")
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o711)
    for needed in (state, Path(exchange).parent):
        blocked = _readable_by_others(needed)
        if blocked is not None and blocked != needed:
            raise HubError(f"Participants' servers read {needed}, but {blocked} is not open to other accounts: "
                           f"choose a folder they can reach (the default is {settings.state}).")
    ensure_group(settings.facilitators_group)
    facilitators = [p for p in roster if p.is_facilitator]
    for person in sorted(roster, key=lambda p: not p.is_facilitator):
        prepare_person(settings, person, facilitators=facilitators)
    postgres = None
    db_url = args.db_url
    if db_url is None:
        postgres = LocalPostgres(state / "postgres", port=_free_port())
        db_url = postgres.start()
    course = prepare_course_folder(settings, roster, root=root, state=state, db_url=db_url)
    write_user_configs(settings, root=root, state=state, course=course)
    seed_passwords(state / "passwords.dbm", roster)
    runtime = {"root": str(root), "state": str(state), "exchange": exchange, "roster": str(Path(args.roster).resolve()),
               "settings": str(Path(args.settings).resolve()) if args.settings else None,
               "ip": args.ip, "port": args.port, "hub_port": _free_port(), "proxy_api_port": _free_port(),
               "proxy": proxy, "db_url": db_url}
    runtime_file = state / "runtime.json"
    runtime_file.write_text(json.dumps(runtime, indent=1))
    os.chmod(runtime_file, 0o600)
    (state / "jupyterhub_config.py").write_text(
        "# Written by `gapkit hub`.\nimport json\n\nfrom gapkit.hub import configure_local\n\n"
        f"configure_local(c, json.load(open({str(runtime_file)!r})))  # noqa: F821\n")
    return {"runtime": runtime, "postgres": postgres, "roster": roster, "settings": settings, "course": course}
