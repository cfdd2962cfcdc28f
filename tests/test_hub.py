"""A cohort on JupyterHub, end to end on loopback: hub/jupyterhub_config.py with a real hub, the
npm configurable-http-proxy, PAM users (real Unix users made here) and a local process per user.

A learner logs in with their Unix password (PAM; a wrong one is refused). Then, through the hub's
REST API and the users' own servers: the instructor releases module 00 from
formgrader; two learners fetch it with the assignment-list extension, one submits the solution
and one a wrong answer; the instructor collects (formgrader), grades with the course's grading
command (hub/grade_submissions.py run in a kernel of the instructor's server) and releases
feedback (formgrader); each learner fetches feedback, which must show the right score and no
hidden test. Learners' kernels then check that the exchange and the instructor's files are closed
to them. Every process started here is stopped by pid at the end, whatever happens; the Unix
users are removed.
"""

from __future__ import annotations

import asyncio
import csv
import html
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from notebook_tools import (
    fill,
    hidden_test_lines,
    read,
    release_path,
    solution_answers,
    source_path,
    wrong_answers,
)

REPO = Path(__file__).resolve().parent.parent
HUB = REPO / "hub"
PROXY = HUB / ".proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
ASSIGNMENT = "00_orientation"
COURSE = "params-hyperparams"
PREFIX = "chub-"  # every Unix user this test makes starts with it (and is removed at the end)
INSTRUCTOR, RIGHT, WRONG = f"{PREFIX}instructor", f"{PREFIX}learner1", f"{PREFIX}learner2"
USERS = (INSTRUCTOR, RIGHT, WRONG)

pytestmark = [
    pytest.mark.xdist_group("hub"),
    pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0,
                       reason="the hub test makes Unix users and spawns their servers: Linux, as root (as in CI)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remove_test_users() -> None:
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(PREFIX):
            kill_processes_of(entry.pw_uid)
            subprocess.run(["userdel", "--force", entry.pw_name], capture_output=True)
            subprocess.run(["groupdel", entry.pw_name], capture_output=True)


def pids_of_uid(uid: int) -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        match = re.search(r"^Uid:\s+(\d+)\s+(\d+)", text, re.M)
        if match and uid in (int(match[1]), int(match[2])):
            pids.append(int(status.parent.name))
    return pids


def kill_pid(pid: int, sig=signal.SIGTERM) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def kill_processes_of(uid: int) -> None:
    """Every process still running as one of the test's users (servers, kernels, graders), by pid."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = pids_of_uid(uid)
        for pid in pids:
            kill_pid(pid, sig)
        deadline = time.time() + 5
        while pids and time.time() < deadline and pids_of_uid(uid):
            time.sleep(0.2)


class Hub:
    """A running hub and what it needs; ``stop`` ends every process it started."""

    def __init__(self, base: Path):
        import requests

        self.base = base
        self.session = requests.Session()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = base / "state"
        self.exchange = base / "exchange"
        self.service_token = uuid.uuid4().hex
        self.tokens: dict[str, str] = {}
        self.process: subprocess.Popen | None = None
        self.log = base / "jupyterhub.log"

    # -- processes -------------------------------------------------------------------------
    def start(self) -> None:
        env = {
            **os.environ,
            "COURSE_HUB_INSTRUCTOR": INSTRUCTOR,
            "COURSE_HUB_LEARNERS": f"{RIGHT},{WRONG}",
            "COURSE_HUB_COURSE_ID": COURSE,
            "COURSE_HUB_EXCHANGE": str(self.exchange),
            "COURSE_HUB_STATE": str(self.state),
            "COURSE_HUB_PORT": str(self.port),
            "COURSE_HUB_HUB_PORT": str(free_port()),
            "COURSE_HUB_PROXY_API_PORT": str(free_port()),
            "COURSE_HUB_SERVICE_TOKEN": self.service_token,
            "PATH": f"{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        }
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(REPO / ".venv" / "bin" / "jupyterhub"), "-f", str(HUB / "jupyterhub_config.py")],
                cwd=self.state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.process.poll() is None, f"the hub exited:\n{self.log_tail()}"
            try:
                if self.session.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the hub did not answer within 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        proxy_pid_file = self.state / "proxy.pid"
        proxy_pid = int(proxy_pid_file.read_text()) if proxy_pid_file.exists() else None
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops user servers and the proxy
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if proxy_pid:
            kill_pid(proxy_pid, signal.SIGKILL)
        for user in USERS:
            try:
                kill_processes_of(pwd.getpwnam(user).pw_uid)
            except KeyError:
                pass

    def log_tail(self, n: int = 6000) -> str:
        return self.log.read_text()[-n:] if self.log.exists() else "(no log)"

    # -- REST ------------------------------------------------------------------------------
    def api(self, method: str, path: str, token: str | None = None, **kwargs):
        response = self.session.request(
            method, f"{self.url}{path}", timeout=kwargs.pop("timeout", 120),
            headers={"Authorization": f"token {token or self.service_token}"}, **kwargs,
        )
        assert response.ok, f"{method} {path}: {response.status_code} {response.text[:2000]}\n{self.log_tail(3000)}"
        return response.json() if response.content else None

    def start_server(self, user: str) -> None:
        self.api("POST", f"/hub/api/users/{user}/server")

    def wait_ready(self, user: str) -> None:
        deadline = time.time() + 120
        while time.time() < deadline:
            server = self.api("GET", f"/hub/api/users/{user}")["servers"].get("", {})
            if server.get("ready"):
                self.tokens[user] = self.api(
                    "POST", f"/hub/api/users/{user}/tokens", json={"note": "hub test", "expires_in": 900}
                )["token"]
                return
            time.sleep(0.5)
        raise AssertionError(f"{user}'s server did not start:\n{self.log_tail()}")

    def server(self, user: str, method: str, path: str, **kwargs):
        """A request to the user's own server, with the user's own token."""
        return self.api(method, f"/user/{user}{path}", token=self.tokens[user], **kwargs)

    def run_python(self, user: str, code: str, timeout: float = 240) -> str:
        """Execute code in a kernel of the user's server (as that user); returns its output."""
        kernel = self.server(user, "POST", "/api/kernels", json={"name": "python3"})
        try:
            return asyncio.run(self._execute(user, kernel["id"], code, timeout))
        finally:
            self.server(user, "DELETE", f"/api/kernels/{kernel['id']}")

    async def _execute(self, user: str, kernel_id: str, code: str, timeout: float) -> str:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        request = HTTPRequest(
            f"ws://127.0.0.1:{self.port}/user/{user}/api/kernels/{kernel_id}/channels",
            headers={"Authorization": f"token {self.tokens[user]}"},
        )
        ws = await websocket_connect(request)
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        output, error, done = [], None, False
        deadline = time.time() + timeout
        while not done:
            raw = await asyncio.wait_for(ws.read_message(), max(1, deadline - time.time()))
            assert raw is not None, "the kernel's websocket closed"
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "stream":
                output.append(message["content"]["text"])
            elif kind == "error":
                error = "\n".join(message["content"]["traceback"])
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                done = True
        ws.close()
        text = "".join(output)
        if error is not None:
            error = re.sub(r"\x1b\[[0-9;]*m", "", error)
        assert error is None, f"code failed in {user}'s kernel:\n{error}\n{text}"
        return text


def make_users(base: Path) -> None:
    remove_test_users()  # a crashed earlier run may have left some
    for user in USERS:
        home = base / "home" / user
        subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                        "--user-group", user], check=True, capture_output=True)
        home.chmod(0o700)  # as on any multi-user machine: nobody reads anyone's home


@pytest.fixture(scope="module")
def hub():
    if not PROXY.exists():
        pytest.fail(f"configurable-http-proxy is missing at {PROXY}: run `make hub-proxy` (make test does)")
    base = Path(tempfile.mkdtemp(prefix="course-hub-", dir="/tmp"))
    base.chmod(0o755)  # (pytest's tmp folders are 0700: the users must reach their homes)
    (base / "home").mkdir(mode=0o755)
    (base / "state").mkdir(mode=0o700)
    (base / "exchange").mkdir()
    (base / "exchange").chmod(0o777)  # nbgrader's shared exchange (nbgrader docs: ugo+rw)
    running = Hub(base)

    def terminated(signum, frame):  # a CI timeout's SIGTERM: still clean up below
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, terminated)
    except ValueError:  # not the main thread: nothing to install
        previous = None
    try:
        make_users(base)
        running.start()
        yield running
    finally:
        running.stop()
        remove_test_users()
        shutil.rmtree(base, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def succeeded(result: dict) -> None:
    """An nbgrader extension's answer must say success (else show its whole log and traceback)."""
    if not result.get("success"):
        raise AssertionError(f"{result.get('error', '')}\n{result.get('log', '')}")


def feedback_score(page: str) -> tuple[float, float]:
    """The total score a feedback page shows (nbgrader's header: "<score> / <max>")."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    match = re.search(r"Score:?\s*([\d.]+)\s*/\s*([\d.]+)", text)
    assert match, f"no score on the feedback page: {text[:1500]}"
    return float(match[1]), float(match[2])


def test_cohort_on_jupyterhub(hub):
    started = time.time()
    for user in USERS:  # spawn all three, then wait: they start in parallel
        hub.start_server(user)
    for user in USERS:
        hub.wait_ready(user)

    # The local authenticator: a learner logs in with their Unix password (PAM), as a browser does.
    import requests

    password = uuid.uuid4().hex
    subprocess.run(["chpasswd"], input=f"{RIGHT}:{password}\n", text=True, check=True)
    for attempt, expected in ((password[::-1], 403), (password, 302)):
        browser = requests.Session()
        browser.get(f"{hub.url}/hub/login", timeout=30)
        login = browser.post(f"{hub.url}/hub/login", allow_redirects=False, timeout=30, data={
            "username": RIGHT, "password": attempt, "_xsrf": browser.cookies.get("_xsrf", "")})
        assert login.status_code == expected, f"PAM login: {login.status_code} {login.text[:500]}"

    # The right extensions for each role.
    assert hub.server(INSTRUCTOR, "GET", "/formgrader/api/status")["status"] is True
    for learner in (RIGHT, WRONG):
        assert hub.session.get(
            f"{hub.url}/user/{learner}/formgrader/api/status",
            headers={"Authorization": f"token {hub.tokens[learner]}"}).status_code == 404, \
            "a learner's server must not serve formgrader"

    # The instructor releases module 00 (formgrader's release button).
    released = hub.server(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/release")
    succeeded(released)

    # Both learners see it and fetch it (the assignment-list extension).
    course = {"course_id": COURSE, "assignment_id": ASSIGNMENT}
    for learner in (RIGHT, WRONG):
        listed = hub.server(learner, "GET", "/assignments", params={"course_id": COURSE})
        succeeded(listed)
        assert [a["assignment_id"] for a in listed["value"] if a["status"] == "released"] == [ASSIGNMENT]
        fetched = hub.server(learner, "POST", "/assignments/fetch", data=course)
        succeeded(fetched)

    # Each works in the fetched notebook (saved through the server's contents API) and submits.
    notebook_path = f"/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    answers = {
        RIGHT: solution_answers(ASSIGNMENT),
        WRONG: {**solution_answers(ASSIGNMENT), **dict(list(wrong_answers(ASSIGNMENT).items())[:1])},
    }
    for learner, answer in answers.items():
        fetched_nb = nbformat.from_dict(hub.server(learner, "GET", notebook_path)["content"])
        worked = fill(fetched_nb, answer)
        hub.server(learner, "PUT", notebook_path,
                   json={"type": "notebook", "format": "json", "content": worked})
        submitted = hub.server(learner, "POST", "/assignments/submit", data=course)
        succeeded(submitted)

    # The instructor collects (formgrader), grades with the course's command and releases feedback.
    collected = hub.server(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/collect")
    succeeded(collected)
    output = hub.run_python(INSTRUCTOR, (
        "import os, subprocess, sys\n"
        "r = subprocess.run([sys.executable, os.environ['COURSE_REPO'] + '/hub/grade_submissions.py', "
        f"'{ASSIGNMENT}'], capture_output=True, text=True)\n"
        "print(r.stdout[-4000:]); print(r.stderr[-4000:]); print('EXIT', r.returncode)\n"
    ))
    assert "EXIT 0" in output, output
    course_dir = Path(pwd.getpwnam(INSTRUCTOR).pw_dir) / "course"
    with (course_dir / "grading" / ASSIGNMENT / "grades.csv").open() as f:
        grades = {row["learner_id"]: row for row in csv.DictReader(f)}
    assert set(grades) == {RIGHT, WRONG}, grades
    assert float(grades[RIGHT]["score"]) == float(grades[RIGHT]["max_score"]) > 0, grades[RIGHT]
    assert float(grades[WRONG]["score"]) < float(grades[WRONG]["max_score"]), grades[WRONG]
    released_feedback = hub.server(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/release_feedback")
    succeeded(released_feedback)

    # Each learner fetches feedback: the right score, no hidden test.
    hidden = hidden_test_lines(read(source_path(ASSIGNMENT)))
    assert hidden, "module 00 has hidden tests to look for"
    for learner in (RIGHT, WRONG):
        fetched = hub.server(learner, "POST", "/assignments/fetch_feedback", data=course)
        succeeded(fetched)
        folders = hub.server(learner, "GET", f"/api/contents/{ASSIGNMENT}/feedback")["content"]
        assert len(folders) == 1, folders
        page = hub.server(learner, "GET", f"/api/contents/{folders[0]['path']}/{ASSIGNMENT}.html")["content"]
        expected = (float(grades[learner]["score"]), float(grades[learner]["max_score"]))
        assert feedback_score(page) == expected, learner
        leaked = [line for line in hidden if line in html.unescape(page)]
        assert not leaked, f"{learner}'s feedback shows hidden tests: {leaked[:3]}"

    # Nobody reads what is not theirs, checked from inside each learner's own server (its uid, its
    # mount namespace). The paths are handed over by the test, which is root: the learners cannot
    # list the folders that hold them, which is the first line of defence.
    inbound = hub.exchange / COURSE / "inbound"
    submissions = {p.name.split("+")[0]: p for p in inbound.iterdir()}
    assert set(submissions) == {RIGHT, WRONG}
    outbound_file = hub.exchange / COURSE / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for learner, other in ((RIGHT, WRONG), (WRONG, RIGHT)):
        closed = [
            str(inbound),  # nobody can list the submissions
            str(hub.exchange / COURSE / "feedback"),  # nor the released feedback
            str(submissions[other] / f"{ASSIGNMENT}.ipynb"),  # nor read another's, knowing its name
            str(submissions[other] / "submission_secret.txt"),  # (the key to their feedback)
            str(course_dir),  # nor the instructor's course folder (collected, graded)
            str(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),  # nor the instructor's sources
        ]
        report = hub.run_python(learner, (
            "import json, os\n"
            f"paths = {closed!r}\n"
            "result = {}\n"
            "for p in paths:\n"
            "    try:\n"
            "        os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(1)\n"
            "        result[p] = 'readable'\n"
            "    except OSError as e:\n"
            "        result[p] = type(e).__name__\n"
            f"result['outbound'] = open({str(outbound_file)!r}).read()\n"
            "print(json.dumps(result))\n"
        ), timeout=60)
        result = json.loads(report.strip().splitlines()[-1])
        outbound = nbformat.reads(result.pop("outbound"), as_version=4)
        readable = [p for p, outcome in result.items() if outcome == "readable"]
        assert not readable, f"{learner} can read {readable}"
        # What the exchange does give learners is the course's release (whose own tests check it for
        # leaks): cell for cell notebooks/00_orientation, with no solution or hidden-test region.
        assert [c.source for c in outbound.cells] == [c.source for c in read(release_path(ASSIGNMENT)).cells]
        assert not any(marker in c.source for c in outbound.cells
                       for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"))
    # ...while the instructor could read every submission (that is how collect worked).
    for path in submissions.values():
        assert path.stat().st_gid == pwd.getpwnam(INSTRUCTOR).pw_gid
        assert oct(os.stat(path / f"{ASSIGNMENT}.ipynb").st_mode & 0o777) == oct(0o640)
    print(f"hub test: {time.time() - started:.0f} s after the hub started")
