"""Feedback learners receive: no hidden tests, and cheap to render once per submission."""

from __future__ import annotations

import copy
import json
import re

from jinja2 import BytecodeCache, pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

from autograder.lean_export import LeanExport


class HideHiddenTests(ClearHiddenTests):
    """Feedback preprocessor: strip hidden-test regions from test cells and reduce their errors
    to the message.

    Removing the region from the source is not enough: an IPython traceback quotes the failing
    source line (often the expected value), so a test cell's traceback is replaced by its last
    line, ``ExceptionName: message``. Hidden tests therefore write messages that say what is
    wrong without giving the answer.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            # A learner may have pasted the delimiter into an answer cell; only test cells count.
            self._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class _InMemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept for the life of the process, as code objects: each page's new
    environment runs them without compiling or unmarshalling them again (code objects are
    immutable; each environment runs its own copy of the module). A template whose source checksum
    changed is compiled afresh, as with jinja's own caches."""

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, object]] = {}  # key -> (source checksum, code)

    def load_bytecode(self, bucket) -> None:
        checksum, code = self._compiled.get(bucket.key, (None, None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = (bucket.checksum, bucket.code)


_TEMPLATES = _InMemoryBytecodeCache()


class FeedbackHTMLExporter(LeanExport, HTMLExporter):
    """nbgrader's feedback exporter (HTMLExporter, with nbgrader's feedback template), cheaper to
    run once per submission and giving the same page.

    * Its templates are compiled once per process instead of once per page: a grading worker
      writes feedback for submission after submission, and compiling nbconvert's templates was a
      quarter of that.
    * Highlighted code is remembered across pages (``RememberingHighlight``), and so is each
      markdown cell's HTML (``markdown2html``): a cohort's pages share their instructions.
    * HTMLExporter parses every finished page with BeautifulSoup and serialises it again, about
      half of the remaining cost, only to make accessibility edits: ``alt`` text on each ``<img>``
      that has none, and ``tabindex="0"`` on the inputs and outputs of a JupyterLab-style page
      (``.jp-Notebook``). nbgrader's feedback template writes no ``.jp-Notebook``, so here the
      ``alt`` edit is made in the page's text (``add_missing_alt``); a page that does carry
      ``.jp-Notebook`` markup (a learner's HTML output, say) goes through nbconvert's own pass.
      BeautifulSoup reads the two pages as the same tree (``tests/test_feedback_page.py``).
    * It reads the autograded notebook and preprocesses it with a copy fewer (``LeanExport``).
    """

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = _TEMPLATES
        return environment

    _markdown: dict[tuple, str] = {}  # per process, like RememberingHighlight's
    MARKDOWN_LIMIT = 4096

    @pass_context
    def markdown2html(self, context, source):
        # What HTMLExporter's HTML depends on: the source, the cell's attachments and these
        # settings; with embed_images also the image files' contents (read from the notebook's
        # folder), so that is never remembered. Without it the folder plays no part, so pages of
        # different learners (each graded in a folder of their own) share their instructions.
        if self.embed_images:
            return super().markdown2html(context, source)
        attachments = context.get("cell", {}).get("attachments", {})
        key = (source, json.dumps(attachments, sort_keys=True), self.anchor_link_text,
               self.exclude_anchor_links, json.dumps(self.lexer_options, sort_keys=True, default=repr))
        html = self._markdown.get(key)
        if html is None:
            if len(self._markdown) >= self.MARKDOWN_LIMIT:
                self._markdown.clear()
            html = self._markdown[key] = super().markdown2html(context, source)
        return html

    def from_notebook_node(self, nb, resources=None, **kw):
        untouched = copy.deepcopy(resources)
        # HTMLExporter's set-up before it renders, unchanged...
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", RememberingHighlight(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        # ...then the rendering itself (TemplateExporter's), without HTMLExporter's soup.
        page, resources = super(HTMLExporter, self).from_notebook_node(nb, resources, **kw)
        if JUPYTERLAB_NOTEBOOK in page:
            return super().from_notebook_node(nb, untouched, **kw)
        page, missing = add_missing_alt(page)
        if missing:
            self.log.warning("Alternative text is missing on %s image(s).", missing)
        return page, resources


class RememberingHighlight(Highlight2HTML):
    """nbconvert's code highlighting, remembered per process: a cohort's notebooks share most of
    their cells (instructions, locked and test cells), and highlighting is half of a page's cost."""

    _highlighted: dict[tuple, str] = {}
    LIMIT = 4096  # cells remembered; a few MB

    def __call__(self, source, language=None, metadata=None):
        # What the highlighted HTML depends on: the source, the lexer (a cell magic can pick
        # another) and the formatter options.
        key = (source, language or self.pygments_lexer, (metadata or {}).get("magics_language"),
               repr(self.extra_formatter_options))
        html = self._highlighted.get(key)
        if html is None:
            if len(self._highlighted) >= self.LIMIT:
                self._highlighted.clear()
            html = self._highlighted[key] = super().__call__(source, language, metadata)
        return html


def rendered_parts(exporter: FeedbackHTMLExporter, notebook, resources: dict) -> dict[str, list]:
    """What rendering ``notebook``'s page with ``exporter`` remembers: the HTML of each markdown cell
    and of each highlighted code cell, as JSON lists (key fields, then the HTML) that ``remember``
    takes back in another process. This process's own memory is left as it was."""
    kept = FeedbackHTMLExporter._markdown, RememberingHighlight._highlighted
    FeedbackHTMLExporter._markdown, RememberingHighlight._highlighted = {}, {}
    try:
        exporter.from_notebook_node(notebook, resources)
        return {"markdown": [[*key, html] for key, html in FeedbackHTMLExporter._markdown.items()],
                "highlight": [[*key, html] for key, html in RememberingHighlight._highlighted.items()]}
    finally:
        FeedbackHTMLExporter._markdown, RememberingHighlight._highlighted = kept


def remember(parts: dict[str, list]) -> None:
    """Start this process's memory of rendered cells with ``parts`` (from ``rendered_parts``). Each
    key holds everything its HTML depends on, so a part rendered with other settings is never used."""
    for name, memory, limit in (("markdown", FeedbackHTMLExporter._markdown, FeedbackHTMLExporter.MARKDOWN_LIMIT),
                                ("highlight", RememberingHighlight._highlighted, RememberingHighlight.LIMIT)):
        for *key, html in parts.get(name, []):
            if len(memory) >= limit:
                break
            memory.setdefault(tuple(key), html)


JUPYTERLAB_NOTEBOOK = "jp-Notebook"
NO_ALT = ' alt="No description has been provided for this image"'  # nbconvert's words
# Text that html.parser (so BeautifulSoup) does not read as tags: script and style content, comments.
_NOT_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# A start tag, whole: attribute values in quotes may hold ">" (or "<img").
_START_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
_ALT_ATTRIBUTE = re.compile(r"[\s/]alt(?=[\s/=]|$)", re.IGNORECASE)
_IMG_NAME = re.compile(r"<img", re.IGNORECASE)  # matches wherever _START_TAG could find an img


def add_missing_alt(page: str) -> tuple[str, int]:
    """``page`` with nbconvert's ``alt`` text on every ``<img>`` tag that has no ``alt`` attribute
    (outside scripts, styles and comments), and how many there were."""
    if not _IMG_NAME.search(page):  # no tag can be an <img>: nothing to scan (most pages)
        return page, 0
    pieces, missing, start = [], 0, 0
    for opaque in [*_NOT_TAGS.finditer(page), None]:
        end = opaque.start() if opaque else len(page)
        for tag in _START_TAG.finditer(page, start, end):
            if tag.group(1).lower() == "img" and not _ALT_ATTRIBUTE.search(_QUOTED.sub('""', tag.group(2))):
                name_end = tag.end(1)  # right after the name: an unquoted value may end in "/"
                pieces += [page[start:name_end], NO_ALT]
                start = name_end
                missing += 1
        if opaque:
            pieces.append(page[start:opaque.end()])
            start = opaque.end()
    pieces.append(page[start:])
    return "".join(pieces), missing
