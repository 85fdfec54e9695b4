"""Template context: the signed-in user's roles, resolved once per request."""

from portal.core.vocabulary import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": frozenset()}
    return {"roles": frozenset(r for r in Role.values if user.has_role(r))}
