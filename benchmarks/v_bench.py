"""Milliseconds per comparison of the binormal V: fitted on all comparisons at once vs one by one.

Counts are drawn from the binormal model in four performance levels, with focal groups of 5 to 300
students (small ones leave levels empty, the hard cases near the boundary). The one-by-one
(scalar) fit, the reference, runs on a sample of the comparisons. Prints ms per comparison for
each, the share of comparisons fitted by the binormal model, and the largest difference in V and
in its standard error where both fitted.

usage: python benchmarks/v_bench.py [--cells 1000 10000] [--scalar-sample 300]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy import special

from gapkit.measures.levels import _v_binormal, _v_binormal_rows


def draw(m: int, k: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    mu, sigma = rng.normal(-0.5, 0.5, m), np.exp(rng.normal(0, 0.3, m))
    cuts = np.sort(rng.normal(0, 1, (m, k - 1)), axis=1)
    ones = np.ones((m, 1))
    p_f = np.diff(np.hstack((0 * ones, special.ndtr((cuts - mu[:, None]) / sigma[:, None]), ones)), axis=1)
    p_r = np.diff(np.hstack((0 * ones, special.ndtr(cuts), ones)), axis=1)
    focal = np.array([rng.multinomial(n, p) for n, p in zip(rng.integers(5, 300, m), p_f)], float)
    reference = np.array([rng.multinomial(n, p) for n, p in zip(rng.integers(50, 3000, m), p_r)], float)
    keep = ((focal + reference) > 0).all(axis=1)  # levels empty in both are dropped before the fit
    return focal[keep], reference[keep]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--scalar-sample", type=int, default=300)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
          f" on {os.cpu_count()} cores")
    print(f"{'cells':>7} {'vectorised ms/cell':>19} {'scalar ms/cell':>15} {'binormal share':>15}"
          f" {'max |dV|':>9} {'max |dSE|':>9}")
    for cells in args.cells:
        focal, reference = draw(cells)
        start = time.perf_counter()
        v, se, fitted = _v_binormal_rows(focal, reference)
        vectorised = (time.perf_counter() - start) / len(focal) * 1e3
        sample = np.random.default_rng(1).choice(len(focal), min(args.scalar_sample, len(focal)),
                                                 replace=False)
        start = time.perf_counter()
        scalar = [_v_binormal(focal[i], reference[i]) for i in sample]
        per_scalar = (time.perf_counter() - start) / len(sample) * 1e3
        both = [(i, s) for i, s in zip(sample, scalar) if s is not None and fitted[i]]
        agree = sum((s is not None) == fitted[i] for i, s in zip(sample, scalar))
        dv = max((abs(v[i] - s[0]) for i, s in both), default=0.0)
        dse = max((abs(se[i] - s[1]) for i, s in both), default=0.0)
        print(f"{len(focal):>7} {vectorised:>19.3f} {per_scalar:>15.2f} {fitted.mean():>15.2f}"
              f" {dv:>9.1e} {dse:>9.1e}   (same decision on {agree}/{len(sample)} sampled)")


if __name__ == "__main__":
    main()
