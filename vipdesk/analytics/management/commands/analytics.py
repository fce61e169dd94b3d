"""vipdesk analytics snapshot [--date YYYY-MM-DD]            classify every member as of that date (R8.1, R8.2)
vipdesk analytics classify --member NO [--date D] [--json]   one member's classes from the latest snapshot
vipdesk analytics fit --model bgnbd|gammagamma --calibration-end YYYY-MM-DD [--time-unit weeks|days] [--json]
vipdesk analytics predict --calibration-end YYYY-MM-DD --horizon-weeks N [--discount-rate R] [--time-unit …] [--json] [--top N]

Churn and lifetime value from the members' sales (vipdesk/analytics/clv.py). Reads only, except
`snapshot`, which writes the analytics app's own snapshot table (the daily jobs do it each night).
"""
from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vipdesk.analytics.clv import MODELS, clv_fit, clv_predict
from vipdesk.analytics.summary import TIME_UNITS
from vipdesk.core.errors import DomainError
from vipdesk.analytics.classify import snapshot_take
from vipdesk.analytics.models import MemberSnapshot
from vipdesk.members.models import Member


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Write the calibration end date as YYYY-MM-DD."))


class Command(BaseCommand):
    help = "Churn and lifetime value: fit BG/NBD or Gamma-Gamma, or predict per member (reads only)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        snap = sub.add_parser("snapshot", help="classify every member as of a business date (replaces that date's snapshot)")
        snap.add_argument("--date", help="business date, YYYY-MM-DD (default today)")
        one = sub.add_parser("classify", help="one member's classes from the latest snapshot on or before the date")
        one.add_argument("--member", required=True, help="member number")
        one.add_argument("--date", help="YYYY-MM-DD (default today)")
        one.add_argument("--json", action="store_true", help="print JSON")
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
        if action in ("snapshot", "classify"):
            return self._classes(action, opts)
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

    def _classes(self, action: str, opts: dict) -> None:
        from django.utils import timezone

        try:
            on = dt.date.fromisoformat(opts["date"]) if opts.get("date") else timezone.localdate()
        except ValueError:
            raise CommandError(_("Write the date as YYYY-MM-DD."))
        if action == "snapshot":
            self.stdout.write(json.dumps(snapshot_take(on=on), ensure_ascii=False))
            return
        member = Member.objects.filter(member_no=opts["member"]).first()
        if member is None:
            raise CommandError(_("No member with this number."))
        row = MemberSnapshot.objects.filter(member=member, date__lte=on).order_by("-date").first()
        if row is None:
            raise CommandError(_("No classification snapshot of this member yet; run `vipdesk analytics snapshot`."))
        out = {"member_no": member.member_no, "date": row.date.isoformat(), "r_score": row.r_score, "f_score": row.f_score,
               "m_score": row.m_score, "rfm_segment": row.rfm_segment, "abc_class": row.abc_class,
               "pyramid_class": row.pyramid_class, "spend_class": row.spend_class, "vip": row.is_vip, "svip": row.svip,
               "lifecycle": row.lifecycle, "last_purchase_on": row.last_purchase_on.isoformat() if row.last_purchase_on else None,
               "frequency": row.frequency, "monetary": str(row.monetary), "annual_spend": str(row.annual_spend)}
        if opts["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        for key, value in out.items():
            self.stdout.write(f"{key:>18}  {value}")

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
