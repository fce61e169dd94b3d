"""vipdesk — VIP membership and customer-relationship system."""
