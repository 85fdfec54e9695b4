"""The one page decorator for role checks: sign in first, then 404 for anyone the check refuses.

A 404 rather than a 403, so that a page never confirms to the wrong role that it exists.
The checks themselves (who may do what) live in each app's `permissions` module.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def only_for(check: Callable) -> Callable:
    """A view decorator: signed-out visitors are sent to sign in; `check(user)` must hold."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
