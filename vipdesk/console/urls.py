from django.urls import path

from .views import auth, cards, home, members, transfer

app_name = "console"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
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
]
