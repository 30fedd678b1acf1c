"""``alliance-meta pool``: random-effects pooling, meta-regression (``--mods``) and the
three-level model with CR2 robust inference (``--cluster``, ``--robust``)."""

from __future__ import annotations

from typing import Sequence

from .common import effect_args, emit, method_arg, mod_args, moderators, read


def register(sub) -> None:
    p = sub.add_parser("pool", help="random-effects pooling or meta-regression",
                       description="Pool effect sizes with a random-effects model (or meta-regression with --mods).")
    effect_args(p)
    method_arg(p)
    p.add_argument("--test", default=None, choices=("z", "knha", "t"), metavar="TEST",
                   help="z (default), knha (Knapp-Hartung), or t (three-level model)")
    p.add_argument("--pi", default="z", choices=("z", "t"), metavar="PI",
                   help="prediction interval on z (default; t(k-1) with knha) or t: t(k-2), Higgins et al. 2009")
    mod_args(p)
    p.add_argument("--cluster", metavar="COL", help="cluster column for the three-level model")
    p.add_argument("--rho", type=float, metavar="R",
                   help="with --cluster: correlated and hierarchical effects, sampling errors correlated R in [0, 1) "
                        "within a cluster")
    p.add_argument("--robust", action="store_true", help="CR2 cluster-robust inference (with --cluster)")
    p.set_defaults(func=cmd_pool)


def cmd_pool(args) -> int:
    from ..engine.errors import InputError

    mods = moderators(args)
    if args.robust and not args.cluster:
        raise InputError("--robust needs --cluster COL")
    rho = getattr(args, "rho", None)
    if rho is not None and not args.cluster:
        raise InputError("--rho needs --cluster COL")
    test = args.test or "z"
    check_pi(args)
    if args.cluster:
        table = read(args, [*mods, args.cluster])
        result = fit_three_level(table, cluster=args.cluster, mods=mods, test=test, robust=args.robust,
                                 method=args.method, rho=rho)
    else:
        if test == "t":
            raise InputError("--test t applies to the three-level model (--cluster); use z or knha")
        from ..engine.models import metareg, pool

        table = read(args, mods)
        if mods:
            result = metareg(table.yi, table.vi, {m: table.extra[m] for m in mods}, method=args.method, test=test,
                             k_omitted=table.omitted)
        else:
            result = pool(table.yi, table.vi, method=args.method, test=test, back_transform=table.is_r,
                          k_omitted=table.omitted, pi=args.pi)
    return emit(result, args.json, table)


def check_pi(args) -> None:
    """``--pi t`` is the random-effects pool's: refuse it, in one line, where there is no PI."""
    from ..engine.errors import InputError

    if getattr(args, "pi", "z") != "t":
        return
    if args.mods or args.cluster:
        raise InputError("--pi t applies to the random-effects pool (without --mods or --cluster)")
    if args.method == "FE":
        raise InputError("--pi t: the fixed-effect model (--method FE) has no prediction interval")


def fit_three_level(table, *, cluster: str, mods: Sequence[str] = (), test: str = "z", robust: bool = False,
                    method: str = "REML", level: float = 95.0, rho: float | None = None):
    """Fit the three-level model to an :class:`~alliance_meta.cli.inputs.EffectTable`.

    Parameters
    ----------
    table : EffectTable
        Effect sizes with ``cluster`` (and any ``mods``) among its extra columns.
    cluster : str
        Name of the cluster column.
    mods : sequence of str
        Moderator columns (treatment coding as in :func:`alliance_meta.engine.design_matrix`).
    test : {"z", "t"}
    robust : bool
        Add CR2 cluster-robust inference with Satterthwaite df.
    method : str
        Only ``REML`` is available for the three-level model.
    rho : float in [0, 1), optional
        The CHE model's correlation between sampling errors within a cluster.

    Returns
    -------
    ThreeLevelResult
    """
    from ..engine.errors import InputError
    from ..engine.multilevel import TESTS, three_level

    if method != "REML":
        raise InputError(f"the three-level model (--cluster) is fitted by REML only; got --method {method}")
    if test not in TESTS:
        raise InputError(f"--test {test} does not apply to the three-level model; use z or t")
    if cluster not in table.extra:
        raise InputError(f"no column '{cluster}'", file=table.path, column=cluster)
    X, names = None, None
    if mods:
        from ..engine.models import design_matrix

        design = design_matrix({m: table.extra[m] for m in mods}, table.k)
        X, names = design.X, design.names
    # a cluster column of numbers is numeric, as R reads it: ids 1, 01 and 1.0 are one cluster
    ids = table.extra[cluster]
    return three_level(table.yi, table.vi, ids, X, names, test=test, level=level,
                       robust_se=robust, k_omitted=table.omitted, is_r=table.is_r, rho=rho)
