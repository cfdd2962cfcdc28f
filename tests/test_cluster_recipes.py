"""The README's cluster recipes, as far as they can run on one machine without Slurm or Kubernetes:
the Slurm recipe's own SLURMCluster writes a job script, which is run here with bash as a node
would run it, and a cohort is graded through that worker; the Kubernetes manifest starts the same
worker command."""

from __future__ import annotations

import ast
import csv
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from dask_jobqueue import SLURMCluster
from distributed import Client
from notebook_tools import fill, read, release_path, solution_answers

from autograder import sandbox

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
ASSIGNMENT = "00_orientation"


def readme_block(after: str, language: str) -> str:
    """The first ```language block after the heading or sentence ``after`` in the README."""
    start = README.index(after)
    return re.search(rf"```{language}\n(.*?)```", README[start:], re.S).group(1)


def slurm_cluster_arguments() -> dict:
    """The keyword arguments the README's Slurm recipe gives SLURMCluster, evaluated as it would."""
    tree = ast.parse(readme_block("Slurm, with `dask-jobqueue`", "python"))
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "SLURMCluster")
    return {k.arg: eval(compile(ast.Expression(k.value), "README", "eval"), {"sys": sys}) for k in call.keywords}


def test_slurm_recipe_job_script_starts_a_worker_that_grades(tmp_path):
    if sandbox.probe():
        pytest.skip(f"the sandbox cannot be built here: {sandbox.probe()}")
    recipe = readme_block("Slurm, with `dask-jobqueue`", "python")
    assert '"--scheduler", cluster.scheduler_address' in recipe and '"-m", "autograder", "grade"' in recipe
    arguments = slurm_cluster_arguments()
    # Loopback only here (a login node would listen on its own network), a free dashboard port.
    arguments["scheduler_options"] = {**arguments["scheduler_options"], "host": "127.0.0.1",
                                      "dashboard_address": "127.0.0.1:0"}
    arguments.update(cores=1, processes=1, memory="4GiB")  # one worker is enough to show it grades
    release = read(release_path(ASSIGNMENT))
    submissions = tmp_path / "subs"
    for learner, notebook in {"ada": fill(release, solution_answers(ASSIGNMENT)), "bob": release}.items():
        (submissions / learner / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(notebook, str(submissions / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    with SLURMCluster(**arguments) as cluster:
        script = cluster.job_script()
        assert f"{sys.prefix}/bin/python -m distributed.cli.dask_worker {cluster.scheduler_address}" in script
        assert "--preload autograder.worker" in script and "--nthreads 1" in script
        job = tmp_path / "job.sh"
        job.write_text(script)
        with (tmp_path / "job.log").open("w") as log:
            node = subprocess.Popen(["bash", str(job)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            with Client(cluster.scheduler_address, timeout="20s") as client:
                client.wait_for_workers(1, timeout=120)
            out = tmp_path / "out"
            done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                                   "--quiet", "--scheduler", cluster.scheduler_address],
                                  cwd=REPO, capture_output=True, text=True, timeout=600)
        finally:
            os.killpg(node.pid, signal.SIGKILL)
            node.wait()
    assert done.returncode == 0, done.stderr[-3000:] + (tmp_path / "job.log").read_text()[-2000:]
    with (out / "grades.csv").open() as f:
        scores = {r["learner_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert scores == {"ada": 9.0, "bob": 0.0}


def test_kubernetes_manifest_runs_the_same_worker_as_the_other_recipes():
    manifest = yaml.safe_load((REPO / "autograder" / "k8s" / "dask-cluster.yaml").read_text())
    assert manifest["kind"] == "DaskCluster" and manifest["apiVersion"] == "kubernetes.dask.org/v1"
    worker = manifest["spec"]["worker"]["spec"]["containers"][0]
    args = worker["args"]
    assert args[:2] == ["dask", "worker"]
    assert args[args.index("--preload") + 1] == "autograder.worker" and args[args.index("--nthreads") + 1] == "1"
    assert worker["securityContext"] == {"runAsUser": 0, "privileged": True}, "the sandbox needs root"
    scheduler = manifest["spec"]["scheduler"]["spec"]["containers"][0]
    assert {"name": "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES", "value": "1"} in scheduler["env"]
    ports = {p["name"]: p["containerPort"] for p in scheduler["ports"]}
    assert ports == {"tcp-comm": 8786, "http-dashboard": 8787}
    lab = readme_block("A lab of machines", "bash")
    assert "--nthreads 1 --preload autograder.worker" in lab and "ALLOWED_FAILURES=1" in lab
    assert "autograder/k8s/dask-cluster.yaml" in README
