"""Role groups and their permissions, kept in step with the code after every migrate."""

from django.contrib.auth.models import Group, Permission

from .choices import Role
from .reference_data import ROLE_PERMISSIONS


def ensure_role_groups(**kwargs) -> None:
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
