#!/usr/bin/env python
"""Campaign benchmark (issue 18 §1): a marketing SMS campaign to a segment of N members (default
1,000,000) on PostgreSQL — selection, consent, quiet hours, the weekly cap, the 10 % control group
and the outbox rows written — against plain SQL selecting and inserting the same rows in the same run.

    python bench/campaign.py [--members N] [--database-url URL]

Data (set-based, reused by later runs): the bench members of bench/member_lookup.py (COPY, 20 bench
stores); their marketing-SMS consents by INSERT … SELECT, following the member's index i:
i % 10 < 8 agreed, i % 10 == 8 agreed then withdrew (opted out), i % 10 == 9 never asked (no consent);
and, rebuilt each run for the campaign's week, two marketing SMS already sent this week to every
member with i % 100 == 3 (the weekly cap of 2 holds them back). Earlier runs' campaign rows are
truncated first, so each run starts from the same state.

Product: `campaign_save` (segment "the 20 bench stores", control 10 %, no throttle), `campaign_schedule`,
then `campaigns_run` at a Wednesday 11:00 store time (outside quiet hours): the selection writes a
campaign-member row per member (group and reason) and the hand-over an outbox row and its first
delivery event per target member. Baseline: the same selection and rows with plain SQL (latest
consent per member, cap count per member, the control draw by the same sha256 of seed and member
id, the body concatenated in SQL) into tables created LIKE the real ones (indexes and unique
constraints included). Prints ONE JSON line; goal: product under 120 s at 1,000,000.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from member_lookup import MEMBER_NO_BASE, bench_fixture, ensure_database, load_members, log, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vipdesk_bench_campaign"
GOAL_S = 120
SHANGHAI = ZoneInfo("Asia/Shanghai")


def campaign_moment() -> dt.datetime:
    """The coming Wednesday (or today if Wednesday) at 11:00 store time: no quiet hours, mid-week."""
    today = dt.datetime.now(SHANGHAI).date()
    day = today + dt.timedelta(days=(2 - today.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(11, 0), tzinfo=SHANGHAI)


def _index(alias: str = "m") -> str:
    return f"(substr({alias}.member_no, 2)::bigint - {MEMBER_NO_BASE})"


def build_consents(store_ids: list[int]) -> float:
    """Marketing-SMS consents of the bench members, once per database (detected by their source)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM members_consent WHERE source = 'import' AND purpose = 'marketing'")
        if cur.fetchone()[0]:
            return 0.0
        started = time.monotonic()
        log("building consents (INSERT … SELECT)")
        i = _index()
        cur.execute(
            "INSERT INTO members_consent (member_id, purpose, channel, granted, at, source) "
            f"SELECT m.id, 'marketing', 'sms', true, now() - interval '60 days', 'import' FROM members_member m "
            f"WHERE m.home_store_id = ANY(%s) AND {i} %% 10 < 9", [store_ids])
        cur.execute(
            "INSERT INTO members_consent (member_id, purpose, channel, granted, at, source) "
            f"SELECT m.id, 'marketing', 'sms', false, now() - interval '30 days', 'import' FROM members_member m "
            f"WHERE m.home_store_id = ANY(%s) AND {i} %% 10 = 8", [store_ids])
        cur.execute("ANALYZE members_consent")
    return time.monotonic() - started


def fresh_outbox(store_ids: list[int], at: dt.datetime) -> None:
    """Earlier runs' campaign rows gone; two marketing SMS already this week for one member in 100."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE campaigns_campaignmember, messaging_deliveryevent, messaging_outboxmessage, campaigns_campaign CASCADE")
        i = _index()
        for k in range(2):
            cur.execute(
                "INSERT INTO messaging_outboxmessage (member_id, template_code, channel, purpose, kind, language, subject, body, "
                "params, recipient, status, reason, detail, attempts, scheduled_at, sent_at, provider, provider_message_id, source, "
                "created_at, updated_at) "
                "SELECT m.id, 'earlier', 'sms', 'marketing', 'marketing', 'zh-hans', '', '早先的短信', '{}', m.mobile, 'sent', '', '', 1, "
                "%s, %s, 'file', '', '', %s, %s FROM members_member m "
                f"WHERE m.home_store_id = ANY(%s) AND {i} %% 100 = 3",
                [at - dt.timedelta(hours=20 + k), at - dt.timedelta(hours=20 + k), at, at, store_ids])
        cur.execute("ANALYZE messaging_outboxmessage")


def template_and_segment(hq, store_codes: list[str]):
    from vipdesk.analytics.models import Segment
    from vipdesk.analytics.segments import segment_create
    from vipdesk.messaging.message_templates import template_save
    from vipdesk.messaging.models import MessageTemplate

    if not MessageTemplate.objects.filter(code="bench_campaign").exists():
        template_save(actor=None, code="bench_campaign", name="基准营销", purpose="marketing", kind="marketing", channels=["sms"],
                      subject_zh="", body_zh="{salutation}：本周末{store} VIP专场，会员享折上折。", extra_placeholders=[])
    segment = Segment.objects.filter(name="基准门店会员").first()
    if segment is None:
        segment = segment_create(actor=hq, data={"name": "基准门店会员", "definition": {"stores": store_codes}})
    return segment


def run_product(hq, segment, at: dt.datetime) -> tuple[float, dict, object]:
    from vipdesk.campaigns.services import campaign_save, campaign_schedule, campaigns_run

    campaign = campaign_save(actor=hq, data={"name": "基准活动", "template": "bench_campaign", "channel": "sms", "audience": "segment",
                                             "segment": segment.pk, "throttle": 0, "control_percent": 10, "response_days": 14,
                                             "scheduled_at": at.isoformat()})
    campaign_schedule(actor=hq, campaign=campaign, now=at)
    started = time.monotonic()
    result = campaigns_run(at)
    return time.monotonic() - started, result, campaign


CONTROL_SQL = ("(('x' || substr(encode(sha256(convert_to(%(seed)s::text || ':' || m.id::text, 'UTF8')), 'hex'), 1, 16))::bit(64)::bigint"
               "::numeric + CASE WHEN ('x' || substr(encode(sha256(convert_to(%(seed)s::text || ':' || m.id::text, 'UTF8')), 'hex'), 1, 16))"
               "::bit(64)::bigint < 0 THEN 18446744073709551616 ELSE 0 END) %% 10000 < %(percent)s * 100")


def run_baseline(store_ids: list[int], seed: int, at: dt.datetime) -> tuple[float, dict]:
    """Plain SQL: the same selection into a campaign-member table, the same outbox rows and events."""
    from django.db import connection

    from vipdesk.messaging.policy import week_of

    week_start, week_end = week_of(at)
    with connection.cursor() as cur:
        for table in ("campaigns_campaignmember", "messaging_outboxmessage", "messaging_deliveryevent"):
            cur.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cur.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING IDENTITY)")
        started = time.monotonic()
        cur.execute(
            "INSERT INTO bench_campaigns_campaignmember (campaign_id, member_id, \"group\", reason) "
            "SELECT 0, m.id, CASE WHEN r.reason IS NOT NULL THEN 'excluded' WHEN " + CONTROL_SQL + " THEN 'control' ELSE 'target' END, "
            "coalesce(r.reason, '') FROM members_member m "
            "LEFT JOIN LATERAL (SELECT c.granted FROM members_consent c WHERE c.member_id = m.id AND c.purpose = 'marketing' "
            "  AND c.channel = 'sms' ORDER BY c.at DESC, c.id DESC LIMIT 1) c ON true "
            "LEFT JOIN (SELECT o.member_id, count(*) AS n FROM messaging_outboxmessage o WHERE o.purpose = 'marketing' "
            "  AND o.channel IN ('sms', 'email') AND o.status IN ('queued', 'deferred', 'sending', 'sent', 'delivered') "
            "  AND o.scheduled_at >= %(ws)s AND o.scheduled_at < %(we)s GROUP BY o.member_id) w ON w.member_id = m.id "
            "CROSS JOIN LATERAL (SELECT CASE WHEN c.granted IS NULL THEN 'no_consent' WHEN NOT c.granted THEN 'opted_out' "
            "  WHEN m.mobile = '' THEN 'no_address' WHEN coalesce(w.n, 0) >= 2 THEN 'weekly_cap' END AS reason) r "
            "WHERE m.home_store_id = ANY(%(stores)s) AND m.status = 'active'",
            {"seed": seed, "percent": 10, "ws": week_start, "we": week_end, "stores": store_ids})
        selected = cur.rowcount
        cur.execute(
            "INSERT INTO bench_messaging_outboxmessage (member_id, template_code, channel, purpose, kind, language, subject, body, "
            "params, recipient, status, reason, detail, attempts, scheduled_at, next_attempt_at, provider, provider_message_id, source, "
            "created_at, updated_at) "
            "SELECT m.id, 'bench_campaign', 'sms', 'marketing', 'marketing', 'zh-hans', '', "
            "left(m.name, 1) || CASE m.gender WHEN 'M' THEN '先生' WHEN 'F' THEN '女士' ELSE '' END || '：本周末' || s.name || "
            "' VIP专场，会员享折上折。 回复退订拒收', "
            "jsonb_build_object('salutation', left(m.name, 1) || CASE m.gender WHEN 'M' THEN '先生' WHEN 'F' THEN '女士' ELSE '' END, "
            "'store', s.name), m.mobile, 'queued', '', '', 0, %(at)s, %(at)s, '', '', 'campaign:0:' || m.id, %(at)s, %(at)s "
            "FROM bench_campaigns_campaignmember cm JOIN members_member m ON m.id = cm.member_id JOIN org_store s ON s.id = m.home_store_id "
            "WHERE cm.\"group\" = 'target' ORDER BY cm.id", {"at": at})
        written = cur.rowcount
        cur.execute(
            "INSERT INTO bench_messaging_deliveryevent (message_id, at, kind, status, reason, detail, payload) "
            "SELECT o.id, %(at)s, 'queued', 'queued', '', '', jsonb_build_object('scheduled_at', %(iso)s) "
            "FROM bench_messaging_outboxmessage o", {"at": at, "iso": at.isoformat()})
        cur.execute(
            "UPDATE bench_campaigns_campaignmember cm SET outbox_id = o.id, handed_at = %(at)s FROM bench_messaging_outboxmessage o "
            "WHERE o.source = 'campaign:0:' || cm.member_id", {"at": at})
        elapsed = time.monotonic() - started
        cur.execute("SELECT \"group\", count(*) FROM bench_campaigns_campaignmember GROUP BY 1")
        groups = dict(cur.fetchall())
        for table in ("campaigns_campaignmember", "messaging_outboxmessage", "messaging_deliveryevent"):
            cur.execute(f"DROP TABLE bench_{table}")
    return elapsed, {"selected": selected, "outbox": written, "groups": groups}


def product_counts(campaign) -> dict:
    from django.db.models import Count

    from vipdesk.campaigns.models import CampaignMember
    from vipdesk.messaging.models import OutboxMessage

    rows = CampaignMember.objects.filter(campaign=campaign)
    return {"selected": rows.count(), "outbox": OutboxMessage.objects.filter(source__startswith=f"campaign:{campaign.pk}:").count(),
            "groups": dict(rows.values_list("group").annotate(n=Count("id"))),
            "excluded": dict(rows.filter(group="excluded").values_list("reason").annotate(n=Count("id")))}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    ensure_database(args.database_url)
    setup_django(args.database_url)
    load_before = os.getloadavg()
    stores, hq = bench_fixture()
    store_ids = [s.pk for s in stores]
    added, load_s, total = load_members(args.database_url, args.members, stores)
    if total != args.members:
        raise SystemExit(f"the database holds {total:,} bench members; give --members {total} or a fresh --database-url")
    consent_s = build_consents(store_ids)
    at = campaign_moment()
    fresh_outbox(store_ids, at)
    segment = template_and_segment(hq, [s.code for s in stores])
    log("product: campaign_save, campaign_schedule, campaigns_run")
    product_s, result, campaign = run_product(hq, segment, at)
    counts = product_counts(campaign)
    log(f"product {product_s:.1f} s {counts}")
    log("baseline: plain SQL")
    baseline_s, base = run_baseline(store_ids, campaign.seed, at)
    log(f"baseline {baseline_s:.1f} s {base}")
    same = (base["selected"], base["outbox"], base["groups"]) == (counts["selected"], counts["outbox"], counts["groups"])
    out = {"bench": "campaign", "db": "postgresql", "members": total, "members_loaded_s": round(load_s, 1),
           "consents_built_s": round(consent_s, 1), "at": at.isoformat(), "product_s": round(product_s, 1), "run": result,
           "selected": counts["selected"], "outbox_rows": counts["outbox"], "groups": counts["groups"], "excluded": counts["excluded"],
           "baseline_s": round(baseline_s, 1), "ratio_product_vs_sql": round(product_s / baseline_s, 1) if baseline_s else None,
           "same_rows_as_sql": same, "goal_s": GOAL_S, "goal_met": product_s < GOAL_S, "cpus": os.cpu_count(),
           "loadavg_before": list(load_before), "loadavg_after": list(os.getloadavg())}
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
