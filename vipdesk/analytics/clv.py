"""Churn and lifetime value (R8.3): BG/NBD and Gamma-Gamma, fitted with `lifetimes`.

`lifetimes` (BetaGeoFitter, GammaGammaFitter) does the likelihoods, the optimisation and the
conditional expectations; this module feeds it the summary of `summary.rfm_summary` and shapes
the answers. Workarounds for lifetimes 0.11.3 under pandas 3 / numpy 2 / scipy 1.17 (it still
fits and predicts correctly there; checked on CDNOW against the published estimates):

- its import sets a pandas option that pandas 3 deprecates (a Pandas4Warning) — silenced;
- its likelihood calls `warnings.simplefilter("ignore", FutureWarning)` on every evaluation, which
  would change the process's warning filters for good — every call runs in `catch_warnings()`;
- on non-convergence it prints scipy's report to stdout before raising — captured, and turned into
  a `fit_failed` refusal;
- every fit also computes standard errors from the inverse Hessian, whose diagonal can be negative
  on small or lumpy files (numpy: "invalid value encountered in sqrt"); vipdesk never uses them,
  so that warning is silenced rather than printed to whoever runs `vipdesk demo` or the jobs; so are
  numpy's floating-point warnings while the optimiser explores (log(0), overflow in exp).

Customers with the same (x, t_x, T) — or (x, m) for Gamma-Gamma — are fitted once with a weight
(lifetimes' `weights`), which gives the same estimates and is much faster on large files.

CLV over a horizon of H weeks = Σ over the weeks of (expected purchases in that week) × expected
spend per purchase (Gamma-Gamma), discounted weekly at an annual rate (default 0: undiscounted,
so CLV = expected purchases × expected spend). Amounts are in the sales' own currency.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import warnings
from decimal import Decimal

from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.core.money import quantize
from vipdesk.sales.choices import SaleKind

from .summary import RfmSummary, holdout_purchases, last_sale_day, rfm_summary, unit_days
from .models import ClvModel
from .summary import NoPurchases
from .summary import _purchase_days_sql

MODELS = ("bgnbd", "gammagamma")
MAX_HORIZON_WEEKS = 520
MIN_REPEAT_BUYERS = 3


class FitFailed(DomainError):
    code = "fit_failed"


@contextlib.contextmanager
def _quiet_lifetimes():
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.ExitStack() as stack:
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", "invalid value encountered in sqrt", RuntimeWarning)
        try:
            import numpy as np

            # the optimiser steps through regions where log(0) or exp overflow (autograd: "divide by
            # zero", "overflow"); the likelihood there is -inf and the step is refused, which is correct
            stack.enter_context(np.errstate(all="ignore"))
        except ImportError:  # pragma: no cover
            pass
        try:
            import pandas as pd

            warnings.simplefilter("ignore", getattr(pd.errors, "Pandas4Warning", FutureWarning))
        except ImportError:  # pragma: no cover
            pass
        yield


def _lifetimes():
    with _quiet_lifetimes():
        import lifetimes
    return lifetimes


def _check_fit(fitter_name: str, exc: Exception):
    raise FitFailed(_("The %(model)s model could not be fitted to these data (%(error)s).")
                    % {"model": fitter_name, "error": str(exc).strip() or type(exc).__name__})


def fit_bgnbd(summary: RfmSummary):
    """A fitted lifetimes.BetaGeoFitter (r, alpha, a, b in the summary's time unit)."""
    lifetimes = _lifetimes()
    frame = summary.frame
    if frame["T"].max() <= 0:
        raise FitFailed(_("Every customer made his first purchase on the calibration end date; choose a later date."))
    if (frame["frequency"] > 0).sum() < MIN_REPEAT_BUYERS:
        raise FitFailed(_("Too few members bought more than once before the calibration end to fit the model."))
    patterns = frame.groupby(["frequency", "recency", "T"]).size().reset_index(name="weight")
    fitter = lifetimes.BetaGeoFitter(penalizer_coef=0.0)
    try:
        with _quiet_lifetimes():
            fitter.fit(patterns["frequency"].to_numpy(), patterns["recency"].to_numpy(), patterns["T"].to_numpy(),
                       weights=patterns["weight"].to_numpy())
    except (lifetimes.utils.ConvergenceError, ValueError, FloatingPointError) as exc:
        _check_fit("BG/NBD", exc)
    return fitter


def fit_gammagamma(summary: RfmSummary):
    """A fitted lifetimes.GammaGammaFitter (p, q, v) on the repeat buyers with a positive monetary value."""
    lifetimes = _lifetimes()
    frame = summary.frame
    repeat = frame[(frame["frequency"] > 0) & (frame["monetary_value"] > 0)]
    if len(repeat) < MIN_REPEAT_BUYERS:
        raise FitFailed(_("Too few members bought more than once before the calibration end to fit the model."))
    patterns = repeat.groupby(["frequency", "monetary_value"]).size().reset_index(name="weight")
    fitter = lifetimes.GammaGammaFitter(penalizer_coef=0.0)
    try:
        with _quiet_lifetimes():
            fitter.fit(patterns["frequency"].to_numpy(), patterns["monetary_value"].to_numpy(),
                       weights=patterns["weight"].to_numpy())
    except (lifetimes.utils.ConvergenceError, ValueError, FloatingPointError) as exc:
        _check_fit("Gamma-Gamma", exc)
    return fitter, len(repeat)


def _bgnbd_log_likelihood(fitter, summary: RfmSummary) -> float:
    """The sample log-likelihood in the summary's own time unit (lifetimes reports it on rescaled
    times, which shifts it by a constant): comparable with the published −9,582.4 on CDNOW."""
    import numpy as np

    frame = summary.frame
    with _quiet_lifetimes():
        mean = fitter._negative_log_likelihood(np.log(fitter.params_[["r", "alpha", "a", "b"]].to_numpy(dtype=float)),
                                               frame["frequency"].to_numpy(), frame["recency"].to_numpy(),
                                               frame["T"].to_numpy(), np.ones(len(frame)), 0.0)
    return -float(mean) * len(frame)


def _params(fitter, names) -> dict[str, float]:
    return {name: round(float(fitter.params_[name]), 6) for name in names}


def _head(summary: RfmSummary, model: str) -> dict:
    return {"model": model, "calibration_end": summary.calibration_end.isoformat(), "time_unit": summary.time_unit,
            "customers": len(summary)}


def clv_fit(*, model: str, calibration_end: dt.date, time_unit: str = "weeks") -> dict:
    """Fit one model on the members' purchases up to `calibration_end`; its parameters and data size."""
    if model not in MODELS:
        raise DomainError(_("Unknown model %(model)s; use bgnbd or gammagamma.") % {"model": model}, code="unknown_model")
    summary = rfm_summary(calibration_end=calibration_end, time_unit=time_unit)
    frame = summary.frame
    if model == "bgnbd":
        fitter = fit_bgnbd(summary)
        return {**_head(summary, model), "params": _params(fitter, ("r", "alpha", "a", "b")),
                "repeat_customers": int((frame["frequency"] > 0).sum()),
                "log_likelihood": round(_bgnbd_log_likelihood(fitter, summary), 2)}
    fitter, used = fit_gammagamma(summary)
    p, q, v = (float(fitter.params_[k]) for k in ("p", "q", "v"))
    repeat = frame[(frame["frequency"] > 0) & (frame["monetary_value"] > 0)]
    corr = float(repeat["frequency"].corr(repeat["monetary_value"])) if len(repeat) > 1 else float("nan")
    return {**_head(summary, model), "params": _params(fitter, ("p", "q", "v")), "repeat_customers": used,
            # Gamma-Gamma assumes spend per purchase independent of frequency: a correlation near 0 supports it.
            "frequency_monetary_correlation": None if math.isnan(corr) else round(corr, 4),
            "population_mean_spend": str(_money(p * v / (q - 1))) if q > 1 else None}


def _money(value: float) -> Decimal:
    return quantize(Decimal(f"{float(value):.6f}"))


def clv_predict(*, calibration_end: dt.date, horizon_weeks: int, time_unit: str = "weeks",
                annual_discount_rate: float = 0.0) -> dict:
    """Per member: probability alive, expected purchases in the horizon, expected spend per purchase,
    CLV over the horizon; totals; and, where sales after the calibration end exist, the actual
    purchase days in the horizon beside the expectation."""
    import numpy as np

    if not isinstance(horizon_weeks, int) or not 1 <= horizon_weeks <= MAX_HORIZON_WEEKS:
        raise DomainError(_("The horizon is 1 to %(max)d weeks.") % {"max": MAX_HORIZON_WEEKS}, code="bad_horizon")
    if not 0 <= annual_discount_rate < 1:
        raise DomainError(_("The annual discount rate is between 0 and 1 (0.1 means 10 percent)."), code="bad_discount_rate")
    per = unit_days(time_unit)
    summary = rfm_summary(calibration_end=calibration_end, time_unit=time_unit)
    bg = fit_bgnbd(summary)
    gg, _used = fit_gammagamma(summary)
    frame = summary.frame
    x, tx, T = frame["frequency"].to_numpy(), frame["recency"].to_numpy(), frame["T"].to_numpy()
    week = 7 / per  # one week in the time unit
    with _quiet_lifetimes():
        alive = bg.conditional_probability_alive(x, tx, T)
        expected = bg.conditional_expected_number_of_purchases_up_to_time(horizon_weeks * week, x, tx, T)
        spend = np.asarray(gg.conditional_expected_average_profit(frame["frequency"], frame["monetary_value"]), dtype=float)
        if annual_discount_rate:
            weekly = (1 + annual_discount_rate) ** (1 / 52) - 1
            value, before = np.zeros(len(frame)), np.zeros(len(frame))
            for i in range(1, horizon_weeks + 1):
                upto = bg.conditional_expected_number_of_purchases_up_to_time(i * week, x, tx, T)
                value += (upto - before) / (1 + weekly) ** i
                before = upto
            clv = value * spend
        else:
            clv = expected * spend
    horizon_end = calibration_end + dt.timedelta(weeks=horizon_weeks)
    last = last_sale_day()
    has_holdout = last is not None and last > calibration_end
    actual = holdout_purchases(after=calibration_end, until=horizon_end) if has_holdout else {}

    actual_of = [actual.get(int(pk), 0) for pk in frame.index] if has_holdout else None
    members = []
    columns = zip(frame["member_no"], x, tx, T, frame["monetary_value"], alive, expected, spend, clv)
    for i, (member_no, xi, txi, Ti, mi, alive_i, expected_i, spend_i, clv_i) in enumerate(columns):
        item = {
            "member_no": member_no, "frequency": int(xi), "recency": round(float(txi), 4), "T": round(float(Ti), 4),
            "monetary_value": str(_money(mi)), "probability_alive": round(float(alive_i), 6),
            "expected_purchases": round(float(expected_i), 6), "expected_average_spend": str(_money(spend_i)),
            "clv": str(_money(clv_i)),
        }
        if actual_of is not None:
            item["actual_purchases"] = actual_of[i]
        members.append(item)
    members.sort(key=lambda m: m["member_no"])
    result = {
        "calibration_end": calibration_end.isoformat(), "horizon_weeks": horizon_weeks, "horizon_end": horizon_end.isoformat(),
        "time_unit": time_unit, "annual_discount_rate": annual_discount_rate, "customers": len(frame),
        "bgnbd": _params(bg, ("r", "alpha", "a", "b")), "gammagamma": _params(gg, ("p", "q", "v")),
        "total_expected_purchases": round(float(expected.sum()), 4),
        "total_clv": str(_money(clv.sum())),
        "mean_probability_alive": round(float(alive.mean()), 6),
    }
    if has_holdout:
        result["total_actual_purchases"] = sum(m["actual_purchases"] for m in members)
        result["holdout_complete"] = last >= horizon_end  # the data reach the end of the horizon
    result["members"] = members
    return result


# ---- the stored fit and one member's prediction (the 360° page) ------------------------------------

HORIZON_WEEKS = 52


def clv_refresh(*, on: dt.date) -> dict:
    """Fit both models on everything up to `on` and keep the parameters (the weekly job). Too little
    data is an answer, not a failure: the job reports it and the page says no prediction yet."""
    try:
        summary = rfm_summary(calibration_end=on, time_unit="weeks")
        bg = fit_bgnbd(summary)
        try:
            gg, _used = fit_gammagamma(summary)
            gg_params = {k: float(gg.params_[k]) for k in ("p", "q", "v")}
        except FitFailed:
            gg_params = {"p": None, "q": None, "v": None}
    except (FitFailed, NoPurchases) as exc:
        return {"skipped": str(exc)}
    dec = {k: (Decimal(f"{v:.10f}") if v is not None else None)
           for k, v in {**{k: float(bg.params_[k]) for k in ("r", "alpha", "a", "b")}, **gg_params}.items()}
    row, _created = ClvModel.objects.update_or_create(as_of=on, defaults={"customers": len(summary), **dec})
    return {"as_of": on.isoformat(), "customers": row.customers, "bgnbd": _params(bg, ("r", "alpha", "a", "b"))}


def member_clv(member, *, on: dt.date | None = None) -> dict | None:
    """Probability alive, expected purchases in the next 52 weeks, expected spend per purchase and CLV
    of one member, from the latest stored fit and the member's own purchase days up to then."""
    from django.db import connection


    model = ClvModel.objects.filter(as_of__lte=on).first() if on else ClvModel.objects.first()
    if model is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT day, spend FROM ({_purchase_days_sql('s.business_date <= %s AND s.member_id = %s')}) d ORDER BY day",
                       [SaleKind.SALE, model.as_of, member.pk])
        days = cursor.fetchall()
    if not days:
        return {"as_of": model.as_of.isoformat(), "bought": False}
    lifetimes = _lifetimes()
    first, last = _as_date(days[0][0]), _as_date(days[-1][0])
    x = len(days) - 1
    t_x, T = (last - first).days / 7, (model.as_of - first).days / 7
    bg = lifetimes.BetaGeoFitter()
    import pandas as pd

    bg.params_ = pd.Series({"r": float(model.r), "alpha": float(model.alpha), "a": float(model.a), "b": float(model.b)})
    with _quiet_lifetimes():
        import numpy as np

        args = (np.array([x]), np.array([t_x]), np.array([T]))
        alive = float(np.asarray(bg.conditional_probability_alive(*args)).ravel()[0])
        expected = float(np.asarray(bg.conditional_expected_number_of_purchases_up_to_time(HORIZON_WEEKS, *args)).ravel()[0])
    spend = None
    if model.p is not None:
        repeat = sum((Decimal(str(s)) for _d, s in days[1:]), Decimal("0"))
        mean = float(repeat / x) if x else 0.0
        p, q, v = float(model.p), float(model.q), float(model.v)
        # Gamma-Gamma's conditional expected spend per purchase (Fader, Hardie & Lee 2005b, eq. 5): a
        # weighted mean of the population mean p·v/(q−1) and the member's own mean repeat spend.
        spend = ((q - 1) / (p * x + q - 1)) * (p * v / (q - 1)) + (p * x / (p * x + q - 1)) * mean
    return {"as_of": model.as_of.isoformat(), "bought": True, "probability_alive": round(alive, 4),
            "expected_purchases": round(expected, 2), "horizon_weeks": HORIZON_WEEKS,
            "expected_average_spend": str(_money(spend)) if spend is not None else None,
            "clv": str(_money(expected * spend)) if spend is not None else None}


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
