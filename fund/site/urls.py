"""The information site's notices, FAQ, contact, privacy policy, terms of use and events, and
the site editor's pages."""

from django.urls import path

from fund.site import editor_views as editor
from fund.site import fact_views, self_check_views
from fund.site import views as site

app_name = "site"
urlpatterns = [
    path("notices/", site.notice_list, name="notice_list"),
    path("notices/<int:pk>/", site.notice_detail, name="notice_detail"),
    path("faq/", site.faq, name="faq"),
    path("contact/", site.contact, name="contact"),
    path("privacy/", site.privacy, name="privacy"),
    path("terms/", site.terms, name="terms"),
    path("sources/", fact_views.sources, name="sources"),
    path("self-check/", self_check_views.self_check, name="self_check"),
    path("self-check/carry/", self_check_views.self_check_carry, name="self_check_carry"),
    path("events/", site.event_list, name="event_list"),
    path("events/<int:pk>/", site.event_detail, name="event_detail"),
    path("events/<int:pk>/registered/", site.event_registered, name="event_registered"),
    path("events/cancel/<str:token>/", site.registration_cancel, name="registration_cancel"),
    # The public facts, kept by the site editor and the fund secretariat
    path("editor/facts/", fact_views.fact_list, name="editor_facts"),
    path("editor/facts/<slug:key>/edit/", fact_views.fact_edit, name="editor_fact_edit"),
    path("editor/facts/<slug:key>/history/", fact_views.fact_history, name="editor_fact_history"),
    # Site editor
    path("editor/", editor.dashboard, name="editor_dashboard"),
    path("editor/notices/", editor.notice_list, name="editor_notices"),
    path("editor/notices/new/", editor.notice_create, name="editor_notice_create"),
    path("editor/notices/<int:pk>/edit/", editor.notice_edit, name="editor_notice_edit"),
    path("editor/notices/<int:pk>/publish/", editor.notice_publish, name="editor_notice_publish"),
    path("editor/notices/<int:pk>/pin/", editor.notice_pin, name="editor_notice_pin"),
    path("editor/notices/<int:pk>/delete/", editor.notice_delete, name="editor_notice_delete"),
    path("editor/faq/", editor.faq_list, name="editor_faqs"),
    path("editor/faq/new/", editor.faq_create, name="editor_faq_create"),
    path("editor/faq/<int:pk>/edit/", editor.faq_edit, name="editor_faq_edit"),
    path("editor/faq/<int:pk>/delete/", editor.faq_delete, name="editor_faq_delete"),
    path("editor/events/", editor.event_list, name="editor_events"),
    path("editor/events/new/", editor.event_create, name="editor_event_create"),
    path("editor/events/<int:pk>/edit/", editor.event_edit, name="editor_event_edit"),
    path("editor/events/<int:pk>/delete/", editor.event_delete, name="editor_event_delete"),
    path(
        "editor/events/<int:pk>/registrations/",
        editor.event_registrations,
        name="editor_registrations",
    ),
    path(
        "editor/events/<int:pk>/registrations.csv",
        editor.event_registrations_csv,
        name="editor_registrations_csv",
    ),
    path(
        "editor/registrations/<int:pk>/check-in/",
        editor.registration_check_in,
        name="editor_registration_check_in",
    ),
    path(
        "editor/registrations/<int:pk>/contact/",
        editor.registration_contact,
        name="editor_registration_contact",
    ),
    path(
        "editor/registrations/<int:pk>/cancel/",
        editor.registration_cancel,
        name="editor_registration_cancel",
    ),
]
