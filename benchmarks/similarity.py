"""Similarity flags on a large synthetic cohort: how long ``find_similar`` takes, and what it flags.

    .venv/bin/python benchmarks/similarity.py [--learners 2000] [--assignment 07_tuning_strategies] [--page out.html]

Builds ``--learners`` submissions of one assignment from the real release and the course's real answers
(the solution, tests/right_answers/ and tests/wrong_answers/): each learner's answer to each cell is
one of those variants, with a few edits that make it their own (a number changed, a line from another
of the course's answers added at a statement boundary), then disguised as a copier would (local names
renamed, spacing changed, comments added). A few learners are planted copies of another learner's whole
notebook, disguised again. Times ``find_similar`` on the notebooks' bytes (parsing included), prints
the seconds and the pairs found, and which of them are the planted copies. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import keyword
import os
import random
import resource
import sys
import time
import tokenize
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from notebook_tools import (  # noqa: E402
    assignment_ids,
    fill,
    read,
    release_path,
    right_answers,
    solution_answers,
    wrong_answers,
)

from autograder.similarity import answers_by_cell, find_similar, write_similarity_page  # noqa: E402

WORDS = ("value", "thing", "result", "tmp", "my", "data", "out", "res", "item", "obj", "x", "best", "cur")


def disguise(code: str, rng: random.Random) -> str:
    """``code`` as a copier hands it in: its own names (assigned, arguments) renamed, indentation and
    spacing changed, comments added. Keyword arguments, attributes and imported names are left alone."""
    try:
        tree = ast.parse(code)
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (SyntaxError, tokenize.TokenError):
        return code
    own = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    own |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    names = {name: f"{rng.choice(WORDS)}_{i}" for i, name in enumerate(sorted(own))}
    keywords = {(k.lineno, k.col_offset) for k in ast.walk(tree) if isinstance(k, ast.keyword)}
    out: list[tuple[int, str]] = []
    for i, tok in enumerate(tokens):
        kind, text = tok.type, tok.string
        if kind == tokenize.NAME and text in names and tok.start not in keywords and tokens[i - 1].string != ".":
            text = names[text]
        if kind == tokenize.INDENT:
            text = text.replace("    ", "  ")
        if kind == tokenize.NEWLINE and rng.random() < 0.4:
            out.append((tokenize.COMMENT, f"# {rng.choice(WORDS)} {rng.choice(WORDS)}"))
        out.append((kind, text))
    return tokenize.untokenize(out)


def edited(code: str, pool: list[str], rng: random.Random, edits: int = 5) -> str:
    """``code`` made one learner's own: ``edits`` times, a number changed or a line from ``pool`` added
    before a statement (with that statement's indentation), so the result still parses."""
    for _ in range(edits):
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return code
        numbers = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) in (int, float)]
        lines = code.splitlines()
        if numbers and rng.random() < 0.4:
            n = rng.choice(numbers)
            if n.lineno == n.end_lineno:
                line = lines[n.lineno - 1]
                lines[n.lineno - 1] = line[:n.col_offset] + str(rng.randint(2, 999)) + line[n.end_col_offset:]
        else:
            statements = [s for s in ast.walk(tree) if isinstance(s, ast.stmt)
                          and not isinstance(s, ast.FunctionDef | ast.Return)]
            if statements:
                s = rng.choice(statements)
                lines.insert(s.lineno - 1, " " * s.col_offset + rng.choice(pool))
        code = "\n".join(lines)
    return code


def statement_pool() -> list[str]:
    """Every line of the course's answers that is a statement on its own (what learners write)."""
    pool = set()
    for assignment in assignment_ids():
        variants = list(solution_answers(assignment).values()) + list(wrong_answers(assignment).values())
        variants += [v for vs in right_answers(assignment).values() for v in vs]
        for code in variants:
            for line in code.splitlines():
                try:
                    tree = ast.parse(line.strip())
                except SyntaxError:
                    continue
                if (len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign | ast.Expr)
                        and 15 < len(line.strip()) < 100 and not keyword.iskeyword(line.split()[0])):
                    pool.add(line.strip())
    return sorted(pool)


def cohort(assignment: str, learners: int, planted: int, seed: int = 0) -> tuple[dict[str, bytes], list[tuple]]:
    """``learners`` submissions (file bytes) of ``assignment``, and the planted copies (original, copy)."""
    rng = random.Random(seed)
    release = read(release_path(assignment))
    solution, right, wrong = solution_answers(assignment), right_answers(assignment), wrong_answers(assignment)
    variants = {cell: [code] * 3 + right.get(cell, []) + ([wrong[cell]] if cell in wrong else [])
                for cell, code in solution.items()}
    pool = statement_pool()
    answers = {}
    for i in range(learners - planted):
        answers[f"learner{i:04d}"] = {cell: disguise(edited(rng.choice(options), pool, rng), rng)
                                      for cell, options in variants.items()}
    originals = rng.sample(sorted(answers), planted)
    pairs = []
    for i, original in enumerate(originals):
        copy = f"learner{learners - planted + i:04d}"
        answers[copy] = {cell: disguise(code, rng) for cell, code in answers[original].items()}
        pairs.append(tuple(sorted((original, copy))))
    submissions = {learner: json.dumps(fill(release, cells)).encode() for learner, cells in answers.items()}
    return submissions, pairs


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (find_similar's tokenising processes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--planted", type=int, default=10, help="learners who hand in a disguised copy")
    parser.add_argument("--assignment", default="07_tuning_strategies", choices=assignment_ids())
    parser.add_argument("--workers", type=int, help="tokenising processes (default: find_similar's choice)")
    parser.add_argument("--page", type=Path, help="also write the similarity page here")
    args = parser.parse_args()

    started = time.perf_counter()
    submissions, planted = cohort(args.assignment, args.learners, args.planted)
    print(f"built {len(submissions)} submissions of {args.assignment} in {time.perf_counter() - started:.1f} s")
    release = read(release_path(args.assignment))

    started, cpu = time.perf_counter(), _cpu_seconds()
    pairs = find_similar(args.assignment, submissions, release, workers=args.workers)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    found = {(p.learner_a, p.learner_b) for p in pairs}
    other = [p for p in pairs if (p.learner_a, p.learner_b) not in set(planted)]
    print(f"find_similar: {seconds:.1f} s for {len(submissions)} submissions ({cpu:.1f} s of CPU, tokenising "
          f"processes included; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"flagged: {len(pairs)} pairs (answer cell, two learners), {len(found)} pairs of learners")
    print(f"planted copies flagged: {sum(p in found for p in planted)} of {len(planted)}")
    for a, b in planted:
        cells = sorted(p.cell for p in pairs if (p.learner_a, p.learner_b) == (a, b))
        print(f"  {a} ~ {b}: {len(cells)} cells: {', '.join(cells)}")
    print(f"other pairs flagged: {len(other)}")
    for p in other[:10]:
        print(f"  {p.cell}: {p.learner_a} ~ {p.learner_b} {p.score:.2f} ({p.tokens_a}/{p.tokens_b} tokens)")
    if args.page:
        started = time.perf_counter()
        page = write_similarity_page(pairs, answers_by_cell(submissions, release), args.page)
        print(f"page: {page} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
