"""The columns of a sales file (R14.2): one row per receipt line, the receipt's own fields repeated
on each of its lines (as POS and ERP exports write them). Rows with the same store and receipt
number make one receipt, in the order of their first row.

Labels are Chinese, as in the member import (members/columns.py, whose header matching —
case, spaces, `*` and a hint in brackets ignored — is reused here): a report line names the
column the user sees.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.members.columns import normalize_header
from vipdesk.sales.choices import PaymentMethod

FIELD_LABELS: dict[str, str] = {
    "store": "门店", "receipt_no": "小票号", "occurred_at": "销售时间", "kind": "类型", "terminal": "收银机", "guide": "导购",
    "card": "会员卡号", "mobile": "会员手机", "member_no": "会员号",
    "original_receipt_no": "原小票号", "original_store": "原门店",
    "line_no": "行号", "sku": "商品编码", "name": "品名", "brand": "品牌", "category": "品类", "style_no": "款号",
    "size": "尺码", "colour": "颜色", "unit_price": "单价", "quantity": "数量", "amount": "金额",
    "payment_method": "支付方式", "amount_paid": "实收金额", "return_amount": "退款金额",
}
RECEIPT_FIELDS = ("store", "receipt_no", "occurred_at", "kind", "terminal", "guide", "card", "mobile", "member_no",
                  "original_receipt_no", "original_store", "payment_method", "amount_paid", "return_amount")
LINE_FIELDS = ("line_no", "sku", "name", "brand", "category", "style_no", "size", "colour", "unit_price", "quantity", "amount")
REQUIRED_FIELDS = ("store", "receipt_no", "occurred_at")

_ALIASES: dict[str, tuple[str, ...]] = {
    "store": ("门店", "门店编码", "店铺", "店铺编码", "门店代码", "store", "store code", "shop"),
    "receipt_no": ("小票号", "小票编号", "单号", "单据号", "流水号", "销售单号", "receipt", "receipt no", "receipt number", "ticket"),
    "occurred_at": ("销售时间", "交易时间", "时间", "日期时间", "occurred at", "time", "datetime", "sold at"),
    "kind": ("类型", "单据类型", "交易类型", "kind", "type"),
    "terminal": ("收银机", "收银台", "终端", "pos", "terminal"),
    "guide": ("导购", "导购用户名", "营业员", "guide", "sales associate"),
    "card": ("会员卡号", "卡号", "card", "card no", "card number"),
    "mobile": ("会员手机", "手机", "手机号", "会员手机号", "mobile", "phone"),
    "member_no": ("会员号", "会员编号", "member no", "member number"),
    "original_receipt_no": ("原小票号", "原单号", "原销售单号", "original receipt", "original receipt no"),
    "original_store": ("原门店", "原门店编码", "original store"),
    "line_no": ("行号", "序号", "原行号", "line", "line no"),
    "sku": ("商品编码", "sku", "条码", "货号", "商品条码"),
    "name": ("品名", "商品名称", "名称", "product", "product name"),
    "brand": ("品牌", "brand"),
    "category": ("品类", "类别", "商品类别", "category"),
    "style_no": ("款号", "style", "style no"),
    "size": ("尺码", "规格", "size"),
    "colour": ("颜色", "colour", "color"),
    "unit_price": ("单价", "售价", "unit price", "price"),
    "quantity": ("数量", "件数", "quantity", "qty"),
    "amount": ("金额", "行金额", "成交金额", "amount", "line amount"),
    "payment_method": ("支付方式", "付款方式", "payment", "payment method", "tender"),
    "amount_paid": ("实收金额", "实收", "实付金额", "amount paid", "paid"),
    "return_amount": ("退款金额", "退货金额", "return amount", "refund amount"),
}
_HEADER_TO_FIELD = {normalize_header(alias): field for field, aliases in _ALIASES.items() for alias in aliases}

KINDS = {"销售": "sale", "sale": "sale", "s": "sale", "退货": "return", "return": "return", "r": "return", "退": "return"}
METHODS = {
    "现金": PaymentMethod.CASH, "银行卡": PaymentMethod.BANK_CARD, "刷卡": PaymentMethod.BANK_CARD, "微信": PaymentMethod.WECHAT,
    "微信支付": PaymentMethod.WECHAT, "支付宝": PaymentMethod.ALIPAY, "其他": PaymentMethod.OTHER,
    **{m.value: m.value for m in PaymentMethod if m not in (PaymentMethod.POINTS, PaymentMethod.COUPON, PaymentMethod.STORED_VALUE)},
}


def guess_mapping(headers: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for header in headers:
        field = _HEADER_TO_FIELD.get(normalize_header(header))
        if field and header not in mapping and field not in mapping.values():
            mapping[header] = field
    return mapping


def resolve_mapping(headers: list[str], given: dict[str, str] | None) -> dict[str, str]:
    """File header → field: the guess, overridden by the mapping file (a blank field ignores a column)."""
    chosen: dict[str, str] = {}
    for header, target in (given or {}).items():
        if header not in headers:
            raise DomainError(_("The file has no column named %(header)s.") % {"header": header}, code="bad_mapping")
        if not isinstance(target, str) or (target and target not in FIELD_LABELS):
            raise DomainError(_("Unknown sales field: %(field)s.") % {"field": target}, code="bad_mapping")
        if target and target in chosen.values():
            raise DomainError(_("Two columns are mapped to %(field)s.") % {"field": FIELD_LABELS[target]}, code="bad_mapping")
        if target:
            chosen[header] = target
    mapping = {h: f for h, f in guess_mapping(headers).items() if h not in (given or {}) and f not in chosen.values()}
    mapping.update(chosen)
    missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in mapping.values()]
    if missing:
        raise DomainError(_("The file needs a column for: %(fields)s.") % {"fields": "、".join(missing)}, code="mapping_incomplete")
    return {h: mapping[h] for h in headers if h in mapping}


def label_for(key: str) -> str:
    """The column a validation key points at: "lines.0.amount" → 金额, "member.card" → 会员卡号."""
    last = key.rsplit(".", 1)[-1]
    if key.startswith("member."):
        return FIELD_LABELS.get(last, "")
    if key.startswith("original."):
        return FIELD_LABELS["original_store" if last == "store" else "original_receipt_no"]
    if key.startswith("payments"):
        return FIELD_LABELS["payment_method"] if last == "method" else FIELD_LABELS["amount_paid"]
    if key == "amount":
        return FIELD_LABELS["return_amount"]
    if key == "member":
        return "会员"
    return FIELD_LABELS.get(last, "")
