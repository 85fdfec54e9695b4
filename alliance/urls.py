from django.urls import path

from alliance.documents import views as documents
from alliance.firms import secretariat_views as secretariat
from alliance.firms import views as firms
from alliance.proposals import views as proposals

app_name = "alliance"
urlpatterns = [
    # Applicant workspace
    path("workspace/", proposals.dashboard, name="dashboard"),
    path("firm/", firms.firm_profile, name="firm_profile"),
    path("proposals/new/", proposals.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/<int:step>/", proposals.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/autosave/", proposals.proposal_autosave, name="proposal_autosave"),
    path("proposals/amount-preview/", proposals.amount_preview, name="amount_preview"),
    path("proposals/<int:pk>/submit/", proposals.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/withdraw/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/documents/", documents.document_upload, name="document_upload"),
    path("documents/<int:pk>/download/", documents.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", documents.document_delete, name="document_delete"),
    # Alliance secretariat (KEIT)
    path("secretariat/firms/", secretariat.firm_list, name="secretariat_firms"),
    path("secretariat/firms/<int:pk>/", secretariat.firm_detail, name="secretariat_firm"),
    path("secretariat/firms/<int:pk>/verify/", secretariat.firm_verify, name="firm_verify"),
    path(
        "proposals/<int:pk>/request-info/",
        proposals.proposal_request_info,
        name="proposal_request_info",
    ),
]
