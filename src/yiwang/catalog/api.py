"""Public read-only API of the catalogue: items, one item's guide, departments."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.catalog import selectors
from yiwang.core.api import error_responses


class ItemPagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class ItemFilterSerializer(serializers.Serializer):
    department = serializers.CharField(required=False, max_length=20, help_text="部门编码，如 SCJG")
    theme = serializers.ChoiceField(
        required=False, choices=list(selectors.THEMES), help_text="natural_person 个人办事 / enterprise 法人办事（含其他组织）"
    )
    q = serializers.CharField(required=False, max_length=100, help_text="按事项名称、英文名称或编码搜索（不区分大小写）")


class TimeLimitSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="0 = 当场办结")
    unit = serializers.ChoiceField(choices=["working_day", "calendar_day"])


class ItemSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    department = serializers.CharField(source="department.code", help_text="部门编码")
    item_type = serializers.CharField()
    case_type = serializers.CharField()
    statutory_limit = serializers.SerializerMethodField(help_text="null = 无固定时限")
    promised_limit = serializers.SerializerMethodField(help_text="null = 无固定时限")
    online_depth = serializers.IntegerField()
    channels = serializers.ListField(child=serializers.CharField())

    @extend_schema_field(TimeLimitSerializer(allow_null=True))
    def get_statutory_limit(self, item):
        return selectors.item_statutory_limit(item)

    @extend_schema_field(TimeLimitSerializer(allow_null=True))
    def get_promised_limit(self, item):
        return selectors.item_promised_limit(item)


class ItemPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ItemSummarySerializer(many=True)


class MaterialSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    source = serializers.CharField()
    necessity = serializers.CharField(help_text="1 必要 / 2 非必要 / 3 容缺后补")
    copies = serializers.IntegerField()
    exemptible_via = serializers.SerializerMethodField(help_text="<数据源>:<记录类型>：可由共享数据免交；null = 须提交")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_exemptible_via(self, material):
        return material.exemptible_via or None


class FeeSerializer(serializers.Serializer):
    name = serializers.CharField()
    standard = serializers.CharField()


class ResultSerializer(serializers.Serializer):
    type = serializers.CharField(source="result_type")
    name = serializers.CharField(source="result_name")


class ItemDetailSerializer(ItemSummarySerializer):
    department_name = serializers.CharField(source="department.name")
    department_name_en = serializers.CharField(source="department.name_en")
    level = serializers.IntegerField()
    legal_basis = serializers.CharField()
    description = serializers.CharField(help_text="受理条件")
    approval_levels = serializers.IntegerField()
    max_visits = serializers.IntegerField()
    service_objects = serializers.ListField(child=serializers.CharField())
    fees = FeeSerializer(many=True)
    cross_region = serializers.ListField(child=serializers.CharField(), help_text="可代收代办的合作地区代码")
    cross_region_mode = serializers.CharField()
    materials = MaterialSerializer(many=True)
    result = ResultSerializer(source="*")
    notes = serializers.CharField()
    version = serializers.IntegerField(help_text="规则版本：时限、材料、流程变化时递增")


class DepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField()
    item_count = serializers.IntegerField(help_text="在用事项数")


class ItemListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalog_items_list",
        summary="事项列表 / List service items",
        parameters=[
            ItemFilterSerializer,
            OpenApiParameter("limit", int, description="每页条数（默认 20，最多 100）"),
            OpenApiParameter("offset", int, description="起始位置"),
        ],
        responses={200: ItemPageSerializer, **error_responses(400)},
        tags=["catalog"],
    )
    def get(self, request):
        filters = ItemFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        items = selectors.list_items(**filters.validated_data)
        paginator = ItemPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(ItemSummarySerializer(page, many=True).data)


class ItemDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalog_items_retrieve",
        summary="办事指南 / Service guide of one item",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="事项编码，如 310120-SCJG-01-0001")],
        responses={200: ItemDetailSerializer, **error_responses(404)},
        tags=["catalog"],
    )
    def get(self, request, code: str):
        item = selectors.get_item(code)
        return Response(ItemDetailSerializer(item).data)


class DepartmentListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalog_departments_list",
        summary="部门列表 / List departments",
        responses={200: DepartmentSerializer(many=True)},
        tags=["catalog"],
    )
    def get(self, request):
        return Response(DepartmentSerializer(selectors.list_departments(), many=True).data)
