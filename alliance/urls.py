from django.urls import path

from .views import documents, firms, fund_questions, proposals, secretariat

app_name = "alliance"
urlpatterns = [
    # Applicant workspace
    path("workspace/", proposals.dashboard, name="dashboard"),
    path("firm/", firms.firm_profile, name="firm_profile"),
    path("proposals/new/", proposals.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/<int:step>/", proposals.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/autosave/", proposals.proposal_autosave, name="proposal_autosave"),
    path("proposals/<int:pk>/submit/", proposals.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/withdraw/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/documents/", documents.document_upload, name="document_upload"),
    path(
        "proposals/<int:pk>/fund-questions/<int:question_pk>/answer/",
        fund_questions.fund_question_answer,
        name="fund_question_answer",
    ),
    path("documents/<int:pk>/download/", documents.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", documents.document_delete, name="document_delete"),
    # Alliance secretariat (KEIT)
    path("secretariat/firms/", secretariat.firm_list, name="secretariat_firms"),
    path("secretariat/firms/<int:pk>/", secretariat.firm_detail, name="secretariat_firm"),
    path("secretariat/firms/<int:pk>/verify/", secretariat.firm_verify, name="firm_verify"),
    path("secretariat/proposals/", secretariat.proposal_list, name="secretariat_proposals"),
    path(
        "proposals/<int:pk>/request-info/",
        secretariat.proposal_request_info,
        name="proposal_request_info",
    ),
    path("secretariat/fund-questions/", fund_questions.fund_question_list, name="fund_questions"),
    path(
        "secretariat/fund-questions/<int:pk>/",
        fund_questions.fund_question_detail,
        name="fund_question",
    ),
]
