from django.urls import path

from . import views

urlpatterns = [
    path("route/", views.route, name="hotline-sip-route"),
    path("event/", views.event, name="hotline-sip-event"),
    path("register/", views.register, name="hotline-sip-register"),
]
