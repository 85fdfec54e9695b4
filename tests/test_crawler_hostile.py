"""A hostile crawl of the portal: no page or form a client can reach answers with a 5xx.

For each role (anonymous, an applicant of a member firm, KEIT, KDB, a site editor and a
superuser), every URL pattern of the portal but the API's (schemathesis covers those) and the
admin's is visited:

- with the real ids of a world that holds every kind of object (a draft, a submitted and
  scored proposal, one referred and in review, one at the committee stage on a meeting's
  agenda, one at the council, one decided, an event with a registration, a consultation, a
  notice, a saved view, a draft rule set), so that the requests reach deep code paths;
- with path ids that do not exist, 0 and ids past bigint (2**63, 10**30) for `int`
  converters, unknown UUIDs for `uuid` ones, and long, HTML and NUL strings for `str`/`slug`
  (where the role is turned away at the door, or fuzzes no more, the sharpest of them only);
- where the role gets past the door and the view reads request.GET: with query strings that
  carry every GET parameter the page views read (found in their source, filter forms
  included) as wrong types, negative numbers, a number past bigint, 10,000 characters of
  HTML, a NUL byte and repeated keys, then as typed extremes (page=0 and page=99999999, the
  widest keyset cursors, 10**30, far dates, the first and the last choice);
- where the role gets past the door of a POST endpoint: with an empty body, then each kind of
  junk in every field its forms declare (found in the view's source) and typed extremes (each
  field of its own type at its largest and smallest); the endpoints htmx drives (a template's
  hx-post, a view that tells htmx apart) again with `HX-Request: true`.

The source walk follows the request from a view into the portal functions it is handed to,
so a new page's parameters and forms are crawled without a table to update. The forms it
cannot see (Django's class-based views, a form chosen by step, the rule and routing editors)
are written out in `explicit_bodies`; `test_every_post_endpoint_has_its_form_found` fails for
a new endpoint whose input the crawl would miss, and `test_every_page_has_real_ids_to_crawl`
for a page without objects to visit.

To keep the crawl near a minute, each query string, body and hostile id is sent where it
reaches furthest: to a page's deepest real object (a decision to a proposal at the council),
by the first of the roles the access matrix answers alike (anonymous for the public pages),
and by the superuser only to the pages no other role reaches (its code paths are the staff
roles'); every role still visits every page with its real ids and the sharpest hostile id.

Each request runs in a savepoint that is rolled back, so a POST that succeeds does not change
what the next request sees. Every 5xx (and every exception, while a download streams too) is
collected, and the test fails once with the whole list. The health checks answer 503 by
design when no worker runs; that designed answer (no exception behind it) is not a failure.
"""

from __future__ import annotations

import ast
import datetime
import functools
import inspect
import re
import textwrap
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.contrib.auth.views import LoginView, LogoutView
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.i18n import set_language

from alliance.consultations.forms import ConfirmForm
from alliance.models import Consultation, Firm
from alliance.proposals.forms import STEP_FORMS, PlanForm
from fund.review import selectors as review_selectors
from fund.review import services as pipeline
from fund.review.forms import AssignForm, BulkForm
from fund.routing.forms import PolicyEditor
from fund.site import services as site_services
from matching import services as matching_services
from matching.forms import RuleSetEditor
from matching.models import RuleSet
from portal.core.vocabulary import Decision, FirmStatus
from tests.factories import FirmFactory, InstitutionFactory, UserFactory
from tests.pipeline_support import at_stage, meeting_of
from tests.test_access_matrix import (
    GET_EXPECTED,
    PASSWORD_RESET_ARGS,
    POST_EXPECTED,
    World,
    build_world,
    page_names,
    url_arguments,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "applicant", "keit", "kdb", "editor", "admin")

# ---------------------------------------------------------------------------------------------
# Hostile values

LONG = "x" * 10_000
HTML = "<script>alert(1)</script>"
PATH_HTML = "<img src=x onerror=alert(1)>"  # a path segment cannot hold the slash of </script>
NUL = "a\x00b"
# Each kind goes into every parameter (or field) at once; "repeated" sends each key twice
# (0, page=0 and 10**30 are among the typed extremes below.)
JUNK: dict[str, object] = {
    "empty": "",
    "word": "abc",
    "negative": "-1",
    "bigint": str(2**63),
    "long html": (HTML * (len(LONG) // len(HTML) + 1))[: len(LONG)],  # 10,000 characters
    "nul": NUL,
    "repeated": ["1", HTML],
}
# The one value a role turned away at the door is asked with, per converter.
SHARPEST = {"int": 2**63, "uuid": uuid.UUID(int=0), "str": NUL, "slug": "x" * 2000, "path": NUL}
HOSTILE_PATH_VALUES = {
    "int": [0, 999_999_999, 2**63, 10**30],
    "uuid": [uuid.UUID(int=0), uuid.UUID("8c6f3a52-7a0e-4b43-9d52-1f2d1b6a9e11")],
    "str": ["nope", "x" * 2000, PATH_HTML, NUL],
    "slug": ["nope", "x" * 2000],
    "path": ["nope", PATH_HTML],
}
FAR_FUTURE = datetime.datetime(9999, 12, 31, 23, 59)
FAR_PAST = datetime.datetime(1, 1, 1, 0, 0)
# Typed extremes ("high", "low") of the values views read one by one, without a form field.
RAW_TYPED = {
    "after": ("9999999999999999.9999999999999999999", "0.0"),  # keyset cursors, widest parsed
    "before": ("999999999999999999", "0"),
    "page": ("99999999", "0"),
    "past": ("99999999", "0"),
    "step": ("3", "1"),
    "action": ("next", "save"),
    "proposals": (["9999999999999999999:999999999", "1:1"], ["0"]),
    "proposal": ("9999999999999999999", "0"),
    "based_on": ("9999999999999999999", "0"),
    "weights_for": ("direct", "none"),
    "status": ("cancelled", "confirmed"),
    "next": ("/" + "x" * 2000, "//evil.example/"),
    "back": ("stage=council&min_score=100&" + "x=&" * 500, "?"),
    "language": ("en", "ko"),
    "format": ("xlsx", "csv"),
}
HEALTH = {"healthz", "readyz"}


# ---------------------------------------------------------------------------------------------
# The world


@dataclass
class CrawlWorld:
    """The access matrix's world, a superuser, and the pipeline objects it lacks."""

    base: World
    committee_proposal: object
    council_proposal: object
    decided_proposal: object
    meeting: object
    saved_view: object
    draft_rules: RuleSet
    matrix_kwargs: dict[str, dict[str, object]] = field(default_factory=dict)  # its objects
    url_kwargs: dict[str, dict[str, object]] = field(default_factory=dict)  # the crawl's
    clients: dict[str, Client] = field(default_factory=dict)


def build_crawl_world() -> CrawlWorld:
    base = build_world()
    users = base.users
    users["applicant"] = users["applicant_a"]
    users["admin"] = UserFactory(username="admin", is_staff=True, is_superuser=True)
    keit, kdb, applicant = users["keit"], users["kdb"], users["applicant"]
    committee_proposal = at_stage(
        keit=keit, kdb=kdb, stage="committee", firm=base.firm_a, created_by=applicant
    )
    council_proposal, decided_proposal = (
        at_stage(keit=keit, kdb=kdb, stage="council", firm=base.firm_a, created_by=applicant)
        for _ in range(2)
    )
    pipeline.proposal_decide(
        proposal_id=decided_proposal.pk,
        actor=kdb,
        decision=Decision.APPROVED,
        channel="loan",
        amount_krw=decided_proposal.requested_krw,
    )
    meeting = meeting_of(kdb=kdb, title="1차 위원회", location="여의도")
    pipeline.agenda_add(meeting_id=meeting.pk, proposal_id=committee_proposal.pk, actor=kdb)
    saved_view = pipeline.saved_view_create(
        actor=kdb, name="고득점", page="table", querystring="min_score=50"
    )
    draft_rules = matching_services.rule_set_create_draft(actor=kdb)
    world = CrawlWorld(
        base,
        committee_proposal,
        council_proposal,
        decided_proposal,
        meeting,
        saved_view,
        draft_rules,
    )
    world.matrix_kwargs = url_arguments(base, "a") | {"password_reset_confirm": PASSWORD_RESET_ARGS}
    kwargs = dict(world.matrix_kwargs)
    for name in (
        "pipeline:agenda_add",
        "pipeline:agenda_move",
        "pipeline:agenda_print",
        "pipeline:agenda_remove",
        "pipeline:agenda_xlsx",
        "pipeline:meeting_detail",
    ):
        kwargs[name] = {"pk": meeting.pk}
    kwargs["pipeline:saved_view_delete"] = {"pk": saved_view.pk}
    # Only a draft can be edited, previewed or activated: those pages get the draft.
    for name in ("edit", "preview", "activate"):
        kwargs[f"matching:rule_set_{name}"] = {"pk": draft_rules.pk}
    world.url_kwargs = kwargs
    return world


def real_variants(world: CrawlWorld, name: str) -> list[dict[str, object]]:
    """A URL's real keyword arguments, the ones that reach deepest first (the hostile query
    strings and bodies go there): its usual objects, and for the proposal and pipeline pages
    the other states of a proposal too (in review, at the committee or the council, decided)."""
    base = world.base
    usual = world.url_kwargs.get(name, {})
    received, committee = base.submitted_a.pk, world.committee_proposal.pk
    council, decided = world.council_proposal.pk, world.decided_proposal.pk
    states = {
        "alliance:proposal_detail": [received, committee, decided],
        "pipeline:detail": [received, committee, council, decided],
        "pipeline:advance": [committee, received],
        "pipeline:decide": [council, received],
        "pipeline:reopen": [decided, received],
        "pipeline:release": [decided, received],
    }
    if name in states:
        return [{"pk": pk} for pk in states[name]]
    active_rules = {"pk": base.rule_set.pk}
    more: dict[str, list[dict[str, object]]] = {
        "matching:rule_set_detail": [{"pk": world.draft_rules.pk}],
        "matching:rule_set_activate": [active_rules],
        "matching:rule_set_preview": [active_rules],
        "alliance:proposal_edit": [{"pk": base.draft_a.pk, "step": step} for step in (2, 3, 4)],
        "alliance:proposal_submit": [{"pk": base.submitted_a.pk}],
        "matching:proposal_results": [{"pk": base.draft_a.pk}],
    }
    return [usual, *more.get(name, [])]


# ---------------------------------------------------------------------------------------------
# The URL map, and what each view reads from the request (found in its source)


PORTAL_APPS = ("alliance", "fund", "matching", "portal")
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
READ = re.compile(
    r"request\.(?P<dict>GET|POST)(?:\.get|\.getlist)\(\s*\"(?P<a>\w+)\""
    r"|request\.(?P<dict2>GET|POST)\[\"(?P<b>\w+)\"\]"
    r"|\"(?P<c>\w+)\" in request\.(?P<dict3>GET|POST)"
)
# Django's own views that read the query string (where to go next, the language to switch to).
DJANGO_GET_READERS = (LoginView, LogoutView, set_language)
DJANGO_VIEW_PARAMETERS = ("next", "language")


@dataclass
class Reads:
    """What a view takes from the request: GET names (with the filter form's field when a
    form reads them), POST forms and the POST names it reads one by one."""

    get: dict[str, forms.Field | None] = field(default_factory=dict)
    reads_get: bool = False
    post_forms: list[type] = field(default_factory=list)
    post_names: list[str] = field(default_factory=list)
    mentions_post: bool = False  # its code speaks of POST (require_POST, request.POST)
    htmx: bool = False  # it answers an htmx request differently


def _namespace(function: Callable) -> dict:
    """The names a function's code can see: its module's and its closure's."""
    return {**inspect.getmodule(function).__dict__, **inspect.getclosurevars(function).nonlocals}


def _resolve(node: ast.expr, namespace: dict):
    """`name` or `name.attr` in the function's namespace; None for anything else."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return getattr(namespace.get(node.value.id), node.attr, None)
    return None


def _mentions(node: ast.AST, attribute: str) -> bool:
    """Whether an expression uses request.<attribute> (request.POST, `request.POST or None`)."""
    return any(
        isinstance(n, ast.Attribute)
        and n.attr == attribute
        and isinstance(n.value, ast.Name)
        and n.value.id == "request"
        for n in ast.walk(node)
    )


@functools.cache
def _parsed(function: Callable) -> tuple[str, ast.AST]:
    source = textwrap.dedent(inspect.getsource(function))
    return source, ast.parse(source)


def _read(function: Callable, reads: Reads, seen: set) -> None:
    """Add what `function` reads from the request, and what the portal functions it hands
    the request to read, to `reads`."""
    module = inspect.getmodule(function)
    if function in seen or module is None or module.__name__.split(".")[0] not in PORTAL_APPS:
        return
    seen.add(function)
    source, tree = _parsed(function)
    namespace = _namespace(function)
    reads.reads_get |= "request.GET" in source
    reads.mentions_post |= "POST" in source
    reads.htmx |= "request.htmx" in source
    for match in READ.finditer(source):
        name = match["a"] or match["b"] or match["c"]
        if "GET" in (match["dict"], match["dict2"], match["dict3"]):
            reads.get.setdefault(name, None)
        elif name not in reads.post_names:
            reads.post_names.append(name)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _resolve(node.func, namespace)
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        if inspect.isclass(callee) and issubclass(callee, forms.BaseForm):
            # The form's data: its first argument, or `data=`.
            data = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "data")]
            if any(_mentions(arg, "GET") for arg in data):
                for name, form_field in callee.base_fields.items():
                    reads.get[name] = form_field
            if any(_mentions(arg, "POST") for arg in data) and callee not in reads.post_forms:
                reads.post_forms.append(callee)
        elif inspect.isfunction(callee) and any(
            isinstance(arg, ast.Name) and arg.id == "request" for arg in arguments
        ):
            _read(inspect.unwrap(callee), reads, seen)


def view_reads(callback: Callable) -> Reads:
    reads = Reads()
    view = getattr(callback, "view_class", None) or inspect.unwrap(callback)
    # A portal class that only adjusts one of Django's views (the sign-in's landing page)
    # reads the request as the Django view does.
    django_view = next(
        (base for base in getattr(view, "__mro__", ()) if base in DJANGO_GET_READERS), None
    )
    if inspect.getmodule(view).__name__.startswith("django.") or django_view is not None:
        reads.reads_get = view in DJANGO_GET_READERS or django_view is not None
        reads.get = dict.fromkeys(DJANGO_VIEW_PARAMETERS)
        reads.mentions_post = True  # the sign-in, password and language forms
    else:
        _read(view, reads, set())
    return reads


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    arguments: dict[str, str]  # argument -> converter
    methods: tuple[str, ...]  # the methods some role may use, as the access matrix says
    reads: Reads
    htmx: bool  # htmx asks for it (a template's hx-get/hx-post), or its view tells htmx apart


HX_URL = re.compile(r"hx-(?:get|post|put|patch|delete)=\"\{% url '(?P<name>[\w:]+)'")


def htmx_url_names() -> set[str]:
    """The URL names the portal's templates point htmx requests at."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if app.name.split(".")[0] in PORTAL_APPS
    ]
    return {
        match["name"]
        for folder in folders
        for template in folder.glob("**/*.html")
        for match in HX_URL.finditer(template.read_text(encoding="utf-8"))
    }


def _walk(patterns, namespace: str | None, prefix: str) -> Iterator[tuple[str, str, Callable]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            full = ":".join(p for p in (namespace, entry.namespace) if p) or None
            yield from _walk(entry.url_patterns, full, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield name, prefix + str(entry.pattern), entry.callback


def _methods(name: str, reads: Reads) -> tuple[str, ...]:
    """GET and POST, but not a method every role is refused (405, or sent to sign in before
    the view looks at the method), nor POST for a view whose code never speaks of it (it
    answers a POST as it answers a GET); a page the access matrix does not list yet is asked
    both ways."""
    return tuple(
        method
        for method, table in (("get", GET_EXPECTED), ("post", POST_EXPECTED))
        if any(cell not in ("405", "login") for cell in table.get(name, ("",)))
        and (method == "get" or reads.mentions_post)
    )


@functools.cache
def pages() -> list[Page]:
    """Every pattern of the portal but the API's and the admin's, in name order (read once)."""
    found = []
    htmx = htmx_url_names()
    for name, route, callback in _walk(get_resolver().url_patterns, None, ""):
        if route.startswith("api/") or route.lstrip("^").startswith("admin/"):
            continue
        arguments = {m["name"]: m["converter"] or "str" for m in CONVERTER.finditer(route)}
        reads = view_reads(callback)
        htmx_driven = name in htmx or reads.htmx
        page = Page(name, route, arguments, _methods(name, reads), reads, htmx_driven)
        found.append(page)
    return sorted(found, key=lambda page: page.name)


def query_parameters(all_pages: list[Page]) -> dict[str, forms.Field | None]:
    """Every GET parameter a page view reads, with its form field where a form reads it."""
    found: dict[str, forms.Field | None] = {}
    for page in all_pages:
        for name, form_field in page.reads.get.items():
            if found.get(name) is None:
                found[name] = form_field
    return found


# ---------------------------------------------------------------------------------------------
# Form bodies


@dataclass(frozen=True)
class Body:
    """The fields of one body an endpoint takes (None for a value the view reads itself), and
    the values that must stay put for the typed extremes to get past the first check."""

    fields: dict[str, forms.Field | None]
    fixed: dict[str, str] = field(default_factory=dict)


def _fields(form: forms.BaseForm) -> dict[str, forms.Field | None]:
    return {form[name].html_name: form.fields[name] for name in form.fields}


def _form_fields(form_class: type, kwargs: dict) -> dict[str, forms.Field | None]:
    """A form's fields as built for a request; its declared fields when it needs arguments
    form_kwargs does not know (a typed value then takes any id for a model choice)."""
    try:
        return _fields(form_class(**kwargs))
    except TypeError:
        return dict(form_class.base_fields)


def form_kwargs(world: CrawlWorld) -> dict[type, dict]:
    """What the forms that need more than the data are built with."""
    reviewers = review_selectors.fund_staff()
    return {
        AssignForm: {"reviewers": reviewers},
        BulkForm: {"reviewers": reviewers},
        ConfirmForm: {"consultation": world.base.consultation_a},
        PlanForm: {"partner_choices": Firm.objects.all()},
    }


def explicit_bodies(world: CrawlWorld) -> dict[str, list[Body]]:
    """The bodies of the endpoints whose forms the source walk cannot see: Django's
    class-based views, the proposal steps (the form is chosen by the step) and the rule and
    routing editors (forms per channel, and per entry)."""
    version = {"version": str(world.base.draft_a.version)}
    steps = {
        step: form_class(**form_kwargs(world).get(form_class, {}))
        for step, form_class in STEP_FORMS.items()
    }
    every_step = {name: f for form in steps.values() for name, f in _fields(form).items()}
    # The rule editor's meta form and one channel's entries (every channel's are alike).
    editor = RuleSetEditor(world.draft_rules)
    editor_fields: dict[str, forms.Field | None] = {}
    for form in [editor.meta, *editor.channels[0].forms()]:
        editor_fields |= _fields(form)
    routing = PolicyEditor(world.base.routing_policy)
    routing_fields = _fields(routing.meta) | _fields(routing.channels[0])
    return {
        "login": [Body(_fields(AuthenticationForm()) | {"next": None})],
        "logout": [Body({"next": None})],
        "password_change": [Body(_fields(PasswordChangeForm(world.base.users["keit"])))],
        "password_reset": [Body(_fields(PasswordResetForm()))],
        "password_reset_confirm": [Body(_fields(SetPasswordForm(None)))],
        "set_language": [Body(dict.fromkeys(("language", "next")), {"language": "en"})],
        "alliance:proposal_edit": [
            Body(every_step | {"action": None}, version | {"action": "next"})
        ],
        "alliance:proposal_autosave": [
            Body(_fields(form) | {"step": None}, version | {"step": str(step)})
            for step, form in steps.items()
        ],
        "matching:rule_set_edit": [
            Body(editor_fields),
            Body(editor_fields | {"weights_for": None}, {"weights_for": "direct"}),
        ],
        "routing:policy_edit": [Body(routing_fields)],
    }


# Endpoints that take no input: the URL says everything (their POST is the action).
NO_INPUT = {
    "alliance:document_delete",
    "consultation_contact",
    "institutions:share_withdraw",
    "matching:proposal_check",
    "matching:rule_set_activate",
    "matching:rule_set_preview",
    "ministry:plan_join",
    "pipeline:packet_ack",
    "pipeline:packet_retry",
    "routing:pause",
    "routing:resume",
    "site:editor_event_delete",
    "site:editor_faq_delete",
    "site:editor_notice_delete",
    "site:editor_notice_pin",
    "site:editor_notice_publish",
    "site:editor_registration_contact",
    "site:registration_cancel",
}
# Values that must stay put for the typed extremes to reach the service behind the form.
FIXED = {
    "alliance:proposal_submit": lambda world: {"version": str(world.base.draft_a.version)},
    "pipeline:agenda_move": lambda world: {"proposal": str(world.committee_proposal.pk)},
}


def post_bodies(world: CrawlWorld, all_pages: list[Page]) -> dict[str, list[Body]]:
    """For every endpoint that takes a POST: its forms' fields and the names its view reads."""
    explicit = explicit_bodies(world)
    kwargs = form_kwargs(world)
    bodies = {}
    for page in all_pages:
        if "post" not in page.methods:
            continue
        if page.name in explicit:
            bodies[page.name] = explicit[page.name]
            continue
        found: dict[str, forms.Field | None] = {}
        for form_class in page.reads.post_forms:
            found |= _form_fields(form_class, kwargs.get(form_class, {}))
        for name in page.reads.post_names:
            found.setdefault(name, None)
        fixed = FIXED[page.name](world) if page.name in FIXED else {}
        bodies[page.name] = [Body(found, fixed)]
    return bodies


def _choices(form_field) -> list[str]:
    values = []
    for value, label in form_field.choices:
        if isinstance(label, (list, tuple)):
            values.extend(v for v, _label in label)
        elif value not in ("", None):
            values.append(value)
    return [str(getattr(v, "value", v)) for v in values]


def typed_value(name: str, form_field: forms.Field | None, end: str):
    """A value of the field's own type at one extreme (`end` is "high" or "low")."""
    high = end == "high"
    if form_field is None:
        high_value, low_value = RAW_TYPED.get(name, (LONG, HTML))
        return high_value if high else low_value
    if isinstance(form_field, forms.BooleanField):
        return "on" if high else ""
    if isinstance(form_field, forms.ModelChoiceField):
        queryset = form_field.queryset
        pks = (
            []
            if queryset is None
            else [str(pk) for pk in queryset.order_by("pk").values_list("pk", flat=True)]
        )
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            return pks if high else pks[:1]
        return (pks[-1] if high else pks[0]) if pks else "1"
    if isinstance(form_field, forms.MultipleChoiceField):
        choices = _choices(form_field)
        return choices if high else choices[:1]
    if isinstance(form_field, forms.ChoiceField):
        choices = _choices(form_field)
        return (choices[-1] if high else choices[0]) if choices else HTML
    if isinstance(form_field, forms.DateTimeField):
        return (FAR_FUTURE if high else FAR_PAST).strftime("%Y-%m-%dT%H:%M")
    if isinstance(form_field, forms.DateField):
        return (FAR_FUTURE if high else FAR_PAST).strftime("%Y-%m-%d")
    if isinstance(form_field, forms.DecimalField):
        if high:
            digits = (form_field.max_digits or 30) - (form_field.decimal_places or 0)
            return str(form_field.max_value or Decimal("9" * digits))
        return str(form_field.min_value if form_field.min_value is not None else -(10**20))
    if isinstance(form_field, forms.IntegerField):
        if high:
            return str(form_field.max_value if form_field.max_value is not None else 10**30)
        return str(form_field.min_value if form_field.min_value is not None else -(10**30))
    if isinstance(form_field, forms.EmailField):
        return ("a" * 64 + "@" + "b" * 60 + ".kr") if high else "a@b.kr"
    if isinstance(form_field, forms.URLField):
        return ("https://example.kr/" + "a" * 150) if high else "example.kr"
    if isinstance(form_field, forms.CharField):
        limit = form_field.max_length or len(LONG)
        return (HTML * (limit // len(HTML) + 1))[:limit] if high else "<"
    return HTML if high else ""


def hostile_queries(parameters: dict[str, forms.Field | None]) -> Iterator[tuple[str, dict]]:
    """Every parameter at once: each kind of junk, then the typed extremes."""
    for kind, value in JUNK.items():
        yield kind, dict.fromkeys(parameters, value)
    for end in ("high", "low"):
        yield f"typed-{end}", {p: typed_value(p, f, end) for p, f in parameters.items()}


# What an htmx endpoint is sent again with the header: blank fields (its fragment with the
# form's errors) and the typed highs (the fragment with the service's answer).
HTMX_KINDS = ("empty", "typed-high")


# A form's number fields get negative numbers among their typed lows.
BODY_JUNK = {kind: value for kind, value in JUNK.items() if kind != "negative"}


def hostile_bodies(page: Page, body: Body) -> Iterator[tuple[str, dict, bool]]:
    """Every field at once: each kind of junk, then the typed extremes; an htmx endpoint gets
    some again as htmx requests (one without fields, its empty body). The fixed values stay
    put so that the junk reaches the form behind them, but for a wrong type and a number past
    bigint, which they get too."""
    bodies: list[tuple[str, dict]] = []
    if body.fields:
        for kind, value in BODY_JUNK.items():
            junk = dict.fromkeys(body.fields, value)
            bodies.append((kind, junk if kind in ("word", "bigint") else junk | body.fixed))
        for end in ("high", "low"):
            typed = {n: typed_value(n, f, end) for n, f in body.fields.items()}
            bodies.append((f"typed-{end}", typed | body.fixed))
    for kind, data in bodies:
        yield kind, data, False
    if page.htmx:
        for kind, data in bodies or [("empty", {})]:
            if kind in HTMX_KINDS:
                yield f"{kind} htmx", data, True


# ---------------------------------------------------------------------------------------------
# The crawler


@dataclass
class Crawler:
    world: CrawlWorld
    role: str
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    last_method: str = ""

    def client(self) -> Client:
        """The role's browser (a 5xx is answered, not raised). A POST may have signed it out
        or in (sign-out, sign-in, sign-up): after one, it is made the role's again."""
        user = self.world.base.users[self.role]
        client = self.world.clients.get(self.role)
        check = self.last_method == "post"
        if client is None:
            client = self.world.clients[self.role] = Client(raise_request_exception=False)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            check = True
        if check and user is not None and client.session.get(SESSION_KEY) != str(user.pk):
            client.force_login(user)
        if check and user is None and SESSION_KEY in client.session:
            client.logout()
        return client

    def send(self, method: str, page: Page, url: str, what: str, data=None, htmx=False) -> str:
        """One request, rolled back afterwards; a 5xx or an exception is written down.

        Answers "in" when the role got past the door, "out" for 403, 404, 405 or a redirect
        to the sign-in page, "5xx" for a failure.
        """
        client = self.client()
        self.last_method = method
        self.requests += 1
        headers = {"HX-Request": "true"} if htmx else {}
        problem, location = "", ""
        with transaction.atomic():
            try:
                response = getattr(client, method)(url, data or {}, headers=headers)
                status, location = response.status_code, response.get("Location", "")
                if response.streaming:  # a download is made while it is read
                    b"".join(response.streaming_content)
            except Exception as exc:  # raised while streaming, or by the test client
                status, problem = 500, f"{type(exc).__name__}: {exc}"
            else:
                if response.exc_info:
                    problem = f"{response.exc_info[0].__name__}: {response.exc_info[1]}"
            transaction.set_rollback(True)
        designed = page.name in HEALTH and status == 503 and not problem
        if status >= 500 and not designed:
            shown = url if len(url) < 160 else url[:150] + "…"
            self.failures.append(
                f"{self.role} {method.upper()} {shown} [{what}] -> {status} {problem[:300]}"
            )
            return "5xx"
        if status in (403, 404, 405) or location.startswith(reverse("login") + "?"):
            return "out"
        return "in"


# The access matrix's column of each role (the superuser is not in the matrix).
MATRIX_COLUMN = {"anonymous": 0, "applicant": 1, "keit": 3, "kdb": 4, "editor": 5}


def fuzzed_by(world: CrawlWorld, page: Page, role: str) -> bool:
    """Whether the role sends the page its hostile query strings, bodies and every hostile id
    (when it gets past the door). Roles to which the access matrix gives the same answers take
    the same code path: the first of them fuzzes the page (anonymous the public pages, KEIT
    what both secretariats share). The superuser, whose code paths are the staff roles',
    fuzzes only the pages no other role reaches. A page the matrix does not list yet is fuzzed
    by every role that gets in; one it asks with other objects than the crawl's deepest (an
    active rule set where the crawl has a draft, a proposal in review where it has a decided
    one) by every role that gets in but the superuser."""
    rows = [table[page.name] for table in (GET_EXPECTED, POST_EXPECTED) if page.name in table]
    if not rows:
        return True
    if real_variants(world, page.name)[0] != world.matrix_kwargs.get(page.name, {}):
        return role != "admin"
    answers = {r: tuple(row[column] for row in rows) for r, column in MATRIX_COLUMN.items()}
    if role == "admin":
        return not any(_reached(cells) for cells in answers.values())
    earlier = ROLES[: ROLES.index(role)]
    return not any(answers.get(other) == answers[role] for other in earlier)


def _reached(cells: tuple[str, ...]) -> bool:
    return any(cell not in ("403", "404", "405", "login") for cell in cells)


def crawl(world: CrawlWorld, role: str) -> Crawler:
    """Every page as one role: its real ids (with hostile query strings and bodies where the
    role gets past the door), then hostile ids, one path argument at a time: every hostile
    value where the role got in and fuzzes the page, the sharpest one (past bigint, a NUL)
    elsewhere."""
    crawler = Crawler(world, role)
    all_pages = pages()
    parameters = query_parameters(all_pages)
    bodies = post_bodies(world, all_pages)
    for page in all_pages:
        fuzz, got_in = fuzzed_by(world, page, role), False
        for number, kwargs in enumerate(real_variants(world, page.name)):
            if set(kwargs) != set(page.arguments):
                continue  # no real object known (test_every_page_has_real_ids_to_crawl says so)
            url = reverse(page.name, kwargs=kwargs)
            deepest = fuzz and number == 0
            if "get" in page.methods and crawler.send("get", page, url, "real ids") == "in":
                got_in = True
                if page.htmx:
                    crawler.send("get", page, url, "real ids htmx", htmx=True)
                if deepest and page.reads.reads_get:
                    for kind, query in hostile_queries(parameters):
                        crawler.send("get", page, url, f"query {kind}", query)
            if "post" in page.methods and crawler.send("post", page, url, "empty body") == "in":
                got_in = True
                for body in bodies[page.name] if deepest else []:
                    for kind, data, htmx in hostile_bodies(page, body):
                        crawler.send("post", page, url, f"body {kind}", data, htmx=htmx)
        usual = world.url_kwargs.get(page.name, {})
        filler = {a: usual.get(a, SHARPEST[c]) for a, c in page.arguments.items()}
        for argument, converter in page.arguments.items():
            every = got_in and fuzz
            values = HOSTILE_PATH_VALUES[converter] if every else [SHARPEST[converter]]
            for value in values:
                url = reverse(page.name, kwargs={**filler, argument: value})
                for method in page.methods:
                    crawler.send(method, page, url, f"{argument}={str(value)[:20]!r}")
    return crawler


@pytest.fixture
def world(db, settings):
    cache.clear()
    # /readyz pings the workers (none run here: a second's wait) and reuses the answer for
    # READYZ_CACHE_SECONDS, which the test settings make 0; one ping serves the whole crawl.
    settings.READYZ_CACHE_SECONDS = 600
    return build_crawl_world()


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_form_answers_5xx_to_hostile_input(world, role):
    crawler = crawl(world, role)

    assert crawler.failures == [], (
        f"{len(crawler.failures)} of {crawler.requests} requests failed:\n"
        + "\n".join(crawler.failures)
    )


def test_the_crawl_covers_every_page_of_the_access_matrix():
    crawled = {page.name for page in pages()}

    assert "" not in crawled  # every page has a name to report it by
    assert sorted(page_names() - crawled) == []
    assert sorted(crawled - page_names()) == []


def test_every_page_has_real_ids_to_crawl(world):
    missing = [
        page.name
        for page in pages()
        if set(world.url_kwargs.get(page.name, {})) != set(page.arguments)
    ]

    assert missing == []


def test_every_post_endpoint_has_its_form_found(world):
    # An endpoint taking a POST whose input the source walk did not find is either one that
    # takes none (NO_INPUT) or one the crawl would miss (to be written out in explicit_bodies).
    all_pages = pages()
    bodies = post_bodies(world, all_pages)

    without_input = sorted(
        page.name
        for page in all_pages
        if "post" in page.methods and not any(body.fields for body in bodies[page.name])
    )
    assert without_input == sorted(NO_INPUT)


def test_the_source_walk_finds_the_parameters_forms_and_htmx_of_the_views():
    all_pages = {page.name: page for page in pages()}
    parameters = query_parameters(list(all_pages.values()))

    assert {"q", "page", "past", "category", "status", "after", "before", "format"} <= set(
        parameters
    )
    assert parameters["page"] is None  # read one by one: its typed extremes are 0 and 99999999
    # The filter forms' fields, typed: the pipeline's, the screening inbox's, the packet list's.
    assert isinstance(parameters["min_score"], forms.IntegerField)
    assert isinstance(parameters["proposal"], forms.IntegerField)
    assert isinstance(parameters["stage"], forms.ChoiceField)
    assert isinstance(parameters["institution"], forms.TypedChoiceField)
    # A helper the view hands the request to (the registrations' status filter kept).
    assert all_pages["site:editor_registration_check_in"].reads.post_names == ["status"]
    assert all_pages["pipeline:bulk"].reads.post_names == ["back", "proposals"]
    assert {"alliance:proposal_autosave", "pipeline:comment", "matching:rule_set_progress"} <= {
        name for name, page in all_pages.items() if page.htmx
    }


def test_each_page_is_fuzzed_by_the_first_of_the_roles_it_answers_alike(world):
    by_name = {page.name: page for page in pages()}

    def fuzzers(name):
        return [role for role in ROLES if fuzzed_by(world, by_name[name], role)]

    # Public: every role alike. Both secretariats share the consultation list's staff view.
    assert fuzzers("site:faq") == ["anonymous"]
    assert fuzzers("consultation_list") == ["anonymous", "applicant", "keit", "editor"]
    assert fuzzers("pipeline:board") == ["anonymous", "applicant", "kdb"]
    # The superuser only where no other role gets in.
    assert fuzzed_by(world, by_name["system_status"], "admin") is True
    assert fuzzed_by(world, by_name["pipeline:board"], "admin") is False
    # The matrix asks the rule editor with the active rule set (404), the crawl with a draft.
    assert fuzzers("matching:rule_set_edit") == [role for role in ROLES if role != "admin"]


# ---------------------------------------------------------------------------------------------
# What the crawl found, each pinned on its own


def _signed_in(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_a_search_with_a_nul_byte_finds_what_the_search_without_it_finds(editor):
    notice = site_services.notice_create(
        actor=editor, title="설명회 안내", body="본문", pinned=False, published=True
    )
    faq = site_services.faq_create(
        actor=editor, category="process", question="질문?", answer="답변", order=1, published=True
    )
    client = Client()

    notices = client.get(reverse("site:notice_list"), {"q": "설명\x00회"})
    faqs = client.get(reverse("site:faq"), {"q": "질\x00문"})
    editor_faqs = _signed_in(editor).get(reverse("site:editor_faqs"), {"q": "\x00"})

    assert notices.status_code == 200
    assert [n.pk for n in notices.context["page_obj"]] == [notice.pk]
    assert faqs.status_code == 200
    assert [e.pk for _code, _label, group in faqs.context["groups"] for e in group] == [faq.pk]
    assert editor_faqs.status_code == 200
    assert [e.pk for e in editor_faqs.context["page_obj"]] == [faq.pk]


def test_a_firm_verified_with_a_next_that_is_not_a_path_goes_back_to_the_firm(keit):
    firm = FirmFactory(status=FirmStatus.PENDING)
    client = _signed_in(keit)
    url = reverse("alliance:firm_verify", args=[firm.pk])

    answers = [
        client.post(url, {"next": value})
        for value in ("abc", "0", "a\x00b", "/secretariat/firms/\x00", "https://evil.example/")
    ]
    listed = client.post(url, {"next": "/secretariat/firms/?status=pending"})

    firm_page = reverse("alliance:secretariat_firm", args=[firm.pk])
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, firm_page)] * 5
    assert (listed.status_code, listed["Location"]) == (302, "/secretariat/firms/?status=pending")
    firm.refresh_from_db()
    assert firm.status == FirmStatus.ACTIVE  # verified by the first, the others changed nothing


def test_a_sign_in_with_a_very_long_user_name_is_refused_and_counted(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    name = "가" * 300

    response = client.post(reverse("login"), {"username": name, "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    ]
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == (name[:255], 1)


def test_a_consultation_asked_for_the_last_hour_of_year_9999_is_refused_with_the_reason(applicant):
    bank = InstitutionFactory()
    client = _signed_in(applicant)

    response = client.post(
        reverse("consultation_new"),
        {"institution": bank.pk, "topic": "loan_terms", "preferred_slot_1": "9999-12-31T23:30"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["preferred_slot_1"] == [
        "9999-12-31 (Fri) 23:30 is outside consultation hours: a consultation lasts an hour "
        "between 09:00 and 18:00 (Korean time), so it starts at 17:00 at the latest."
    ]
    assert Consultation.objects.count() == 0
