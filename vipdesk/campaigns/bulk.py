"""A campaign's selection and hand-over as set-based SQL on PostgreSQL (docs/decisions.md, issue 18):
a million members in seconds instead of an hour of per-member Python.

The rules are messaging's, written as SQL over the same tables, in the order `services._decide` asks
them: withdrawn member; consent for the marketing purpose (the latest row per channel; the inbox
follows SMS and e-mail); an address on the channel; the weekly cap of marketing SMS and e-mails
(counted by planned time in the calendar week of the member's home store); quiet hours. Everything
that depends on a store's clock — when quiet hours end, which week a message falls in — is worked
out in Python by `messaging.policy` once per store and handed to the SQL as a small table, so the
SQL does no time-zone arithmetic of its own. The control group is `services.in_control`'s draw:
sha256("<seed>:<member id>"), the first 8 bytes as an unsigned number, modulo 10,000 (computed from
its two 32-bit halves, as PostgreSQL has no unsigned 64-bit integer).

The hand-over renders the template in SQL — each built-in placeholder is a column expression
(`rendering.BUILTIN`; the salutation as `rendering._salutation` forms it in Chinese) — and writes,
in one statement, the outbox rows (ON CONFLICT DO NOTHING on the outbox's unique source and
channel: a row written by an earlier run is linked, never written again), their first delivery
events, and the campaign rows' bookkeeping. The members whose messages count towards the weekly
cap are locked first, as `enqueue_texts` locks them. A template this SQL cannot render — a
placeholder other than the built-in ones (the opt-out link is signed with the secret key, which
stays out of SQL) or a greeting (its advertising-word check) — and SQLite take the per-member path
of services.py; tests compare both paths.
"""
from __future__ import annotations

import datetime as dt
import re

from django.db import connection, transaction

from vipdesk.accounts.models import Staff
from vipdesk.members.choices import ConsentChannel, ConsentPurpose, MemberStatus
from vipdesk.messaging import policy, rendering
from vipdesk.messaging.choices import Channel, EventKind, MessageKind, OutboxStatus, Reason
from vipdesk.messaging.models import OutboxMessage
from vipdesk.messaging.signals import message_settled
from vipdesk.org.models import Store

from .choices import Group

SMS_OPT_OUT = " 回复退订拒收"
ADDRESS = {Channel.SMS: "m.mobile", Channel.EMAIL: "m.email"}
TITLES = "CASE m.gender WHEN 'M' THEN '先生' WHEN 'F' THEN '女士' END"
VALUES_SQL = {
    "name": "coalesce(m.name, '')",
    "salutation": f"CASE WHEN coalesce(m.name, '') = '' THEN '' WHEN {TITLES} IS NULL THEN m.name ELSE left(m.name, 1) || {TITLES} END",
    "level": "coalesce(lv.name, '')",
    "store": "coalesce(st.name, '')",
    "staff": "coalesce(nullif(ow.display_name, ''), ow.username, '')",
    "member_no": "m.member_no",
}
# the first 8 bytes of the digest as hi·2³² + lo, modulo 10,000 (2³² ≡ 7296)
_DIGEST = "encode(sha256(convert_to(%(seed)s::text || ':' || m.id::text, 'UTF8')), 'hex')"
CONTROL_SQL = (f"((('x' || substr({_DIGEST}, 1, 8))::bit(32)::bigint %% 10000) * 7296 "
               f"+ ('x' || substr({_DIGEST}, 9, 8))::bit(32)::bigint) %% 10000 < %(percent)s * 100")


def available(campaign) -> bool:
    """Whether this campaign may take the SQL path (see the module's docstring)."""
    template = campaign.template
    if connection.vendor != "postgresql" or template.purpose != ConsentPurpose.MARKETING or template.kind == MessageKind.GREETING:
        return False
    if template.extra_placeholders:
        return False
    used = set(rendering.placeholders_in(template.subject_zh)) | set(rendering.placeholders_in(template.body_zh))
    return used <= set(VALUES_SQL)


def _slots(channel: str, at: dt.datetime) -> tuple[str, dict]:
    """Per home store (and -1 for none): when a message asked for at `at` is planned, whether it
    waits for quiet hours, and the calendar week it counts in — by messaging.policy."""
    values, params = [], {}
    for k, store in enumerate([None, *Store.objects.only("id", "time_zone")]):
        later = policy.quiet_until(at, channel, store)
        scheduled = later or at
        start, end = policy.week_of(scheduled, store)
        values.append(f"(%(s{k})s::bigint, %(at{k})s::timestamptz, %(iso{k})s::text, %(q{k})s::boolean, %(ws{k})s::timestamptz, "
                      f"%(we{k})s::timestamptz)")
        params.update({f"s{k}": store.pk if store else -1, f"at{k}": scheduled, f"iso{k}": scheduled.isoformat(), f"q{k}": bool(later),
                       f"ws{k}": start, f"we{k}": end})
    return "slot (store_id, scheduled, scheduled_iso, quiet, week_start, week_end) AS (VALUES " + ", ".join(values) + ")", params


def _consent_join(channel: str) -> str:
    """cs: the member's latest marketing consent on the channel (granted, or NULL without a row) —
    for the inbox, on SMS and on e-mail."""
    latest = ("(SELECT c.granted FROM members_consent c WHERE c.member_id = m.id AND c.purpose = 'marketing' AND c.channel = '{ch}' "
              "ORDER BY c.at DESC, c.id DESC LIMIT 1)")
    if channel == Channel.INBOX:
        return (f"CROSS JOIN LATERAL (SELECT {latest.format(ch=ConsentChannel.SMS)} AS sms, "
                f"{latest.format(ch=ConsentChannel.EMAIL)} AS email OFFSET 0) cs")  # OFFSET 0: read once per member
    return f"CROSS JOIN LATERAL (SELECT {latest.format(ch=channel)} AS granted OFFSET 0) cs"


def _refusal(channel: str) -> str:
    """policy.consent_refusal for the marketing purpose, over cs."""
    if channel == Channel.INBOX:
        return (f"CASE WHEN cs.sms OR cs.email THEN NULL WHEN cs.sms IS NOT NULL OR cs.email IS NOT NULL THEN '{Reason.OPTED_OUT}' "
                f"ELSE '{Reason.NO_CONSENT}' END")
    return f"CASE WHEN cs.granted THEN NULL WHEN cs.granted IS NULL THEN '{Reason.NO_CONSENT}' ELSE '{Reason.OPTED_OUT}' END"


def _reason(channel: str) -> str:
    """The reason a message to member m would not go ('' when it may), with `slot` joined as sl and
    `_consent_join` as cs."""
    cap = policy.weekly_cap()
    capped = "FALSE"
    if policy.counts_for_cap(ConsentPurpose.MARKETING, channel):
        statuses = ", ".join(f"'{s}'" for s in policy.CAP_COUNTS)
        channels = ", ".join(f"'{c}'" for c in policy.PUSH_CHANNELS)
        capped = (f"(SELECT count(*) FROM {OutboxMessage._meta.db_table} o WHERE o.member_id = m.id AND o.purpose = 'marketing' "
                  f"AND o.channel IN ({channels}) AND o.status IN ({statuses}) AND o.scheduled_at >= sl.week_start "
                  f"AND o.scheduled_at < sl.week_end) >= {int(cap)}")
    address = f"coalesce({ADDRESS[channel]}, '') = ''" if channel in ADDRESS else "FALSE"
    return (f"CASE WHEN m.status = '{MemberStatus.WITHDRAWN}' THEN '{Reason.MEMBER_WITHDRAWN}' "
            f"WHEN ({_refusal(channel)}) IS NOT NULL THEN ({_refusal(channel)}) "
            f"WHEN {address} THEN '{Reason.NO_ADDRESS}' WHEN {capped} THEN '{Reason.WEEKLY_CAP}' ELSE '' END")


def _reach(campaign, at: dt.datetime, audience_sql: str, after: int = 0) -> tuple[str, dict]:
    """SELECT member_id, reason, control, quiet over the audience (ids above `after`)."""
    slot, params = _slots(campaign.channel, at)
    params.update(seed=campaign.seed, percent=campaign.control_percent, after=after)
    control = CONTROL_SQL if campaign.control_percent > 0 else "FALSE"
    sql = (f"WITH {slot} SELECT r.member_id, r.reason, CASE WHEN r.reason = '' THEN r.control ELSE FALSE END AS control, r.quiet "
           f"FROM (SELECT m.id AS member_id, {_reason(campaign.channel)} AS reason, {control} AS control, sl.quiet "
           f"FROM members_member m JOIN slot sl ON sl.store_id = coalesce(m.home_store_id, -1) {_consent_join(campaign.channel)} "
           f"WHERE m.id > %(after)s AND m.id IN ({audience_sql}) OFFSET 0) r")
    return sql, params


_PLACEHOLDER = re.compile(r"%(%|s)")


def _named(queryset, prefix: str) -> tuple[str, dict]:
    """A queryset's SQL with its positional parameters renamed %(<prefix>N)s, to sit inside SQL
    that names its parameters."""
    sql, params = queryset.query.sql_with_params()
    names = iter(range(len(params)))
    out = _PLACEHOLDER.sub(lambda m: "%%" if m.group(1) == "%" else f"%({prefix}{next(names)})s", sql)
    return out, {f"{prefix}{i}": value for i, value in enumerate(params)}


def reach_counts(campaign, at: dt.datetime, audience) -> list[tuple[str, bool, bool, int]]:
    """(reason, control, waits for quiet hours, members) over the audience, grouped in the database."""
    audience_sql, audience_params = _named(audience.order_by().values("pk"), "a")
    sql, params = _reach(campaign, at, audience_sql)
    with connection.cursor() as cur:
        cur.execute(f"SELECT x.reason, x.control, x.quiet, count(*) FROM ({sql}) x GROUP BY 1, 2, 3", {**params, **audience_params})
        return cur.fetchall()


def select(campaign, at: dt.datetime, audience, after: int = 0) -> int:
    """The campaign-member rows of the audience above member id `after`, with their group and
    reason, in one INSERT … SELECT (a row already there is left as it is). Returns the rows written."""
    audience_sql, audience_params = _named(audience.order_by().values("pk"), "a")
    sql, params = _reach(campaign, at, audience_sql, after)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO campaigns_campaignmember (campaign_id, member_id, \"group\", reason) "
            f"SELECT %(campaign)s, x.member_id, CASE WHEN x.reason <> '' THEN '{Group.EXCLUDED}' WHEN x.control THEN '{Group.CONTROL}' "
            f"ELSE '{Group.TARGET}' END, x.reason FROM ({sql}) x ORDER BY x.member_id ON CONFLICT (campaign_id, member_id) DO NOTHING",
            {**params, **audience_params, "campaign": campaign.pk})
        written = cur.rowcount
        cur.execute("ANALYZE campaigns_campaignmember")  # the hand-over's plan needs to know how many rows there now are
        return written


def _text(text: str, prefix: str) -> tuple[str, dict, list[str]]:
    """The rendered text as an SQL expression over m, lv, st, ow; its literals as parameters."""
    parts, params, used = [], {}, []
    for literal, word in rendering.pieces(text):
        if literal:
            name = f"{prefix}{len(params)}"
            params[name] = literal
            parts.append(f"%({name})s::text")
        if word:
            parts.append(f"({VALUES_SQL[word]})")
            used.append(word)
    return ("(" + " || ".join(parts) + ")") if parts else "''::text", params, used


def hand_over(campaign, *, now: dt.datetime, limit: int) -> int:
    """Hand the next `limit` target members not yet handed over to the outbox, in one statement
    and a second for the bookkeeping (inside the caller's transaction, the campaign row locked by the caller). Returns how many."""
    template, channel = campaign.template, campaign.channel
    todo = (f"SELECT cm.id, cm.member_id FROM campaigns_campaignmember cm WHERE cm.campaign_id = %(campaign)s "
            f"AND cm.\"group\" = '{Group.TARGET}' AND cm.handed_at IS NULL ORDER BY cm.id LIMIT %(limit)s")
    base = {"campaign": campaign.pk, "limit": limit}
    with connection.cursor() as cur:
        if policy.counts_for_cap(template.purpose, channel):  # serialise the weekly cap per member, as enqueue does
            cur.execute(f"SELECT count(*) FROM (SELECT m.id FROM members_member m WHERE m.id IN (SELECT t.member_id FROM ({todo}) t) "
                        f"ORDER BY m.id FOR UPDATE OF m) x", base)
        slot, params = _slots(channel, now)
        body, body_params, used = _text(template.body_zh, "b")
        subject, subject_params, used_subject = _text(template.subject_zh, "j")
        final_body = "CASE WHEN strpos(d.body, '退订') > 0 THEN d.body ELSE d.body || %(optout)s END" if channel == Channel.SMS else "d.body"
        words = sorted(set(used) | set(used_subject))
        values = "jsonb_build_object(" + ", ".join(f"'{w}', ({VALUES_SQL[w]})" for w in words) + ")" if words else "'{}'::jsonb"
        early = ", ".join(f"'{r}'" for r in (Reason.MEMBER_WITHDRAWN, Reason.NO_CONSENT, Reason.OPTED_OUT, Reason.NO_ADDRESS))
        address = f"coalesce({ADDRESS[channel]}, '')" if channel in ADDRESS else "''"
        params.update({**base, **body_params, **subject_params}, optout=SMS_OPT_OUT, now=now, now_iso=now.isoformat(), template=template.pk,
                      code=template.code[:40], channel=channel, purpose=template.purpose, kind=template.kind or MessageKind.MARKETING,
                      source=f"campaign:{campaign.pk}:")
        cur.execute(
            f"WITH {slot}, todo AS MATERIALIZED ({todo}), "
            f"rows AS MATERIALIZED (SELECT t.id AS cm_id, m.id AS member_id, {_reason(channel)} AS reason, sl.scheduled, sl.scheduled_iso, sl.quiet, "
            f"  {body} AS body, left({subject}, 200) AS subject, {values} AS params, {address} AS recipient "
            f"  FROM todo t JOIN members_member m ON m.id = t.member_id JOIN slot sl ON sl.store_id = coalesce(m.home_store_id, -1) "
            f"  {_consent_join(channel)} "
            f"  LEFT JOIN {Store._meta.db_table} st ON st.id = m.home_store_id LEFT JOIN {Staff._meta.db_table} ow ON ow.id = m.owner_id "
            f"  LEFT JOIN tiers_membertier mt ON mt.member_id = m.id LEFT JOIN tiers_level lv ON lv.id = mt.level_id), "
            f"decided AS (SELECT r.*, CASE WHEN r.reason <> '' THEN '{OutboxStatus.SUPPRESSED}' WHEN r.quiet THEN '{OutboxStatus.DEFERRED}' "
            f"  ELSE '{OutboxStatus.QUEUED}' END AS status, CASE WHEN r.reason <> '' THEN r.reason WHEN r.quiet THEN '{Reason.QUIET_HOURS}' "
            f"  ELSE '' END AS why, CASE WHEN r.reason IN ({early}) THEN %(now)s ELSE r.scheduled END AS planned, "
            f"  CASE WHEN r.reason IN ({early}) THEN %(now_iso)s ELSE r.scheduled_iso END AS planned_iso FROM rows r), "
            f"ins AS (INSERT INTO {OutboxMessage._meta.db_table} (member_id, template_id, template_code, channel, purpose, kind, language, "
            f"  subject, body, params, recipient, status, reason, detail, attempts, scheduled_at, next_attempt_at, provider, "
            f"  provider_message_id, source, created_at, updated_at) "
            f"  SELECT d.member_id, %(template)s, %(code)s, %(channel)s, %(purpose)s, %(kind)s, 'zh-hans', d.subject, {final_body}, d.params, "
            f"  d.recipient, d.status, d.why, '', 0, d.planned, CASE WHEN d.status = '{OutboxStatus.SUPPRESSED}' THEN NULL ELSE d.planned END, "
            f"  '', '', %(source)s || d.member_id, %(now)s, %(now)s FROM decided d ORDER BY d.cm_id "
            f"  ON CONFLICT DO NOTHING RETURNING id, member_id, status, reason, scheduled_at), "
            f"ev AS (INSERT INTO messaging_deliveryevent (message_id, at, kind, status, reason, detail, payload) "
            f"  SELECT i.id, %(now)s, CASE i.status WHEN '{OutboxStatus.QUEUED}' THEN '{EventKind.QUEUED}' "
            f"  WHEN '{OutboxStatus.DEFERRED}' THEN '{EventKind.DEFERRED}' ELSE '{EventKind.SUPPRESSED}' END, i.status, i.reason, '', "
            f"  jsonb_build_object('scheduled_at', CASE WHEN i.reason IN ({early}) THEN %(now_iso)s ELSE sl.scheduled_iso END) "
            f"  FROM ins i JOIN members_member m ON m.id = i.member_id JOIN slot sl ON sl.store_id = coalesce(m.home_store_id, -1)) "
            f"SELECT ARRAY(SELECT id FROM ins WHERE status = '{OutboxStatus.SUPPRESSED}')",
            params)
        suppressed = cur.fetchone()[0]
        # the bookkeeping, in a statement of its own so that it sees the rows just written (the same
        # `todo`: the campaign row is locked); a row an earlier run wrote is linked all the same
        cur.execute(f"UPDATE campaigns_campaignmember cm SET handed_at = %(now)s, outbox_id = (SELECT o.id FROM "
                    f"{OutboxMessage._meta.db_table} o WHERE o.source = %(source)s || cm.member_id AND o.channel = %(channel)s "
                    f"AND o.source <> '') WHERE cm.id IN (SELECT t.id FROM ({todo}) t)",
                    {**base, "now": now, "source": params["source"], "channel": channel})
        handed = cur.rowcount
    for message in OutboxMessage.objects.filter(pk__in=suppressed or []):  # as _write_texts tells of them
        transaction.on_commit(lambda m=message: message_settled.send(sender=OutboxMessage, message=m, status=m.status))
    return int(handed)
