from django.urls import path

from .views import accounts

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
]
