"""URLs of the fund secretariat's (KDB) review pipeline and committee meetings."""

from django.urls import path

from fund.review import views

urlpatterns = [
    # Fund secretariat (KDB)
    path("fund/pipeline/", views.pipeline_board, name="board"),
    path("fund/pipeline/table/", views.pipeline_table, name="table"),
    path("fund/pipeline/export/", views.pipeline_export, name="export"),
    path("fund/pipeline/<int:pk>/", views.pipeline_detail, name="detail"),
    path("fund/pipeline/<int:pk>/advance/", views.pipeline_advance, name="advance"),
    path("fund/pipeline/<int:pk>/decide/", views.pipeline_decide, name="decide"),
    path("fund/pipeline/<int:pk>/reopen/", views.pipeline_reopen, name="reopen"),
    path("fund/pipeline/<int:pk>/release/", views.pipeline_release, name="release"),
    path("fund/pipeline/<int:pk>/request-info/", views.pipeline_request_info, name="request_info"),
    path("fund/pipeline/<int:pk>/assign/", views.pipeline_assign, name="assign"),
    path("fund/pipeline/<int:pk>/comments/", views.pipeline_comment, name="comment"),
    path("fund/pipeline/bulk/", views.pipeline_bulk, name="bulk"),
    path("fund/pipeline/views/", views.saved_view_create, name="saved_view_create"),
    path("fund/pipeline/views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("fund/meetings/", views.meeting_list, name="meetings"),
    path("fund/meetings/new/", views.meeting_create, name="meeting_create"),
    path("fund/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("fund/meetings/<int:pk>/add/", views.agenda_add, name="agenda_add"),
    path("fund/meetings/<int:pk>/move/", views.agenda_move, name="agenda_move"),
    path("fund/meetings/<int:pk>/remove/", views.agenda_remove, name="agenda_remove"),
    path("fund/meetings/<int:pk>/agenda/", views.agenda_print, name="agenda_print"),
    path("fund/meetings/<int:pk>/agenda.xlsx", views.agenda_xlsx, name="agenda_xlsx"),
]
