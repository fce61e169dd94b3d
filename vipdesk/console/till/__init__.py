"""The till (收银): sale, return, redemption, stored-value top-up and refund, the checkout quote, a receipt (issue 3 §6, issue 4 §5)."""
