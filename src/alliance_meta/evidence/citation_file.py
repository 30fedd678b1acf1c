"""The project's citation metadata (``CITATION.cff``), as the appendix on citing prints it."""

from __future__ import annotations

from pathlib import Path


def citation_text(root: str | Path | None = None) -> str:
    """The text of ``CITATION.cff`` at the project root.

    Parameters
    ----------
    root : path, optional
        The project root (default: :func:`~alliance_meta.evidence.dataset.project_root` from the
        working directory).

    Returns
    -------
    str
        The file as written (UTF-8); a sentence saying the file is missing when there is none, so
        that a copy of the book without it still builds.
    """
    from .dataset import project_root

    path = Path(root or project_root()) / "CITATION.cff"
    if not path.is_file():
        return "This copy of the project has no CITATION.cff; cite the repository it came from."
    return path.read_text(encoding="utf-8")


__all__ = ["citation_text"]
