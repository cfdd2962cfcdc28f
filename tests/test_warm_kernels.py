"""Warm kernels (autograder/warm.py, autograder/zygote.py): one learner's kernel leaves nothing
behind for the next one graded by the same worker, and a crashed kernel or a dead template is
replaced, not reused. (That warm and cold kernels grade alike is checked on every assignment's
cohort in test_grading.py; the hostile batch in test_cohort_grading.py runs on warm kernels.)

One real ``dask worker`` on loopback grades three runs in turn through ``--scheduler``, so the
same worker process, and the same template, grades them in a known order.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest
from dask_cluster import LoopbackCluster
from hostile.cohort import ASSIGNMENT, FIRST, FULL
from jupyter_client import KernelManager
from notebook_tools import fill, read, release_path, solution_answers
from test_cohort_grading import LIMITS, printed_by, requires_sandbox, rows, run_grade

from autograder import sandbox, warm

pytestmark = pytest.mark.xdist_group("cohort")

# Run after the learner's correct answer: everything a kernel could leave for the next one.
POISON = """
import builtins, os, sys, threading, time
import numpy as np, sklearn, sklearn.linear_model, sklearn.model_selection
builtins.POISONED = sklearn.POISONED = np.POISONED = sys.modules['coursekit'].POISONED = True
def _broken(*args, **kwargs):
    raise RuntimeError('POISONED')
sklearn.model_selection.train_test_split = _broken
sklearn.linear_model.LinearRegression.fit = _broken
np.mean = _broken
os.environ['POISONED'] = '1'
PLACES = ['/tmp/POISONED', '/dev/shm/POISONED', os.path.expanduser('~/POISONED'), '/tmp/mpl/POISONED',
          os.path.join(os.environ['JUPYTER_RUNTIME_DIR'], 'POISONED'), os.path.abspath('POISONED')]
for place in PLACES:
    open(place, 'w').write('x')
def haunt():
    while True:
        for place in PLACES:
            try:
                open(place + '-later', 'w').write('x')
            except OSError:
                pass
        time.sleep(0.05)
threading.Thread(target=haunt, daemon=True).start()
if os.fork() == 0:
    os.setsid()
    haunt()
print('poison spread')
"""

# Run after the learner's correct answer: finds any of it, and says which kind of kernel this is.
VICTIM = """
import builtins, glob, os, sys
import numpy as np, sklearn, sklearn.linear_model, sklearn.model_selection
found = [f'{where.__name__}.POISONED' for where in (builtins, sklearn, np, sys.modules['coursekit'])
         if hasattr(where, 'POISONED')]
found += glob.glob('/tmp/**/*POISONED*', recursive=True) + glob.glob('/dev/shm/*')
found += glob.glob(os.path.join(os.environ['JUPYTER_RUNTIME_DIR'], '*POISONED*'))
found += glob.glob('../../../**/*POISONED*', recursive=True)
if 'POISONED' in os.environ:
    found.append('environment')
if np.mean([1, 3]) != 2 or sklearn.model_selection.train_test_split.__module__ != 'sklearn.model_selection._split':
    found.append('patched functions')
if sklearn.linear_model.LinearRegression.fit.__module__ != 'sklearn.linear_model._base':
    found.append('patched method')
me = os.getuid()
for status in glob.glob('/proc/[0-9]*/status'):
    pid = int(status.split('/')[2])
    try:
        uid = int(next(line for line in open(status) if line.startswith('Uid:')).split()[1])
    except (OSError, StopIteration):
        continue
    if uid == me and pid != os.getpid():
        found.append(f'process {pid}')
parent = open(f'/proc/{os.getppid()}/cmdline', 'rb').read().replace(b'\\0', b' ').decode()
print('KERNEL PARENT:', 'template' if 'zygote.py' in parent else parent)
print('POISON FOUND:' if found else 'CLEAN', found)
"""


def write(folder: Path, learner: str, notebook) -> None:
    target = folder / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))


def descendants(pid: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def templates_of(pid: int) -> list[int]:
    """The warm kernel templates (zygote.py processes) started under process ``pid``."""
    found = []
    for process in descendants(pid):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{process}/cmdline").read_bytes().split(b"\0")
            if command[0].endswith(b"python") or b"python" in command[0]:
                if any(part.endswith(b"zygote.py") for part in command):
                    found.append(process)
    return found


def test_nothing_passes_from_one_learner_to_the_next_and_broken_kernels_are_replaced(tmp_path):
    requires_sandbox()
    release, correct = read(release_path(ASSIGNMENT)), solution_answers(ASSIGNMENT)
    first, second, third = (tmp_path / name for name in ("first", "second", "third"))
    write(first, "poisoner", fill(release, {**correct, FIRST: correct[FIRST] + "\n" + POISON}))
    write(first, "os-exit", fill(release, {**correct, FIRST: "import os\nos._exit(1)"}))
    write(second, "victim", fill(release, {**correct, FIRST: correct[FIRST] + "\n" + VICTIM}))
    write(third, "after-template-died", fill(release, {**correct, FIRST: correct[FIRST] + "\n" + VICTIM}))

    with LoopbackCluster(tmp_path / "cluster", workers=1) as cluster:
        graded = {}
        run_grade(first, tmp_path / "out-first", "--scheduler", cluster.address, *LIMITS)
        graded.update({r["learner_id"]: r for r in rows(tmp_path / "out-first")})
        assert "poison spread" in printed_by(tmp_path / "out-first", "poisoner")
        assert graded["os-exit"]["status"] == "crashed"

        run_grade(second, tmp_path / "out-second", "--scheduler", cluster.address, *LIMITS)
        victim = printed_by(tmp_path / "out-second", "victim")
        assert "KERNEL PARENT: template" in victim, victim  # a warm kernel, from the same template
        assert "CLEAN" in victim and "POISON FOUND" not in victim, victim
        assert rows(tmp_path / "out-second") == [
            {**rows(tmp_path / "out-second")[0], "score": str(FULL), "status": "graded"}]

        worker = cluster.workers["w0"].pid
        templates = templates_of(worker)
        assert len(templates) == 1, templates
        os.kill(templates[0], signal.SIGKILL)  # a template that died between submissions
        run_grade(third, tmp_path / "out-third", "--scheduler", cluster.address, *LIMITS)
        after = printed_by(tmp_path / "out-third", "after-template-died")
        assert "KERNEL PARENT: template" in after and "CLEAN" in after, after
        assert rows(tmp_path / "out-third")[0]["score"] == str(FULL)
        replaced = templates_of(worker)
        assert len(replaced) == 1 and replaced != templates


def test_a_template_in_a_bad_state_gives_a_cold_kernel_and_is_replaced(request, monkeypatch):
    """A template that hangs up on its launcher (here: something else answering on its socket):
    the notebook's kernel starts cold instead, and the template is marked for replacement."""
    requires_sandbox()
    # A short folder, as a worker's /tmp/course-worker-*: the template's socket path must fit a unix
    # socket's 108 bytes, which pytest's tmp_path does not always leave room for.
    folder = Path(tempfile.mkdtemp(prefix="warm-"))
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    kernel_folder = folder / "kernel"
    kernel_folder.mkdir(parents=True)
    os.chmod(folder, 0o755)
    uid = sandbox.FIRST_UID + 999  # not one a grading worker of a parallel test holds
    os.chown(kernel_folder, uid, uid)
    spec = sandbox.SandboxSpec(worker_dir=str(kernel_folder), uid=uid)
    zygote = warm.Zygote(spec, folder / "template")
    zygote.start()
    try:
        assert zygote.alive(), zygote.log()[-3000:]
        zygote.write_kernelspec(folder / "jupyter" / "kernels", "warm-test", spec)
        zygote.socket.unlink()
        impostor = socket.socket(socket.AF_UNIX)
        impostor.bind(str(zygote.socket))
        impostor.listen()
        threading.Thread(target=lambda: [impostor.accept()[0].close() for _ in range(5)], daemon=True).start()
        monkeypatch.setenv("JUPYTER_PATH", str(folder / "jupyter"))
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(kernel_folder))
        cwd = zygote.exchange / "notebook"
        cwd.mkdir()
        manager = KernelManager(kernel_name="warm-test", transport="ipc", ip=str(kernel_folder / "k"))
        manager.start_kernel(cwd=str(cwd))
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            outputs = []
            client.execute_interactive(
                "import os; print(open(f'/proc/{os.getppid()}/cmdline', 'rb').read().split(b'\\0')[0].decode(), "
                "os.getuid())", timeout=60, output_hook=lambda m: outputs.append(m["content"].get("text", "")))
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
        assert "".join(outputs).split() == ["bwrap", str(uid)], outputs  # cold: bwrap's init is its parent
        assert not zygote.alive()
    finally:
        zygote.stop()
        sandbox.reap(uid, wait=5)


def test_a_template_folder_too_long_for_a_socket_is_refused_with_what_to_do(tmp_path):
    spec = sandbox.SandboxSpec(worker_dir=str(tmp_path), uid=sandbox.FIRST_UID + 998)
    zygote = warm.Zygote(spec, tmp_path / ("x" * 120))
    with pytest.raises(ValueError, match="longer than a unix socket path may be"):
        zygote.start()
    assert zygote.process is None
