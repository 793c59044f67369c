"""Public search API: GET /api/v1/search?q=&limit=."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.core.api import error_responses
from yiwang.search import constants as c
from yiwang.search import selectors


# A pattern rather than an enum: drf-spectacular turns every enum into a shared component named
# after the field ("KindEnum"), which would collide with other apps' `kind` fields.
@extend_schema_field({"type": "string", "pattern": f"^({c.KIND_ITEM}|{c.KIND_BUNDLE})$"})
class KindField(serializers.CharField):
    pass


class SearchResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="事项编码或一件事编码")
    name = serializers.CharField()
    kind = KindField(help_text="item 事项 / bundle 一件事")
    score = serializers.FloatField(help_text="相关度（仅用于排序，数值无固定范围）")


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True, help_text="按相关度从高到低")


class SearchApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="search",
        summary="搜索事项与一件事 / Search service items and bundles",
        description=(
            "按居民的说法搜索：中文分词、拼音与首字母（yyzz）、口语同义词（后台可编辑）、错别字容错、英文；"
            "查询像人生大事（孩子、结婚、开公司……）时优先一件事。错误：invalid_query（为空、过长）、"
            "invalid_limit（不在 1–50）。"
        ),
        parameters=[
            OpenApiParameter("q", str, required=True, description=f"搜索内容，最多 {c.QUERY_MAX_LENGTH} 个字"),
            OpenApiParameter(
                "limit", int, description=f"最多返回条数，{c.LIMIT_MIN}–{c.LIMIT_MAX}，默认 {c.LIMIT_DEFAULT}"
            ),
        ],
        responses={200: SearchResponseSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "孩子转学",
                value={"results": [{"code": "310120-YJS-002", "name": "义务教育阶段转学一件事", "kind": "bundle", "score": 9.87}]},
                response_only=True,
            )
        ],
        tags=["search"],
    )
    def get(self, request):
        body = selectors.search_as_json(
            request.query_params.get("q", ""), request.query_params.get("limit", c.LIMIT_DEFAULT)
        )
        return Response(body)
