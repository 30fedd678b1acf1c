"""Sums over the rows of many subsets, each in O(1) after O(k) set-up: the machinery behind
linear-time leave-one-out, cumulative and trim-and-fill refits.

From :data:`FAST_K` rows on, every sum a fit needs is had in O(1) per subset
(:class:`_SubsetSums`): sums at fixed weights as the total minus the row's own term or as
prefix sums, and sums at each subset's own tau^2 from power series about a few anchor values
of tau^2, exact to rounding. ML and REML run metafor's Fisher scoring on those sums for all
subsets at once (:func:`_fast_scoring`), the closed-form estimators are evaluated on them
(:func:`_fast_closed`), PM and EB run Brent's root search (as R's ``uniroot``) on every
subset's generalised Q at once (:func:`_zeroin_many`), and :func:`_fast_summary` gives each
subset's estimate, SE, Q, I^2 and H^2. Every function says which subsets would lose digits
in the sums; those are refitted by the block code of :mod:`.subset_fits`.
"""

from __future__ import annotations

import math

import numpy as np

from .heterogeneity import _LL_TOL, estimate_tau2
from .subset_fits import THRESHOLD, SubsetFits, _closed_form, _halve_to_nonnegative, _others, _score_info, \
    _scoring_block
from .weights import balance_dominant


# --------------------------------------------------------------------------- O(k) subset sums

#: From this many rows on, ``leave1out``, ``cumulative`` and trim-and-fill's refits fit their
#: subsets from O(k) sums (:class:`_SubsetSums`) instead of (block x k) weight matrices;
#: below it, the block code of :mod:`.subset_fits`.
FAST_K = 500
#: The rows with the smallest sampling variances, whose terms are added exactly to every
#: subset sum (a very precise study is one of them); the others' terms go through a series.
EXACT_ROWS = 8
_RHO = 0.25            # anchors are spaced so that every tau^2 >= 0 is within _RHO * u of one
_RHO_MAX = 0.26        # ... and the series is used up to _RHO_MAX (a margin for rounding)
_N_TERMS = 30          # the tail of (1 - r)^-3 beyond r^30 is below 6e-16 for r <= 0.26
_SHARE = 0.99          # leave-one-out: a row holding more of a total is fitted exactly
_ANCHOR_BYTES = 4e8    # cumulative: memory for the prefix moment sums of the anchors kept
_MAX_EXACT_ROWS = 64   # at most this many rows added exactly (beyond, exact refits)
_CHUNK = 8192          # cumulative: subsets whose prefix moment sums are gathered at once
_COMBOS = ((0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2), (0, 3))   # (p, q) of S_pq below


class _SubsetSums:
    """Sums over the rows of many subsets, each in O(1) after O(k) set-up.

    ``kind="loo"``: subset i is every row but i; ``kind="prefix"``: subset j is rows 0..j.
    ``kind="head"`` has the subsets of ``"prefix"``, for a few long prefixes (trim-and-fill's
    refits): each is the total minus the rows after it, and those rows' sums are moved from
    one prefix to the next, so that a subset costs about the rows that changed rather than
    O(k). Sums at fixed weights (:meth:`plain`) are the total minus the row's own term (or
    the rows after the prefix), or prefix sums. Sums at a tau^2 t per subset (:meth:`at`),
    S_pq(t) = sum y_j^p (v_j + t)^-q, are power series about an anchor t_a: with
    a_j = v_j + t_a, u = v_min + t_a <= a_j and x = (t - t_a) / u,

        S_pq(t) = u^-q sum_n C(-q, n) x^n sum_j y_j^p (u / a_j)^(q + n),

    in which row j's n-th term is at most C(q + n - 1, n) |x|^n times its own y_j^p a_j^-q
    (as u <= a_j), so that _N_TERMS terms leave a relative error below 1e-15 for
    |x| <= _RHO_MAX (and the alternating signs cost at most a factor 5). The moment sums of an anchor are computed once
    (a total, or prefix sums) when first needed; anchors lie on a grid (u grows by the
    factor (1 + _RHO) / (1 - _RHO) from t_a = 0) on which every t >= 0 is within _RHO u of
    one. The EXACT_ROWS rows with the smallest v (which would shrink u) are added exactly
    instead (a weight of theirs above half the subset's total is met by
    :func:`_score_info_dominant`). A subset is marked for an exact refit when its row's own
    term holds most of a total (leave-one-out subtraction would cancel digits), when a
    series row's weight is above half the subset's total (the moment forms of the score
    would), or when no anchor can be kept in memory."""

    def __init__(self, y, v, kind: str, first: int = 0):
        self.y, self.v, self.kind = y, v, kind
        k = self.k = y.size
        by_v = np.argsort(v, kind="stable")
        # exactly added: the EXACT_ROWS smallest v, and any row whose weight 1/v could be
        # near half of a subset's total (weights are most uneven at tau^2 = 0); subsets
        # from ``first`` on are asked for (cumulative: the smallest has first + 1 rows)
        if kind not in ("loo", "prefix", "head"):
            raise ValueError(kind)
        w = 1.0 / v
        if kind == "loo":
            near = w > 0.4 * (w.sum() - w.max())
        else:
            near = w > 0.4 * np.cumsum(w)[np.maximum(np.arange(k), first)]
        near = np.flatnonzero(near)
        near = near[np.argsort(-w[near], kind="stable")][:_MAX_EXACT_ROWS]
        self.E = np.union1d(by_v[:min(k, EXACT_ROWS)], near).astype(np.int64)
        self.isL = np.ones(k, dtype=bool)
        self.isL[self.E] = False
        self.L = np.flatnonzero(self.isL)
        self.vL = float(v[self.L].min()) if self.L.size else 1.0
        self.yE, self.vE = y[self.E], v[self.E]
        # smallest v among each subset's series rows (those whose weight could dominate there)
        vL = np.where(self.isL, v, np.inf)
        if kind == "loo":
            two = np.argsort(vL, kind="stable")[:2]
            self.vmin_L = np.full(k, vL[two[0]])
            self.vmin_L[two[0]] = vL[two[1]] if k > 1 else np.inf
        else:
            self.vmin_L = np.minimum.accumulate(vL)
        self.log_ratio = math.log((1.0 + _RHO) / (1.0 - _RHO))
        self.nm = _N_TERMS + 4                       # moments (u / a)^m, m = 0 .. _N_TERMS + 3
        self.ncol = 3 * self.nm + 1                  # p = 0, 1, 2, and sum log a
        self.anchors: dict = {}                      # grid index -> (t_a, u, moment sums), oldest first
        self.max_anchors = (10 ** 6 if kind != "prefix" else
                            max(2, int(_ANCHOR_BYTES // (8.0 * k * self.ncol))))
        n = np.arange(_N_TERMS + 1, dtype=float)
        sign = (-1.0) ** n
        self.coef = {1: sign, 2: sign * (n + 1.0), 3: sign * (n + 1.0) * (n + 2.0) / 2.0}   # C(-q, n)
        self.log_coef = -sign[1:] / n[1:]            # log(1 + x) = sum (-1)^(n+1) x^n / n
        self.centre = float(np.dot(1.0 / v, y) / np.sum(1.0 / v))
        self._totals: dict = {}                      # kind "head": totals of plain() columns,
        self._tail_plain: dict = {}                  # ... their sums after the last prefix,
        self._tail_moments: dict = {}                # ... and an anchor's moments there

    # ------------------------------------------------------------------ fixed weights
    def _included(self, ids):
        """(len(ids), len(E)) 0/1: which exactly added rows each subset holds."""
        if self.kind == "loo":
            return (self.E[None, :] != ids[:, None]).astype(float)
        return (self.E[None, :] <= ids[:, None]).astype(float)

    def _plain_head(self, build, ids, series_only: bool = False):
        """:meth:`plain` for kind "head": the series rows' totals (kept per ``build``) minus
        their sums over the rows after each prefix, and the exactly added rows' terms. A
        sum is marked when the rows taken out hold most of a total of absolute values."""
        if build not in self._totals:
            CL = np.ascontiguousarray(build(self.y[self.L], self.v[self.L], self.centre).T)
            self._totals[build] = CL.sum(axis=1), np.abs(CL).sum(axis=1)    # pairwise sums
        tot, size = self._totals[build]

        def summed(rows):
            C = np.ascontiguousarray(build(self.y[rows], self.v[rows], self.centre).T)
            return C.sum(axis=1), np.abs(C).sum(axis=1)

        tail, tail_size = np.zeros((ids.size, tot.size)), np.zeros((ids.size, tot.size))
        for i, j in enumerate(ids):
            tail[i], tail_size[i] = self._tail(self._tail_plain, build, int(j), summed)
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = ~(tail_size > _SHARE * size).any(axis=1)
        if series_only:
            return tot - tail, ok
        exact = self._included(ids) @ build(self.yE, self.vE, self.centre)
        return tot - tail + exact, ok

    def plain(self, build, ids, series_only: bool = False):
        """Sums over each subset of the columns ``build(y, v, centre)`` (rows, c), which
        are functions of a row's y and v (``centre``: the fixed-effect mean of all rows),
        and whether each sum is free of cancellation; ``series_only``: over the series
        rows alone (without the exactly added rows)."""
        if self.kind == "head":
            return self._plain_head(build, ids, series_only)
        cols = build(self.y, self.v, self.centre)
        exact = 0.0 if series_only else self._included(ids) @ cols[self.E]
        CL = cols[self.L]
        ok = np.ones(ids.size, dtype=bool)
        if self.kind == "loo":
            tot = np.ascontiguousarray(CL.T).sum(axis=1)          # pairwise sums
            size = np.ascontiguousarray(np.abs(CL).T).sum(axis=1)
            own = cols[ids] * self.isL[ids, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                ok = ~(np.abs(own) > _SHARE * size).any(axis=1)
            return tot - own + exact, ok
        full = np.zeros((self.k, cols.shape[1]))
        full[self.L] = CL
        np.cumsum(full, axis=0, out=full)
        return full[ids] + exact, ok

    def pairs(self, ids):
        """Each subset's sum of w_i w_j over its pairs i < j (w = 1 / v), its sum of w, and
        whether the pair sum is exact enough.

        (sum w)^2 - sum w^2 (twice the pair sum; tr(P) at tau^2 = 0 times sum w) cancels
        every digit when one weight dominates. The pair sum is split instead into the
        series rows' own pairs (where no weight dominates: those rows are marked
        otherwise), their pairs with the exactly added rows, and those rows' pairs, each
        of the last two a sum of positive terms."""
        P, ok = self.plain(_cols_w, ids, series_only=True)
        s_l, t_l = P[:, 0], P[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = ok & ~(1.0 / self.vmin_L[ids] > 0.5 * s_l)
        pairs_l = 0.5 * (s_l * s_l - t_l)
        w_e = 1.0 / self.vE
        s_e = self._exact_sums(ids, w_e[:, None])[:, 0]
        p_e = self._exact_pairs(ids, np.outer(w_e, w_e))
        return pairs_l + s_l * s_e + p_e, s_l + s_e, ok

    def _exact_sums(self, ids, values):
        """Sums over the exactly added rows of each subset of the columns ``values``
        (len(E), c): for "loo" the total, or for the subset of an exact row the sum of the
        others, added up without it (a dominant row would cancel a subtraction); otherwise
        prefix sums in row order."""
        n_e = self.E.size
        if self.kind == "loo":
            out = np.tile(values.sum(axis=0), (ids.size, 1))
            if n_e:
                pos = np.minimum(np.searchsorted(self.E, ids), n_e - 1)
                hit = self.E[pos] == ids
                without = np.array([np.delete(values, a, axis=0).sum(axis=0) for a in range(n_e)])
                out[hit] = without[pos[hit]]
            return out
        cum = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
        return cum[np.searchsorted(self.E, ids, side="right")]

    def _exact_pairs(self, ids, f):
        """Sum over the pairs e < f of exactly added rows in each subset of f(e, f), a
        symmetric (len(E), len(E)) array of positive terms, without subtraction."""
        n_e = self.E.size
        upper = np.triu(f, 1)
        if self.kind == "loo":
            out = np.full(ids.size, float(upper.sum()))
            if n_e:
                pos = np.minimum(np.searchsorted(self.E, ids), n_e - 1)
                hit = self.E[pos] == ids
                keep = ~np.eye(n_e, dtype=bool)
                without = np.array([upper[np.ix_(keep[a], keep[a])].sum() for a in range(n_e)])
                out[hit] = without[pos[hit]]
            return out
        cum = np.r_[0.0, np.cumsum(upper.sum(axis=0))]      # pairs whose later row is f
        return cum[np.searchsorted(self.E, ids, side="right")]

    def q0(self, ids):
        """Cochran's Q of each subset at tau^2 = 0 and whether it is exact enough, as
        sum_{i<j} w_i w_j (y_i - y_j)^2 / sum(w) split into the series rows' pairs (moment
        form about the fixed-effect mean of all rows, no weight dominating there), their
        pairs with the exactly added rows and those rows' own pairs: with two precise
        studies of different effects, sum(w y^2) - (sum w y)^2 / sum(w) would cancel in
        every subset that holds one of them."""
        P, ok = self.plain(_cols_q, ids, series_only=True)
        s_l, sy_l, syy_l = P.T
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = ok & ~(1.0 / self.vmin_L[ids] > 0.5 * s_l)
        w_e = 1.0 / self.vE
        y_e = self.yE - self.centre
        A, B, C = self._exact_sums(ids, np.column_stack([w_e, w_e * y_e, w_e * y_e * y_e])).T
        within = s_l * syy_l - sy_l * sy_l
        across = syy_l * A - 2.0 * sy_l * B + s_l * C
        among = self._exact_pairs(ids, np.outer(w_e, w_e) * (y_e[:, None] - y_e[None, :]) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.maximum(within, 0.0) + np.maximum(across, 0.0) + among
            return q / (s_l + A), ok

    # ------------------------------------------------------------------ weights 1 / (v + t)
    def _moments(self, rows, t: float, u: float) -> np.ndarray:
        """The moment sums of an anchor (t, u) over ``rows``: sum y^p (u / a)^m for p = 0, 1,
        2 and m < nm, and sum log a (a = v + t); a block of rows at a time (bounded
        memory), pairwise within a block."""
        nm = self.nm
        out = np.zeros(self.ncol)
        for lo in range(0, rows.size, 8 * _CHUNK):
            part = rows[lo:lo + 8 * _CHUNK]
            a = self.v[part] + t
            r, yb = u / a, self.y[part]
            D = np.empty((self.ncol, r.size))
            D[0] = 1.0
            for m in range(1, nm):                   # (u / a)^m by products: pow() is slow
                np.multiply(D[m - 1], r, out=D[m])
            np.multiply(D[:nm], yb[None, :], out=D[nm:2 * nm])
            np.multiply(D[nm:2 * nm], yb[None, :], out=D[2 * nm:3 * nm])
            D[-1] = np.log(a)
            out += D.sum(axis=1)
        return out

    def _series(self, data, u: float, X):
        """S_pq and sum log(v + t) of the subsets whose rows X (len, N + 1) holds the powers
        of x = (t - t_a) / u, from one set of moment sums ``data`` about the anchor."""
        N, nm = _N_TERMS, self.nm
        C = np.empty((N + 1, len(_COMBOS)))
        for c, (p, q) in enumerate(_COMBOS):
            C[:, c] = self.coef[q] * data[p * nm + q:p * nm + q + N + 1] * u ** -q
        return X @ C, data[-1] + X[:, 1:] @ (self.log_coef * data[1:N + 1])

    def _tail(self, cache: dict, key, j: int, summed):
        """Sums over the series rows after row j (kind "head"): ``summed(rows)`` gives a
        tuple of arrays summed over ``rows``. Kept per ``key`` and moved from the last j by
        the rows in between (trim-and-fill's prefixes change a little at a time); summed
        afresh when the rows in between outnumber the new tail's, so that no update
        subtracts more than half of what it leaves."""
        start = int(np.searchsorted(self.L, j, side="right"))    # the tail is L[start:]
        hit = cache.get(key)
        if hit is not None and abs(start - hit[0]) <= self.L.size - start:
            old, parts = hit
            if start < old:
                parts = tuple(a + d for a, d in zip(parts, summed(self.L[start:old])))
            elif start > old:
                parts = tuple(a - d for a, d in zip(parts, summed(self.L[old:start])))
        else:
            parts = summed(self.L[start:])
        cache[key] = (start, parts)
        return parts

    def _anchor(self, g: int, keep):
        """Moment sums about grid point g (built, or evicting the oldest not in ``keep``)."""
        if g in self.anchors:
            self.anchors[g] = self.anchors.pop(g)    # most recently used last
            return self.anchors[g]
        if len(self.anchors) >= self.max_anchors:
            old = next((h for h in self.anchors if h not in keep), None)
            if old is None:
                return None
            del self.anchors[old]
        t = self.vL * math.expm1(g * self.log_ratio)
        u = self.vL + t
        a = self.v[self.L] + t
        yL = self.y[self.L]
        nm = self.nm
        if self.kind != "prefix":
            data = self._moments(self.L, t, u)
        else:
            Z = (u / a)[:, None] ** np.arange(self.nm)[None, :]
            data = np.zeros((self.k, self.ncol))
            data[self.L, :nm] = Z
            data[self.L, nm:2 * nm] = Z * yL[:, None]
            data[self.L, 2 * nm:3 * nm] = Z * (yL * yL)[:, None]
            data[self.L, -1] = np.log(a)
            np.cumsum(data, axis=0, out=data)
        self.anchors[g] = (t, u, data)
        return self.anchors[g]

    def at(self, ids, tau, dominance: bool = True, parts: bool = False):
        """S_pq (len(ids), 7) for the (p, q) of _COMBOS, sum log(v + t) and whether each
        subset's sums are exact enough, for subsets ``ids`` at tau^2 values ``tau``.

        ``dominance``: also mark the subsets where a series row's weight is above half the
        total. ``parts``: return as well the series rows' part of S and the exactly added
        rows' weights (len(ids), len(E)), for :func:`_score_info_dominant`."""
        n_ids = ids.size
        S = np.zeros((n_ids, len(_COMBOS)))
        logs = np.zeros(n_ids)
        ok = np.ones(n_ids, dtype=bool)
        N, nm = _N_TERMS, self.nm
        if self.L.size:
            g = np.floor(np.log((self.vL + tau) / ((1.0 - _RHO) * self.vL)) / self.log_ratio)
            g = np.maximum(g, 0).astype(np.int64)
            grid = [int(x) for x in np.unique(g)]
            for gg in grid:
                sel = np.flatnonzero(g == gg)
                anchor = self._anchor(gg, set(grid))
                if anchor is None:
                    ok[sel] = False
                    continue
                t, u, data = anchor
                x = (tau[sel] - t) / u
                ok[sel[~(np.abs(x) <= _RHO_MAX)]] = False
                X = np.vander(x, N + 1, increasing=True)
                if self.kind == "loo":
                    S[sel], logs[sel] = self._series(data, u, X)
                elif self.kind == "head":            # the rows after each prefix taken out
                    for i, Xi in zip(sel, X):
                        tail, = self._tail(self._tail_moments, gg, int(ids[i]),
                                           lambda rows: (self._moments(rows, t, u),))
                        positive = np.r_[tail[:nm], tail[2 * nm:3 * nm]]
                        total = np.r_[data[:nm], data[2 * nm:3 * nm]]
                        ok[i] &= not (positive > _SHARE * total).any()
                        Si, li = self._series(data - tail, u, Xi[None, :])
                        S[i], logs[i] = Si[0], li[0]
                else:
                    for lo in range(0, sel.size, _CHUNK):   # bounded temporaries
                        part, Xp = sel[lo:lo + _CHUNK], X[lo:lo + _CHUNK]
                        G = data[ids[part]]
                        Xq = {q: Xp * self.coef[q] for q in (1, 2, 3)}
                        for c, (p, q) in enumerate(_COMBOS):
                            S[part, c] = np.einsum("ij,ij->i", Xq[q], G[:, p * nm + q:p * nm + q + N + 1]) * u ** -q
                        logs[part] = G[:, -1] + np.einsum("ij,ij->i", Xp[:, 1:] * self.log_coef, G[:, 1:N + 1])
            if self.kind == "loo":                   # take out the left-out row's own term
                own_rows = self.isL[ids]
                yi, w = self.y[ids], 1.0 / (self.v[ids] + tau)
                for c, (p, q) in enumerate(_COMBOS):
                    own = np.where(own_rows, yi ** p * w ** q, 0.0)
                    if p != 1:
                        with np.errstate(invalid="ignore", divide="ignore"):
                            ok &= ~(own > _SHARE * S[:, c])
                    S[:, c] -= own
                logs -= np.where(own_rows, np.log(self.v[ids] + tau), 0.0)
        S_L = S.copy() if parts else None
        W = np.zeros((n_ids, 0))
        if self.E.size:
            inc = self._included(ids)
            W = inc / (self.vE[None, :] + tau[:, None])
            W2 = W * W
            yE, yE2 = self.yE, self.yE * self.yE
            S[:, 0] += W.sum(axis=1)
            S[:, 1] += W @ yE
            S[:, 2] += W @ yE2
            S[:, 3] += W2.sum(axis=1)
            S[:, 4] += W2 @ yE
            S[:, 5] += W2 @ yE2
            S[:, 6] += (W2 * W).sum(axis=1)
            logs += (inc * np.log(self.vE[None, :] + tau[:, None])).sum(axis=1)
        if dominance:
            ok &= ~(1.0 / (self.vmin_L[ids] + tau) > 0.5 * S[:, 0])
        if parts:
            return S, logs, ok, S_L, W
        return S, logs, ok


def _cols_q(y, v, centre):
    """Columns of Q at tau^2 = 0 about the fixed-effect mean of all rows (w, w y, w y^2)."""
    yc = y - centre
    return np.column_stack([1.0 / v, yc / v, yc * yc / v])


def _cols_w(y, v, centre):
    """Columns of the pair sums of the weights (w, w^2)."""
    return np.column_stack([1.0 / v, 1.0 / (v * v)])


def _cols_closed(y, v, centre):
    """Columns of the closed-form estimators' unweighted sums and sum w (n, sum y, y^2, v,
    w), y about the fixed-effect mean of all rows (Q itself is :meth:`_SubsetSums.q0`)."""
    yc = y - centre
    return np.column_stack([np.ones_like(y), yc, yc * yc, v, 1.0 / v])


def _cols_ll0(y, v, centre):
    """Columns of the log-likelihood at tau^2 = 0 besides Q (w, log v)."""
    return np.column_stack([1.0 / v, np.log(v)])


def _cols_n(y, v, centre):
    """The column whose sum is a subset's number of rows."""
    return np.ones((y.size, 1))


def _score_info_sums(S, reml: bool):
    """:func:`_score_info` from the sums S_pq of :meth:`_SubsetSums.at` (no dominant weight)."""
    sw, s11, _, s2, s2y, s22, s3 = S.T
    mu = s11 / sw
    ypp = s22 - 2.0 * mu * s2y + mu * mu * s2
    if reml:
        return ypp - (sw - s2 / sw), s2 - 2.0 * s3 / sw + (s2 / sw) ** 2
    return ypp - sw, s2


def _score_info_dominant(S, S_L, W, yE, reml: bool):
    """:func:`_score_info_sums` where an exactly added row's weight is above half the total:
    the sums of positive terms of :func:`_score_info` (Y'PPY = sum w^2 (y - mu)^2, and the
    traces from the sums of the other weights), with the series rows' part in moment form
    (no series weight is above half the total there: their S - w_j keeps its digits)."""
    sw, s11, _, s2 = S[:, 0], S[:, 1], S[:, 2], S[:, 3]
    mu = s11 / sw
    L01, L12, L22, L02, L03 = S_L[:, 0], S_L[:, 4], S_L[:, 5], S_L[:, 3], S_L[:, 6]
    W2 = W * W
    # the dominant exact row's w (y - mu) from those of the others, the series rows' in moment form
    we = balance_dominant(W, W * (yE[None, :] - mu[:, None]), rest=S_L[:, 1] - mu * L01)
    ypp = L22 - 2.0 * mu * L12 + mu * mu * L02 + (we * we).sum(axis=1)
    if not reml:
        return ypp - sw, s2
    s_other = L01[:, None] + _others(W)          # each exact row's S_-j, T_-j, summed without cancelling
    t_other = L02[:, None] + _others(W2)
    trp = (sw * L01 - L02 + (W * s_other).sum(axis=1)) / sw
    trpp = ((sw * sw + s2) * L02 - 2.0 * sw * L03 + (W2 * (s_other ** 2 + t_other)).sum(axis=1)) / (sw * sw)
    return ypp - trp, trpp


def _fast_closed(sums: _SubsetSums, ids, method: str):
    """Hedges, DerSimonian-Laird, Hunter-Schmidt or Sidik-Jonkman tau^2 of each subset, as
    :func:`_closed_form`, and whether each is exact enough."""
    P, ok = sums.plain(_cols_closed, ids)
    n, sy, syy, sv, sw = P.T
    with np.errstate(invalid="ignore", divide="ignore"):
        if method in ("HE", "SJ"):
            ss = syy - sy * sy / n
            if method == "HE":
                t = np.maximum((ss - sv + sv / n) / (n - 1.0), 0.0)
            else:
                tau0 = ss / n
                t = np.zeros(ids.size)
                pos = np.flatnonzero(tau0 > 0)
                if pos.size:
                    S, _, ok_s = sums.at(ids[pos], tau0[pos], dominance=False)
                    qt = S[:, 2] - S[:, 1] ** 2 / S[:, 0]
                    t[pos] = np.maximum(0.0, tau0[pos] * qt / (n[pos] - 1.0))
                    ok[pos[~ok_s]] = False
        else:
            q, ok_q = sums.q0(ids)
            ok &= ok_q
            if method == "DL":
                pair, tot, ok_p = sums.pairs(ids)
                ok &= ok_p
                t = np.maximum(0.0, (q - (n - 1.0)) / (2.0 * pair / tot))
            else:
                t = np.maximum(0.0, (q - n) / sw)
    return np.where(n > 1, t, 0.0), ok


def _fast_scoring(sums: _SubsetSums, ids, start, reml: bool, threshold: float, maxiter: int = 100):
    """:func:`_scoring_block` from O(1) sums per subset; ``bad`` marks the subsets to fit
    with the block code (sums not exact enough, or no convergence in ``maxiter`` steps)."""
    tau2 = np.asarray(start, dtype=float).copy()
    active = np.ones(ids.size, dtype=bool)
    bad = np.zeros(ids.size, dtype=bool)
    # Trim-and-fill's refits stop at metafor's loose 1e-5: where scoring does not contract
    # (a step longer than the one before: Fisher's information far from the observed one,
    # as with one very precise study), its iterates wander and the step that happens to fall
    # below the threshold depends on the last bits of the sums, so that no two ways of
    # summing agree. Those few subsets are fitted on their rows, as the reference fit is.
    last = np.full(ids.size, np.inf) if sums.kind == "head" else None
    for _ in range(maxiter):
        idx = np.flatnonzero(active & ~bad)
        if not idx.size:
            break
        S, _, ok, S_L, W = sums.at(ids[idx], tau2[idx], parts=True)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            score, info = _score_info_sums(S, reml)
            dom = np.flatnonzero(W.max(axis=1, initial=0.0) > 0.5 * S[:, 0])
            if dom.size:                         # a very precise study among the exact rows
                score[dom], info[dom] = _score_info_dominant(S[dom], S_L[dom], W[dom], sums.yE, reml)
            step = score / info
        ok &= np.isfinite(step)
        bad[idx[~ok]] = True
        step = np.where(ok, step, 0.0)
        cur = tau2[idx]
        step = _halve_to_nonnegative(cur, step)
        tau2[idx] = cur + step
        active[idx] = np.abs(step) > threshold
        if last is not None:
            bad[idx[np.abs(step) > last[idx]]] = True
            last[idx] = np.abs(step)
    bad |= active                                # not converged: the block code solves those
    tau2 = np.maximum(tau2, 0.0)
    check = np.flatnonzero((tau2 > THRESHOLD) & ~bad)
    if check.size:                               # the boundary can beat an interior maximum
        S, logs, ok = sums.at(ids[check], tau2[check], dominance=False)
        P, ok0 = sums.plain(_cols_ll0, ids[check])
        q0, ok_q = sums.q0(ids[check])
        ok0 = ok0 & ok_q
        with np.errstate(invalid="ignore", divide="ignore"):
            ll_t = -0.5 * logs - 0.5 * (S[:, 2] - S[:, 1] ** 2 / S[:, 0])
            ll_0 = -0.5 * P[:, 1] - 0.5 * q0
            if reml:
                ll_t -= 0.5 * np.log(S[:, 0])
                ll_0 -= 0.5 * np.log(P[:, 0])
        bad[check[~(ok & ok0)]] = True
        tau2[check[(ll_0 - ll_t > _LL_TOL) & ok & ok0]] = 0.0
    return tau2, bad


def _zeroin_many(f, a, b, fa, fb, tol: float, maxiter: int = 1000):
    """:func:`~.heterogeneity.zeroin` (Brent's method as R's ``uniroot``) for many roots at
    once: every bracket takes the steps the scalar code would take on it, so that each
    root equals the one-at-a-time search (metafor's Paule-Mandel estimate is an iterate at
    ``uniroot``'s tolerance, not an exact root). ``f(idx, x)`` evaluates the functions of
    brackets ``idx`` at ``x`` (NaN where it cannot). Returns the roots and the brackets
    that did not converge or met a NaN."""
    eps = np.finfo(float).eps
    a, b, fa, fb = (np.asarray(z, dtype=float).copy() for z in (a, b, fa, fb))
    c, fc = a.copy(), fa.copy()
    root = np.where(fa == 0.0, a, b)
    done = (fa == 0.0) | (fb == 0.0)
    bad = ~(np.isfinite(fa) & np.isfinite(fb))
    done |= bad
    for _ in range(maxiter + 1):
        i = np.flatnonzero(~done)
        if not i.size:
            break
        ai, bi, ci, fai, fbi, fci = a[i], b[i], c[i], fa[i], fb[i], fc[i]
        prev = bi - ai
        swap = np.abs(fci) < np.abs(fbi)
        ai, bi, ci = np.where(swap, bi, ai), np.where(swap, ci, bi), np.where(swap, bi, ci)
        fai, fbi, fci = np.where(swap, fbi, fai), np.where(swap, fci, fbi), np.where(swap, fbi, fci)
        tol_act = 2.0 * eps * np.abs(bi) + tol / 2.0
        step = (ci - bi) / 2.0
        conv = (np.abs(step) <= tol_act) | (fbi == 0.0)
        interp = (np.abs(prev) >= tol_act) & (np.abs(fai) > np.abs(fbi))
        cb = ci - bi
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            t1 = fbi / fai                               # secant step (a == c)
            p_s, q_s = cb * t1, 1.0 - t1
            qq, t1q, t2q = fai / fci, fbi / fci, fbi / fai   # inverse quadratic interpolation
            p_q = t2q * (cb * qq * (qq - t1q) - (bi - ai) * (t1q - 1.0))
            q_q = (qq - 1.0) * (t1q - 1.0) * (t2q - 1.0)
            secant = ai == ci
            p, q = np.where(secant, p_s, p_q), np.where(secant, q_s, q_q)
            q = np.where(p > 0.0, -q, q)
            p = np.abs(p)
            take = interp & (p < 0.75 * cb * q - np.abs(tol_act * q) / 2.0) & (p < np.abs(prev * q / 2.0))
            step = np.where(take, p / q, step)
        step = np.where(np.abs(step) < tol_act, np.where(step > 0.0, tol_act, -tol_act), step)
        root[i[conv]] = bi[conv]
        done[i[conv]] = True
        go = ~conv
        i, ai, bi, ci, fai, fbi, fci, step = (z[go] for z in (i, ai, bi, ci, fai, fbi, fci, step))
        ai, fai = bi, fbi
        bi = bi + step
        fbi = f(i, bi)
        nan = ~np.isfinite(fbi)
        bad[i[nan]] = done[i[nan]] = True
        flip = ((fbi > 0.0) & (fci > 0.0)) | ((fbi < 0.0) & (fci < 0.0))
        ci, fci = np.where(flip, ai, ci), np.where(flip, fai, fci)
        a[i], b[i], c[i], fa[i], fb[i], fc[i] = ai, bi, ci, fai, fbi, fci
    bad |= ~done
    return root, bad


def _subset_spread(sums: _SubsetSums, ids):
    """Each subset's population variance of y, an upper bound on its range, its number of
    rows and its mean sampling variance."""
    P, _ = sums.plain(_cols_closed, ids)
    n, sy, syy = P[:, 0], P[:, 1], P[:, 2]
    y = sums.y
    if sums.kind == "loo":
        rng = np.full(ids.size, float(np.ptp(y)))
    else:
        rng = (np.maximum.accumulate(y) - np.minimum.accumulate(y))[ids]
    return np.maximum((syy - sy * sy / n) / n, 0.0), rng, n, P[:, 3] / n


def _median_but(srt, q, m):
    """The median of the sorted values ``srt`` without the one at position q (per subset),
    m = len(srt) - 1 values, as :func:`numpy.median` computes it (the mean of the two middle
    values when m is even)."""
    last = srt.size - 1

    def stat(j):
        return np.where(j < q, srt[np.minimum(j, last)], srt[np.minimum(j + 1, last)])

    return (stat(np.full(q.size, (m - 1) // 2)) + stat(np.full(q.size, m // 2))) / 2.0


def _kth_of_two(A, B, kk: int) -> float:
    """The kk-th smallest (from 0) of the union of two ascending sequences."""
    lo, hi = max(0, kk + 1 - len(B)), min(kk + 1, len(A))
    while lo < hi:                                # how many of the kk + 1 smallest come from A
        a = (lo + hi) // 2
        if A[a] < B[kk - a]:
            lo = a + 1
        else:
            hi = a
    a, b = lo, kk + 1 - lo
    return max(A[a - 1] if a else -math.inf, B[b - 1] if b else -math.inf)


class _Seq:
    """A read-only sequence whose i-th item is ``at(i)``."""

    def __init__(self, at, n: int):
        self.at, self.n = at, n

    def __getitem__(self, i):
        return self.at(i)

    def __len__(self):
        return self.n


def _pm_uppers(sums: _SubsetSums, ids, rng) -> np.ndarray:
    """metafor's upper end of each subset's Paule-Mandel search, max(100, 10 mad^2) with mad
    the scaled median absolute deviation, to the bit as :func:`~.heterogeneity.pm_upper`
    computes it. A subset whose range is below sqrt(10) / 1.4826 has 100 at once; for the
    others the two medians are order statistics: of one sort per distinct median
    (leave-one-out: the median of k - 1 rows takes at most three values), or of a sorted
    list grown a row at a time (prefixes), read in O(log k) per subset."""
    from .heterogeneity import PM_TAU2_MAX

    out = np.full(ids.size, PM_TAU2_MAX)
    check = np.flatnonzero(rng > math.sqrt(PM_TAU2_MAX / 10.0) / 1.4826 * (1.0 - 1e-9))
    if not check.size:
        return out
    y = sums.y
    if sums.kind == "head":                      # a few long prefixes: each from its rows
        from .heterogeneity import pm_upper

        out[check] = [pm_upper(y[:int(j) + 1]) for j in ids[check]]
        return out
    mad = np.zeros(check.size)
    if sums.kind == "loo":
        k = y.size
        order = np.argsort(y, kind="stable")
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        rows = ids[check]
        med = _median_but(y[order], rank[rows], k - 1)
        for value in np.unique(med):
            sel = np.flatnonzero(med == value)
            dev = np.abs(y - value)
            by_dev = np.argsort(dev, kind="stable")
            pos = np.empty(k, dtype=np.int64)
            pos[by_dev] = np.arange(k)
            mad[sel] = _median_but(dev[by_dev], pos[rows[sel]], k - 1)
    else:
        import bisect

        want = {int(j): n for n, j in enumerate(ids[check])}
        grown: list = []
        for j in range(int(ids[check].max()) + 1):
            bisect.insort(grown, float(y[j]))
            if j in want:
                n = j + 1
                med = (grown[(n - 1) // 2] + grown[n // 2]) / 2.0
                p = bisect.bisect_right(grown, med)      # |g - med| ascending: below med read backwards,
                A = _Seq(lambda i: abs(grown[p - 1 - i] - med), p)   # ... and above med
                B = _Seq(lambda i: abs(grown[p + i] - med), n - p)
                mad[want[j]] = (_kth_of_two(A, B, (n - 1) // 2) + _kth_of_two(A, B, n // 2)) / 2.0
    # in Python floats, as pm_upper: x ** 2 there is pow(), which can differ from x * x in the last bit
    out[check] = [max(PM_TAU2_MAX, 10.0 * (1.4826 * float(m)) ** 2) for m in mad]
    return out


def _fast_root(sums: _SubsetSums, ids, method: str):
    """Paule-Mandel or empirical Bayes tau^2 of each subset, as
    :func:`~.heterogeneity.tau2_pm` and :func:`~.heterogeneity.tau2_eb` find them (the same
    brackets and Brent steps), on the generalised Q of each subset from O(1) sums; and the
    subsets left to the block code: sums not exact enough, or Q still above its target at
    the upper end of metafor's bracket (:func:`_pm_uppers`)."""
    from .heterogeneity import PM_TOL

    var, rng, n, mean_v = _subset_spread(sums, ids)
    bad = n < 2

    def q_minus_target(idx, t):
        S, _, ok = sums.at(ids[idx], t)
        with np.errstate(invalid="ignore", divide="ignore"):
            q = S[:, 2] - S[:, 1] ** 2 / S[:, 0]
            val = q - (n[idx] - 1.0) if method == "PM" else q * n[idx] / (n[idx] - 1.0) - n[idx]
        return np.where(ok, val, np.nan)

    # at tau^2 = 0 a precise study's weight dominates, and Q from the moment sums of the
    # uncentred effects would cancel: Q(0) from the sums about the fixed-effect mean
    q0, ok0 = sums.q0(ids)
    with np.errstate(invalid="ignore", divide="ignore"):
        f0 = q0 - (n - 1.0) if method == "PM" else q0 * n / (n - 1.0) - n
    f0 = np.where(ok0, f0, np.nan)
    bad |= ~np.isfinite(f0)
    tau2 = np.zeros(ids.size)
    todo = np.flatnonzero(~bad & (f0 > 0.0))
    if not todo.size:
        return tau2, bad
    if method == "PM":
        hi = _pm_uppers(sums, ids[todo], rng[todo])
        fhi = q_minus_target(todo, hi)
        above = ~(fhi <= 0.0)                    # Q above k - 1 even at the upper end
        bad[todo[above]] = True
        todo, hi, fhi = todo[~above], hi[~above], fhi[~above]
        tol = PM_TOL
    else:
        hi = np.maximum(var[todo], 1.0)          # :func:`~.heterogeneity._upper_bracket`
        fhi = q_minus_target(todo, hi)
        for _ in range(200):
            up = np.flatnonzero(~(fhi < 0.0) & np.isfinite(fhi))
            if not up.size:
                break
            hi[up] *= 4.0
            fhi[up] = q_minus_target(todo[up], hi[up])
        lost = ~(fhi < 0.0)
        bad[todo[lost]] = True
        todo, hi, fhi = todo[~lost], hi[~lost], fhi[~lost]
        tol = 0.0
    if todo.size:
        root, fail = _zeroin_many(lambda idx, t: q_minus_target(todo[idx], t), np.zeros(todo.size), hi,
                                  f0[todo], fhi, tol)
        # :func:`~.heterogeneity.estimate_tau2`'s floor: round-off is not heterogeneity
        tau2[todo] = np.where(root < 1e-14 * mean_v[todo], 0.0, root)
        bad[todo[fail]] = True
    return tau2, bad


def _fast_tau2(sums: _SubsetSums, ids, method: str, threshold: float):
    """tau^2 of each subset from O(1) sums, and which subsets need the block code instead;
    ML and REML scoring start from each subset's Hedges estimate, as metafor's."""
    if method == "FE":
        return np.zeros(ids.size), np.zeros(ids.size, dtype=bool)
    if method in ("PM", "EB"):
        return _fast_root(sums, ids, method)
    if method in ("REML", "ML"):
        start, ok = _fast_closed(sums, ids, "HE")
        bad = ~ok
        start = np.where(bad, 0.0, start)
        tau2, bad_s = _fast_scoring(sums, ids, start, method == "REML", threshold)
        return tau2, bad | bad_s
    tau2, ok = _fast_closed(sums, ids, method)
    return tau2, ~ok


def _fast_summary(sums: _SubsetSums, ids, tau2, fixed: bool):
    """:func:`summarise_subsets` from O(1) sums per subset, and which need the block code."""
    P, ok = sums.plain(_cols_n, ids)
    S, _, ok_s = sums.at(ids, tau2, dominance=False)
    n = P[:, 0]
    pair, tot, ok_p = sums.pairs(ids)
    q, ok_q = sums.q0(ids)
    ok = ok & ok_p & ok_q
    with np.errstate(invalid="ignore", divide="ignore"):
        vt = (n - 1.0) * tot / (2.0 * pair)
        if fixed:
            i2 = np.where((n > 1) & (q > 0), np.maximum(0.0, 100.0 * (q - (n - 1.0)) / q), 0.0)
            h2 = np.where(n > 1, q / (n - 1.0), 1.0)
        else:
            i2 = np.where(n > 1, 100.0 * tau2 / (vt + tau2), 0.0)
            h2 = np.where(n > 1, (vt + tau2) / vt, 1.0)
        fits = SubsetFits(k=n, estimate=S[:, 1] / S[:, 0], se=1.0 / np.sqrt(S[:, 0]), tau2=tau2, Q=q, I2=i2, H2=h2)
    return fits, ~(ok & ok_s)

