"""`vipdesk init --preset department-store|apparel|specialty|restaurant|bank|b2b`: set up an empty database
(migrated first) with the preset's tier programme and benefits, one store S001 and 1 point per yuan.
`bank` (issue 20 §3): the postal bank's levels by AUM with the grading scheme and maturity reminders.
`b2b` (issue 20) adds the 济钢 annual evaluation of organisation accounts (vipdesk/companies/presets.py)."""
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from vipdesk.org.models import Store
from vipdesk.tiers.models import Programme
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install

EXTRA_PRESETS = ("bank", "b2b")  # presets of the apps above tiers, set up by their own services below


class Command(BaseCommand):
    help = "Set up an empty database with a preset tier programme, store S001 and the default earn rule."

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted([*PRESETS, *EXTRA_PRESETS]), default="department-store")
        parser.add_argument("--store-name", default="总店")

    def handle(self, *args, preset, store_name, **options):
        # A fresh data directory has no tables yet: set them up first, as `demo` does.
        call_command("migrate", interactive=False, verbosity=0)
        if Programme.objects.exists():
            raise CommandError("此数据库已有会员等级方案，init 只用于空数据库。")
        if preset == "bank":
            return self._bank(store_name)
        spec, extra = self._spec(preset)
        with transaction.atomic():
            programme = programme_install(spec=spec)
            store, _created = Store.objects.get_or_create(code="S001", defaults={"name": store_name})
            if apps.is_installed("vipdesk.points"):
                from vipdesk.points.services import earn_rule_install_default

                earn_rule_install_default(yuan_per_point=1)
            else:  # a build without the points app
                self.stderr.write("积分模块未安装：未设置积分规则。")
            if apps.is_installed("vipdesk.wallet"):
                from vipdesk.wallet.bonus_rules import topup_rules_install_default

                topup_rules_install_default()  # 充3000送1000 … (seed 003 篇8), editable afterwards
            if apps.is_installed("vipdesk.care"):
                from vipdesk.care.services import care_rules_install_default

                care_rules_install_default()  # the seeds' care rules, editable afterwards
            extra = extra() if extra else ""
        levels = "、".join(programme.levels.order_by("rank").values_list("name", flat=True))
        self.stdout.write(f"已建立方案“{programme.name}”（{levels}），门店 {store.code} {store.name}，每消费 1 元积 1 分，储值充赠规则为充 3000 送 1000、充 5000 送 2000、充 10000 送 5000、充 30000 送 10000；已装入客户关怀规则（生日、节日、换季、1311 回访等）。{extra}")

    def _spec(self, preset: str):
        """The tier spec, and what else the preset installs (returning the sentence that says so)."""
        if preset == "b2b":
            from vipdesk.companies.presets import B2B_TIERS, scheme_install

            def b2b() -> str:
                scheme = scheme_install()
                criteria = "、".join(scheme.criteria.values_list("name", flat=True))
                return f"已建立“{scheme.name}”（评价指标：{criteria}；第一名 80 万元、第二名 50 万元、第三名 30 万元）。"

            return B2B_TIERS, b2b
        return PRESETS[preset], None

    def _bank(self, store_name):
        """The postal bank: levels by AUM (graded monthly from imported balances), the grading scheme,
        maturity reminders 7 days ahead; relationship managers are staff with the account-manager role."""
        from vipdesk.grading.presets import BANK_PROGRAMME, BANK_SCHEME
        from vipdesk.grading.services import scheme_install

        with transaction.atomic():
            programme = programme_install(spec=BANK_PROGRAMME)
            scheme = scheme_install(spec=BANK_SCHEME)
            store, _created = Store.objects.get_or_create(code="S001", defaults={"name": store_name})
        bands = "、".join(f"{b.level_code and programme.levels.get(code=b.level_code).name}≥{(b.min_score / 10000).normalize():f}万"
                         for b in scheme.bands.order_by("min_score"))
        self.stdout.write(f"已建立方案“{programme.name}”（{bands}，按月日均资产评定，连续{scheme.downgrade_after_months}个月低于所持等级才降级），"
                          f"网点 {store.code} {store.name}；定期、理财到期前 {scheme.maturity_lead_days} 天为客户经理生成提醒任务。"
                          "客户经理请用“客户经理”角色建立员工账号。")
