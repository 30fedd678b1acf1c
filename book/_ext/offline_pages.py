"""Sphinx extension for this book: keep pages free of assets that would need the network.

Jupyter Book 1 always loads sphinx-thebe, which writes an inline script pointing at a CDN
(and declares it twice, a console error) even when launch buttons are off, as they are
here. This removes thebe's scripts and stylesheet from every page.

It also drops ``role="list"`` from docutils' citation list on the bibliography page: the
entries inside are not list items, so the role made the page fail axe-core's
``aria-required-children`` rule, and without it the entries read as plain text blocks.

And it drops myst-nb's ``aria-label="Toggle hidden content"`` from the toggles of cells whose
code is collapsed (``hide-input``): the label hid the visible words ("Show code cell
source"), which fails axe-core's ``label-content-name-mismatch``; without it a screen reader
reads the visible words.
"""

from __future__ import annotations


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", "") or "")
    return "thebe" in name.lower() or "THEBE_JS_URL" in body


def _strip(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe(a)]
    if "body" in context:
        context["body"] = context["body"].replace('<div role="list" class="citation-list">',
                                                  '<div class="citation-list">')
        context["body"] = context["body"].replace('<summary aria-label="Toggle hidden content">', "<summary>")


def setup(app):
    app.connect("html-page-context", _strip, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
