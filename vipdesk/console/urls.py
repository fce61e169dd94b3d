from django.urls import include, path

from .audit import views as audit
from .apikeys import views as apikeys
from .approvals import views as approvals
from .webhooks import views as webhooks
from .partners import views as partners
from .hotline import lines as hotline_lines
from .campaigns import views as campaigns
from .events import views as events
from .hotline import views as hotline
from .auth import views as auth
from .arrivals import stream as arrival_stream, views as arrivals
from .care import events as care_events, views as care
from .clearing import views as clearing
from .complaints import views as complaints
from .tickets import views as tickets
from .coupons import views as coupons
from .home import views as home
from .loyalty import views as loyalty
from .mall import views as mall
from .members.views import cards, members, transfer
from .messaging import views as messaging
from .performance import views as performance
from .grading import views as grading
from .pricing import views as pricing
from .reports import views as reports
from .segments import views as segments
from .till.views import attach, pos, quote, wallet as till_wallet
from .two_factor import views as two_factor
from .wallet import views as wallet

app_name = "console"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", auth.SignOutEverywhereView.as_view(), name="sign_out_everywhere"),
    # two-factor sign-in (issue 21 §3): the code after the password, enrolment, one's own status, HQ's reset
    path("two-factor/", two_factor.VerifyView.as_view(), name="two_factor_verify"),
    path("two-factor/enrol/", two_factor.EnrolView.as_view(), name="two_factor_enrol"),
    path("account/two-factor/", two_factor.StatusView.as_view(), name="two_factor_status"),
    path("account/two-factor/recovery-codes/", two_factor.RecoveryRenewView.as_view(), name="two_factor_recovery"),
    path("staff/two-factor/", two_factor.StaffTwoFactorView.as_view(), name="two_factor_staff"),
    path("staff/<str:username>/two-factor/reset/", two_factor.StaffTwoFactorResetView.as_view(), name="two_factor_reset"),
    path("", home.HomeView.as_view(), name="home"),
    path("members/", members.MemberListView.as_view(), name="member_list"),
    path("members/new/", members.MemberCreateView.as_view(), name="member_create"),
    path("members/import/", transfer.MemberImportView.as_view(), name="member_import"),
    path("members/export/", transfer.MemberExportView.as_view(), name="member_export"),
    path("members/<int:pk>/", members.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", members.MemberUpdateView.as_view(), name="member_edit"),
    path("members/<int:pk>/reveal/", members.MemberRevealView.as_view(), name="member_reveal"),
    path("members/<int:pk>/consents/", members.ConsentSetView.as_view(), name="consent_set"),
    path("members/<int:pk>/withdraw/", members.MemberWithdrawView.as_view(), name="member_withdraw"),
    path("members/<int:pk>/cards/issue/", cards.CardIssueView.as_view(), name="card_issue"),
    path("members/<int:pk>/cards/migrate/", cards.CardMigrateView.as_view(), name="card_migrate"),
    path("members/<int:pk>/cards/<int:card_pk>/replace/", cards.CardReplaceView.as_view(), name="card_replace"),
    path("members/<int:pk>/cards/<int:card_pk>/supplementary/", cards.CardSupplementaryView.as_view(), name="card_supplementary"),
    path("members/<int:pk>/cards/<int:card_pk>/<slug:move>/", cards.CardMoveView.as_view(), name="card_move"),
    # the approval queue: cards applied for, upgrades awaiting HQ (issue 15 §2)
    path("approvals/", approvals.ApprovalQueueView.as_view(), name="approvals"),
    path("approvals/cards/<int:pk>/<slug:decision>/", approvals.CardDecisionView.as_view(), name="approval_card"),
    path("approvals/tiers/<int:pk>/<slug:decision>/", approvals.TierDecisionView.as_view(), name="approval_tier"),
    # the till: sales, returns and redemptions by hand; receipts (issue 3 §6)
    path("pos/sale/", pos.SalePostView.as_view(), name="pos_sale"),
    path("pos/return/", pos.ReturnPostView.as_view(), name="pos_return"),
    path("pos/redeem/", pos.RedeemView.as_view(), name="pos_redeem"),
    path("pos/member/", pos.TillMemberView.as_view(), name="pos_member"),
    path("pos/attach/", attach.AttachView.as_view(), name="pos_attach"),  # 补登 (issue 15 §1)
    path("sales/<int:pk>/", pos.SaleDetailView.as_view(), name="sale_detail"),
    # points-mall orders to collect at the store, and their hand-over (issue 16)
    path("pos/mall-orders/", mall.MallOrdersView.as_view(), name="mall_orders"),
    path("pos/mall-orders/<int:pk>/collect/", mall.MallOrderCollectView.as_view(), name="mall_order_collect"),
    # stored value, the quote, coupons and pricing (issue 4 §5)
    path("pos/topup/", till_wallet.TopUpView.as_view(), name="pos_topup"),
    path("pos/wallet-refund/", till_wallet.RefundView.as_view(), name="pos_wallet_refund"),
    path("pos/quote/", quote.QuoteView.as_view(), name="pos_quote"),
    path("members/<int:pk>/wallet/limit/", wallet.MemberWalletLimitView.as_view(), name="member_wallet_limit"),
    path("members/<int:pk>/wallet/pin/", wallet.MemberWalletPinView.as_view(), name="member_wallet_pin"),
    path("loyalty/wallet/", wallet.WalletConfigView.as_view(), name="wallet_config"),
    path("loyalty/wallet/rules/<int:pk>/active/", wallet.TopUpRuleActiveView.as_view(), name="wallet_rule_active"),
    path("loyalty/coupons/", coupons.CampaignListView.as_view(), name="coupon_campaigns"),
    path("loyalty/coupons/new/", coupons.CampaignEditView.as_view(), name="coupon_campaign_new"),
    path("loyalty/coupons/<int:pk>/", coupons.CampaignEditView.as_view(), name="coupon_campaign"),
    path("loyalty/coupons/rules/<int:pk>/active/", coupons.RuleActiveView.as_view(), name="coupon_rule_active"),
    path("coupons/issue/", coupons.BulkIssueView.as_view(), name="coupon_issue"),
    path("coupons/void/", coupons.CouponVoidView.as_view(), name="coupon_void"),
    path("loyalty/pricing/policy/", pricing.PricingPolicyView.as_view(), name="pricing_policy"),
    path("loyalty/pricing/<slug:kind>/", pricing.PricingListView.as_view(), name="pricing_list"),
    path("loyalty/pricing/<slug:kind>/<int:pk>/active/", pricing.PricingActiveView.as_view(), name="pricing_active"),
    # HQ loyalty configuration and clearing (issue 3 §6)
    path("loyalty/programme/", loyalty.ProgrammeView.as_view(), name="loyalty_programme"),
    path("loyalty/programme/policy/", loyalty.ProgrammePolicyView.as_view(), name="loyalty_programme_policy"),
    path("loyalty/programme/levels/<int:pk>/", loyalty.LevelEditView.as_view(), name="loyalty_level"),
    path("loyalty/earn-rules/", loyalty.EarnRuleListView.as_view(), name="loyalty_earn_rules"),
    path("loyalty/earn-rules/<int:pk>/active/", loyalty.EarnRuleActiveView.as_view(), name="loyalty_earn_rule_active"),
    path("loyalty/points-policy/", loyalty.PointsPolicyView.as_view(), name="loyalty_points_policy"),
    path("loyalty/catalogue/", loyalty.CatalogueView.as_view(), name="loyalty_catalogue"),
    path("loyalty/catalogue/<int:pk>/", loyalty.ItemView.as_view(), name="loyalty_item"),
    path("loyalty/clearing/", clearing.ClearingView.as_view(), name="clearing"),
    path("loyalty/clearing/export/", clearing.ClearingExportView.as_view(), name="clearing_export"),
    path("loyalty/liability/", clearing.LiabilityView.as_view(), name="liability"),
    # complaints and performance (issue 6 §4, §5)
    path("complaints/", complaints.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/new/", complaints.ComplaintCreateView.as_view(), name="complaint_create"),
    path("complaints/<int:pk>/", complaints.ComplaintDetailView.as_view(), name="complaint_detail"),
    # service tickets (issue 19 §2)
    path("tickets/", tickets.BoardView.as_view(), name="ticket_board"),
    path("tickets/new/", tickets.TicketCreateView.as_view(), name="ticket_create"),
    path("tickets/<int:pk>/", tickets.TicketDetailView.as_view(), name="ticket_detail"),
    path("performance/", performance.PerformanceView.as_view(), name="performance"),
    path("performance/export.xlsx", performance.PerformanceExportView.as_view(), name="performance_export"),
    path("performance/days-worked/", performance.DaysWorkedView.as_view(), name="days_worked"),
    # arrival recognition (issue 19 §1)
    path("arrivals/", arrivals.ArrivalDeskView.as_view(), name="arrivals"),
    path("arrivals/stream/", arrival_stream.arrival_stream, name="arrival_stream"),
    path("arrivals/notices/<int:pk>/", arrivals.NoticeActView.as_view(), name="arrival_notice_act"),
    # multi-factor grading (issue 20 §3)
    path("grading/rules/", grading.GradingRulesView.as_view(), name="grading_rules"),
    path("grading/imports/", grading.BalanceImportView.as_view(), name="grading_imports"),
    path("grading/managers/", grading.ManagerPerformanceView.as_view(), name="grading_managers"),
    # care and ownership (issue 6)
    path("care/today/", care.CareTodayView.as_view(), name="care_today"),
    path("care/tasks/<int:pk>/", care.CareTaskActView.as_view(), name="care_task_act"),
    path("care/team/", care.CareTeamView.as_view(), name="care_team"),
    path("care/ownership/", care.OwnershipView.as_view(), name="care_ownership"),
    path("members/<int:pk>/contacts/", care.ContactLogView.as_view(), name="contact_log"),
    path("care/events/", care_events.CareEventListView.as_view(), name="care_events"),  # VIP events (issue 15 §3)
    path("care/events/new/", care_events.CareEventEditView.as_view(), name="care_event_new"),
    path("care/events/<int:pk>/", care_events.CareEventEditView.as_view(), name="care_event"),
    path("care/rules/", care.CareRuleListView.as_view(), name="care_rules"),
    path("care/rules/new/", care.CareRuleEditView.as_view(), name="care_rule_new"),
    path("care/rules/<int:pk>/", care.CareRuleEditView.as_view(), name="care_rule"),
    path("care/rules/<int:pk>/active/", care.CareRuleActiveView.as_view(), name="care_rule_active"),
    # messaging: templates (HQ) and the outbox (issue 6 §3)
    path("messages/templates/", messaging.TemplateListView.as_view(), name="message_templates"),
    path("messages/templates/new/", messaging.TemplateEditView.as_view(), name="message_template_new"),
    path("messages/templates/<int:pk>/", messaging.TemplateEditView.as_view(), name="message_template"),
    path("messages/outbox/", messaging.OutboxView.as_view(), name="outbox"),
    path("messages/outbox/<int:pk>/<slug:act>/", messaging.OutboxActView.as_view(), name="outbox_act"),
    # reports (issue 5 §3)
    path("reports/", reports.ReportView.as_view(), name="report"),
    path("reports/export.xlsx", reports.ReportExportView.as_view(), {"fmt": "xlsx"}, name="report_xlsx"),
    path("reports/export.pdf", reports.ReportExportView.as_view(), {"fmt": "pdf"}, name="report_pdf"),
    # saved segments and the classification settings (issue 5 §1)
    path("segments/", segments.SegmentListView.as_view(), name="segment_list"),
    path("segments/new/", segments.SegmentEditView.as_view(), name="segment_new"),
    path("segments/<int:pk>/", segments.SegmentEditView.as_view(), name="segment"),
    path("segments/<int:pk>/delete/", segments.SegmentDeleteView.as_view(), name="segment_delete"),
    path("segments/classification/", segments.ClassificationPolicyView.as_view(), name="classification_policy"),
    # the audit trail: sign-ins, lockouts, staff access, keys, personal-data access (issue 21 §6)
    path("audit/", audit.AuditTrailView.as_view(), name="audit_trail"),
    path("audit/export.xlsx", audit.AuditTrailExportView.as_view(), name="audit_trail_export"),
    # API keys of tills and integrations, read-only (issue 21 §5)
    path("api-keys/", apikeys.ApiKeyListView.as_view(), name="api_keys"),
    # the points desk: adjustments (four eyes), reversing redemptions, benefit uses, partner spend (issue 15 §3)
    path("", include("vipdesk.console.points_desk.urls")),
    # outgoing webhooks: subscriptions, delivery log, replay (issue 17 §3)
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhooks"),
    # the VIP hotline: roster, agents' status, missed calls, call log (issue 19 §3)
    path("hotline/", hotline.HotlineView.as_view(), name="hotline"),
    path("hotline/lines/", hotline_lines.LinesView.as_view(), name="hotline_lines"),
    path("hotline/lines/new/", hotline_lines.LineCreateView.as_view(), name="hotline_line_new"),
    path("hotline/lines/<int:pk>/", hotline_lines.LineEditView.as_view(), name="hotline_line"),
    path("webhooks/<int:pk>/", webhooks.WebhookDetailView.as_view(), name="webhook"),
    # organisation accounts and the annual evaluation (issue 20 §1–2)
    path("", include("vipdesk.console.companies.urls")),
    # partner merchants, their benefits and counter keys, the monthly settlement (issue 18 §3)
    # campaigns to a segment (issue 18 §1)
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", campaigns.CampaignNewView.as_view(), name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign"),
    path("campaigns/<int:pk>/report.xlsx", campaigns.CampaignExportView.as_view(), name="campaign_export"),
    # VIP events: invitations, replies, the door, results (issue 18 §2)
    path("events/", events.EventListView.as_view(), name="events"),
    path("events/new/", events.EventEditView.as_view(), name="event_new"),
    path("events/<int:pk>/", events.EventDetailView.as_view(), name="event"),
    path("events/<int:pk>/reply/", events.EventReplyView.as_view(), name="event_reply"),
    path("events/<int:pk>/edit/", events.EventEditView.as_view(), name="event_edit"),
    path("events/<int:pk>/door/", events.EventDoorView.as_view(), name="event_door"),
    path("events/<int:pk>/door/undo/", events.EventDoorUndoView.as_view(), name="event_door_undo"),
    path("events/<int:pk>/results/", events.EventResultsView.as_view(), name="event_results"),
    path("events/<int:pk>/results.xlsx", events.EventExportView.as_view(), name="event_export"),
    path("partners/", partners.PartnerListView.as_view(), name="partners"),
    path("partners/<int:pk>/", partners.PartnerDetailView.as_view(), name="partner"),
    path("partners/settlement/", partners.SettlementView.as_view(), name="partner_settlement"),
    path("partners/settlement/export/", partners.SettlementExportView.as_view(), name="partner_settlement_export"),
]
