"""The member portal's routes, under /m/ (namespace "portal"). Add pages here (see __init__.py);
every route is walked by tests/test_idor.py and needs a row in vipdesk/testing/access.py."""
from django.urls import path

from . import app, events, join, mall, pages, partners, privacy, service, views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-in/code/", views.SignInCodeView.as_view(), name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("sign-out/everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("join/", join.JoinView.as_view(), name="join"),
    path("card/", pages.CardView.as_view(), name="card"),
    path("level/", pages.LevelView.as_view(), name="level"),
    path("points/", pages.PointsView.as_view(), name="points"),
    path("coupons/", pages.CouponsView.as_view(), name="coupons"),
    path("stored-value/", pages.WalletView.as_view(), name="wallet"),
    path("purchases/", pages.PurchasesView.as_view(), name="purchases"),
    path("messages/", pages.MessagesView.as_view(), name="messages"),
    path("profile/", pages.ProfileView.as_view(), name="profile"),
    path("me/", pages.MeView.as_view(), name="me"),
    # points mall, my data, closing the membership, service requests (issue 16, h6)
    path("mall/", mall.MallView.as_view(), name="mall"),
    path("mall/orders/", mall.MallOrdersView.as_view(), name="mall_orders"),
    path("mall/orders/<int:pk>/", mall.MallOrderView.as_view(), name="mall_order"),
    path("my-data/", privacy.MyDataView.as_view(), name="my_data"),
    path("my-data/file/", privacy.my_data_file, name="my_data_file"),
    path("close/", privacy.CloseView.as_view(), name="close"),
    path("requests/", service.RequestsView.as_view(), name="requests"),
    path("requests/<int:pk>/", service.RequestView.as_view(), name="request"),
    path("tickets/<int:pk>/", service.TicketView.as_view(), name="ticket"),  # a request that became a service ticket (issue 19)
    # VIP events and partner privileges (issue 18 §2, §3)
    path("events/", events.EventsView.as_view(), name="events"),
    path("events/<int:pk>/", events.EventView.as_view(), name="event"),  # pk: one of her invitations
    path("partners/", partners.PartnersView.as_view(), name="partners"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service_worker"),
]
