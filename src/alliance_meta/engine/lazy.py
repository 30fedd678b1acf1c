"""Names a package offers from its submodules, imported on first use.

``alliance-meta --help`` must answer without importing NumPy or SciPy, and a chapter that
needs one function should not pay for the figures; so each package's ``__init__`` lists
its public names and where they live, and this module resolves them when first asked.
"""

from __future__ import annotations

import importlib
from typing import Callable, Mapping


def lazy_exports(package: str, where: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list]]:
    """``__getattr__`` and ``__dir__`` for ``package``, resolving ``name`` from the
    submodule ``where[name]`` (a module path relative to ``package``, e.g. ``"models"`` or
    ``"..engine.models"``) on first access."""

    def __getattr__(name: str):
        if name in where:
            value = getattr(importlib.import_module(where[name], package), name)
            importlib.import_module(package).__dict__[name] = value  # later lookups skip this hook
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list:
        return sorted(set(where) | set(importlib.import_module(package).__dict__))

    return __getattr__, __dir__
