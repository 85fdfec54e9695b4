"""Who may edit the information site and its public facts."""


def can_edit_site(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_site_editor)


def can_edit_facts(user) -> bool:
    """The public fact registry is kept by the site editor and the fund secretariat (KDB)."""
    return user.is_authenticated and (
        user.is_superuser or user.is_site_editor or user.is_fund_staff
    )
