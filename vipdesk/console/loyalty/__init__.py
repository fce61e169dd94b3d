"""HQ loyalty configuration: the tier programme and its levels, earn rules, the points policy, the redemption catalogue (issue 3 §6)."""
