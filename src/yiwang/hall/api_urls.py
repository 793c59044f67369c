from django.urls import path

from yiwang.hall import api

urlpatterns = [
    path("hall/sites/", api.SitesView.as_view(), name="api-hall-sites"),
    path("hall/sites/<slug:site>/windows/", api.WindowsView.as_view(), name="api-hall-windows"),
    path("hall/sites/<slug:site>/calls/", api.CallsView.as_view(), name="api-hall-calls"),
    path("hall/sites/<slug:site>/slots/", api.SlotsView.as_view(), name="api-hall-slots"),
    path("hall/sites/<slug:site>/statistics/", api.StatisticsView.as_view(), name="api-hall-statistics"),
    path("hall/appointments/", api.AppointmentsView.as_view(), name="api-hall-appointments"),
    path("hall/appointments/<int:appointment_id>/cancel/", api.CancelAppointmentView.as_view(), name="api-hall-cancel"),
    path("hall/appointments/<int:appointment_id>/move/", api.MoveAppointmentView.as_view(), name="api-hall-move"),
    path("hall/appointments/<int:appointment_id>/check-in/", api.CheckInView.as_view(), name="api-hall-check-in"),
    path("hall/tickets/", api.TicketsView.as_view(), name="api-hall-tickets"),
    path("hall/tickets/<int:ticket_id>/", api.TicketView.as_view(), name="api-hall-ticket"),
    path("hall/tickets/<int:ticket_id>/recall/", api.RecallView.as_view(), name="api-hall-recall"),
    path("hall/tickets/<int:ticket_id>/no-show/", api.NoShowView.as_view(), name="api-hall-no-show"),
    path("hall/tickets/<int:ticket_id>/requeue/", api.RequeueView.as_view(), name="api-hall-requeue"),
    path("hall/tickets/<int:ticket_id>/transfer/", api.TransferView.as_view(), name="api-hall-transfer"),
    path("hall/tickets/<int:ticket_id>/complete/", api.CompleteView.as_view(), name="api-hall-complete"),
    path("hall/windows/<int:window_id>/sign-in/", api.SignInView.as_view(), name="api-hall-sign-in"),
    path("hall/windows/<int:window_id>/sign-out/", api.SignOutView.as_view(), name="api-hall-sign-out"),
    path("hall/windows/<int:window_id>/call-next/", api.CallNextView.as_view(), name="api-hall-call-next"),
]
