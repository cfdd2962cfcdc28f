"""Similarity flags between learners' answers, for an instructor to look at before signing certificates.

It flags; it never changes a grade, and a flag is not a verdict: two learners can write the same code
on their own, especially for short exercises with one natural solution. The page says so.

What is compared: per answer cell (code cells with ``nbgrader.solution``, matched by ``grade_id``),
each learner's own lines, i.e. without the lines the release gave (``own_code``: the scaffold, ``# YOUR
CODE HERE``, and a given line with its placeholders filled in, which is how tables are answered). Cells
left as released are not compared.

How: copydetect's detector (``filter_code``, pygments: names become ``V``, strings ``S``, spacing and
comments go; copydetect's k-gram hashes and slices). Every k-gram of ``K`` normalised tokens is a
fingerprint (copydetect with noise threshold = guarantee threshold, so winnowing keeps them all), so
renaming and reformatting change nothing. ``K`` is 15, not copydetect's 25 for whole files: an answer
is 3 to 15 lines, and one token changed costs ``K`` fingerprints. Fingerprints that say nothing about a
pair are dropped as boilerplate: the release's own, and those held by more than half of a cell's
answers or by more than ``max_holders`` learners (MOSS's ``-m``, default 10: a passage many learners
wrote is the natural way to write it; without that cap, a cohort where 30 % write the textbook line
would give tens of thousands of pairs), never one only two answers hold. Only pairs that share a
fingerprint are scored: a sparse learner x fingerprint matrix (the inverted index) times its
transpose counts, in C, what every such pair shares. A pair's score is the share of the smaller
answer's fingerprints found in the other (0..1).

Why 0.8 and 60 tokens (measured on the course's real answers, tests/right_answers/): the 114 pairs of
independent correct answers score at most 0.79 (a variant that is the solution with another grid),
then 0.68 and below 0.3; a renamed and reformatted copy scores 1.0, and still 0.8 or more in 67 of 81
cases after one real edit (a line added or a number changed). An answer must keep at least 60
normalised tokens (a name is one token) outside boilerplate: the course's six shortest code answers
(one to four short lines, 15 to 48 tokens) have one natural way to be written; the other 27 have 60
or more (its 17 other answer cells are tables filled in, nothing of the learner's own to compare).

Python's string hashes (copydetect's) differ between processes: worker processes only tokenise, and
every hash is computed here.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import html
import json
import keyword
import multiprocessing
import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import scipy.sparse
from copydetect.utils import filter_code, get_copied_slices, hashed_kgrams, highlight_overlap
from nbformat import NotebookNode

K = 15               # normalised tokens per fingerprint (k-gram)
THRESHOLD = 0.8      # share of the smaller answer's fingerprints found in the other
MIN_TOKENS = 60      # normalised tokens of the learner's own code outside boilerplate
COMMON_SHARE = 0.5   # a fingerprint held by more than this share of a cell's answers is boilerplate
MAX_HOLDERS = 10     # ... and so is one held by more than this many learners (MOSS's -m default)
PARALLEL_FROM = 1000 # distinct answers from which tokenising is shared between processes
PAGE = "similarity.html"

Answers = dict[str, dict[str, str]]  # grade_id -> learner -> the learner's own code in that cell


@dataclasses.dataclass(frozen=True)
class SimilarPair:
    """Two learners whose answers to one cell share most of their fingerprints (learner_a < learner_b)."""

    assignment: str
    cell: str                          # grade_id of the answer cell
    learner_a: str
    learner_b: str
    score: float                       # share of the smaller answer's fingerprints found in the other, 0..1
    tokens_a: int                      # normalised tokens of each answer outside boilerplate
    tokens_b: int
    spans_a: tuple[tuple[int, int], ...] = ()   # shared passages, (start, end) character ranges of the code
    spans_b: tuple[tuple[int, int], ...] = ()


@dataclasses.dataclass
class _Fingerprinted:
    """One answer as copydetect sees it: the hash of the normalised k-gram at each position."""

    code: str
    offsets: np.ndarray                # copydetect's map from normalised to original positions
    hashes: np.ndarray                 # int64, one per position of the normalised code (its length - K + 1)


def answer_cells(notebook: NotebookNode | Mapping | bytes) -> dict[str, str]:
    """grade_id -> source of every answer cell. Raw bytes are parsed with ``json``, not nbformat: its
    schema validation costs more than everything else here, and only sources and metadata are read."""
    if isinstance(notebook, bytes | bytearray):
        try:
            notebook = json.loads(notebook)
        except (ValueError, UnicodeDecodeError):
            return {}
    cells = notebook.get("cells", []) if isinstance(notebook, Mapping) else []
    found = {}
    for cell in cells:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") == "code" and meta.get("solution") and meta.get("grade_id"):
            source = cell.get("source", "")
            found[meta["grade_id"]] = "".join(source) if isinstance(source, list) else str(source)
    return found


_LINE_TOKEN = re.compile(r"""(?P<literal>[rRbBuUfF]{0,2}(?:'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*")"""
                         r"|\b\d[\w.]*|\b(?:None|True|False)\b)|(?P<comment>#.*)|(?P<space>\s+)|(?P<word>[A-Za-z_]\w*)")


_MATMUL = re.compile(r"(?m)^(\s*@)|@")
_TRAILING_COMMA = re.compile(r",(?=\s*[)\]}])")


def _line_key(line: str) -> str:
    """A line with its literals as ``L``, its names as ``V``, without spacing or comment: the shape that
    says whether a learner's line is one the release gave, with the placeholders (``None``) filled in."""
    def token(match: re.Match) -> str:
        kind = match.lastgroup
        if kind == "literal":
            return "L"
        if kind == "word":
            return match.group() if keyword.iskeyword(match.group()) else "V"
        return ""
    return _LINE_TOKEN.sub(token, line)


_DATA_LINE = re.compile(r"[L:,{}\[\]()]*L[L:,{}\[\]()]*")  # a line key of literals and brackets only


def own_code(answer: str, released: str) -> str:
    """The learner's lines in a cell, without the lines the release gave.

    A given line counts as given whatever its names, spacing, comment and literal values, and however
    often it is repeated: filling in ``"alpha value": None`` with ``"C"`` leaves the release's line, and
    two learners who filled in the same table wrote nothing of their own to compare (they agree because
    they are right). So does a line of literals only (``"LassoCV: alpha_": "parameter",``): such a
    table is pasted from what the notebook printed (the mock exam prints each paper's), and once
    strings are read as one token every learner's table is the same. Empty when nothing of the
    learner's is left."""
    given = {_line_key(line) for line in released.splitlines()}
    comments = {line.strip() for line in released.splitlines()}
    kept, code = [], False
    for line in answer.splitlines():
        key = _line_key(line)
        if not key:  # blank or a comment: kept for the reader unless the release has it
            if line.strip() not in comments:
                kept.append(line)
        elif key not in given and not _DATA_LINE.fullmatch(key):
            kept.append(line)
            code = True
    return "\n".join(kept).strip("\n") if code else ""


def answers_by_cell(submissions: Mapping[str, bytes | NotebookNode], release: NotebookNode) -> Answers:
    """grade_id -> learner -> what the learner wrote in that answer cell, for the cells they changed."""
    released = answer_cells(release)
    answers: Answers = {grade_id: {} for grade_id in released}
    for learner, notebook in submissions.items():
        for grade_id, source in answer_cells(notebook).items():
            if grade_id in released and source.strip() != released[grade_id].strip():
                code = own_code(source, released[grade_id])
                if code.strip():
                    answers[grade_id][learner] = code
    return answers


def _normalised(code: str) -> tuple[str, np.ndarray]:
    """copydetect's tokenising and normalising (pygments), the costly step: run in worker processes.

    Two differences of layout that copydetect keeps are taken out first, each by a same-length edit,
    so copydetect's offsets still point into the code as written: a trailing comma before a closing
    bracket (black adds and removes them), and a matrix product written ``a @b``, which pygments lexes
    as a decorator whose name stays (every ``@`` but a decorator's is read as ``*``)."""
    code = _TRAILING_COMMA.sub(" ", _MATMUL.sub(lambda m: m.group(1) or "*", code))
    return filter_code(code, "answer.py", "python")


def _fingerprint(code: str, normalised: tuple[str, np.ndarray] | None = None) -> _Fingerprinted:
    filtered, offsets = normalised or _normalised(code)
    hashes = hashed_kgrams(filtered, K) if len(filtered) >= K else np.zeros(0)
    return _Fingerprinted(code, offsets, hashes.astype(np.int64))


def _fingerprint_all(codes: set[str], workers: int | None) -> dict[str, _Fingerprinted]:
    """Every distinct answer fingerprinted once (copies and answers the course suggested come often).

    pygments takes milliseconds an answer, so a large cohort is tokenised by ``workers`` processes
    (default: one per core, from ``PARALLEL_FROM`` answers on; spawned, not forked, as the caller
    may hold threads). Hashing stays here: Python's string hashes differ from process to process."""
    ordered = sorted(codes)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(ordered) >= PARALLEL_FROM else 1
    if workers > 1:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            normalised = list(pool.map(_normalised, ordered, chunksize=max(1, len(ordered) // (8 * workers))))
    else:
        normalised = [_normalised(code) for code in ordered]
    return {code: _fingerprint(code, n) for code, n in zip(ordered, normalised)}


def _covered(starts: np.ndarray) -> int:
    """Normalised tokens covered by the k-grams starting at ``starts`` (copydetect's token overlap)."""
    slices = get_copied_slices(starts, K)
    return int(np.sum(slices[1] - slices[0])) if len(slices[0]) else 0


def _spans(prints: _Fingerprinted, shared: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Character ranges of ``prints.code`` covered by k-grams whose hash is in ``shared``."""
    slices = get_copied_slices(np.flatnonzero(np.isin(prints.hashes, shared)), K)
    if not len(slices[0]):
        return ()
    if len(prints.offsets):  # as copydetect's compare_files: normalised positions back to the original code
        slices = slices + prints.offsets[:, 1][np.clip(np.searchsorted(prints.offsets[:, 0], slices), 0,
                                                       len(prints.offsets) - 1)]
    return tuple((int(a), int(b)) for a, b in zip(*slices))


def _compare_cell(assignment: str, cell: str, answers: Mapping[str, str], released: str, threshold: float,
                  min_tokens: int, max_holders: int, fingerprints: dict[str, _Fingerprinted]) -> list[SimilarPair]:
    """The flagged pairs of one cell: an inverted index (sparse learner x fingerprint matrix) whose
    product with its transpose counts, in C, the fingerprints every pair of answers shares."""
    learners = sorted(answers)
    prints = [fingerprints[answers[learner]] for learner in learners]
    distinct = [np.unique(p.hashes, return_inverse=True) for p in prints]  # hashes, and position -> hash
    every = np.concatenate([d for d, _ in distinct]) if distinct else np.zeros(0, dtype=np.int64)
    hashes, column, holders = np.unique(every, return_inverse=True, return_counts=True)
    limit = max(2, min(COMMON_SHARE * len(learners), max_holders))  # two answers alone are never "everyone"
    boilerplate = (holders > limit) | np.isin(hashes, _fingerprint(released).hashes)
    rows, columns, sizes, tokens = [], [], [], []
    start = 0
    for row, (d, at) in enumerate(distinct):
        cols = column[start:start + len(d)]
        start += len(d)
        useful = ~boilerplate[cols]
        sizes.append(int(useful.sum()))
        tokens.append(_covered(np.flatnonzero(useful[at])))
        if tokens[-1] >= min_tokens:  # an answer too small to be flagged needs no row
            rows.append(np.full(sizes[-1], row))
            columns.append(cols[useful])
    if not rows:
        return []
    matrix = scipy.sparse.csr_matrix((np.ones(sum(map(len, rows)), dtype=np.int32),
                                      (np.concatenate(rows), np.concatenate(columns))),
                                     shape=(len(learners), len(hashes)))
    shared = scipy.sparse.triu(matrix @ matrix.T, k=1).tocoo()
    size = np.array(sizes)
    scores = shared.data / np.maximum(np.minimum(size[shared.row], size[shared.col]), 1)
    pairs = []
    for i, j, score in zip(shared.row, shared.col, scores):
        if score >= threshold:
            common = hashes[(matrix[i].multiply(matrix[j])).indices]
            pairs.append(SimilarPair(assignment, cell, learners[i], learners[j], round(float(score), 4),
                                     tokens[i], tokens[j], _spans(prints[i], common), _spans(prints[j], common)))
    return pairs


def compare_answers(assignment: str, answers: Answers, releases: Mapping[str, str], threshold: float = THRESHOLD,
                    min_tokens: int = MIN_TOKENS, max_holders: int = MAX_HOLDERS,
                    workers: int | None = None) -> list[SimilarPair]:
    """The pairs of answers (per cell) that score at least ``threshold``, highest first.

    ``releases``: grade_id -> the cell's source as released (its fingerprints are never evidence)."""
    fingerprints = _fingerprint_all({code for by_learner in answers.values() for code in by_learner.values()},
                                    workers)
    pairs = [pair for cell, by_learner in sorted(answers.items())
             for pair in _compare_cell(assignment, cell, by_learner, releases.get(cell, ""), threshold,
                                       min_tokens, max_holders, fingerprints)]
    return sorted(pairs, key=lambda p: (-p.score, p.cell, p.learner_a, p.learner_b))


def find_similar(assignment: str, submissions: Mapping[str, bytes | NotebookNode], release: NotebookNode,
                 threshold: float = THRESHOLD, min_tokens: int = MIN_TOKENS, max_holders: int = MAX_HOLDERS,
                 workers: int | None = None) -> list[SimilarPair]:
    """Pairs of learners whose answers to one cell of ``assignment`` are alike, highest score first.

    ``submissions``: learner -> submitted notebook (nbformat node or the file's bytes; unreadable ones
    are skipped, grading reports them). ``release``: the notebook every learner was given. From
    ``PARALLEL_FROM`` distinct answers on, tokenising is spread over ``workers`` spawned processes (one
    per core by default): call it from a module's ``if __name__ == "__main__"`` part, as any code using
    multiprocessing, or pass ``workers=1``."""
    return compare_answers(assignment, answers_by_cell(submissions, release), answer_cells(release), threshold,
                           min_tokens, max_holders, workers)


def _highlighted(code: str, spans: tuple[tuple[int, int], ...]) -> str:
    if not spans:
        return html.escape(code)
    marked, _ = highlight_overlap(code, np.array(spans).T, "<mark>", "</mark>", escape_html=True)
    return marked


def write_similarity_page(pairs: list[SimilarPair], answers: Answers, path: Path,
                          threshold: float = THRESHOLD) -> Path:
    """``similarity.html`` in the folder ``path`` (or at ``path`` if it ends in ``.html``): a self-contained
    page listing the flagged pairs, highest score first, both answers side by side, shared passages marked.

    ``answers``: what ``answers_by_cell`` returned, i.e. the code that was compared."""
    path = Path(path)
    page = path if path.suffix == ".html" else path / PAGE
    compared = sum(len(by_learner) for by_learner in answers.values())
    learners = len({learner for by_learner in answers.values() for learner in by_learner})
    flagged = [p for p in sorted(pairs, key=lambda p: (-p.score, p.cell, p.learner_a, p.learner_b))
               if p.score >= threshold]
    summary = (f"{compared} answer{'s' * (compared != 1)} from {learners} learner{'s' * (learners != 1)} compared, "
               f"cell by cell; {len(flagged) or 'no'} pair{'s' * (len(flagged) != 1)} flagged at a similarity of "
               f"{100 * threshold:.0f} % or more. A flag is for a human to look at, never a verdict: people do "
               "write the same code on their own, and nothing here changes a grade.")
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Similar answers</title><style>"
        "body{font-family:sans-serif;max-width:1400px;margin:auto;padding:0 16px}.pair{display:flex;gap:12px}"
        ".pair>div{flex:1;min-width:0}pre{background:#f6f6f6;padding:6px;overflow-x:auto;white-space:pre-wrap}"
        "mark{background:#ffd27a}</style></head><body><h1>Similar answers</h1>",
        f"<p>{html.escape(summary)}</p>",
        "<p>Only each learner's own lines are shown and compared (the lines the release gave are left out). "
        "Variable names, strings, spacing and comments are ignored; passages most learners wrote are not "
        "counted. Marked: what the two answers share.</p>",
    ]
    if not flagged:
        parts.append("<p><b>Nothing was flagged.</b></p>")
    for p in flagged:
        parts.append(f"<h2>{html.escape(p.assignment)} · {html.escape(p.cell)}: {html.escape(p.learner_a)} and "
                     f"{html.escape(p.learner_b)} — {100 * p.score:.0f} %</h2><div class='pair'>")
        for learner, spans in ((p.learner_a, p.spans_a), (p.learner_b, p.spans_b)):
            code = answers.get(p.cell, {}).get(learner, "")
            parts.append(f"<div><h3>{html.escape(learner)}</h3><pre>{_highlighted(code, spans)}</pre></div>")
        parts.append("</div>")
    parts.append("</body></html>")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("".join(parts), encoding="utf-8")
    return page
