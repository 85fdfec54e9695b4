"""The applicant's own firm profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from alliance import selectors, services
from alliance.forms.accounts import add_service_errors
from alliance.forms.firms import FirmProfileForm
from alliance.validators import crn_warning


@login_required
def firm_profile(request):
    """An applicant sees and edits their firm; the 사업자등록번호 and the status are KEIT's."""
    user = request.user
    if not user.is_applicant:
        raise Http404
    firm = get_object_or_404(selectors.firms_visible_to(user), pk=user.firm_id)
    if request.method == "POST":
        form = FirmProfileForm(request.POST)
        if form.is_valid():
            try:
                warnings = services.firm_update_profile(
                    firm=firm,
                    actor=user,
                    data=form.profile_data(),
                    sub_alliances=form.cleaned_data["sub_alliances"],
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The firm profile has been saved."))
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("alliance:firm_profile")
    else:
        form = FirmProfileForm(initial=FirmProfileForm.initial_for(firm))
    context = {
        "firm": firm,
        "form": form,
        "crn_warning": crn_warning(firm.corporate_registration_number),
    }
    return render(request, "alliance/firm_profile.html", context)
