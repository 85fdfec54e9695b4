"""The applicant's own firm profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from alliance.firms import selectors as firms_selectors
from alliance.firms import services as firms_services
from alliance.firms.forms import FirmProfileForm
from alliance.validators import crn_warning
from portal.core.forms import add_service_errors


@login_required
def firm_profile(request):
    """An applicant sees and edits their firm; the 사업자등록번호 and the status are KEIT's."""
    user = request.user
    if not user.is_applicant:
        raise Http404
    firm = get_object_or_404(firms_selectors.firms_visible_to(user), pk=user.firm_id)
    if request.method == "POST":
        form = FirmProfileForm(request.POST)
        if form.is_valid():
            try:
                warnings = firms_services.firm_update_profile(
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
