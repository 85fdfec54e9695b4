"""URLs of KEIT's screening inbox and the coordination queue's packet pages."""

from django.urls import path

from fund.coordination import fund_question_views, views

urlpatterns = [
    # Alliance secretariat (KEIT)
    path("secretariat/screening/", views.screening_list, name="screening"),
    path("secretariat/screening/refer/", views.screening_refer_bulk, name="screening_refer_bulk"),
    path("secretariat/screening/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("secretariat/screening/<int:pk>/refer/", views.screening_refer, name="screening_refer"),
    # Both secretariats
    path("coordination/packets/", views.packet_list, name="packets"),
    path("coordination/packets/<uuid:pk>/", views.packet_detail, name="packet_detail"),
    path("coordination/packets/<uuid:pk>/ack/", views.packet_ack, name="packet_ack"),
    path("coordination/packets/<uuid:pk>/retry/", views.packet_retry, name="packet_retry"),
]

# Pages in the "alliance" URL namespace, composed with alliance.urls by portal.urls.
alliance_patterns = [
    path(
        "proposals/<int:pk>/fund-questions/<int:question_pk>/answer/",
        fund_question_views.fund_question_answer,
        name="fund_question_answer",
    ),
    path("secretariat/proposals/", views.proposal_list, name="secretariat_proposals"),
    path(
        "secretariat/fund-questions/",
        fund_question_views.fund_question_list,
        name="fund_questions",
    ),
    path(
        "secretariat/fund-questions/<int:pk>/",
        fund_question_views.fund_question_detail,
        name="fund_question",
    ),
]
