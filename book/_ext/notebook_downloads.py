"""Sphinx extension for this book: every executed chapter is downloadable as a notebook.

myst-nb writes each executed chapter, with its outputs, to ``_build/jupyter_execute``.
This copies those notebooks into the HTML output (``_notebooks/``) and puts a download
link at the top of each chapter that has one, so readers and instructors can open a
chapter in Jupyter as it ran when the book was built.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FOLDER = "_notebooks"


def _executed(app) -> Path:
    return Path(app.outdir).parent / "jupyter_execute"


def _link(app, pagename, templatename, context, doctree):
    source = _executed(app) / f"{pagename}.ipynb"
    if not source.is_file() or "body" not in context:
        return
    target = Path(app.outdir) / FOLDER / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    href = context["pathto"](f"{FOLDER}/{pagename}.ipynb", 1)
    name = Path(pagename).name
    context["body"] = (f'<p class="notebook-download"><a class="reference download" href="{href}" '
                       f'download="{name}.ipynb">Download this chapter as a notebook ({name}.ipynb)</a></p>\n'
                       + context["body"])


def setup(app):
    app.connect("html-page-context", _link)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
