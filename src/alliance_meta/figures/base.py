"""What every figure shares: a white figure detached from pyplot, the r or z scale,
interval text, diamonds, side columns of labels, and writing a figure to disk or to a
chapter.

matplotlib is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import numpy as np

#: The two-sided 95% normal quantile, written out so that drawing needs no SciPy.
Z95 = 1.959963984540054


def new_figure(width: float, height: float):
    """A white figure not attached to pyplot (no global state, no GUI backend needed)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), facecolor="white")


def to_scale(is_r: bool):
    return np.tanh if is_r else (lambda x: np.asarray(x, dtype=float))


def _two(x: float) -> str:
    """``x`` to two decimals, a value that rounds to zero without its minus sign."""
    text = f"{x:5.2f}"
    return text.replace("-", " ") if set(text.strip()) <= set("-0.") else text


def interval_text(est: float, lb: float, ub: float) -> str:
    return f"{_two(est)} [{_two(lb)}, {_two(ub)}]"


#: the longest label a plot draws; a longer one ends in an ellipsis (the report's table of
#: rows, and the data, keep the full text)
LABEL_CHARS = 40


def short_label(text, width: int = LABEL_CHARS) -> str:
    """``text`` on one line (runs of white space as one space), cut to ``width`` characters
    with an ellipsis, so that a long label cannot squeeze the plot or widen the image."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class quiet_rendering:
    """Draw without matplotlib's warnings on stderr: a glyph missing from the font (a CJK
    or emoji label, drawn as an empty box) and font look-ups would print lines with internal
    paths, where the command line prints one line at most."""

    def __enter__(self):
        import logging
        import warnings

        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from")
        warnings.filterwarnings("ignore", message=r".*findfont")
        self._logger = logging.getLogger("matplotlib.font_manager")
        self._level = self._logger.level
        self._logger.setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc):
        self._logger.setLevel(self._level)
        return self._warnings.__exit__(*exc)


def diamond(ax, centre: float, lb: float, ub: float, ypos: float, gid: str, height: float = 0.4,
             color: str = "black"):
    from matplotlib.patches import Polygon

    verts = np.array([[lb, ypos], [centre, ypos + height], [ub, ypos], [centre, ypos - height]])
    patch = Polygon(verts, closed=True, facecolor=color, edgecolor=color, gid=gid)
    ax.add_patch(patch)
    return patch


def axis_label(is_r: bool, what: str = "Effect size") -> str:
    return "Correlation r (back-transformed from Fisher z)" if is_r else what


def text_columns(fig, ax, labels, right_text, ypos, header_left="Study", header_right="Estimate [95% CI]",
                  weights=None):
    """Labels to the left of the axes, estimates (and weights) to the right, one per row.

    Labels come from the user's data, so they are drawn as plain text: a ``$`` in a study
    name is a dollar sign, never the start of mathtext, and a control character is drawn as
    its escape (``\\x1b``), which keeps the SVG well-formed XML."""
    import matplotlib.transforms as mtrans

    from ..engine.wording import printable

    left = mtrans.blended_transform_factory(ax.transAxes, ax.transData)
    for y, lab in zip(ypos, labels):
        ax.text(-0.02, y, printable(short_label(lab)), transform=left, ha="right", va="center", fontsize=8,
                gid="label", parse_math=False)
    for y, txt in zip(ypos, right_text):
        ax.text(1.02, y, txt, transform=left, ha="left", va="center", fontsize=8, family="monospace")
    if weights is not None:
        for y, w in zip(ypos, weights):
            if not np.isfinite(w):
                continue
            ax.text(1.5, y, f"{w:5.1f}%", transform=left, ha="left", va="center", fontsize=8, family="monospace")
    top = max(ypos) + 1.2 if len(ypos) else 1.0
    ax.text(-0.02, top, printable(short_label(header_left)), transform=left, ha="right", va="center", fontsize=8, weight="bold",
            parse_math=False)
    ax.text(1.02, top, header_right, transform=left, ha="left", va="center", fontsize=8, weight="bold")
    if weights is not None:
        ax.text(1.5, top, "Weight", transform=left, ha="left", va="center", fontsize=8, weight="bold")


def save(fig, path: str, dpi: int = 150) -> None:
    """Write ``fig`` to ``path`` (format from the suffix: .svg or .png) atomically: to a
    temporary file in the same folder, then renamed, so nothing half-written is left."""
    import os

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not hasattr(fig.canvas, "print_figure"):
        FigureCanvasAgg(fig)
    suffix = os.path.splitext(path)[1].lower()
    with quiet_rendering():
        write_atomically(path, lambda tmp: fig.savefig(tmp, format=suffix.lstrip("."), dpi=dpi, facecolor="white",
                                                       bbox_inches="tight"))


def write_atomically(path: str, fill) -> None:
    """Call ``fill(tmp)`` to write a temporary file in the folder of ``path``, then rename it
    to ``path``: a reader never sees a half-written file, and a failure leaves none behind
    (the exception is raised again). An existing ``path`` keeps its permissions; one that
    nobody may write (mode 444) is not replaced: ``PermissionError``."""
    import errno
    import os
    import stat
    import tempfile

    mode = None
    if os.path.exists(path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if not mode & 0o222:  # checked on the mode bits, which bind root too, not os.access
            raise PermissionError(errno.EACCES, "it is write-protected; remove it or choose another name", path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(path)[1].lower(), dir=folder)
    os.close(fd)
    try:
        fill(tmp)
        if mode is None:
            mask = os.umask(0)  # mkstemp makes the file private; give it the usual permissions
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def as_image(fig, dpi: int = 150):
    """A figure as a PNG ``IPython.display.Image``, ready to glue into a chapter.

    Rendering here (instead of relying on the notebook's matplotlib formatter) makes the
    output the same for figures made by pyplot and for bare ``matplotlib.figure.Figure``
    objects, which have no notebook backend attached.
    """
    import io

    from IPython.display import Image

    buf = io.BytesIO()
    with quiet_rendering():
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches="tight")
    return Image(data=buf.getvalue(), format="png")
