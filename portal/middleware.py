"""Korean first: the portal speaks Korean until the visitor chooses English."""


class KoreanFirstMiddleware:
    """Ignore the browser's Accept-Language so Korean is the default for everyone.

    English is one click away (the language switch sets the language cookie, which
    LocaleMiddleware honours); a Korean government portal should not switch language on
    its own because a browser happens to be set to English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # API clients are programs: they ask for a language with Accept-Language on purpose.
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
