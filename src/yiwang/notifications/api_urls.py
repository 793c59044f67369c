from django.urls import path

from yiwang.notifications import api

urlpatterns = [
    path("messages/", api.MyMessagesView.as_view(), name="api-messages"),
    path("messages/<int:message_id>/read/", api.ReadMessageView.as_view(), name="api-message-read"),
    path("notifications/sms-receipts/<slug:gateway>/", api.ReceiptView.as_view(), name="api-sms-receipt"),
]
