from django.urls import path

from alliance.accounts import views as accounts

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
    path("login/", accounts.PortalLoginView.as_view(), name="login"),
]
