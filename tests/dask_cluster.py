"""A real Dask cluster on loopback for the tests: `dask scheduler` and `dask worker` as separate OS
processes, started as the README tells an instructor to start them on a lab of machines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from distributed import Client

DASK = str(Path(sys.executable).parent / "dask")


class LoopbackCluster:
    """A scheduler and ``workers`` single-threaded workers on 127.0.0.1, each worker in its own
    process group (so the test can kill one, nanny and all, as if its machine were lost)."""

    def __init__(self, folder: Path, workers: int = 2, checkout: Path | None = None, memory: str = "auto"):
        self.folder, self.count, self.checkout, self.memory = folder, workers, checkout, memory
        self.scheduler: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}
        self.address = ""

    def _env(self, checkout: Path | None) -> dict[str, str]:
        env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
        if checkout is not None:  # a worker of another checkout: its autograder, solutions/, coursekit/...
            env["PYTHONPATH"] = str(checkout)
        return env

    def start(self) -> LoopbackCluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        info = self.folder / "scheduler.json"
        log = (self.folder / "scheduler.log").open("w")
        self.scheduler = subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0",
             "--scheduler-file", str(info)],
            stdout=log, stderr=subprocess.STDOUT, env=self._env(None), start_new_session=True)
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            assert self.scheduler.poll() is None, (self.folder / "scheduler.log").read_text()[-2000:]
            time.sleep(0.1)
        self.address = json.loads(info.read_text())["address"]
        for index in range(self.count):
            self.add_worker(f"w{index}", self.checkout)
        self.wait_for(self.count)
        return self

    def add_worker(self, name: str, checkout: Path | None = None) -> None:
        log = (self.folder / f"{name}.log").open("w")
        self.workers[name] = subprocess.Popen(
            [DASK, "worker", self.address, "--name", name, "--nthreads", "1", "--nworkers", "1",
             "--host", "127.0.0.1", "--no-dashboard", "--preload", "autograder.worker", "--memory-limit", self.memory,
             "--local-directory", str(self.folder / name)],
            stdout=log, stderr=subprocess.STDOUT, env=self._env(checkout), start_new_session=True,
            cwd=checkout or None)

    def client(self) -> Client:
        return Client(self.address, timeout="20s")

    def wait_for(self, workers: int, seconds: float = 120) -> None:
        with self.client() as client:
            client.wait_for_workers(workers, timeout=seconds)

    def busy_worker(self, holding: str = "", seconds: float = 300) -> str:
        """The name of a worker that is grading a task now, one whose key starts with ``holding``
        (waits until one is)."""
        deadline = time.monotonic() + seconds
        with self.client() as client:
            while time.monotonic() < deadline:
                names = {address: info["name"] for address, info in client.scheduler_info()["workers"].items()}
                busy = [names[address] for address, keys in client.processing().items()
                        if address in names and names[address] in self.workers
                        and any(str(key).startswith(holding) for key in keys)]
                if busy:
                    return busy[0]
                time.sleep(0.2)
        raise TimeoutError(f"no worker took a task {holding}")

    def kill(self, name: str) -> None:
        """SIGKILL a worker's whole process group: its nanny, the worker and its kernels."""
        process = self.workers.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in [*self.workers.values(), *([self.scheduler] if self.scheduler else [])]:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        self.workers.clear()
        self.scheduler = None

    def __enter__(self) -> LoopbackCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
