"""vipdesk analytics fit --model bgnbd|gammagamma --calibration-end YYYY-MM-DD [--time-unit weeks|days] [--json]
vipdesk analytics predict --calibration-end YYYY-MM-DD --horizon-weeks N [--discount-rate R] [--time-unit …] [--json] [--top N]

Churn and lifetime value from the members' sales (vipdesk/analytics/clv.py). Reads only.
"""
from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vipdesk.analytics.clv import MODELS, clv_fit, clv_predict
from vipdesk.analytics.summary import TIME_UNITS
from vipdesk.core.errors import DomainError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Write the calibration end date as YYYY-MM-DD."))


class Command(BaseCommand):
    help = "Churn and lifetime value: fit BG/NBD or Gamma-Gamma, or predict per member (reads only)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        fit = sub.add_parser("fit", help="fit a model and print its parameters")
        fit.add_argument("--model", required=True, choices=MODELS)
        predict = sub.add_parser("predict", help="per member: probability alive, expected purchases, CLV")
        predict.add_argument("--horizon-weeks", type=int, required=True)
        predict.add_argument("--discount-rate", type=float, default=0.0, help="annual discount rate for CLV (default 0)")
        predict.add_argument("--top", type=int, default=20, help="without --json: how many members to list (by CLV)")
        for p in (fit, predict):
            p.add_argument("--calibration-end", required=True, help="last day of the calibration period, YYYY-MM-DD")
            p.add_argument("--time-unit", choices=sorted(TIME_UNITS), default="weeks")
            p.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, action, **opts):
        end = _date(opts["calibration_end"])
        try:
            if action == "fit":
                result = clv_fit(model=opts["model"], calibration_end=end, time_unit=opts["time_unit"])
            else:
                result = clv_predict(calibration_end=end, horizon_weeks=opts["horizon_weeks"], time_unit=opts["time_unit"],
                                     annual_discount_rate=opts["discount_rate"])
        except DomainError as exc:
            raise CommandError(exc.message)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif action == "fit":
            self._fit_text(result)
        else:
            self._predict_text(result, opts["top"])

    def _fit_text(self, r: dict) -> None:
        params = "  ".join(f"{k} = {v}" for k, v in r["params"].items())
        self.stdout.write(_("%(model)s, calibration up to %(end)s, time unit %(unit)s, %(n)d members: %(params)s") % {
            "model": "BG/NBD" if r["model"] == "bgnbd" else "Gamma-Gamma", "end": r["calibration_end"], "unit": r["time_unit"],
            "n": r["customers"], "params": params})

    def _predict_text(self, r: dict, top: int) -> None:
        self.stdout.write(_("%(n)d members, horizon %(weeks)d weeks from %(end)s: %(purchases)s purchases expected, CLV %(clv)s in all.")
                          % {"n": r["customers"], "weeks": r["horizon_weeks"], "end": r["calibration_end"],
                             "purchases": r["total_expected_purchases"], "clv": r["total_clv"]})
        if "total_actual_purchases" in r:
            self.stdout.write(_("Actual purchases in the horizon: %(n)d.") % {"n": r["total_actual_purchases"]})
        header = (_("member"), _("P(alive)"), _("expected purchases"), _("expected spend"), _("CLV"))
        self.stdout.write("  ".join(f"{h:>12}" for h in header))
        for m in sorted(r["members"], key=lambda m: float(m["clv"]), reverse=True)[:max(top, 0)]:
            self.stdout.write(f"{m['member_no']:>12}  {m['probability_alive']:>12.3f}  {m['expected_purchases']:>12.3f}  "
                              f"{m['expected_average_spend']:>12}  {m['clv']:>12}")
