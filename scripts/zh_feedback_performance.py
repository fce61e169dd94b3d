"""Chinese for vipdesk/feedback and vipdesk/performance (and their console pages, whose strings live
in vipdesk/performance's catalogue). Fill after `django-admin makemessages -l zh_Hans` in the app dir:

    python scripts/zh_feedback_performance.py vipdesk/feedback vipdesk/performance

then `msgfmt` each django.po (no polib needed). Exits 1 naming any msgid without Chinese.
"""
import sys
from pathlib import Path

ZH = {
    # feedback: models and choices
    "Net promoter score (0–10)": "净推荐值（0–10分）", "Satisfaction (1–5)": "满意度（1–5分）",
    "In store": "到店", "Phone": "电话", "SMS": "短信", "WeChat": "微信", "E-mail": "电子邮件", "Member portal": "会员自助平台",
    "Letter": "信函", "Open": "待处理", "In progress": "处理中", "Resolved": "已解决", "Closed": "已结案",
    "Rewarded": "已奖励", "Recorded, no reward set": "已记录（未设奖励）",
    "points for a referral": "转介绍奖励积分", "default days to resolve a complaint": "投诉默认处理时限（天）",
    "feedback settings": "满意度与投诉设置", "code": "代码", "title": "标题", "kind": "类型", "question": "问题", "active": "启用",
    "survey": "调查", "surveys": "调查", "member": "会员", "store": "门店", "staff": "员工", "channel": "渠道", "score": "评分",
    "comment": "意见", "time": "时间", "business date": "营业日", "reference": "参考号", "points awarded": "奖励积分",
    "survey response": "调查答卷", "survey responses": "调查答卷", "name": "名称", "parent category": "上级类别",
    "days to resolve": "处理时限（天）", "complaint category": "投诉类别", "complaint categories": "投诉类别", "number": "编号",
    "category": "类别", "description": "投诉内容", "received at": "受理时间", "deadline": "处理期限", "owner": "负责人",
    "status": "状态", "remedy": "补救措施", "closure note": "结案说明", "resolved at": "解决时间", "closed at": "结案时间",
    "escalated": "已升级", "escalated on": "升级日期", "escalated to": "升级给", "complaint": "投诉", "complaints": "投诉",
    "complaint event": "投诉处理记录", "complaint events": "投诉处理记录", "referrer": "介绍人", "referred member": "被介绍会员",
    "reward points": "奖励积分", "recorded by": "登记人", "note": "备注", "referral": "转介绍", "referrals": "转介绍",
    # feedback: services
    "Your role may not do this.": "您的角色无权执行此操作。", "No such store in your scope.": "您的权限范围内没有这家门店。",
    "The member has withdrawn; the file is closed.": "该会员已退会，档案已关闭。",
    "This survey is closed.": "该调查已关闭。", "Closed.": "已关闭。", "Choose an active category.": "请选择一个启用的投诉类别。",
    "A complaint cannot be received in the future.": "投诉受理时间不能晚于现在。", "In the future.": "时间在将来。",
    "The owner must be an active staff member.": "负责人必须是在职员工。", "Not an active staff member.": "不是在职员工。",
    "The owner does not work in the complaint's store.": "负责人不在该投诉所属门店工作。", "Not in this store.": "不在本店。",
    "The complaint is closed.": "该投诉已结案。",
    "Only the owner or a manager may move this complaint; only a manager may close it.": "只有负责人或店长可以处理此投诉；只有店长可以结案。",
    "A complaint cannot move from %(a)s to %(b)s.": "投诉不能从“%(a)s”变为“%(b)s”。",
    "Say what was done for the customer (the remedy).": "请填写为顾客采取的补救措施。", "Required.": "必填。",
    "Write how the customer took the remedy (closure note).": "请填写结案说明（顾客对处理结果的反馈）。",
    "A member cannot refer himself.": "会员不能介绍自己。", "Same as the referrer.": "与介绍人相同。",
    "This member was already referred by someone else.": "该会员已登记为他人介绍。",
    "This member's file names another referrer.": "该会员档案中已登记其他介绍人。",
    "The referred member joined before the referrer.": "被介绍会员的入会时间早于介绍人。", "Joined earlier.": "入会更早。",
    "No such complaint.": "没有这条投诉。",
    # points (the referral reward) and the API error catalogue
    "Points must be a whole number greater than zero.": "积分必须是大于零的整数。", "Greater than zero.": "须大于零。",
    "The member was already referred by someone else.": "该会员已登记为他人介绍。",
    'Rows of the roster have errors (see `fields`, "row.field"); nothing was written.': "考勤表有错误行（见 `fields`，“行号.字段”），未写入任何数据。",
    # feedback: API
    "Store code; a store terminal acts for its own store and may leave it out.": "门店代码；门店终端只能为本店操作，可不填。",
    "How it came in: %(values)s.": "来源渠道：%(values)s。", "Survey code, e.g. nps or csat.": "调查代码，如 nps 或 csat。",
    "0–10 for NPS, 1–5 for CSAT.": "NPS 为 0–10 分，CSAT 为 1–5 分。", "Member id (optional).": "会员 ID（可选）。",
    "Your key for this answer: a retry with the same key records once.": "本次答卷的参考号：以相同参考号重试只记录一次。",
    "First business date (default: first of this month).": "起始营业日（默认本月1日）。",
    "Last business date (default: today).": "截止营业日（默认今天）。", "Category code, e.g. service.attitude.": "类别代码，如 service.attitude。",
    "User name of the owner.": "负责人的用户名。", "Only unresolved complaints past their deadline.": "只看已过期限且未解决的投诉。",
    "User name of the new owner.": "新负责人的用户名。", "Member id of the referrer.": "介绍人的会员 ID。",
    "Member id of the member he brought.": "被介绍会员的会员 ID。", "Give the store code.": "请填写门店代码。",
    "No active staff member with this user name.": "没有使用该用户名的在职员工。", "Unknown user name.": "未知用户名。",
    "Active satisfaction surveys (NPS, CSAT)": "启用中的满意度调查（NPS、CSAT）", "Record an answer to a survey": "登记一份调查答卷",
    "No survey with this code.": "没有这个调查代码。", "Unknown survey.": "未知的调查。",
    "NPS and CSAT per store over a period": "按门店统计一段时间的 NPS 与 CSAT", "The period ends before it starts.": "截止日期早于起始日期。",
    "Before date_from.": "早于起始日期。", "Complaints in your scope": "您权限范围内的投诉",
    "File a complaint (deadline from its category)": "登记投诉（处理期限按类别确定）",
    "No complaint category with this code.": "没有这个投诉类别代码。", "Unknown category.": "未知的类别。",
    "One complaint with its event log": "一条投诉及其处理记录",
    "Move a complaint: in_progress, resolved (with remedy), closed (with closure note)": "推进投诉：处理中、已解决（需补救措施）、已结案（需结案说明）",
    "Give a complaint to another owner": "将投诉转交其他负责人", "Referrals in your scope": "您权限范围内的转介绍",
    "Record a referral; the referrer earns the referral points once": "登记转介绍；介绍人获得一次转介绍积分",
    # performance: models, services, roster, export
    "Roster import": "考勤表导入", "Entered by a manager": "店长录入", "staff group": "员工编组", "staff groups": "员工编组",
    "staff number": "员工编号", "group member": "组员", "group members": "组员", "month": "月份", "days worked": "上班天数",
    "source": "来源", "entered by": "录入人", "Choose a store.": "请选择门店。",
    "No such staff member in your stores.": "您的门店中没有这名员工。", "Days worked are whole or half days.": "上班天数须为整天或半天。",
    "A group needs at least one person.": "一个组至少要有一人。", "%(name)s does not work in this store.": "%(name)s 不在本店工作。",
    "The store already has a group with this name.": "本店已有同名的组。", "Give the month as YYYY-MM.": "月份格式应为 YYYY-MM。",
    "The roster has no rows under the header row.": "考勤表表头下没有数据行。",
    "The roster needs columns for the staff member (工号 or 用户名), the days worked (出勤天数) and the month (月份), or a month for the whole file.":
        "考勤表需要员工列（工号或用户名）、出勤天数列和月份列（或为整个文件指定月份）。",
    "Give the employee number or the user name.": "请填写工号或用户名。", "No active staff member %(who)s.": "没有在职员工 %(who)s。",
    "%(who)s does not work in your stores.": "%(who)s 不在您的门店工作。",
    "This person and month already appear on row %(row)s.": "该员工该月份已在第 %(row)s 行出现。",
    "Commission": "提成", "Store": "门店", "Month": "月份", "Group": "组", "Staff": "员工", "Employee number": "工号",
    "Days worked": "上班天数", "Group days": "组上班总天数", "Group VIP spend": "组VIP月消费总额", "Rate": "提成比例",
    "Group pool": "组提成总额", "Rounding remainder": "舍入差额", "KPIs": "考核指标", "Cards opened": "开卡数",
    "Opening amount": "开卡金额", "Credited sales": "计入个人业绩的单数", "Credited amount": "个人业绩金额",
    "Sales without contact (no credit)": "未留电话的单数（不计业绩）", "Amount without credit": "不计业绩金额", "Buyers": "消费会员数",
    "Repeat buyers": "回头会员数", "Repeat rate %": "回头率 %", "Repeat rate %%": "回头率 %%", "Members in book": "名下会员数",
    "Average completeness": "平均档案完整度", "Follow-ups due": "应回访数", "Follow-ups on time": "按时回访数",
    "On-time rate %": "按时回访率 %", "On-time rate %%": "按时回访率 %%", "Store total": "门店合计",
    # performance: API
    "YYYY-MM (default: this month).": "YYYY-MM（默认本月）。", "Store code (may be left out by someone with one store).": "门店代码（只管一家店的可不填）。",
    "User name of the staff member.": "员工的用户名。", "YYYY-MM.": "YYYY-MM。", 'Days worked, whole or half, e.g. "21.5".': "上班天数，整天或半天，如 \"21.5\"。",
    "CSV or XLSX: 工号 or 用户名, 月份, 出勤天数.": "CSV 或 XLSX：工号或用户名、月份、出勤天数。", "Month for a file without a month column.": "文件没有月份列时使用的月份。",
    "False: check only, write nothing.": "为 false 时只检查，不写入。",
    "VIP commission of a store's groups for a month (seed 002's formula)": "门店各组某月的VIP消费提成（按编组分配公式）",
    "KPIs of a store and its people for a month": "门店及员工某月的考核指标", "Days worked of a store's people": "门店员工的上班天数",
    "Enter a person's days worked for a month": "录入员工某月的上班天数", "No staff member with this user name.": "没有使用该用户名的员工。",
    "Import days worked from a roster file; any bad row: nothing written": "从考勤表导入上班天数；有任何错误行则不写入",
    "%(n)d rows of the roster have errors; nothing was written.": "考勤表有 %(n)d 行错误，未写入任何数据。",
    "The month's commission and KPIs as an XLSX workbook (recorded in the export log)": "某月提成与考核指标的 XLSX 工作簿（记入导出日志）",
    # console pages
    "Complaints": "投诉", "Performance": "业绩考核", "File a complaint": "登记投诉", "Unresolved": "未解决", "Overdue": "已逾期",
    "Status": "状态", "Number": "编号", "Category": "类别", "Received": "受理时间", "Deadline": "处理期限", "Owner": "负责人",
    "overdue": "已逾期", "escalated": "已升级", "No complaints here.": "这里没有投诉。", "Channel": "渠道",
    "Member id (optional)": "会员 ID（可选）", "What the customer complains about": "顾客投诉的内容",
    "The deadline follows from the category; you own the complaint until a manager gives it to someone else.":
        "处理期限按类别自动确定；在店长转交他人之前，由您负责这条投诉。",
    "File": "登记", "Cancel": "取消", "Complaint": "投诉", "All complaints": "全部投诉", "Member": "会员", "Escalated": "已升级",
    "Description": "投诉内容", "Remedy": "补救措施", "Closure note": "结案说明", "Next step": "下一步", "Move to": "变更为",
    "Remedy (needed to resolve)": "补救措施（解决时必填）", "Closure note (needed to close)": "结案说明（结案时必填）", "Note": "备注",
    "Save": "保存", "Assign": "转交", "History": "处理记录", "system": "系统", "filed": "登记", "owner changed": "更换负责人",
    "escalated to the store manager": "逾期升级给店长", "Complaint %(no)s filed; resolve it by %(day)s.": "投诉 %(no)s 已登记，请在 %(day)s 前解决。",
    "Owner changed.": "负责人已更换。", "Complaint updated.": "投诉已更新。", "Show": "查看", "No store to show.": "没有可查看的门店。",
    "Export XLSX": "导出 XLSX", "VIP commission": "VIP消费提成",
    "[Group's VIP spend in the month × rate] ÷ [group's days worked] × [the person's days worked]; each share rounded to the fen.":
        "[该组VIP月消费总金额 × 提成比例] ÷ [该组人员总上班天数] × [个人上班天数]；每人金额四舍五入到分。",
    "Days worked missing for:": "以下人员缺少上班天数：", "Rounding remainder (not paid)": "舍入差额（不发放）",
    "The store has no staff groups yet.": "本店尚未编组。",
    "A sale without the customer's mobile number earns no personal credit (业绩认定).": "顾客购买小票上没有留电话号码的，一律不算个人业绩（业绩认定）。",
    "Import a roster": "导入考勤表", "Source": "来源", "Import": "导入",
    "CSV or XLSX with the columns 工号 (or 用户名), 出勤天数 and, optionally, 月份. One bad row and nothing is written.":
        "CSV 或 XLSX，列为工号（或用户名）、出勤天数，月份可选。只要有一行错误，就不写入任何数据。",
    "The roster has errors; nothing was written.": "考勤表有错误，未写入任何数据。", "Row %(row)s: %(message)s": "第 %(row)s 行：%(message)s",
    "%(n)d days-worked figures imported.": "已导入 %(n)d 条上班天数。", "%(n)d days-worked figures saved.": "已保存 %(n)d 条上班天数。",
}

# Strings of other catalogues that these apps add (points, API errors): appended when makemessages cannot see them.
EXTRA = {
    "vipdesk/feedback": ["Points must be a whole number greater than zero.", "Greater than zero.",
                         "The member was already referred by someone else.",
                         'Rows of the roster have errors (see `fields`, "row.field"); nothing was written.'],
}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(app: str) -> list[str]:
    path = Path(app) / "locale/zh_Hans/LC_MESSAGES/django.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    out, msgid, collecting, missing, seen = [], [], False, [], set()
    for line in lines:
        if line.startswith("msgid "):
            msgid, collecting = [line[6:]], True
        elif collecting and line.startswith('"'):
            msgid.append(line)
        elif line.startswith("msgstr"):
            collecting = False
            text = "".join(eval(part) for part in msgid)  # noqa: S307 — our own .po lines, quoted strings only
            seen.add(text)
            if text:
                if text in ZH:
                    line = "msgstr " + _q(ZH[text])
                else:
                    missing.append(text)
        out.append(line)
    for text in EXTRA.get(app.rstrip("/"), []):
        if text not in seen:
            out += ["", "msgid " + _q(text), "msgstr " + _q(ZH[text])]
    out = [ln.replace("Language: \\n", "Language: zh_Hans\\n").replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=1; plural=0;")
           .replace("charset=CHARSET", "charset=UTF-8") for ln in out]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    missing = [m for app in sys.argv[1:] for m in fill(app)]
    for m in missing:
        print("MISSING:", m)
    sys.exit(1 if missing else 0)
