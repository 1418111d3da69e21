from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import search
from portal.api.serializers import (
    DepartmentSerializer,
    PostSerializer,
    SearchQuerySerializer,
    SearchResponseSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from portal.filtersets import DepartmentFilterSet
from portal.models import ApiToken, Department, Post
from portal.ratelimit import ScopedThrottle
from portal.tokens import issue_token, revoke_token


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments of every level; public."""

    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    lookup_field = "code"
    ordering = "code"

    def get_queryset(self):
        return Department.objects.visible_to(self.request.user).select_related("parent")


class PostViewSet(viewsets.ReadOnlyModelViewSet):
    """Posts (岗位) with their named back-up post (A、B岗)."""

    serializer_class = PostSerializer
    filterset_fields = ["department__code"]

    def get_queryset(self):
        return Post.objects.select_related("department", "backup")


class TokenView(APIView):
    """Obtain a token with username and password (POST); revoke the presented token (DELETE)."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenResponseSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, raw = issue_token(data["user"], name=data.get("name", ""), scope=data["scope"])
        body = {"token": raw, "prefix": token.prefix, "scope": token.scope, "expires_at": token.expires_at}
        return Response(TokenResponseSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if isinstance(request.user, AnonymousUser) or not isinstance(request.auth, ApiToken):
            return Response({"detail": "请使用要吊销的令牌调用本接口。"}, status=status.HTTP_400_BAD_REQUEST)
        revoke_token(request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchView(APIView):
    """公共检索: powers, discretion standards and service items, grouped by kind; public (published only).

    Any substring of a name, code, object or legal basis finds it, one or two characters included;
    punctuation is matched as written; words separated by spaces must all occur. ``counts`` gives
    the matches of every kind; ``results`` one page of the chosen kind (``kind``, else the first
    kind with matches).
    """

    permission_classes = [AllowAny]
    page_size = 20

    @extend_schema(parameters=[SearchQuerySerializer], responses=SearchResponseSerializer)
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        counts, kind, results = search.grouped(data["q"], data.get("kind") or None)
        by_slug = {k.slug: n for k, n in counts}
        page = data.get("page", 1)
        start = (page - 1) * self.page_size
        rows = [kind.row(obj) for obj in results[start : start + self.page_size]] if kind else []
        total = by_slug.get(kind.slug, 0) if kind else 0
        pages = max(1, -(-total // self.page_size))
        if page > pages:  # as the API's paginated lists answer a page past the last
            raise NotFound(_("页码超出范围：共 %(pages)d 页。") % {"pages": pages})
        body = {
            "query": data["q"].strip(),
            "kind": kind.slug if kind else None,
            "counts": [{"kind": k.slug, "label": str(k.label), "count": n} for k, n in counts],
            "count": total,
            "page": page,
            "pages": pages,
            "results": rows,
        }
        return Response(SearchResponseSerializer(body).data)
