"""Issue 15 §15 and §10–11 on the demo chain: every capability with coherent data, a truthful load
report, and the console's pages free of code names and unformatted amounts."""
import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db(transaction=False)


# ---- the load report ------------------------------------------------------------------------------

def test_the_second_run_does_not_announce_a_first_load(demo):
    assert "首次装入" in demo["first"] and "Loading the demo once" in demo["first"]
    assert "首次装入" not in demo["second"] and "Loading the demo once" not in demo["second"]
    assert "已存在，未重复装入" in demo["second"]


def test_progress_lines_are_that_months_figures_and_the_estimate_is_in_minutes(demo):
    lines = [ln for ln in demo["first"].splitlines() if re.match(r"\s+\d{4}-\d{2}\s", ln)]
    assert len(lines) >= 12
    assert all("本月" in ln and "this month" in ln and "累计销售" in ln for ln in lines)
    months = [int(re.search(r"本月 销售 ([\d,]+) 笔", ln).group(1).replace(",", "")) for ln in lines]
    total = int(re.search(r"累计销售 ([\d,]+) 笔", lines[-1]).group(1).replace(",", ""))
    assert sum(months) == total  # each line is its month; the running total is said as such
    assert re.search(r"约需 \d+ 分钟", demo["first"]) and "一两分钟" not in demo["first"]


# ---- every capability, coherent -------------------------------------------------------------------

def test_many_members_hold_stored_value_taken_through_the_wallet(demo):
    from vipdesk.members.models import Member
    from vipdesk.wallet.models import TopUp, WalletAccount
    from vipdesk.wallet.services import wallet_recompute

    holders = WalletAccount.objects.filter(principal__gt=0)
    assert holders.count() >= Member.objects.count() // 10
    assert TopUp.objects.count() >= holders.count()
    assert not WalletAccount.objects.filter(principal__gt=Decimal("5000.00")).exists()  # the named account's limit
    assert all(wallet_recompute(member=a.member)["ok"] for a in holders[:20])


def test_coupons_were_used_at_the_till(demo):
    from vipdesk.coupons.models import Coupon

    used = Coupon.objects.filter(status="used")
    assert used.count() >= 2 and all(c.used_sale_id for c in used)


def test_only_reachable_top_up_bonuses_are_offered(demo):
    from vipdesk.wallet.ledger import policy
    from vipdesk.wallet.models import TopUpRule

    limit = policy().named_limit
    assert TopUpRule.objects.filter(active=True).exists()
    assert not TopUpRule.objects.filter(active=True, threshold__gt=limit).exists()


def test_gifts_cost_about_what_the_liability_values_a_point_at(demo):
    from vipdesk.points.choices import ItemKind
    from vipdesk.points.models import Redemption, RedemptionItem
    from vipdesk.points.services import policy

    per_point = policy().value_per_point
    for item in RedemptionItem.objects.filter(active=True):
        cost = item.value / item.points
        assert per_point / 2 <= cost <= per_point, (item.code, cost)  # never above the liability's value
    assert RedemptionItem.objects.filter(kind=ItemKind.GOODS_VOUCHER).count() == 4
    assert Redemption.objects.exists()


# ---- pages without code names and with formatted amounts ------------------------------------------

LEAKS = [
    (re.compile(r"\b[A-Z]{2,}_[A-Z][A-Z_]+\b"), "a setting name"),
    (re.compile(r"篇\s*\d"), "a seed reference"),
    (re.compile(r"run-jobs|vipdesk (?:init|demo|apikey|analytics|run-jobs)"), "a command"),
    (re.compile(r"\b(?:care|points|sales|tiers|wallet|coupons|messaging):[a-z_]+\b"), "a template key"),
    (re.compile(r"`"), "a backtick"),
    (re.compile(r"\bX\d? ?元"), "an unfilled placeholder"),
    (re.compile(r"¥\d{4,}"), "money without thousands separators"),
    (re.compile(r"\d{4,}\.\d{2} ?元"), "money in 元 without the ¥ format"),
]


def visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


def console_pages() -> list[str]:
    """Every console page that needs no argument (exports and actions aside)."""
    names = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "console":
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern) and inner.name and not inner.pattern.regex.groups:
                    names.append(inner.name)
    skip = ("export", "logout", "sign_out", "login", "two_factor", "act", "active", "set", "reveal", "move")
    return sorted(n for n in names if not any(s in n for s in skip))


def test_console_pages_show_no_code_names_or_unformatted_amounts(demo, client):
    from django.urls import reverse

    from vipdesk.accounts.models import Staff
    from vipdesk.members.models import Member

    rich = Member.objects.filter(points_account__balance__gt=0).order_by("-points_account__balance").first()
    found = []
    for username in ("hq", "s001_manager", "s001_guide1", "s001_cashier1"):
        client.force_login(Staff.objects.get(username=username))
        urls = [reverse(f"console:{name}") for name in console_pages()]
        urls += [reverse("console:member_detail", args=[rich.pk]),
                 f"{reverse('console:pos_redeem')}?store=S001&member_by=member_no&member_value={rich.member_no}"]
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            text = visible_text(response.content.decode())
            for regex, what in LEAKS:
                for hit in regex.finditer(text):
                    found.append(f"{username} {url}: {what}: …{text[max(0, hit.start() - 30):hit.end() + 30]}…")
    assert not found, "\n".join(found[:40])
