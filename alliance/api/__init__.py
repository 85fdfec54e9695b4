"""REST API v1 of this app: serializers, views and the router (see portal.api_urls)."""
