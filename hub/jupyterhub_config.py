"""JupyterHub for one course: an instructor, a cohort of learners, nbgrader's exchange.

Run from the repository:  .venv/bin/jupyterhub -f hub/jupyterhub_config.py  (as root; see README,
"Cohort on JupyterHub"). Everything site-specific comes from environment variables, so the same file
serves the loopback test (tests/test_hub.py) and a real single-machine deployment:

    COURSE_HUB_INSTRUCTOR   Unix user name of the instructor                    (default: instructor)
    COURSE_HUB_LEARNERS     comma-separated Unix user names of the learners     (required)
    COURSE_HUB_COURSE_ID    nbgrader course id                                  (default: params-hyperparams)
    COURSE_HUB_EXCHANGE     nbgrader's exchange, a folder shared by all users   (default: /srv/nbgrader/exchange)
    COURSE_HUB_COURSE_DIR   the instructor's nbgrader course folder             (default: ~instructor/course)
    COURSE_HUB_STATE        hub database, cookie secret, proxy pid              (default: /srv/course-hub)
    COURSE_HUB_IP/_PORT     where the proxy listens                             (default: 127.0.0.1:8000)
    COURSE_HUB_HUB_PORT, COURSE_HUB_PROXY_API_PORT                              (default: 8081, 8001)
    COURSE_HUB_SERVICE_TOKEN  optional: a token for an automation service (the test's admin client)

Authentication is PAM (JupyterHub's local authenticator: the users' Unix passwords); servers are
local processes started as each user by hub/spawn-as-user (LocalProcessSpawner).
"""

import os
import pwd
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

HUB = Path(__file__).resolve().parent
REPO = HUB.parent
VENV_BIN = REPO / ".venv" / "bin"

INSTRUCTOR = os.environ.get("COURSE_HUB_INSTRUCTOR", "instructor")
LEARNERS = sorted(u.strip() for u in os.environ.get("COURSE_HUB_LEARNERS", "").split(",") if u.strip())
COURSE_ID = os.environ.get("COURSE_HUB_COURSE_ID", "params-hyperparams")
EXCHANGE = os.environ.get("COURSE_HUB_EXCHANGE", "/srv/nbgrader/exchange")
STATE = Path(os.environ.get("COURSE_HUB_STATE", "/srv/course-hub"))
STATE.mkdir(mode=0o700, parents=True, exist_ok=True)


def course_dir() -> str:
    return os.environ.get("COURSE_HUB_COURSE_DIR") or os.path.join(pwd.getpwnam(INSTRUCTOR).pw_dir, "course")


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose command drops privileges itself (hub/spawn-as-user) so that the
    server can reach the course's Python; the instructor and the learners get different Jupyter
    configuration (formgrader versus the assignment list)."""

    def role(self) -> str:
        return "instructor" if self.user.name == INSTRUCTOR else "learner"

    def make_preexec_fn(self, name):
        home = pwd.getpwnam(name).pw_dir

        def enter_home():  # privileges are dropped by spawn-as-user, after its mounts
            os.chdir(home)

        return enter_home

    def get_env(self):
        env = super().get_env()
        env.update(
            PATH=f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
            JUPYTER_CONFIG_PATH=str(HUB / "jupyter" / self.role()),
            COURSE_HUB_COURSE_ID=COURSE_ID,
            COURSE_HUB_EXCHANGE=EXCHANGE,
            COURSE_HUB_COURSE_DIR=course_dir() if self.role() == "instructor" else "",
            COURSE_REPO=str(REPO),
        )
        return env

    async def start(self):
        if self.role() == "instructor":  # nbgrader's course folder: collected work, feedback, gradebook
            folder = Path(course_dir())
            if not folder.exists():
                entry = pwd.getpwnam(self.user.name)
                folder.mkdir(mode=0o700, parents=True)
                os.chown(folder, entry.pw_uid, entry.pw_gid)
        self.cmd = ["/bin/bash", str(HUB / "spawn-as-user"), self.user.name, self.role(),
                    str(VENV_BIN / "jupyterhub-singleuser")]
        return await super().start()


# The proxy: configurable-http-proxy from npm, installed into hub/.proxy by `make hub-proxy`.
c.ConfigurableHTTPProxy.command = [str(HUB / ".proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PROXY_API_PORT', '8001')}"
c.JupyterHub.ip = os.environ.get("COURSE_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_HUB_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# Who may log in: the instructor and the cohort, as Unix users (PAM).
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {INSTRUCTOR, *LEARNERS}
c.Authenticator.admin_users = set()  # the instructor teaches; the hub is run by root
c.LocalAuthenticator.create_system_users = False

c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.ip = "127.0.0.1"
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 90

# Optional automation (the end-to-end test; a course-admin script): a service with admin rights
# over users and servers. Leave COURSE_HUB_SERVICE_TOKEN unset on a real hub unless you need it.
if os.environ.get("COURSE_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "course-admin", "api_token": os.environ["COURSE_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "course-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "list:users", "read:users"],
        "services": ["course-admin"],
    }]
