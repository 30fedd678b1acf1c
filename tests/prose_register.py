#!/usr/bin/env python3
"""Register of typed sentences that carry a count or a judgement word (issue 24's sweep, made
mechanical: ``tests/test_prose_register.py`` runs it on the book against
``tests/data/prose_register.tsv``).

Usage
-----
    python tests/prose_register.py BOOK_DIR                 # print every flagged sentence as a JSON line
    python tests/prose_register.py BOOK_DIR REGISTER.tsv    # print flagged sentences whose key is not in the
                                            # register; exit 1 if there is any
    python tests/prose_register.py BOOK_DIR REGISTER.tsv --fail-on data-claim
                                            # also exit 1 if a registered sentence with that
                                            # verdict is still in the book

A chapter is executable when its first 200 characters contain ``jupytext:``. From each such
chapter the scan removes front matter, code cells and other code blocks (also ``~~~`` blocks
inside exercise solutions), HTML comments, targets ``(label)=``, math, and replaces the roles
``{glue:...}``, ``{cite...}``, ``{ref}``, ``{numref}``, ``{doc}``, ``{term}``, ``{eq}`` by
placeholders (``⟨glue:name⟩``, ``⟨cite⟩``, ``⟨ref⟩``, ...) so that what remains is the typed
prose. Exercise and solution bodies, admonitions, figure captions, ``:alt:`` and ``:caption:``
options, headings, list items and table rows are prose too. The prose is split into sentences;
a sentence is flagged when its text outside placeholders matches ``FLAG`` (case-insensitive).

Each flagged sentence is reported as ``{"chapter", "line", "sentence", "key"}`` where
``sentence`` has its whitespace normalised and ``key`` is the first 12 hex digits of the SHA-1
of that sentence (UTF-8). The line is the 1-based line of the chapter where the sentence
starts (informative only; the key does not depend on it).

The register is a tab-separated file with a header containing at least ``key`` and
``verdict`` columns; a sentence is registered when its key is in it (whatever the chapter).
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from pathlib import Path

FLAG = re.compile(
    r"\b(none|no|only|both|neither|most recent|latest|newest|oldest|significant(ly)?|single|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|all|every|each|majority|most|few|"
    r"several|many|\d+)\b",
    re.IGNORECASE,
)

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{([^}]*)\})?\s*(.*)$")
# Directives whose body is prose (anything else with a {name} is dropped with its body).
PROSE_DIRECTIVES = {"exercise", "solution", "admonition", "note", "tip", "warning", "important",
                    "caution", "attention", "hint", "seealso", "epigraph", "glue:figure", "figure",
                    "glossary", "dropdown", "margin", "sidebar", "topic", "card", "aside"}
# Directive arguments that are titles (prose); for the others the argument is a name or a path.
TITLED_DIRECTIVES = {"admonition", "dropdown", "topic", "sidebar", "card"}
PROSE_OPTIONS = {"alt", "caption", "figclass-caption", "title"}

ROLE = re.compile(r"\{([A-Za-z0-9_:.-]+)\}`([^`]*)`")
ABBREV = re.compile(r"\b(e\.g|i\.e|et al|cf|vs|etc|Fig|fig|Eq|eq|p|pp|No|no|approx|ca|Ch|ch|Sect|Vol|ed|eds)\.$")


def _role(match: re.Match) -> str:
    name, text = match.group(1), match.group(2)
    if name.startswith("glue"):
        return f"⟨glue:{text.strip()}⟩"
    if name.startswith("cite"):
        return "⟨cite⟩"
    if name in {"ref", "numref", "doc", "eq", "term", "download"}:
        return f"⟨{name}⟩"
    if name == "math":
        return "⟨math⟩"
    return text


def _inline(text: str) -> str:
    text = ROLE.sub(_role, text)
    text = re.sub(r"\$\$.*?\$\$", "⟨math⟩", text)
    text = re.sub(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$", "⟨math⟩", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"<https?://[^>]*>", "⟨url⟩", text)
    return text


def _blocks(lines: list[str]):
    """Yield (first_line_number, text, kind) for each prose block of a chapter.

    kind is "para" for running prose (split into sentences) and "unit" for text that stands
    as one sentence group on its own (heading, option value, table row); both are split the
    same way, but a unit never merges with its neighbours.
    """
    i, n = 0, len(lines)
    if lines and lines[0].strip() == "---":  # front matter
        i = 1
        while i < n and lines[i].strip() != "---":
            i += 1
        i += 1
    para: list[tuple[int, str]] = []
    stack: list[tuple[str, bool]] = []  # (closing fence, is prose) for open fences

    def flush():
        if para:
            yield para[0][0], " ".join(t for _, t in para), "para"
            para.clear()

    in_comment = False
    while i < n:
        raw = lines[i]
        lineno = i + 1
        i += 1
        if in_comment:
            if "-->" in raw:
                in_comment = False
            continue
        if "<!--" in raw:
            before, _, after = raw.partition("<!--")
            if "-->" in after:
                raw = before + after.split("-->", 1)[1]
            else:
                raw = before
                in_comment = True
        m = FENCE.match(raw)
        if m:
            fence = m.group(2)
            if stack and fence[0] == stack[-1][0][0] and len(fence) >= len(stack[-1][0]) \
                    and not m.group(3) and not m.group(5):
                yield from flush()
                stack.pop()
                continue
            # opening fence
            yield from flush()
            name = (m.group(4) or "").strip()
            arg = m.group(5).strip()
            outer_prose = all(p for _, p in stack)
            prose = outer_prose and name in PROSE_DIRECTIVES
            stack.append((fence, prose))
            if not prose:
                # skip the body up to the closing fence (same character, at least as long, bare)
                close = re.compile(r"^\s*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
                while i < n and not close.match(lines[i]):
                    i += 1
                i += 1
                stack.pop()
                continue
            if name in TITLED_DIRECTIVES and arg:
                yield lineno, arg, "unit"
            # options directly after the opening line
            while i < n and re.match(r"^\s*:[A-Za-z0-9_-]+:", lines[i]):
                om = re.match(r"^\s*:([A-Za-z0-9_-]+):\s*(.*)$", lines[i])
                if om.group(1) in PROSE_OPTIONS and om.group(2).strip():
                    yield i + 1, om.group(2).strip(), "unit"
                i += 1
            continue
        # a directive option of a prose directive further down (rare) or code-cell metadata
        if stack and re.match(r"^\s*:[A-Za-z0-9_-]+:", raw) and not para:
            om = re.match(r"^\s*:([A-Za-z0-9_-]+):\s*(.*)$", raw)
            if om.group(1) in PROSE_OPTIONS and om.group(2).strip():
                yield lineno, om.group(2).strip(), "unit"
            continue
        s = raw.strip()
        if not s or s == "+++" or re.match(r"^\(.*\)=$", s):
            yield from flush()
            continue
        if s.startswith("$$"):  # display math block
            yield from flush()
            if not (len(s) > 2 and s.endswith("$$") and len(s) >= 4):
                while i < n and "$$" not in lines[i]:
                    i += 1
                i += 1
            continue
        if s.startswith("#"):
            yield from flush()
            yield lineno, s.lstrip("#").strip(), "unit"
            continue
        if s.startswith("|"):
            yield from flush()
            cells = [c.strip() for c in s.strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
                continue
            yield lineno, "; ".join(c for c in cells if c), "unit"
            continue
        if re.match(r"^([-*+]|\d+[.)])\s+", s):  # list item starts a new block
            yield from flush()
            s = re.sub(r"^([-*+]|\d+[.)])\s+", "", s)
        para.append((lineno, s))
    yield from flush()


SPLIT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(⟨*_`A-Z0-9])")


def _sentences(lineno: int, text: str):
    text = _inline(text)
    parts, start = [], 0
    for m in SPLIT.finditer(text):
        head = text[start:m.start()].rstrip()
        if ABBREV.search(head.split(" ")[-1] if " " in head else head) or ABBREV.search(head):
            continue
        parts.append(text[start:m.start()])
        start = m.end()
    parts.append(text[start:])
    for p in parts:
        p = re.sub(r"\s+", " ", p).strip()
        if p:
            yield lineno, p


def normalise(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip()


def key(sentence: str) -> str:
    return hashlib.sha1(normalise(sentence).encode("utf-8")).hexdigest()[:12]


def flagged(sentence: str) -> bool:
    return bool(FLAG.search(re.sub(r"⟨[^⟩]*⟩", " ", sentence)))


def scan_chapter(path: Path):
    """Return the flagged sentences of one chapter as dicts, in order."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    out = []
    for first, block, _kind in _blocks(lines):
        cursor = first
        for _, s in _sentences(first, block):
            cursor = _locate(lines, cursor, s)
            if flagged(s):
                out.append({"chapter": path.stem, "line": cursor, "sentence": s, "key": key(s)})
    return out


def _locate(lines: list[str], first: int, sentence: str) -> int:
    """Best-effort source line of a sentence: first line at or after ``first`` holding its
    opening words (placeholders and markup make an exact match impossible in general)."""
    plain = re.split(r"⟨|[*`_$]", re.sub(r"^(⟨[^⟩]*⟩\s*)+", "", sentence))[0]
    words = plain.split()
    for size in (4, 3, 2, 1):
        if len(words) < size:
            continue
        probe = " ".join(words[:size])
        for j in range(first - 1, min(len(lines), first + 60)):
            if probe in lines[j]:
                return j + 1
    return first


def chapters(book: Path):
    for p in sorted(book.glob("*.md")):
        if "jupytext:" in p.read_text(encoding="utf-8")[:200]:
            yield p


def scan(book: Path):
    rows = []
    for p in chapters(book):
        rows.extend(scan_chapter(p))
    return rows


def read_register(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {r["key"]: r["verdict"] for r in reader}


def main(argv: list[str]) -> int:
    args = list(argv)
    fail_on: set[str] = set()
    while "--fail-on" in args:
        j = args.index("--fail-on")
        fail_on.add(args[j + 1])
        del args[j:j + 2]
    if len(args) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    rows = scan(Path(args[0]))
    if len(args) == 1:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return 0
    register = read_register(Path(args[1]))
    missing = [r for r in rows if r["key"] not in register]
    bad = [r for r in rows if register.get(r["key"]) in fail_on]
    for r in missing:
        print(json.dumps(r, ensure_ascii=False))
    for r in bad:
        print(json.dumps({**r, "verdict": register[r["key"]]}, ensure_ascii=False))
    if missing:
        print(f"{len(missing)} flagged sentence(s) not in {args[1]}", file=sys.stderr)
    if bad:
        print(f"{len(bad)} registered sentence(s) with verdict {', '.join(sorted(fail_on))}", file=sys.stderr)
    return 1 if (missing or bad) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
