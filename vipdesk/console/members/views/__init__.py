"""The member screens' views: the member file (members), cards, import and export (transfer)."""
