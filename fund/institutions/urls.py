"""The institutions' pages under /institutions/ (and KEIT's and KDB's summary)."""

from django.urls import path

from fund.institutions import views

app_name = "institutions"
urlpatterns = [
    path("", views.offer_list, name="offer_list"),
    path("offer/", views.offer_edit, name="offer_edit"),
    path("dealflow/", views.dealflow, name="dealflow"),
    path("dealflow/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("interests/", views.interest_list, name="interest_list"),
    path("interests/<int:pk>/", views.interest_detail, name="interest_detail"),
    path("interests/<int:pk>/accept/", views.interest_accept, name="interest_accept"),
    path("interests/<int:pk>/decline/", views.interest_decline, name="interest_decline"),
    path("share/<int:pk>/open/", views.share_open, name="share_open"),
    path("share/<int:pk>/withdraw/", views.share_withdraw, name="share_withdraw"),
    path("summary/", views.summary, name="summary"),
]
