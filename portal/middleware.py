"""A strict Content-Security-Policy: every asset is served by the portal itself."""

POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (Swagger UI from the sidecar) needs inline bootstrapping.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
