"""Member prices, specials, member days, promotions and the pricing policy (R7.2–R7.5, HQ)."""
