"""Who may edit the information site."""


def can_edit_site(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_site_editor)
