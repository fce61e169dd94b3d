"""The till's views: sale, return, redemption, receipt (pos), the quote (quote), stored value (wallet)."""
