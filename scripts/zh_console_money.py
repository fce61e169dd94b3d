"""Chinese for the console's stored-value, coupon, pricing and quote screens (issue 4 §5).

Appends the msgids below that vipdesk/console's catalogue does not have yet (appending keeps merges
with other branches' catalogue changes simple), then compile with msgfmt:

    python scripts/zh_console_money.py --strip COPY/locale/zh_Hans/LC_MESSAGES/django.po   # on a copy of the app
    (cd COPY && django-admin makemessages -l zh_Hans)
    python scripts/zh_console_money.py /tmp/untranslated.po vipdesk/console/locale/zh_Hans/LC_MESSAGES/django.po

The first file is `msgattrib --untranslated --no-wrap` (and `--only-fuzzy`) of a `makemessages` run on a
copy of the app: its msgids that are in this table are appended; the others are listed (strings of
other screens whose Chinese lives in another app's catalogue).
"""
import re
import sys
from pathlib import Path

PLURAL = "%(n)s entry was not found (or is not an active member you may see):"

ZH = {
    # forms: stored value
    "Store codes, separated by commas. Empty: every store.": "门店代码，用逗号分隔。留空表示所有门店。",
    "Tier level codes, separated by commas. Empty: every member.": "等级代码，用逗号分隔。留空表示所有会员。",
    "Stores": "门店", "Tier levels": "会员等级",
    "Paying takes": "扣款顺序", "Limit of a named account (yuan)": "记名账户上限（元）",
    "Mobile or ID number on file. The regulation: 5,000.": "档案有手机号或身份证号。办法规定：5000元。",
    "Limit of an anonymous account (yuan)": "不记名账户上限（元）", "The regulation: 1,000.": "办法规定：1000元。",
    "The bonus counts toward the limit": "赠送金计入上限", "Payments up to this amount need no PIN (yuan)": "免密支付限额（元）",
    "Extra discount when stored value pays all (%)": "储值全额支付另享折扣（%）", "0: none.": "0 表示没有。",
    "E.g. 充3000送1000.": "例如：充3000送1000。", "Top-up of at least (yuan)": "充值满（元）", "Bonus (yuan)": "赠送（元）",
    "Tier level code": "等级代码", "Empty: every member.": "留空表示所有会员。", "New limit (yuan)": "新上限（元）",
    "Empty: back to the policy's limit.": "留空表示恢复政策规定的上限。", "New PIN (6 digits)": "新支付密码（6位数字）",
    "Empty: remove the PIN.": "留空表示取消支付密码。",
    "Also gives points": "另送积分", "Also gives coupons of campaign (code)": "另送券（券活动代码）", "How many coupons": "送券张数",
    "Empty: none.": "留空表示没有。", "Empty: 1 when a campaign is named.": "填了券活动时留空为1张。",
    "Refund reference": "退款流水号", "Unique in the store: sending it again does not pay twice.": "门店内唯一：重复提交不会重复退款。",
    "Refund %(ref)s was done before: this is the first result again; nothing was paid twice.": "退款 %(ref)s 此前已办理：显示第一次的结果，未重复退款。",
    "Also given": "另送", "%(n)s points": "%(n)s 积分",
    # forms: coupons
    "What tills and reports show, e.g. B60.": "收银和报表显示的代码，例如 B60。", "Face value (yuan)": "面值（元）",
    "Discount in 折": "折扣（折）", "8.5: pay 85 percent.": "8.5 表示按85%付款。", "Largest discount (yuan)": "最多优惠（元）",
    "Empty: no cap.": "留空表示不封顶。", "Goods in scope of at least (yuan)": "适用商品满（元）",
    "满多少: a spend-and-save coupon needs it; others may.": "满多少：满减券必填，其他券可选。",
    "Item given (SKU)": "兑换商品（SKU）", "SKUs": "SKU", "Brands": "品牌", "Categories": "品类", "Valid from": "有效期自",
    "Valid until": "有效期至", "Or valid for N days after issue": "或发券后有效天数",
    "The day of issue counts as day 1. Give this or an end date.": "发券当天算第1天。与截止日期二选一。",
    "Not usable on": "不可用日期", "Dates as YYYY-MM-DD, separated by commas.": "日期格式 YYYY-MM-DD，用逗号分隔。",
    "At most per member": "每位会员最多", "Empty: no limit.": "留空表示不限。", "At most in all": "总发行量",
    "May be combined with other coupons": "可与其他券同时使用", "Mall's share of the cost (%)": "商场承担比例（%）",
    "Empty: 50 for a gift voucher, 100 otherwise.": "留空：礼品券为50，其他为100。",
    "E.g. 当日累计满300元送60元B券.": "例如：当日累计满300元送60元B券。", "When": "何时发券",
    "For every (yuan paid)": "每实付满（元）", "Coupons each time": "每次发券张数",
    "Add up the day's sales (当日累计)": "当日累计", "Tenders that count as paid": "计入实付的付款方式",
    "Empty: cash, bank card, WeChat Pay, Alipay.": "留空：现金、银行卡、微信、支付宝。",
    "Categories excluded": "排除品类", "Brands excluded": "排除品牌", "Days ahead (birthday)": "提前天数（生日）",
    "A used coupon on return": "退货时已用的券", "Campaign": "券活动", "Saved segment": "已保存的客群",
    "Members": "会员", "Member numbers or mobile numbers, one per line or separated by commas.": "会员号或手机号，每行一个或用逗号分隔。",
    "Coupons per member": "每人发券张数", "Note": "备注",
    "Why these members get the coupon; kept with the batch.": "发券原因，随批次记录。", "— a pasted list —": "— 粘贴的名单 —",
    "Coupon code": "券码", "Reason": "原因",
    # forms: pricing
    "Member price (yuan)": "会员价（元）", "E.g. 羊绒衫会员特价.": "例如：羊绒衫会员特价。", "Special price (yuan)": "特价（元）",
    "At most per card": "每卡限购", "Empty: 1.": "留空为1。", "At most per day": "每日限量", "Empty: 100.": "留空为100。",
    "E.g. 逢3会员日.": "例如：逢3会员日。", "Every": "每周", "Monday": "星期一", "Tuesday": "星期二", "Wednesday": "星期三",
    "Thursday": "星期四", "Friday": "星期五", "Saturday": "星期六", "Sunday": "星期日", "Days of the month": "每月日期",
    "E.g. 3, 13, 23.": "例如：3, 13, 23。", "9: pay 90 percent. Empty: none.": "9 表示按90%付款。留空表示不打折。",
    "Points multiplier": "积分倍数", "2: double points. Empty: none.": "2 表示双倍积分。留空表示没有。",
    "E.g. 国庆大促.": "例如：国庆大促。", "VIP card discounts suspended (points still accrue)": "VIP卡折扣暂停（积分照常累计）",
    "Birthday discount (折)": "生日折扣（折）", "On the member's birthday. Empty: none.": "会员生日当天有效。留空表示没有。",
    "Points may pay from an order of (yuan)": "订单满多少可用积分抵现（元）",
    "Points pay at most this share of the order (%)": "积分最多抵订单比例（%）",
    "Points pay at most per order (yuan)": "每单积分最多抵（元）", "A quote is valid for (minutes)": "报价有效时间（分钟）",
    # forms: till
    "No coupons": "不用券", "These coupons": "使用以下券", "Best for the member (自动最优)": "自动最优",
    "No points": "不用积分", "As many as allowed": "尽量多用", "This many points": "使用指定积分",
    "No stored value": "不用储值", "As much as the balance allows": "尽量用储值",
    "Top-up amount (yuan)": "充值金额（元）", "Paid by": "付款方式", "Top-up reference": "充值流水号",
    "Unique in the store: sending it again does not take the money twice.": "门店内唯一：重复提交不会重复入账。",
    "Principal to refund (yuan)": "退还本金（元）", "Empty: all the principal left.": "留空表示退还全部剩余本金。", "Coupon codes": "券码",
    "One per line or separated by commas; upper or lower case, with or without “-”.": "每行一个或用逗号分隔；不区分大小写，可带“-”。",
    "Points offset": "积分抵现", "Points": "积分", "Stored value": "储值", "Stored-value PIN": "储值支付密码",
    "Only when the member has a PIN and the stored value paid is above the no-PIN limit.": "仅当会员设了支付密码且储值支付超过免密限额时需要。",
    # navigation and tabs
    "Issue coupons": "发券", "Coupon campaigns": "券活动", "Member prices and promotions": "会员价与促销",
    "Quote and checkout": "报价收银", "Stored-value top-up": "储值充值", "Stored-value refund": "储值退款",
    "Member prices": "会员价", "Member specials": "会员特价", "Member days": "会员日", "Promotions": "促销活动",
    "Pricing policy": "价格政策",
    # coupon pages
    "New campaign": "新建券活动", "Coupon campaign": "券活动", "%(n)s coupons issued": "已发 %(n)s 张",
    "Issue to members": "向会员发券",
    "Coupons of this campaign are out: its kind and values can no longer change (create a new campaign instead).":
        "本活动的券已发出：类型和面值不能再改（请新建活动）。",
    "Issuance rules": "发券规则", "Excluded": "排除", "every %(step)s paid → %(n)s": "每实付 %(step)s → %(n)s 张",
    "day's sales add up": "当日累计", "%(d)s days ahead → %(n)s": "提前 %(d)s 天 → %(n)s 张",
    "Switch this rule off? No more coupons are given by it.": "停用这条规则？之后不再按它发券。",
    "No issuance rules: coupons of this campaign are issued only in bulk.": "没有发券规则：本活动的券只能批量发放。",
    "New issuance rule": "新建发券规则", "Value": "面值", "Valid": "有效期",
    "Rules in force": "生效规则", "折": "折", "%(v)s off from %(t)s": "满 %(t)s 减 %(v)s", "%(n)s days after issue": "发券后 %(n)s 天",
    "Stopped": "已停用", "No campaigns yet.": "还没有券活动。",
    "Issue to a list of members": "向会员名单发券",
    "First count: how many of the members are found and how many have reached the campaign's limit. Then issue.":
        "先预览：能找到多少会员、多少人已达每人上限。再正式发放。",
    "%(n)s members would get coupons of %(name)s.": "将向 %(n)s 位会员发放“%(name)s”。",
    "%(n)s coupons issued to %(m)s members.": "已向 %(m)s 位会员发放 %(n)s 张券。", "Batch": "批次",
    "%(n)s of them have reached the campaign's limit per member and get fewer or none.": "其中 %(n)s 人已达每人上限，少发或不发。",
    PLURAL: "%(n)s 条未找到（或不是您可查看的有效会员）：",
    "Count first": "预览人数", "Issue now": "正式发放", "Issue the coupons to %(n)s members now?": "现在向 %(n)s 位会员发券？",
    "Void a coupon": "作废券", "Only an unused coupon can be voided. The reason is kept in its history.": "只有未使用的券可以作废。原因记入券的历史。",
    "Void this coupon? It cannot be used afterwards.": "作废这张券？作废后不能再使用。",
    # 360° panes
    "Usable only": "只看可用", "History (%(n)s used or closed)": "历史（%(n)s 张已用或失效）", "Usable": "可用", "from %(t)s": "满 %(t)s", "No usable coupons.": "没有可用的券。", "Used": "已使用", "Revoked": "已收回", "Top up": "充值", "Refund": "退款", "Principal": "本金", "Limit": "上限", "set by HQ": "总部设定",
    "named account": "记名账户", "anonymous account": "不记名账户", "Payment PIN set: needed above %(n)s.": "已设支付密码：超过 %(n)s 需输入。",
    "No payment PIN.": "未设支付密码。", "No stored-value entries yet.": "还没有储值流水。", "Change the limit": "调整上限",
    "Payment PIN": "支付密码",
    # posting result
    "Coupons used": "使用的券", "Coupons earned": "获得的券", "Stored-value balance": "储值余额",
    # pricing pages
    "Member price": "会员价", "Special": "特价", "Special price": "特价", "Per card": "每卡限购", "Per day (pieces)": "每日限量",
    "Falls on": "日期", "Discount": "折扣", "VIP card discounts": "VIP卡折扣", "days %(d)s of the month": "每月 %(d)s 日",
    "suspended; points still accrue": "暂停；积分照常累计", "as usual": "照常", "every member": "所有会员",
    "Switch this off? Quotes from now on do without it.": "停用？之后的报价不再使用它。", "Nothing here yet.": "这里还没有内容。",
    "A member-only unit price per SKU, for some tier levels or every member; of several, the lowest applies. Goods at a member price get no further member discount.":
        "按 SKU 设定的会员专享单价，可限定等级或适用所有会员；有多个适用时取最低价。按会员价的商品不再享受会员折扣。",
    "E.g. cashmere sweater at 199, one per card, 100 a day. Pieces beyond the quota are at the usual price; tills racing for the last pieces never sell more.":
        "例如：羊绒衫特价199元，每卡限购1件，每日限量100件。超出限购的件数按原价计；多台收银机同时抢购也不会超卖。",
    "Weekdays (every Wednesday) or days of the month (逢3: 3, 13, 23), with a discount, a points multiplier or both. Level, member-day and birthday discounts do not add up: the best one applies.":
        "按星期（如每周三）或日期（逢3：3、13、23日）设定，可给折扣、积分倍数或两者都给。等级折扣、会员日折扣和生日折扣不叠加，取最优惠的一个。",
    "During a promotion that suspends VIP card discounts, level discounts stop while points keep accruing (seed 003).":
        "促销活动设为“VIP卡折扣暂停”时，活动期间等级折扣不生效，积分照常累计（种子003）。",
    "Add": "新增", "The birthday discount, the limits of the points offset at the till and how long a quote is valid.":
        "生日折扣、收银积分抵现的限制和报价有效时间。",
    # stored-value pages
    "Stored-value policy": "储值政策", "Limit of a named account": "记名账户上限", "Limit of an anonymous account": "不记名账户上限",
    "No PIN needed up to": "免密支付限额", "Extra discount when stored value pays all": "储值全额支付另享折扣",
    "Top-up bonus rules in force": "生效的充值赠送规则",
    "A top-up earns the bonus of the highest step it reaches, once. Rules are not edited: switch one off and create another.":
        "一次充值只按达到的最高档位赠送一次。规则不能修改：停用旧规则再新建。",
    "New top-up rule": "新建充值规则", "Top-up of at least": "充值满", "No rules here.": "这里没有规则。",
    "Switch this rule off? Top-ups from now on get no bonus from it.": "停用这条规则？之后的充值不再按它赠送。",
    "Named account": "记名账户", "Anonymous account": "不记名账户", "Can still be topped up": "还可充值",
    "The limit counts principal and bonus.": "上限计算本金和赠送金。",
    "The limit counts the principal only (the money the member paid); the bonus does not count.": "上限只计本金（会员实际付的钱），赠送金不计入。",
    "Till: stored-value top-up": "收银：储值充值", "Top-up taken": "充值成功", "Taken before: first result shown": "此前已充值：显示第一次的结果",
    "Paid in (principal)": "实付（本金）", "Top-up": "充值", "No bonus rule reached.": "未达到赠送档位。",   
    
    "Reaches {rule}: bonus {bonus}.": "达到“{rule}”：赠送 {bonus}。",
    "After the top-up: principal {principal}, balance {balance}.": "充值后：本金 {principal}，余额 {balance}。",
    "Above the limit: at most {room} more can be taken.": "超过上限：最多还可充值 {room}。",
    "Principal refunded {amount}, bonus forfeited {forfeit}.": "退还本金 {amount}，作废赠送金 {forfeit}。",
    "Take the top-up": "确认充值", "Top-up bonus for this member": "该会员的充值赠送", "One bonus per top-up: the highest step reached.":
        "每次充值只按达到的最高档位赠送一次。", "No top-up bonus applies today.": "今天没有适用的充值赠送。",
    "Till: stored-value refund": "收银：储值退款", "Refund done": "退款完成", "Principal refunded": "退还本金", "Bonus forfeited": "作废赠送金",
    "Refund unused principal": "退还未用本金",
    "Only the principal is paid back; the bonus is forfeited in the same proportion (all of it when all the principal is refunded).":
        "只退本金；赠送金按同样比例作废（本金全部退完则赠送金全部作废）。", "Refund the principal? The bonus in proportion is forfeited; this cannot be undone.":
        "确认退还本金？相应比例的赠送金将作废，且不能撤销。",
    # the quote
    "Till: quote": "收银：报价", "Without a member the quote has the list prices and given coupons only (no points, no stored value).":
        "不识别会员时，报价只按原价和指定的券计算（不能用积分和储值）。",
    "Coupons, points and stored value": "券、积分与储值", "valid until %(at)s": "有效至 %(at)s", "Product": "商品",
    "List price": "原价", "Price": "成交价", "Adjustments": "调整说明", "List total": "原价合计", "Member discounts": "会员优惠",
    "Goods total": "商品应收", "points": "积分", "balance after": "支付后余额", "To pay": "应付", "member day": "会员日",
    "Check out": "成交", "Tenders for the %(due)s left to pay (coupons, points and stored value come from the quote).":
        "剩余应付 %(due)s 的付款方式（券、积分和储值按报价自动计入）。",
    "Check out (成交)": "成交",
    # view messages
    "Campaign %(code)s saved.": "券活动 %(code)s 已保存。", "Issuance rule “%(rule)s” created.": "发券规则“%(rule)s”已创建。",
    "Issuance rule “%(rule)s” is in force again.": "发券规则“%(rule)s”已重新启用。",
    "Issuance rule “%(rule)s” was switched off.": "发券规则“%(rule)s”已停用。", "No such segment.": "没有这个客群。",
    "Paste member numbers or mobile numbers.": "请粘贴会员号或手机号。",
    "%(n)s coupons of %(campaign)s issued to %(members)s members (batch %(batch)s).": "已向 %(members)s 位会员发放“%(campaign)s” %(n)s 张（批次 %(batch)s）。",
    "No coupon with code %(code)s.": "没有券码为 %(code)s 的券。", "Coupon %(code)s was voided.": "券 %(code)s 已作废。",
    "“%(row)s” saved.": "“%(row)s”已保存。", "“%(row)s” is in force again.": "“%(row)s”已重新启用。", "“%(row)s” was switched off.": "“%(row)s”已停用。",
    "The pricing policy was saved.": "价格政策已保存。", "This quote is not known here; make a new quote.": "找不到这个报价，请重新报价。",
    "Receipt %(no)s posted from the quote: %(amount)s.": "小票 %(no)s 已按报价成交：%(amount)s。",
    "Top-up %(ref)s was taken before: this is the first result again; nothing was added twice.": "充值 %(ref)s 此前已办理：显示第一次的结果，未重复入账。",
    "Top-up of %(amount)s taken; bonus %(bonus)s. Balance now %(balance)s.": "已充值 %(amount)s，赠送 %(bonus)s。当前余额 %(balance)s。",
    "%(principal)s of principal refunded; %(bonus)s of bonus forfeited.": "已退还本金 %(principal)s，作废赠送金 %(bonus)s。",
    "Top-up rule “%(rule)s” created.": "充值规则“%(rule)s”已创建。", "The stored-value policy was saved.": "储值政策已保存。",
    "Top-up rule “%(rule)s” is in force again.": "充值规则“%(rule)s”已重新启用。", "Top-up rule “%(rule)s” was switched off.": "充值规则“%(rule)s”已停用。",
    "The member's stored-value limit is the policy's again.": "该会员的储值上限已恢复为政策规定。",
    "The member's stored-value limit is now %(limit)s.": "该会员的储值上限现为 %(limit)s。",
    "The stored-value PIN was set.": "储值支付密码已设置。", "The stored-value PIN was removed.": "储值支付密码已取消。",
}
CONTEXT = {("stored value", "Bonus"): "赠送金", ("stored value", "Balance"): "余额", ("stored value", "Limit"): "上限", ("till", "Quote"): "报价", ("action", "Void"): "作废", ("switch", "Active"): "启用"}


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def entries(path: Path):
    """(msgctxt, msgid, msgid_plural, python-format?) of a --no-wrap catalogue."""
    block = {}
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if block.get("msgid"):
                yield block.get("msgctxt"), block["msgid"], block.get("msgid_plural"), block.get("format", False)
            block = {}
        elif line.startswith("#,") and "python-format" in line:
            block["format"] = True
        elif not line.startswith("#"):
            m = re.match(r'(msgctxt|msgid_plural|msgid) (".*")$', line)
            if m:
                block[m.group(1)] = _unquote(m.group(2))


MARK = "# ---- stored value, coupons, pricing and the quote (issue 4 §5) ----"


def strip(target_path: Path) -> None:
    """Take this table's block out (run on the copy before makemessages, and on the catalogue before
    appending): a change of wording then leaves no stale entry."""
    text = target_path.read_text(encoding="utf-8")
    if MARK in text:
        block = text[text.index(MARK):]
        end = block.find("\n# ---- ", len(MARK))
        text = text[:text.index(MARK)].rstrip("\n") + "\n" + (block[end:] if end >= 0 else "")
        target_path.write_text(text, encoding="utf-8")


def main(untranslated: str, target: str) -> int:
    target_path = Path(target)
    if untranslated == "--strip":
        strip(target_path)
        return 0
    strip(target_path)
    have = {(c, i) for c, i, _p, _f in entries(target_path)}
    out, other = [], []
    for ctx, msgid, plural, fmt in entries(Path(untranslated)):
        zh = CONTEXT.get((ctx, msgid)) if ctx else ZH.get(msgid)
        if zh is None:
            other.append(msgid)
            continue
        if (ctx, msgid) in have:
            continue
        have.add((ctx, msgid))
        lines = ["#, python-format"] if fmt else []
        if ctx:
            lines.append(f"msgctxt {_quote(ctx)}")
        lines.append(f"msgid {_quote(msgid)}")
        if plural:
            lines += [f"msgid_plural {_quote(plural)}", f"msgstr[0] {_quote(zh)}"]
        else:
            lines.append(f"msgstr {_quote(zh)}")
        out.append("\n".join(lines))
    if out:
        text = target_path.read_text(encoding="utf-8").rstrip("\n")
        target_path.write_text(text + "\n\n" + MARK + "\n\n"
                               + "\n\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} appended; not in this table (other screens): {len(other)}")
    for msgid in other:
        print("  ", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
