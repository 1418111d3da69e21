from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import serializers

from portal import tokens
from portal.models import ApiToken, Department, Post


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "level",
            "level_display",
            "kind",
            "parent",
            "series",
            "region",
        ]


class PostSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    backup = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Post
        fields = ["id", "code", "name", "department", "duties", "backup"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices,
        required=False,
        help_text="省略时取账号角色允许的最大范围：接口调用方与系统管理员可读写，其他工作人员只读。",
    )

    def validate(self, attrs):
        user = authenticate(
            self.context.get("request"), username=attrs["username"], password=attrs["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError("用户名或密码错误。", code="authorization")
        try:
            attrs["scope"] = tokens.check_request(user, attrs.get("scope"))
        except DjangoPermissionDenied as error:
            raise serializers.ValidationError({"scope": str(error)}, code="scope") from None
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="只在签发时返回一次；请妥善保存。")
    prefix = serializers.CharField()
    scope = serializers.CharField()
    expires_at = serializers.DateTimeField()


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=50, help_text="检索词：任意连续的一个或几个字；空格分隔的词须同时出现"
    )
    kind = serializers.ChoiceField(
        choices=[], required=False, allow_blank=True, help_text="powers、standards 或 items"
    )
    page = serializers.IntegerField(min_value=1, max_value=10000, required=False, default=1)

    def __init__(self, *args, **kwargs):
        from portal import search

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [k.slug for k in search.kinds()]


class SearchCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    code = serializers.CharField()
    url = serializers.CharField(help_text="公开页面的地址")
    meta = serializers.CharField()


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    counts = SearchCountSerializer(many=True)
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = SearchResultSerializer(many=True)
