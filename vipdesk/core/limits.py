"""The sizes vipdesk accepts, in one place (docs/api.md §5.1 lists them for integrators).

Beyond them the API answers 400 (413 for the body), the console and imports refuse the row; within
them no database column can overflow: a member sale at RECEIPT_AMOUNT_MAX posts and earns its
points (issue 13 §10). Plain constants, no Django imports: config/settings.py reads the body size.
"""
from __future__ import annotations

from decimal import Decimal

# Money: one receipt (a sale, a return, a quote) is at most ten million yuan — far above any
# department-store till (a watch or a fur is a few hundred thousand), far below the 14-digit columns.
RECEIPT_AMOUNT_MAX = Decimal("10000000.00")
# Per receipt line and per receipt.
LINE_QUANTITY_MAX = 100_000
RECEIPT_LINES_MAX = 500
QUOTE_LINES_MAX = 200
RECEIPT_PAYMENTS_MAX = 20
# A member's total spend is a cached sum (members.Member.total_spend, 14 digits): it stops at the
# column's largest value rather than failing a sale, a million maximal receipts away.
TOTAL_SPEND_MAX = Decimal("999999999999.99")
# Points balances, debts, entries and lots are 32-bit integer columns: a posting that would take a
# balance or a debt beyond this is refused (400 points_limit) instead of overflowing.
POINTS_MAX = 2_147_483_647
# Request bodies: Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB; a bulk coupon issue to 100,000
# member numbers is about 1.3 MB). JSON nesting: the deepest body the API takes is 4 levels
# (a member's family → children → child → field); segment definitions nest a few more.
BODY_BYTES_MAX = 2_621_440
JSON_DEPTH_MAX = 32
