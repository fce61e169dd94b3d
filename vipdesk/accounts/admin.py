# The staff page of the admin is registered in vipdesk/org/admin.py: its saves of role, stores and
# flags go through org.staffing (which records them in the audit trail), and org sits above accounts.
