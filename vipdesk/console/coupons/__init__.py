"""Coupons: campaigns and their issuance rules (HQ), bulk issue, voiding a coupon (R7.1)."""
