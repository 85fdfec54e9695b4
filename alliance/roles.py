"""Role groups and their permissions, kept in step with the code after every migrate."""

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission

from alliance.reference_data import ROLE_PERMISSIONS, SUB_ALLIANCES
from portal.core.vocabulary import INDUSTRIES, Role


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


def ensure_reference_data(apps=None, **kwargs) -> None:
    """Create any missing 분과 / 첨단전략산업 row; never overwrites an edit.

    Called by migration 0002 with its historical `apps` and after every migrate (which also
    follows a flush) with the live registry.
    """
    apps = apps or django_apps
    SubAlliance = apps.get_model("alliance", "SubAlliance")
    Industry = apps.get_model("alliance", "Industry")
    for order, (code, ko, en, demand) in enumerate(SUB_ALLIANCES, start=1):
        SubAlliance.objects.get_or_create(
            code=code,
            defaults={"name_ko": ko, "name_en": en, "surveyed_demand_krw": demand, "order": order},
        )
    for order, (code, ko, en) in enumerate(INDUSTRIES, start=1):
        Industry.objects.get_or_create(
            code=code, defaults={"name_ko": ko, "name_en": en, "order": order}
        )
