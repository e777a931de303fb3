"""The break-even engine: every crossing and every jump of pairs of cost curves over a range.

Self-hosted cost is a step function of volume (whole replicas, whole GPUs), so two options can
trade places several times, some of them within a fraction of a percent. The engine works in
three passes, all vectorized over every pair at once:

1. **Step boundaries.** When the caller gives a *step signature* (``steps(x)``: an (n, k) array
   that changes exactly where some option's cost may jump — replica counts, feasibility), each
   grid cell whose two ends differ is bisected recursively, keeping both halves while they
   differ, until every boundary is bracketed to ``xtol_rel``. For a signature whose columns
   are monotone in the variable (replicas against volume, utilization, capacity, prices), this
   finds every boundary, however close together — up to :data:`MAX_STEP_BRACKETS` of them.
   Past that many (a replica step of a millionth of the fleet) the steps are too fine to matter
   and the signature is set aside: the grid alone brackets the changes, as below.
2. **Signs.** The difference of each pair is evaluated on the grid and on both sides of each of
   its boundaries. Between two consecutive points with the same signature the difference is
   smooth (linear in volume for every cost model here); a change of sign there is a
   ``crossing``. A change of sign across a boundary is a ``jump``: the winner changes at a step,
   with no equality.
3. **Roots.** Each smooth bracket is refined by a safeguarded secant step (exact for a linear
   difference) with a bisection fallback, to ``xtol_rel`` relative width.

Without a signature the grid alone brackets the changes (two changes closer than one cell can
then hide each other; raise ``n_grid``) and a final bracket whose gap does not close is
classified as a jump. An infeasible option (NaN cost) counts as more expensive than a feasible
one; two infeasible options tie.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._core._arrays import FloatArray
from .._core.display import plain
from .._core.errors import InvalidInputError

__all__ = ["CostTable", "PairCrossings", "StepTable", "find_crossings", "search_grid"]

#: x (n,) → costs (n, m) of m options [USD], NaN where infeasible.
CostTable = Callable[[FloatArray], FloatArray]
#: x (n,) → step signature (n, k); ``owner[k]`` is the option index a column belongs to.
StepTable = Callable[[FloatArray], FloatArray]
SCALES = ("linear", "log")
#: A final bracket is a jump when the gap of the difference exceeds this share of the costs.
JUMP_GAP_REL = 1e-6
#: Most step brackets enumerated (done and active together); past it the signature is set aside.
#: Without a bound, a fleet of millions of replicas (1e12 requests/month) doubled the brackets
#: each pass until memory ran out.
MAX_STEP_BRACKETS = 50_000


@dataclass(frozen=True)
class PairCrossings:
    """Every change of the cheaper of options ``a`` and ``b`` (indices), ascending.

    ``sign_below[i]`` / ``sign_above[i]``: sign of cost_a − cost_b just below / above
    ``at[i]`` (+1: b cheaper, −1: a cheaper); ``start_sign``: the first non-zero sign from the
    bottom of the range (0: tied throughout).
    """

    a: int
    b: int
    at: FloatArray
    jump: NDArray[np.bool_]
    sign_below: FloatArray
    sign_above: FloatArray
    start_sign: float


def check_range(lo: float, hi: float, n_grid: int, scale: str) -> tuple[float, float]:
    """Validate a search range; return it as floats."""
    if scale not in SCALES:
        raise InvalidInputError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}")
    lo_f, hi_f = float(lo), float(hi)
    if not (np.isfinite(lo_f) and np.isfinite(hi_f)) or not lo_f < hi_f:
        raise InvalidInputError(
            f"search range must be finite with lo < hi; got [{plain(lo)}, {plain(hi)}]"
        )
    if scale == "log" and lo_f <= 0:
        raise InvalidInputError(f"a log-scale search range must start above 0; got lo={plain(lo)}")
    if int(n_grid) != n_grid or n_grid < 2:
        raise InvalidInputError(f"n_grid must be a whole number ≥ 2; got {plain(n_grid)}")
    return lo_f, hi_f


def search_grid(lo: float, hi: float, n_grid: int, scale: str) -> FloatArray:
    """The first-pass grid: ``n_grid`` points, evenly spaced in x (linear) or log x (log)."""
    if scale == "log":
        return np.geomspace(lo, hi, int(n_grid))
    return np.linspace(lo, hi, int(n_grid))


def sign_of_difference(a: FloatArray, b: FloatArray) -> FloatArray:
    """sign(a − b); an infeasible (NaN) cost loses against a feasible one, two NaN tie."""
    a_arr = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b, dtype=np.float64)
    a_nan, b_nan = np.isnan(a_arr), np.isnan(b_arr)
    with np.errstate(invalid="ignore"):
        s = np.sign(a_arr - b_arr)
    s = np.where(a_nan & ~b_nan, 1.0, s)
    s = np.where(b_nan & ~a_nan, -1.0, s)
    return np.where(a_nan & b_nan, 0.0, s)


def _tolerance(lo: FloatArray, hi: FloatArray, xtol_rel: float, xtol_abs: float) -> FloatArray:
    return np.maximum(xtol_rel * np.maximum(np.abs(lo), np.abs(hi)), xtol_abs)


def _midpoint(lo: FloatArray, hi: FloatArray, scale: str) -> FloatArray:
    return np.sqrt(lo * hi) if scale == "log" else lo + (hi - lo) / 2


def _differs(s1: FloatArray, s2: FloatArray) -> NDArray[np.bool_]:
    """Row-wise: any column differs (NaN equal to NaN)."""
    same = (s1 == s2) | (np.isnan(s1) & np.isnan(s2))
    return np.asarray(~np.all(same, axis=1))


def step_boundaries(
    steps: StepTable,
    x: FloatArray,
    sig: FloatArray,
    *,
    scale: str,
    xtol_rel: float,
    xtol_abs: float,
    max_brackets: int = MAX_STEP_BRACKETS,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None:
    """Every step boundary inside the grid, bracketed to the tolerance.

    Returns (lo, hi, sig_lo, sig_hi) of the final brackets: each is at most ``xtol_rel``
    wide and its two ends have different signatures. None when more than ``max_brackets``
    brackets would be needed (steps too many to enumerate).
    """
    cells = np.flatnonzero(_differs(sig[:-1], sig[1:]))
    lo, hi = x[cells], x[cells + 1]
    s_lo, s_hi = sig[cells], sig[cells + 1]
    done: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = []
    n_done = 0
    for _ in range(200):
        active = (hi - lo) > _tolerance(lo, hi, xtol_rel, xtol_abs)
        done.append((lo[~active], hi[~active], s_lo[~active], s_hi[~active]))
        n_done += int(np.count_nonzero(~active))
        lo, hi, s_lo, s_hi = lo[active], hi[active], s_lo[active], s_hi[active]
        if n_done + lo.size > max_brackets:
            return None
        if not lo.size:
            break
        mid = _midpoint(lo, hi, scale)
        s_mid = np.asarray(steps(mid), dtype=np.float64).reshape(mid.size, -1)
        left, right = _differs(s_lo, s_mid), _differs(s_mid, s_hi)
        lo = np.concatenate([lo[left], mid[right]])
        hi = np.concatenate([mid[left], hi[right]])
        s_lo, s_hi = (
            np.concatenate([s_lo[left], s_mid[right]]),
            np.concatenate([s_mid[left], s_hi[right]]),
        )
    done.append((lo, hi, s_lo, s_hi))
    width = sig.shape[1]
    return (
        np.concatenate([d[0] for d in done]),
        np.concatenate([d[1] for d in done]),
        np.concatenate([d[2].reshape(-1, width) for d in done]),
        np.concatenate([d[3].reshape(-1, width) for d in done]),
    )


@dataclass
class _Brackets:
    """Sign-change brackets of many pairs: ends, differences at the ends, pair columns."""

    lo: FloatArray
    hi: FloatArray
    d_lo: FloatArray
    d_hi: FloatArray
    s_lo: FloatArray  # sign of the difference at lo (the opposite at hi)
    pair: NDArray[np.int64]
    step: NDArray[np.bool_]  # straddles a step boundary (not refined further)


def _pair_brackets(
    k: int,
    pts: FloatArray,
    c: FloatArray,
    sig_ab: FloatArray | None,
    a: int,
    b: int,
) -> tuple[_Brackets, float]:
    """Consecutive strict sign changes of cost_a − cost_b over sorted points ``pts``."""
    d = c[:, a] - c[:, b]
    s = sign_of_difference(c[:, a], c[:, b])
    strict = np.flatnonzero(s != 0)
    start = float(s[strict[0]]) if strict.size else 0.0
    if strict.size < 2:
        e = np.empty(0)
        return _Brackets(e, e, e, e, e, np.empty(0, np.int64), np.empty(0, bool)), start
    i, j = strict[:-1], strict[1:]
    change = s[i] != s[j]
    i, j = i[change], j[change]
    # a step between i and j: the signature at i and j differs (monotone columns)
    step = np.zeros(i.size, dtype=bool) if sig_ab is None else _differs(sig_ab[i], sig_ab[j])
    bracket = _Brackets(pts[i], pts[j], d[i], d[j], s[i], np.full(i.size, k, np.int64), step)
    return bracket, start


def _refine(
    costs: CostTable,
    br: _Brackets,
    pairs: Sequence[tuple[int, int]],
    *,
    scale: str,
    xtol_rel: float,
    xtol_abs: float,
) -> None:
    """Shrink every smooth bracket (in place).

    Secant point ± a quarter tolerance and the midpoint are tried at once; the first sub-interval
    with a sign change is kept.
    """
    pa = np.array([p[0] for p in pairs], dtype=np.int64)
    pb = np.array([p[1] for p in pairs], dtype=np.int64)
    for _ in range(200):
        active = ~br.step & ((br.hi - br.lo) > _tolerance(br.lo, br.hi, xtol_rel, xtol_abs))
        idx = np.flatnonzero(active)
        if not idx.size:
            return
        lo, hi, d_lo, d_hi = br.lo[idx], br.hi[idx], br.d_lo[idx], br.d_hi[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = d_lo / (d_lo - d_hi)
        t = np.where(np.isfinite(t), np.clip(t, 0.0, 1.0), 0.5)
        xs = lo + t * (hi - lo)
        e = 0.25 * _tolerance(lo, hi, xtol_rel, xtol_abs)
        probe = np.sort(
            np.column_stack(
                [np.maximum(lo, xs - e), np.minimum(hi, xs + e), _midpoint(lo, hi, scale)]
            ),
            axis=1,
        )
        c = np.asarray(costs(probe.reshape(-1)), dtype=np.float64).reshape(idx.size, 3, -1)
        rows = np.arange(idx.size)
        ca, cb = c[rows, :, pa[br.pair[idx]]], c[rows, :, pb[br.pair[idx]]]
        seq_x = np.column_stack([lo, probe, hi])
        seq_d = np.column_stack([d_lo, ca - cb, d_hi])
        s_lo = br.s_lo[idx]
        seq_s = np.column_stack([s_lo, sign_of_difference(ca, cb), -s_lo])
        first = np.argmax(seq_s[:, 1:] != seq_s[:, :1], axis=1) + 1  # first point off sign
        zero = seq_s[rows, first] == 0
        new_lo = np.where(zero, seq_x[rows, first], seq_x[rows, first - 1])
        new_dlo = np.where(zero, 0.0, seq_d[rows, first - 1])
        br.lo[idx], br.hi[idx] = new_lo, seq_x[rows, first]
        br.d_lo[idx], br.d_hi[idx] = new_dlo, seq_d[rows, first]


def _classify(costs: CostTable, br: _Brackets) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Where each final bracket's change is and whether it is a jump (the gap does not close).

    A continuous crossing is placed by linear interpolation of the difference; a jump at the
    bracket's middle.
    """
    if not br.lo.size:
        return np.empty(0), np.zeros(0, dtype=bool)
    c_lo = np.asarray(costs(br.lo), dtype=np.float64)
    c_hi = np.asarray(costs(br.hi), dtype=np.float64)
    both = np.abs(np.concatenate([c_lo, c_hi], axis=1))
    size = np.max(np.where(np.isnan(both), 0.0, both), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.maximum(np.abs(br.d_lo), np.abs(br.d_hi))
        jump = np.asarray(gap > JUMP_GAP_REL * np.maximum(size, 1e-300)) | np.isnan(gap)
        t = np.where(br.d_lo != br.d_hi, br.d_lo / (br.d_lo - br.d_hi), 0.5)
    t = np.where(jump | ~np.isfinite(t), 0.5, np.clip(t, 0.0, 1.0))
    return np.where(br.lo == br.hi, br.lo, br.lo + t * (br.hi - br.lo)), jump


def _concat(parts: Sequence[_Brackets]) -> _Brackets:
    return _Brackets(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in _Brackets.__dataclass_fields__)
    )


def _with_boundaries(
    steps: StepTable, width: int, x: FloatArray, scale: str, xtol_rel: float, xtol_abs: float
) -> tuple[FloatArray, FloatArray | None]:
    """The grid with both ends of every step boundary added, and the signature at each point.

    The grid alone and no signature when the steps are too many to enumerate.
    """
    sig = np.asarray(steps(x), dtype=np.float64).reshape(x.size, -1)
    if sig.shape[1] != width:
        raise InvalidInputError(
            f"step_owner names {width} columns; the signature has {sig.shape[1]}"
        )
    bounds = step_boundaries(steps, x, sig, scale=scale, xtol_rel=xtol_rel, xtol_abs=xtol_abs)
    if bounds is None:
        return x, None
    b_lo, b_hi, s_lo, s_hi = bounds
    pts, keep = np.unique(np.concatenate([x, b_lo, b_hi]), return_index=True)
    return pts, np.concatenate([sig, s_lo, s_hi])[keep]


def find_crossings(
    costs: CostTable,
    lo: float,
    hi: float,
    pairs: Sequence[tuple[int, int]],
    *,
    steps: StepTable | None = None,
    step_owner: Sequence[int] = (),
    n_grid: int = 4097,
    scale: str = "log",
    xtol_rel: float = 1e-12,
) -> list[PairCrossings]:
    """Every crossing and jump of each pair ``(a, b)`` of columns of ``costs`` on [lo, hi].

    Parameters
    ----------
    costs : vectorized: x (n,) → (n, m) costs of the m options [USD], NaN where infeasible
    lo, hi : search range [unit of the variable]
    pairs : column indices (a, b) to compare
    steps : optional step signature x (n,) → (n, k); see the module docstring
    step_owner : for each signature column, the option (column of ``costs``) it belongs to
    n_grid : points of the first-pass grid
    scale : "linear" or "log" (grid and bisection spacing)
    xtol_rel : relative width at which every bracket stops [fraction of x]

    >>> r, = find_crossings(lambda x: np.column_stack([1000 + 0 * x, 2 * x]), 1, 1e4, [(0, 1)])
    >>> float(r.at[0]), r.sign_below.tolist(), r.sign_above.tolist(), bool(r.jump[0])
    (500.0, [1.0], [-1.0], False)
    """
    lo_f, hi_f = check_range(lo, hi, n_grid, scale)
    xtol_abs = xtol_rel * (hi_f - lo_f) if scale == "linear" else 0.0
    x = search_grid(lo_f, hi_f, n_grid, scale)
    owner = np.asarray(step_owner, dtype=np.int64)
    pts, sig = x, None
    if steps is not None:
        pts, sig = _with_boundaries(steps, owner.size, x, scale, xtol_rel, xtol_abs)
    c = np.asarray(costs(pts), dtype=np.float64).reshape(pts.size, -1)
    parts, starts = [], []
    for k, (a, b) in enumerate(pairs):
        cols = np.flatnonzero((owner == a) | (owner == b)) if sig is not None else None
        sig_ab = sig[:, cols] if sig is not None and cols is not None else None
        br, start = _pair_brackets(k, pts, c, sig_ab, a, b)
        parts.append(br)
        starts.append(start)
    allb = _concat(parts)
    _refine(costs, allb, pairs, scale=scale, xtol_rel=xtol_rel, xtol_abs=xtol_abs)
    at, jump = _classify(costs, allb)
    out = []
    for k, (a, b) in enumerate(pairs):
        m = allb.pair == k
        order = np.argsort(at[m], kind="stable")
        below = allb.s_lo[m][order]
        out.append(
            PairCrossings(
                a=a,
                b=b,
                at=at[m][order],
                jump=jump[m][order],
                sign_below=below,
                sign_above=-below,
                start_sign=starts[k],
            )
        )
    return out
