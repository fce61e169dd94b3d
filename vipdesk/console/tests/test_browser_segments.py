"""HQ in a real (headless Debian) Chromium builds a segment (金卡 + 重要价值客户), counts it with 预览人数,
saves it and finds it in the list with the same live count; then changes the SVIP share on 分类规则.
With VIPDESK_SCREENSHOTS set, the three pages are kept as screenshots (1280 px) for review."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.analytics.classify import snapshot_take
from vipdesk.analytics.models import ClassificationPolicy, Segment
from vipdesk.analytics.selectors import segment_count
from vipdesk.analytics.tests.helpers import buy, member
from vipdesk.testing.factories import StaffFactory, StoreFactory
from vipdesk.tiers.models import Level, MemberTier
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install

from .browser import MARKS, page, shot, nav_to  # noqa: F401  (page is a fixture)
from .test_browser_quote import sign_in

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_hq_builds_previews_and_saves_a_segment_then_changes_the_svip_share(live_server, page):
    programme = programme_install(spec=DEPARTMENT_STORE)
    levels = {lv.code: lv for lv in Level.objects.filter(programme=programme)}
    store = StoreFactory(code="SH01", name="上海南京西路店")
    StaffFactory(username="hq_seg", role=Role.HQ_ADMIN)
    today = timezone.localdate()
    names = ["王丽", "赵强", "孙梅", "周杰", "吴芳", "郑波", "冯雪", "陈晨"]
    for i, name in enumerate(names):
        m = member(store, name=name, mobile=f"1390000{i:04d}", gender="F" if i % 2 else "M")
        MemberTier.objects.create(member=m, programme=programme, level=levels["GOLD" if i < 5 else "SILVER"])
        visits = 4 if i in (0, 1, 5) else 1
        for n in range(visits):
            buy(m, today - dt.timedelta(days=3 + 20 * n + (0 if i < 3 or i == 5 else 200)), "4000.00" if visits == 4 else "300.00")
    snapshot_take(on=today)
    expected = segment_count({"levels": ["GOLD"], "rfm_segments": ["important_value"]})
    assert expected == 2                                  # 王丽 and 赵强: gold, recent, often, much
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url

    sign_in(page, base, "hq_seg")
    nav_to(page, "nav-segments")
    page.wait_for_selector("#segment-new")
    page.click("#segment-new")
    page.wait_for_selector("#segment-form")
    page.fill("#id_name", "金卡重要价值客户")
    page.check("#checks-levels input[value=GOLD]")
    page.check("#checks-rfm_segments input[value=important_value]")
    page.click("#segment-preview-button")
    page.wait_for_selector("#preview-count")
    assert page.inner_text("#preview-count") == str(expected)
    assert page.locator("#preview-members tbody tr").count() == expected
    assert not Segment.objects.exists()
    shot(page, "segment-preview.png")
    page.click("#segment-save")
    page.wait_for_selector(".msg-success")
    assert "已保存" in page.inner_text(".messages")
    segment = Segment.objects.get()
    assert segment.definition == {"levels": ["GOLD"], "rfm_segments": ["important_value"]}

    page.click("#tab-segments")
    page.wait_for_selector("#segments")
    row = page.locator(f"#segment-{segment.pk}")
    assert "金卡重要价值客户" in row.inner_text() and row.locator(".segment-count").inner_text() == str(expected)
    assert "重要价值客户" in row.inner_text() and "金卡" in row.inner_text()
    shot(page, "segment-list.png")

    page.click("#tab-classification")
    page.wait_for_selector("#classification-form")
    assert "重要价值客户" in page.inner_text("#dist-rfm_segment")
    page.fill("#id_svip_pct", "20")
    page.click("#classification-save")
    page.wait_for_selector(".msg-success")
    assert ClassificationPolicy.objects.get().svip_pct == Decimal("20.00")
    assert page.input_value("#id_svip_pct") == "20.00"
    shot(page, "classification-policy.png")
    # a bad value is marked next to the field and nothing changes
    page.fill("#id_svip_pct", "120")
    page.click("#classification-save")
    page.wait_for_selector("#error-svip_pct")
    assert "不能大于" in page.inner_text("#error-svip_pct")
    assert ClassificationPolicy.objects.get().svip_pct == Decimal("20.00")
