from django.urls import path

from yiwang.workcalendar.api import DeadlineView

urlpatterns = [
    path("calendar/deadline", DeadlineView.as_view(), name="calendar-deadline"),
]
