"""The learner's path in a real browser: JupyterLab on loopback, driven in Debian's Chromium.

Screenshots of every step are kept in ``artifacts/browser/`` (printed at the end of the run).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from notebook_tools import RELEASE, REPO, answer_cells, nbgrader_meta, read, release_path, solution_answers

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "browser"
DEMO_MODULES = [
    p.parent.name for p in sorted(RELEASE.glob("*/*.ipynb")) if ".widget()" in p.read_text()
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package",
)


def browser_group(index: int):
    # Two groups, so each xdist worker runs its share with one JupyterLab and one browser
    # (the fixtures below are per module, hence per worker).
    return pytest.mark.xdist_group(f"browser-{index % 2}")

# Test-only JupyterLab settings: render every cell (no windowing, so the DOM holds them all) and
# no news or update checks (the machine has no network).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A real `jupyter lab` on a learner's copy of notebooks/; stopped by pid whatever happens."""
    root = tmp_path_factory.mktemp("learner")
    work = root / "my-work"
    shutil.copytree(RELEASE, work)
    settings = root / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    log = (root / "jupyter-lab.log").open("w")
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTER_CONFIG_DIR": str(root / "jupyter-config"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, cwd=work, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not start; see {log.name}") from None
                time.sleep(0.5)
        yield {"base": base, "token": token, "work": work}
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        try:
            yield instance
        finally:
            instance.close()


class Step:
    """Numbered screenshots for one test, so a failure can be looked at."""

    def __init__(self, page, name: str):
        self.page, self.folder, self.count = page, ARTIFACTS / name, 0
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)

    def shot(self, label: str, element=None) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        (element or self.page).screenshot(path=str(path))
        return path


def cells(page):
    """The cells of the notebook on screen (other panels may hold notebooks too)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")


def open_notebook(browser, lab, assignment: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # A workspace of its own, reset: JupyterLab would otherwise reopen every notebook that an
    # earlier test opened in the same server.
    url = f"{lab['base']}/lab/workspaces/test-{assignment}/tree/{assignment}/{assignment}.ipynb"
    page.goto(f"{url}?reset&token={lab['token']}")
    cells(page).first.wait_for(timeout=60_000)
    # The kernel is ready when the status bar reads "<kernel name> | Idle" (before it has started,
    # the execution indicator already says idle, so it cannot be trusted).
    expect(page.locator(".jp-StatusBar-Widget").first).to_contain_text(re.compile(r"\| Idle"), timeout=90_000)
    return page


def run_cell(page, index: int, timeout_ms: int = 120_000) -> None:
    """Run one cell and wait for it to finish (a running cell shows [*])."""
    cell = cells(page).nth(index)
    cell.locator(".jp-InputPrompt, .jp-InputArea-prompt").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    if "jp-CodeCell" in (cell.get_attribute("class") or ""):
        expect(cell.locator(".jp-InputArea-prompt").first).to_have_text(re.compile(r"\[\d+\]"), timeout=timeout_ms)


def run_all_cells_one_by_one(page) -> None:
    # One by one, waiting for each: "Run All" would stop at the first unanswered exercise.
    for index in range(cells(page).count()):
        run_cell(page, index)


def error_cells(page) -> dict[int, str]:
    found = {}
    all_cells = cells(page)
    for index in range(all_cells.count()):
        errors = all_cells.nth(index).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        if errors.count():
            found[index] = errors.first.inner_text()[:300]
    return found


def set_cell_source(page, index: int, source: str) -> None:
    cell = cells(page).nth(index)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    # insert_text types no keys, so the editor adds no brackets or indentation of its own.
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")


def cell_index_of(page, grade_id: str, assignment: str) -> int:
    notebook = read(release_path(assignment))
    return next(i for i, c in enumerate(notebook.cells) if nbgrader_meta(c).get("grade_id") == grade_id)


@pytest.mark.parametrize(
    "assignment", [pytest.param(a, marks=browser_group(i)) for i, a in enumerate(DEMO_MODULES)]
)
def test_released_notebook_runs_and_its_widget_redraws(browser, lab, assignment):
    page = open_notebook(browser, lab, assignment)
    steps = Step(page, f"demo-{assignment}")
    try:
        run_all_cells_one_by_one(page)
        steps.shot("ran-all-cells")
        notebook = read(release_path(assignment))
        for index, text in error_cells(page).items():
            meta = nbgrader_meta(notebook.cells[index])
            assert meta.get("solution") or meta.get("grade"), (
                f"{assignment}: cell {index} shows an error in the release although it is no exercise: {text}"
            )
            assert re.search(r"NotImplementedError|Not yet|NameError", text), (
                f"{assignment}: exercise cell {index} fails for another reason than a missing answer: {text}"
            )
        demo = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .coursekit-demo").first
        demo.scroll_into_view_if_needed()
        expect(demo.locator("img").first).to_be_visible(timeout=30_000)
        image = demo.locator("img").first
        before = steps.shot("widget-before", image).read_bytes()
        readout = demo.locator(".widget-readout").first
        value_before = readout.inner_text()
        demo.locator(".noUi-handle").first.click()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        expect(readout).not_to_have_text(value_before, timeout=10_000)
        deadline = time.monotonic() + 15
        while (after := image.screenshot()) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        steps.shot("widget-after-moving-slider", demo)
        assert after != before, f"{assignment}: moving the slider did not change the figure"
    finally:
        page.close()


@browser_group(1)
def test_feedback_loop_and_validate_in_module_00(browser, lab):
    assignment = "00_orientation"
    page = open_notebook(browser, lab, assignment)
    steps = Step(page, "feedback-loop-00")
    try:
        run_cell(page, cell_index_of(page, "setup_orientation", assignment))
        answer = cell_index_of(page, "ex_learned_slope", assignment)
        test = cell_index_of(page, "test_learned_slope", assignment)
        test_cell = cells(page).nth(test)

        # A wrong answer: alpha is ignored, so the slope never shrinks.
        ignores_alpha = 'def learned_slope(alpha):\n    return float(Ridge().fit(X_train[["bmi"]], y_train).coef_[0])'
        set_cell_source(page, answer, ignores_alpha)
        run_cell(page, answer)
        run_cell(page, test)
        expect(test_cell.locator(".jp-OutputArea-output")).to_contain_text("A larger alpha penalises", timeout=30_000)
        steps.shot("wrong-answer-message", test_cell)

        # The right answer.
        solutions = solution_answers(assignment)
        set_cell_source(page, answer, solutions["ex_learned_slope"])
        run_cell(page, answer)
        run_cell(page, test)
        expect(test_cell.locator(".jp-OutputArea-output")).to_contain_text("✓", timeout=30_000)
        steps.shot("right-answer-passes", test_cell)

        # Answer the rest, save, and ask nbgrader to validate the whole notebook.
        for grade_id in answer_cells(read(release_path(assignment))):
            if grade_id != "ex_learned_slope":
                set_cell_source(page, cell_index_of(page, grade_id, assignment), solutions[grade_id])
        page.keyboard.press("Control+s")
        expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=15_000)
        page.get_by_role("button", name=re.compile("Validate", re.I)).first.click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog).to_contain_text(re.compile("Success|passes all the tests", re.I), timeout=180_000)
        steps.shot("validate-verdict")
    finally:
        page.close()


@browser_group(0)
def test_a_timed_attempt_counts_down_and_finishes(browser, lab):
    """A candidate starts an attempt from their module 09 notebook (`new_attempt`, as its introduction
    says), opens the attempt's notebook, sees the countdown tick and presses Finish attempt; the attempt
    log records the finish once."""
    from coursekit.attempts import AttemptLog

    assignment = "09_mock_exam"
    page = open_notebook(browser, lab, assignment)  # the candidate's own copy of the module
    steps = Step(page, "timed-attempt-09")
    typed = cell_index_of(page, "setup_mock_exam_paper", assignment) - 1  # where LEARNER_ID is typed
    set_cell_source(page, typed, 'from coursekit.attempts import new_attempt\nnew_attempt("browser-candidate")')
    run_cell(page, typed)
    expect(cells(page).nth(typed)).to_contain_text("Attempt 1 started", timeout=30_000)
    steps.shot("started", cells(page).nth(typed))
    record = AttemptLog(lab["work"]).attempt("browser-candidate", 1)
    assert record is not None and record.notebook == f"{assignment}/attempt-1/{assignment}.ipynb"
    url = f"{lab['base']}/lab/workspaces/test-attempt/tree/{record.notebook}"
    page.goto(f"{url}?reset&token={lab['token']}")
    try:
        try:
            cells(page).first.wait_for(timeout=60_000)
        finally:
            steps.shot("opened")
        expect(page.locator(".jp-StatusBar-Widget").first).to_contain_text(re.compile(r"\| Idle"), timeout=90_000)
        run_cell(page, cell_index_of(page, "setup_mock_exam", assignment))
        paper = cell_index_of(page, "setup_mock_exam_paper", assignment)
        run_cell(page, paper - 1)  # LEARNER_ID and ATTEMPT, filled in by start_attempt
        run_cell(page, paper)
        clock = cells(page).nth(paper).locator(".coursekit-countdown")
        expect(clock).to_contain_text(re.compile(r"Attempt 1: \d\d:\d\d left of 60 minutes"), timeout=30_000)
        expect(cells(page).nth(paper)).to_contain_text("Paper of 'browser-candidate', attempt 1")
        first = clock.inner_text()
        steps.shot("countdown", clock)
        expect(clock).not_to_have_text(first, timeout=10_000)  # it ticks while the kernel is idle
        steps.shot("countdown-ticked", clock)
        clock.get_by_role("button", name=re.compile("Finish attempt")).click()
        expect(clock).to_contain_text(re.compile(r"finished at .*within the time limit"), timeout=15_000)
        expect(clock.get_by_role("button", name=re.compile("Finish attempt"))).to_be_disabled()
        steps.shot("finished", clock)
        # Finishing leaves the open notebook's file alone: saving asks no "File Changed" question.
        page.keyboard.press("Control+s")
        expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=15_000)
        expect(page.locator(".jp-Dialog")).to_have_count(0)
        saved = json.loads((lab["work"] / record.notebook).read_text())
        assert saved["metadata"]["course"]["attempt"]["started_at"] == record.started_at
        assert json.loads((lab["work"] / record.notebook).with_name("attempt.json").read_text())["finished_at"]
        finished = AttemptLog(lab["work"]).attempt("browser-candidate", 1)
        assert finished.finished_at and not finished.over_time
        assert [e["event"] for e in AttemptLog(lab["work"]).entries()].count("finish") == 1
        assert error_cells(page) == {}
    finally:
        page.close()
