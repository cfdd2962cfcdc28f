"""Scheduling: grade tasks on a Dask cluster, the instructor's or one started here.

With no scheduler address, a local cluster is started on loopback: one single-threaded worker
process per core, each importing nbgrader and the course once (``--preload autograder.worker``).
With ``tcp://host:8786`` the run uses an existing cluster (Slurm, Kubernetes, a lab of machines:
see the README), whose workers run the same checkout.

Each submission is one Dask task, ``autograder.worker.grade``, carrying the notebook itself. Tasks
are handed out a few per worker thread at a time (thousands of notebooks never sit in the
scheduler's memory at once), largest first. A worker that dies mid-task (killed, machine lost)
costs nothing: Dask gives the task to another worker. A task that was on a dying worker more
often than the scheduler's ``allowed-failures`` (1 on the local cluster: so twice) comes back as
``KilledWorker``, and is recorded as crashed, not retried forever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator

import dask
import psutil
from distributed import Client, LocalCluster, as_completed
from distributed.scheduler import KilledWorker

from autograder import worker
from autograder.results import Graded, Task, failed

CONNECT_SECONDS = 10
ALLOWED_FAILURES = 1  # a task may lose one worker and be retried; a second death ends it
# A local worker's memory (its kernels are capped by the sandbox, not counted here): nbgrader holds a
# notebook's outputs while it runs, so a learner printing without end grows the worker until its
# nanny restarts it at this limit, rather than until the machine swaps.
WORKER_MEMORY = 4 * 2**30

KILLED_TWICE = ("The grader could not process this notebook: the grading worker stopped twice while grading "
                "it (score 0); your instructor will look at it.")
# The local cluster's housekeeping, slowed to what grading needs: Dask's defaults (an event-loop
# health tick every 20 ms, memory checks every 100 ms, a statistical profiler sampling every 10 ms,
# work stealing) cost about 6 % of a core at idle, taken from the kernels; these cost about 1 %.
# Tasks are independent and handed out a few at a time, so there is nothing to steal.
QUIET = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.work-stealing": False,
}
NBGRADER_FAILED = "The grader could not process this notebook (score 0); your instructor will look at it."


class ClusterError(RuntimeError):
    """The cluster cannot be reached, was lost, or a worker refuses the run's tasks."""


class Cluster:
    """A Dask client on a cluster, for the length of a ``with`` block."""

    def __init__(self, scheduler: str | None = None, workers: int = 1):
        self.scheduler, self.workers = scheduler, workers
        self.client: Client | None = None
        self._local: LocalCluster | None = None

    def __enter__(self) -> Cluster:
        logging.getLogger("distributed").setLevel(logging.ERROR)  # its INFO lines would bury the progress bar
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=f"{CONNECT_SECONDS}s")
            except (OSError, TimeoutError) as error:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {self.scheduler} within {CONNECT_SECONDS} s ({error}). "
                    "Check the address and port, that `dask scheduler` is running there, and that this "
                    "machine may connect to it; or leave out --scheduler to grade on this machine.") from None
            return self
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES, **QUIET}):
            self._local = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0", preload=["autograder.worker"], silence_logs=logging.ERROR,
                memory_limit=min(WORKER_MEMORY, psutil.virtual_memory().total // self.workers))
        self.client = Client(self._local)
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self._local is not None:
            self._local.close()

    @property
    def dashboard(self) -> str:
        return self.client.dashboard_link if self.client is not None else ""

    def threads(self) -> int:
        """Worker threads in the cluster now (a Slurm or Kubernetes cluster may grow and shrink)."""
        return sum(self.client.nthreads().values())

    def grade(self, tasks: Iterable[Task]) -> Iterator[Graded]:
        """Grade every task on the cluster; yields each as it finishes, in no fixed order."""
        waiting = sorted(tasks, key=lambda t: -len(t.notebook))  # the longest last would leave workers idle
        running: dict = {}
        finished = as_completed()
        threads, counted = 1, 0.0

        def hand_out() -> None:
            nonlocal threads, counted
            if time.monotonic() - counted > 5:
                threads, counted = max(self.threads(), 1), time.monotonic()
            while waiting and len(running) < 2 * threads + 2:
                task = waiting.pop()
                future = self.client.submit(worker.grade, task, key=f"grade-{task.key}-{task.digest[:12]}",
                                            pure=False)
                running[future] = task
                finished.add(future)

        waiting.reverse()  # pop() takes from the end: largest first
        hand_out()
        for future in finished:
            task = running.pop(future)
            try:
                graded = future.result()
            except (worker.CheckoutMismatch, worker.CannotSandbox) as error:
                self._cancel(running)
                raise ClusterError(str(error)) from None
            except KilledWorker as error:
                graded = failed(task, KILLED_TWICE, f"{type(error).__name__}: {error}")
            except Exception as error:  # nbgrader itself failed on this submission
                if self.client.status not in ("running", "connecting"):
                    self._cancel(running)
                    raise ClusterError(f"lost the Dask scheduler {self.scheduler or ''} while grading ({error}); "
                                       "what was graded is kept: run the same command again to finish") from None
                graded = failed(task, NBGRADER_FAILED, f"{type(error).__name__}: {error}")
            yield graded
            hand_out()

    def _cancel(self, running: dict) -> None:
        if running and self.client.status == "running":
            self.client.cancel(list(running))
