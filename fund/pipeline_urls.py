"""URLs of KEIT's screening inbox, the coordination queue and KDB's pipeline."""

from django.urls import path

from . import pipeline_views as views

app_name = "pipeline"
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
    # Fund secretariat (KDB)
    path("fund/pipeline/", views.pipeline_board, name="board"),
    path("fund/pipeline/table/", views.pipeline_table, name="table"),
    path("fund/pipeline/export/", views.pipeline_export, name="export"),
    path("fund/pipeline/<int:pk>/", views.pipeline_detail, name="detail"),
    path("fund/pipeline/<int:pk>/advance/", views.pipeline_advance, name="advance"),
    path("fund/pipeline/<int:pk>/decide/", views.pipeline_decide, name="decide"),
    path("fund/pipeline/<int:pk>/request-info/", views.pipeline_request_info, name="request_info"),
    path("fund/pipeline/<int:pk>/assign/", views.pipeline_assign, name="assign"),
]
