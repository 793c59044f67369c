"""好差评 pages, mounted at /ratings/."""

from django.urls import path

from yiwang.ratings import views

app_name = "ratings"
urlpatterns = [
    path("case/<int:case_id>/", views.case_rating, name="case"),
    path("case/<int:case_id>/verdict/", views.case_verdict, name="case-verdict"),
    path("ticket/<int:ticket_id>/", views.visit_rating, name="visit"),
    path("ticket/<int:ticket_id>/verdict/", views.visit_verdict, name="visit-verdict"),
    path("evaluator/", views.evaluator, name="evaluator"),
    path("evaluator/rate/", views.evaluator_rate, name="evaluator-rate"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/<slug:action>/", views.task_action, name="task-action"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:appeal_id>/decide/", views.decide_appeal, name="decide-appeal"),
]
