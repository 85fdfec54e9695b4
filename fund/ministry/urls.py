from django.urls import path

from fund.ministry import views

app_name = "ministry"
urlpatterns = [
    path("ministry/recommend/", views.candidates, name="candidates"),
    path("ministry/recommend/<int:pk>/", views.recommend, name="recommend"),
    path("infra-plans/", views.plan_list, name="plans"),
    path("infra-plans/new/", views.plan_new, name="plan_new"),
    path("infra-plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("infra-plans/<int:pk>/join/", views.plan_join, name="plan_join"),
]
