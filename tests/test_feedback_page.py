"""The feedback page FeedbackHTMLExporter writes is nbconvert's page: same config, same tree.

FeedbackHTMLExporter makes HTMLExporter's accessibility edit (alt text on images) in the page's
text instead of through a BeautifulSoup parse and re-serialisation. These tests render real and
hostile notebooks with both exporters, configured as nbgrader's GenerateFeedback configures its
exporter, and compare the pages as BeautifulSoup parses them.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader import utils
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from notebook_tools import fill, release_path, solution_answers
from traitlets.config import Config

from autograder import feedback, nbgrader_calls
from autograder.feedback import NO_ALT, FeedbackHTMLExporter, RememberingHighlight, add_missing_alt

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted(REPO.glob("solutions/*/*.ipynb"))
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

# Learner-controlled HTML (a display(HTML(...)) output): images in every spelling, real and fake
# (in attribute values, <script>, <style>, comments).
HOSTILE_HTML = f"""
<div class="output">
  <IMG SRC="data:image/png;base64,{PNG}"> <img src='x.png'/> <img src=bare/>
  <div title='<img src="in-attribute.png">'>attribute values</div>
  <img src="given.png" alt="given"><img src="empty.png" alt><img src="g.gif" title=">"><img data-alt="x">
</div>
<script>var s = '<img src=s.png>';</script>
<style>/* <img src=t.png> */</style>
<!-- <img src=c.png> -->
<p>a &lt;img src=text.png&gt; in text</p>
"""


def _feedback_config(template: str | None = None) -> Config:
    """The HTMLExporter config nbgrader's GenerateFeedback sets up (template name, template folders)."""
    coursedir = CourseDirectory(root=str(REPO / "autograder" / "workspace"))
    converter = GenerateFeedback(coursedir=coursedir, config=Config())
    config = Config({"HTMLExporter": copy.deepcopy(converter.config.HTMLExporter)})
    if template is not None:
        config.HTMLExporter.template_name = template
    return config


def _exporter(cls, config: Config):
    exporter = cls(config=config)
    exporter.register_preprocessor(CSSHTMLHeaderPreprocessor(config=config), enabled=True)
    return exporter


@pytest.fixture(scope="module")
def exporters():
    """(reference, ours) for nbgrader's feedback template; built once (compiling templates is slow)."""
    config = _feedback_config()
    assert config.HTMLExporter.template_name == "feedback"
    return _exporter(HTMLExporter, config), _exporter(FeedbackHTMLExporter, config)


def _graded(nb: nbformat.NotebookNode, name: str) -> tuple[nbformat.NotebookNode, dict]:
    """What nbgrader's GetGrades adds before the feedback template renders: scores and comments
    (a grader's comment is markdown too, so one carries an image)."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if not meta:
            continue
        if utils.is_solution(cell) or utils.is_task(cell):
            meta["comment"] = f"See <img src='comment-{index}.png'> and ![chart](c.png)." if index % 2 else None
        if utils.is_grade(cell) or utils.is_task(cell):
            meta["points"] = meta.get("points", 1)
            meta["score"] = meta["points"] / 2
    resources = {"nbgrader": {"notebook": name, "score": 1.5, "max_score": 3.0, "late_penalty": 0}}
    return nb, resources


def _hostile_notebook() -> nbformat.NotebookNode:
    graded = new_code_cell("answer = 1")
    graded.metadata["nbgrader"] = {"grade": True, "grade_id": "q1", "locked": False, "points": 2,
                                   "schema_version": 3, "solution": True, "task": False}
    outputs = new_code_cell("plot()", execution_count=3, outputs=[
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("execute_result", execution_count=3, data={"image/png": PNG},
                   metadata={"image/png": {"width": 20, "height": 10}}),
        new_output("display_data", data={"text/html": HOSTILE_HTML, "text/plain": "HTML"}),
        new_output("stream", name="stdout", text='<img src="stream.png"> <div class="x">'),
        new_output("display_data", data={  # an ipywidget: the template writes its view into a <script>
            "application/vnd.jupyter.widget-view+json": {"model_id": "m1", "version_major": 2, "version_minor": 0},
            "text/plain": "IntSlider(value=3)",
        }),
        new_output("error", ename="ValueError", evalue="<img src=e.png>",
                   traceback=["\x1b[0;31mValueError\x1b[0m: <img src=e.png>"]),
    ])
    return new_notebook(
        cells=[
            new_markdown_cell(f"# Images\n\n![a plot](data:image/png;base64,{PNG})\n\n![](empty-alt.png)"),
            new_markdown_cell('Raw HTML: <img src="raw.png"> and <img alt="given" src="given.png">'),
            graded,
            outputs,
        ],
        metadata={
            "language_info": {"name": "python", "pygments_lexer": "ipython3"},
            "widgets": {"application/vnd.jupyter.widget-state+json": {
                "state": {"m1": {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
                                 "model_module_version": "2.0.0", "state": {"value": 3}}},
                "version_major": 2, "version_minor": 0,
            }},
        },
    )


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _tree(page: str) -> str:
    """The page as BeautifulSoup (html.parser) sees it, serialised for comparison (attributes in
    name order: ours puts alt first, BeautifulSoup last)."""
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup.find_all(True):
        tag.attrs = dict(sorted(tag.attrs.items()))
    tree = soup.decode()
    soup.decompose()  # a big tree of reference cycles: free it now, not in a slow GC pass
    return tree


def _render(exporter, nb, resources, caplog) -> tuple[str, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        page, _ = exporter.from_notebook_node(nb, resources=copy.deepcopy(resources))
    return page, [r.getMessage() for r in caplog.records if "Alternative text" in r.getMessage()]


def _assert_same_page(reference, ours, nb, name, caplog) -> tuple[str, str]:
    """Render with both exporters and check BeautifulSoup reads them as one page; returns
    (nbconvert's page, ours)."""
    nb, resources = _graded(nb, name)
    expected, expected_warnings = _render(reference, nb, resources, caplog)
    page, warnings = _render(ours, nb, resources, caplog)
    assert page != expected  # ours is not BeautifulSoup's serialisation of the page...
    # ...but BeautifulSoup reads it as exactly that tree (widget views get a fresh id per render)
    assert _UUID.sub("<uuid>", _tree(page)) == _UUID.sub("<uuid>", _tree(expected))
    assert warnings == expected_warnings
    return expected, page


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_feedback_page_is_nbconverts(exporters, path, caplog):
    _assert_same_page(*exporters, nbformat.read(path, as_version=4), path.stem, caplog)


def test_outputs_feedback_page_is_nbconverts(exporters, caplog):
    expected, page = _assert_same_page(*exporters, _hostile_notebook(), "hostile", caplog)
    # The reference page really has the edits, so the comparison above is not vacuous...
    soup = BeautifulSoup(expected, "html.parser")
    no_alt = NO_ALT.split('"')[1]
    assert len(soup.find_all("img", alt=no_alt)) == 8  # 2 PNG outputs, raw markdown, 5 in the HTML output
    # ...and nbgrader's feedback template writes no JupyterLab markup, so its tabindex edits never apply.
    assert not soup.select(".jp-Notebook") and "tabindex=\"0\"" not in expected
    # Fakes in <script>, <style>, comments and attribute values stay untouched.
    for untouched in ("s.png>';</script>", "t.png> */</style>", "c.png> -->", """'<img src="in-attribute.png">'"""):
        assert untouched in page
    assert '<script type="application/vnd.jupyter.widget-view+json">' in page  # the widget was rendered


def test_jupyterlab_markup_in_a_page_gets_nbconverts_own_pass(exporters, caplog):
    """A learner's HTML output with JupyterLab classes: nbconvert adds tabindex there, so the
    page goes through nbconvert's own BeautifulSoup pass and comes out as nbconvert writes it."""
    notebook = _hostile_notebook()
    notebook.cells.append(new_markdown_cell('<div class="jp-Notebook"><div class="jp-Cell-inputWrapper">x</div></div>'))
    expected, page = _assert_same_page(*exporters, notebook, "lab-markup", caplog)
    assert _UUID.sub("<uuid>", page) == _UUID.sub("<uuid>", expected) and 'tabindex="0"' in page


def _bs4_alt(markup: str) -> tuple[str, int]:
    """HTMLExporter's alt edit, as its from_notebook_node makes it."""
    soup = BeautifulSoup(markup, features="html.parser")
    images = soup.select("img:not([alt])")
    for img in images:
        img.attrs["alt"] = NO_ALT.split('"')[1]
    return str(soup), len(images)


TRICKY = [
    '<img src="a"><img src=b/><img/><IMG SRC=c ALT><img alt=""><img src=">"><img\n src="q"\n>',
    '<img src="a"/ ><img / ><img alt=x/><img title="alt" data-alt=1><imgx src=y><img\talt>',
    "<script>var a = '<img src=x>';</script><img src=b><style>/*<img src=c>*/</style><img src=d>",
    "<!-- <img src=x> --> <img src=z><SCRIPT type=x><img src=w></SCRIPT ><img src=v>",
    '<p>&amp; &#65; &lt;img src=x&gt; <img src=x></p>',
]


@pytest.mark.parametrize("markup", TRICKY)
def test_alt_edit_matches_beautifulsoups(markup):
    expected, expected_missing = _bs4_alt(markup)
    page, missing = add_missing_alt(markup)
    assert missing == expected_missing
    assert _tree(page) == _tree(expected)


def test_only_alt_is_inserted():
    markup = '<p class="a  b">x<br>&amp;</p><img src=x>'
    assert add_missing_alt(markup) == (markup.replace("<img", f"<img{NO_ALT}"), 1)
    assert add_missing_alt("<p>no images</p>") == ("<p>no images</p>", 0)


def test_remembered_highlighting_is_nbconverts():
    remembering, fresh = RememberingHighlight(pygments_lexer="ipython3"), Highlight2HTML(pygments_lexer="ipython3")
    source = "%%bash\necho $HOME  # a cell magic: highlighted as bash when the metadata says so"
    for metadata in (None, {"magics_language": "bash"}, {}):
        first = remembering(source, metadata=metadata)
        assert first == fresh(source, metadata=metadata)
        assert remembering(source, metadata=metadata) is first  # the second time, from memory
    assert remembering(source, metadata={"magics_language": "bash"}) != remembering(source)
    assert remembering("x = 1", language="python") == fresh("x = 1", language="python")


def test_template_feedback_parts_give_the_same_page(tmp_path):
    """A worker starts each assignment's pages from parts its template rendered once
    (nbgrader_calls.feedback_parts): a learner's page is the same with them, its instructions and
    locked cells come from them, and they hold nothing of the hidden tests."""
    assignment = "01_linear_models"
    config = nbgrader_calls.course_config(root=str(tmp_path))
    converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
    exporter = converter.exporter_class(parent=converter, config=converter.config)
    learner = fill(nbformat.read(release_path(assignment), as_version=4), solution_answers(assignment))
    learner.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3", "version": "3.11"}
    nb, resources = _graded(learner, assignment)

    def render() -> tuple[str, int]:
        before = len(FeedbackHTMLExporter._markdown) + len(RememberingHighlight._highlighted)
        page, _ = exporter.from_notebook_node(nb, resources=copy.deepcopy(resources))
        return page, len(FeedbackHTMLExporter._markdown) + len(RememberingHighlight._highlighted) - before

    FeedbackHTMLExporter._markdown.clear()
    RememberingHighlight._highlighted.clear()
    parts = nbgrader_calls.feedback_parts(config, release_path(assignment))
    assert not FeedbackHTMLExporter._markdown and not RememberingHighlight._highlighted  # kept apart
    fresh, rendered_fresh = render()

    FeedbackHTMLExporter._markdown.clear()
    RememberingHighlight._highlighted.clear()
    feedback.remember(json.loads(json.dumps(parts)))  # as a worker reads them from the template
    page, rendered = render()

    assert _UUID.sub("<uuid>", page) == _UUID.sub("<uuid>", fresh)
    markdown_cells = sum(c.cell_type == "markdown" for c in learner.cells)
    assert len(parts["markdown"]) == markdown_cells > 5
    # Only the learner's own answers (and comments) were rendered for this page.
    answers = sum(bool(utils.is_solution(c)) for c in learner.cells)
    assert 0 < rendered <= answers + sum(1 for c in nb.cells if c.metadata.get("nbgrader", {}).get("comment"))
    assert rendered < rendered_fresh - markdown_cells
    assert "HIDDEN TESTS" not in json.dumps(parts)
