"""Sign-up of a member firm and its first user (the other account pages are Django's)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from alliance.accounts.forms import SignUpForm
from alliance.firms import services as firms_services
from portal.core.forms import add_service_errors
from portal.core.landing import landing_url


class PortalLoginView(LoginView):
    """Django's sign-in, landing each role on its own work unless a `next` page was asked."""

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """Register a firm (pending until KEIT verifies it) and sign its first user in."""
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in."))
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, warnings = firms_services.firm_sign_up(**form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "Your application to join has been received. You can submit proposals "
                    "once the alliance secretariat has confirmed your firm."
                ),
            )
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("alliance:dashboard")
    return render(request, "alliance/signup.html", {"form": form})
