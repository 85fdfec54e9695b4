from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("rules/", views.rule_set_list, name="rule_set_list"),
    path("rules/new/", views.rule_set_new, name="rule_set_new"),
    path("rules/<int:pk>/", views.rule_set_detail, name="rule_set_detail"),
    path("rules/<int:pk>/edit/", views.rule_set_edit, name="rule_set_edit"),
    path("rules/<int:pk>/activate/", views.rule_set_activate, name="rule_set_activate"),
    path("rules/<int:pk>/preview/", views.rule_set_preview, name="rule_set_preview"),
    path("rules/<int:pk>/progress/", views.rule_set_progress, name="rule_set_progress"),
    path("proposals/<int:pk>/results/", views.proposal_results, name="proposal_results"),
    path("proposals/<int:pk>/check/", views.proposal_check, name="proposal_check"),
]
