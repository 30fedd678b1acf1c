"""Build the book strictly without ever losing the last good one.

``make book`` runs this. Three things it adds to ``jupyter-book build . -W -n --keep-going``:

* **A cache keyed on content.** Jupyter Book's execution cache keys on code cells only, so a
  change in ``data/``, ``references.bib`` or the engine would leave stale numbers on the pages.
  The SHA-256 of every file the chapters read (not their timestamps, which ``cp -p``, ``rsync -a``
  or an unzip keep old) is compared with the one of the last build; when it differs, the
  build starts from an empty cache.
* **A build that replaces the book only when it succeeds.** The build runs in
  ``_build/stage``; ``_build/html`` is replaced by the new pages only after a clean build, so a
  failing chapter leaves the previous book in place.
* **One line per failure.** When the build fails, each failing chapter is named with the last
  line of its error (and the data row, where the error names one), after Sphinx's own output.

Usage: ``python book/_ext/build_book.py [--root DIR] [--fresh]``; exit status 0 on success,
1 when the book did not build.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: Folders and files whose content the executed chapters depend on, besides their own code.
INPUTS = ("data", "src/alliance_meta", "book/_ext", "book/_static", "references.bib", "_config.yml",
          "_toc.yml", "CITATION.cff", "constraints.txt")
FLAGS = ("-W", "-n", "--keep-going")
_SPHINX = re.compile(r"^\S[^:]*:(\d+:)? (WARNING|ERROR|CRITICAL): ")
_ROW = re.compile(r"\b[a-z]+\d{4}[a-z]?-(?:\d{2}|s\d+)\b")


def inputs_digest(root: Path) -> str:
    """SHA-256 over the relative path and bytes of every input file, in sorted order."""
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if not file.is_file() or "__pycache__" in file.parts:
                continue
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def failures(stage: Path, log: str) -> list[str]:
    """One line per failing chapter: its source, the last line of its error, and any data row
    the error names; then any other warning the strict build turned into a failure."""
    lines = []
    reports = stage / "_build" / "html" / "reports"
    for err in sorted(reports.rglob("*.err.log")) if reports.is_dir() else []:
        text = re.sub(r"\x1b\[[0-9;]*m", "", err.read_text(encoding="utf-8", errors="replace"))
        last = [ln.strip() for ln in text.splitlines() if ln.strip()]
        error = last[-1] if last else "cell error"
        rows = sorted(set(_ROW.findall(text)))
        chapter = err.relative_to(reports).with_suffix("").with_suffix(".md").as_posix()
        lines.append(f"{chapter}: {error}" + (f" (data rows named: {', '.join(rows[:5])})" if rows else ""))
    named = {ln.split(":")[0] for ln in lines}
    for ln in re.sub(r"\x1b\[[0-9;]*m", "", log).splitlines():
        # Sphinx's own warnings and errors: "path:line: WARNING: ..." (kernels' log lines are not)
        if _SPHINX.match(ln):
            source = ln.split(":")[0].strip()
            if not any(source.endswith(n) for n in named):
                lines.append(ln.strip()[:300])
    return list(dict.fromkeys(lines))


def build(root: Path, fresh: bool = False, command: list[str] | None = None) -> int:
    """Build ``root``'s book into ``_build/stage`` and publish it to ``_build/html`` on success.

    ``command`` replaces the ``jupyter-book`` executable (the tests give a stand-in); the
    arguments ``build ROOT --path-output STAGE -W -n --keep-going`` follow it.
    """
    out = root / "_build"
    stage = out / "stage"
    stamp = stage / ".inputs-sha256"
    digest = inputs_digest(root)
    if fresh or not stamp.is_file() or stamp.read_text().strip() != digest:
        shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")
    jb = command or [str(Path(sys.executable).with_name("jupyter-book"))]
    proc = subprocess.run([*jb, "build", str(root), "--path-output", str(stage), *FLAGS],
                          cwd=root, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    built = stage / "_build" / "html"
    if proc.returncode != 0 or not (built / "index.html").is_file():
        found = failures(stage, proc.stdout + proc.stderr)
        kept = "the previous book is kept in _build/html" if (out / "html" / "index.html").is_file() else \
            "there is no previous book in _build/html"
        print(f"\nbook build failed ({kept}):", file=sys.stderr)
        for line in found or ["jupyter-book exited with status %d" % proc.returncode]:
            print(f"  {line}", file=sys.stderr)
        return 1
    # publish: copy the new pages beside the old ones, then swap the names
    fresh_html = out / "html.new"
    shutil.rmtree(fresh_html, ignore_errors=True)
    shutil.copytree(built, fresh_html)
    old = out / "html.old"
    shutil.rmtree(old, ignore_errors=True)
    if (out / "html").exists():
        os.replace(out / "html", old)
    os.replace(fresh_html, out / "html")
    shutil.rmtree(old, ignore_errors=True)
    # the executed notebooks, for readers who download a chapter
    shutil.rmtree(out / "jupyter_execute", ignore_errors=True)
    if (stage / "_build" / "jupyter_execute").is_dir():
        shutil.copytree(stage / "_build" / "jupyter_execute", out / "jupyter_execute")
    print(f"The book is at {out / 'html' / 'index.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the project folder (default: the working directory)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty cache")
    args = parser.parse_args(argv)
    return build(Path(args.root).resolve(), fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
