from django.urls import path

from yiwang.ratings import api

urlpatterns = [
    path("applications/<int:case_id>/rating/", api.CaseRatingView.as_view(), name="api-case-rating"),
    path("hall/tickets/<int:ticket_id>/rating/", api.VisitRatingView.as_view(), name="api-visit-rating"),
    path("ratings/rectifications/", api.TaskListView.as_view(), name="api-rectifications"),
    path("ratings/rectifications/<int:task_id>/actions/", api.TaskActionView.as_view(), name="api-rectification-action"),
    path("ratings/rectifications/<int:task_id>/verdict/", api.VerdictView.as_view(), name="api-rectification-verdict"),
    path("ratings/appeals/<int:appeal_id>/decision/", api.AppealDecisionView.as_view(), name="api-appeal-decision"),
    path("ratings/summary/", api.SummaryView.as_view(), name="api-rating-summary"),
]
