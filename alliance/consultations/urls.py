"""Consultation requests between member firms and financial institutions (SPEC §3.7).

No namespace: the header links to `consultation_list` for applicants and both secretariats.
"""

from django.urls import path

from alliance.consultations import views as consultations

urlpatterns = [
    path("consultations/", consultations.consultation_list, name="consultation_list"),
    path("consultations/new/", consultations.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", consultations.consultation_detail, name="consultation_detail"),
    path(
        "consultations/<int:pk>/confirm/",
        consultations.consultation_confirm,
        name="consultation_confirm",
    ),
    path(
        "consultations/<int:pk>/decline/",
        consultations.consultation_decline,
        name="consultation_decline",
    ),
    path(
        "consultations/<int:pk>/cancel/",
        consultations.consultation_cancel,
        name="consultation_cancel",
    ),
    path(
        "consultations/<int:pk>/contact/",
        consultations.consultation_contact,
        name="consultation_contact",
    ),
]
