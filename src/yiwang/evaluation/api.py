"""The evaluation figures as a public API (the same document as /dashboard/public.json)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.core.api import error_responses
from yiwang.evaluation import selectors


class IndicatorOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    formula = serializers.CharField()
    formula_en = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="null when there is nothing to count")
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)


class RankedOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField(required=False)
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    values = serializers.DictField(child=serializers.FloatField(allow_null=True))


class RegionOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class FiguresOut(serializers.Serializer):
    region = RegionOut()
    since = serializers.DateField()
    until = serializers.DateField()
    score = serializers.FloatField(allow_null=True, help_text="the composite, 0–100")
    median_handling_days = serializers.FloatField(allow_null=True)
    indicators = IndicatorOut(many=True)
    departments = RankedOut(many=True)
    sites = RankedOut(many=True)


class FiguresView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="evaluation_figures", summary="The district's indicators, composite score and rankings for a period (public)",
                   parameters=[OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default: 30 days before `to`)"),
                               OpenApiParameter("to", OpenApiTypes.DATE, description="last day (default: yesterday)")],
                   responses={200: FiguresOut, **error_responses(400)})
    def get(self, request):
        period = selectors.period_from(request.query_params.get("from"), request.query_params.get("to"))
        return Response(selectors.published(period))
