"""REST API of the hall under /api/v1/hall/: sites and windows, tickets, windows' sign-in and calling."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts import constants as roles
from yiwang.accounts import selectors as accounts
from yiwang.accounts.authentication import ExpiringTokenAuthentication
from yiwang.accounts.permissions import HasStaffRole, IsResidentOrEnterprise
from yiwang.applications.api import CaseWriteOut, MaterialOut
from yiwang.catalog.models import ServiceItem
from yiwang.core.api import FormValueField, TextKeyDictField, error_responses, validated
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.hall import constants as c
from yiwang.hall import selectors, services
from yiwang.hall.authentication import DeviceTokenAuthentication, request_device
from yiwang.hall.models import ServiceGroup, Site, Ticket

AUTHENTICATION = [DeviceTokenAuthentication, ExpiringTokenAuthentication, SessionAuthentication]
WindowOfficer = HasStaffRole(roles.ROLE_WINDOW_OFFICER)


class GroupOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    prefix = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class SiteOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.CharField()
    address = serializers.CharField()
    opening_hours = serializers.DictField(child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())))
    groups = serializers.SerializerMethodField()

    @extend_schema_field(GroupOut(many=True))
    def get_groups(self, site) -> list:
        """Every site offers every group (the groups are the hall's, not a site's)."""
        return GroupOut(self.context["groups"], many=True).data


class WindowOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    kind = serializers.CharField()
    groups = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    def get_groups(self, window) -> list[str]:
        return [group.code for group in window.groups.all()]

    def get_state(self, window) -> str:
        """closed, open (nobody signed in) or staffed"""
        if not window.is_open:
            return "closed"
        return "staffed" if window.officer_id else "open"


class TicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    site = serializers.CharField(source="site.code")
    group = serializers.CharField(source="group.code")
    item_code = serializers.CharField(source="item.code", allow_null=True, default=None)
    priority = serializers.CharField()
    taken_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)
    window = serializers.CharField(source="window.code", allow_null=True, default=None)
    outcome = serializers.CharField()
    people_ahead = serializers.SerializerMethodField()
    estimated_wait_seconds = serializers.SerializerMethodField()

    def get_people_ahead(self, ticket) -> int:
        return selectors.people_ahead(ticket)

    def get_estimated_wait_seconds(self, ticket) -> int:
        return selectors.estimated_wait_seconds(ticket) if ticket.state == c.WAITING else 0


class TicketIn(serializers.Serializer):
    site = serializers.CharField(max_length=20)
    group = serializers.CharField(max_length=20, required=False, help_text="a service group's code")
    item_code = serializers.CharField(max_length=40, required=False)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True,
                                      help_text="optional: one waiting ticket per person and group")
    priority = serializers.ChoiceField(choices=[c.PRIORITY_NORMAL, c.PRIORITY_GREEN], default=c.PRIORITY_NORMAL,
                                       help_text="green: 绿色通道 for elderly and disabled residents (ticket machine only)")

    def validate(self, data):
        if bool(data.get("group")) == bool(data.get("item_code")):
            raise ValidationFailed("group_or_item_required", "请在业务分组和事项中选择一个。", "Give either a group or an item code.")
        return data


class TransferIn(serializers.Serializer):
    group = serializers.CharField(max_length=20, required=False, help_text="another group's code")
    window = serializers.IntegerField(min_value=1, required=False, help_text="one window's id (of the same site)")

    def validate(self, data):
        if ("group" in data) == ("window" in data):
            raise ValidationFailed("group_or_window_required", "请在业务分组和窗口中选择一个。",
                                   "Give either a group or a window.")
        return data


class CompleteIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[value for value, _ in c.OUTCOMES])


class CallOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="ticket.number")
    window = serializers.CharField(source="window.code")
    text = serializers.CharField()
    text_en = serializers.CharField()
    at = serializers.DateTimeField()


class CallFeedOut(serializers.Serializer):
    calls = CallOut(many=True)
    waiting = serializers.DictField(child=serializers.IntegerField(), help_text="waiting tickets per group letter")


class CalledOut(serializers.Serializer):
    ticket = TicketOut()


def _site(code: str) -> Site:
    site = Site.objects.filter(code=code, active=True).first()
    if site is None:
        raise NotFound("site_not_found", "服务场所不存在。", "Site not found.")
    return site


class SitesView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(operation_id="hall_sites", summary="Service sites with their groups and opening hours",
                   responses={200: SiteOut(many=True)})
    def get(self, request):
        groups = list(ServiceGroup.objects.all())
        return Response(SiteOut(selectors.active_sites(), many=True, context={"groups": groups}).data)


class WindowsView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(operation_id="hall_site_windows", summary="A site's windows (codes, kinds, groups, state)",
                   responses={200: WindowOut(many=True), **error_responses(404)})
    def get(self, request, site: str):
        return Response(WindowOut(selectors.windows_of(_site(site)), many=True).data)


class TicketMachineOrApplicant(BasePermission):
    """A ticket machine of the site, or a signed-in resident or enterprise on the phone."""

    message = "仅限取号机或已登录的个人、企业用户取号。"

    def has_permission(self, request, view) -> bool:
        device = request_device(request)
        if device is not None:
            return device.kind == c.DEVICE_TICKET_MACHINE
        return accounts.is_resident_like(request.user)


class TicketsView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [TicketMachineOrApplicant]

    @extend_schema(operation_id="hall_take_ticket", summary="Take a number (ticket machine or phone)",
                   request=TicketIn, responses={201: TicketOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request):
        values = validated(TicketIn, request)
        site = _site(values["site"])
        device = request_device(request)
        if device is not None and device.site_id != site.pk:
            raise PermissionDenied("device_of_another_site", "该取号机不属于此场所。", "This ticket machine belongs to another site.")
        if device is None and values["priority"] != c.PRIORITY_NORMAL:
            raise PermissionDenied("priority_at_the_hall", "绿色通道请在大厅取号机或导服台取号。",
                                   "Priority tickets are given at the hall.")
        group = item = None
        if values.get("group"):
            group = ServiceGroup.objects.filter(code=values["group"]).first()
            if group is None:
                raise NotFound("group_not_found", "业务分组不存在。", "Service group not found.")
        else:
            item = ServiceItem.objects.filter(code=values["item_code"], is_active=True).first()
            if item is None:
                raise NotFound("item_not_found", "事项不存在。", "Service item not found.")
        ticket = services.take_ticket(
            site=site, group=group, item=item, id_number=values.get("id_number", ""), priority=values["priority"],
            channel=c.CHANNEL_MACHINE if device else c.CHANNEL_PHONE, device=device,
            taken_by=None if device else request.user)
        return Response(TicketOut(ticket).data, status=201)


def _visible_ticket(request, ticket_id: int) -> Ticket:
    ticket = Ticket.objects.select_related("site", "group", "item", "window").filter(pk=ticket_id).first()
    device = request_device(request)
    allowed = ticket is not None and (
        (device is not None and device.site_id == ticket.site_id)
        or (request.user.is_authenticated and request.user.pk in (ticket.taken_by_id, ticket.officer_id))
        or accounts.has_role(request.user, roles.ROLE_HALL_MANAGER)
    )
    if not allowed:  # another person's ticket is not found, not forbidden
        raise NotFound("ticket_not_found", "号码不存在。", "Ticket not found.")
    return ticket


class TicketView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(operation_id="hall_ticket", summary="A ticket with the people ahead and the estimated wait",
                   responses={200: TicketOut, **error_responses(404)})
    def get(self, request, ticket_id: int):
        return Response(TicketOut(_visible_ticket(request, ticket_id)).data)


class _OfficerAction(APIView):
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [WindowOfficer]


class SignInView(_OfficerAction):
    @extend_schema(operation_id="hall_window_sign_in", summary="Sign in at a window", request=None,
                   responses={200: WindowOut, **error_responses(401, 403, 404, 409)})
    def post(self, request, window_id: int):
        return Response(WindowOut(services.sign_in(officer=request.user, window_id=window_id)).data)


class SignOutView(_OfficerAction):
    @extend_schema(operation_id="hall_window_sign_out", summary="Sign out of a window", request=None,
                   responses={200: WindowOut, **error_responses(401, 403, 404, 409)})
    def post(self, request, window_id: int):
        return Response(WindowOut(services.sign_out(officer=request.user, window_id=window_id)).data)


class CallNextView(_OfficerAction):
    @extend_schema(operation_id="hall_call_next", summary="Call the next ticket to this window", request=None,
                   responses={200: CalledOut, **error_responses(401, 403, 404, 409)})
    def post(self, request, window_id: int):
        ticket = services.call_next(officer=request.user, window_id=window_id)
        return Response(CalledOut({"ticket": ticket}).data)


def _ticket_action(operation_id: str, summary: str, service) -> type[APIView]:
    """An officer's action on the ticket they serve, answered with the ticket."""

    class TicketActionView(_OfficerAction):
        @extend_schema(operation_id=operation_id, summary=summary, request=None,
                       responses={200: TicketOut, **error_responses(401, 403, 404, 409)})
        def post(self, request, ticket_id: int):
            return Response(TicketOut(service(officer=request.user, ticket_id=ticket_id)).data)

    TicketActionView.__name__ = TicketActionView.__qualname__ = f"{operation_id.title().replace('_', '')}View"
    return TicketActionView


RecallView = _ticket_action("hall_ticket_recall", "Announce the called ticket again (重呼)", services.recall)
NoShowView = _ticket_action("hall_ticket_no_show", "The called person did not come (过号)", services.no_show)
RequeueView = _ticket_action("hall_ticket_requeue", "Put a missed ticket back in the queue", services.requeue)


HoldView = _ticket_action("hall_ticket_hold", "Put the called ticket aside (暂挂); the window may call the next",
                          services.hold)
ResumeView = _ticket_action("hall_ticket_resume", "Serve a held ticket again (announced again)", services.resume)


class TransferView(_OfficerAction):
    @extend_schema(operation_id="hall_ticket_transfer",
                   summary="Send the called person to another group's queue or to one window (keeps the take time)",
                   request=TransferIn, responses={200: TicketOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, ticket_id: int):
        data = validated(TransferIn, request)
        if "window" in data:
            ticket = services.transfer(officer=request.user, ticket_id=ticket_id, window_id=data["window"])
        else:
            ticket = services.transfer(officer=request.user, ticket_id=ticket_id,
                                       group_id=_group(data["group"]).pk)
        return Response(TicketOut(ticket).data)


class CompleteView(_OfficerAction):
    @extend_schema(operation_id="hall_ticket_complete", summary="End the service with its outcome",
                   request=CompleteIn, responses={200: TicketOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, ticket_id: int):
        data = validated(CompleteIn, request)
        return Response(TicketOut(services.complete(officer=request.user, ticket_id=ticket_id,
                                                    outcome=data["outcome"])).data)


class ScreenOrStaff(BasePermission):
    message = "仅限叫号屏或大厅工作人员使用。"

    def has_permission(self, request, view) -> bool:
        device = request_device(request)
        if device is not None:
            return device.kind == c.DEVICE_SCREEN
        return accounts.has_role(request.user, roles.ROLE_WINDOW_OFFICER, roles.ROLE_HALL_MANAGER)


class CallsView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [ScreenOrStaff]

    @extend_schema(operation_id="hall_site_calls", summary="The calling screen's feed: announcements after an id",
                   parameters=[OpenApiParameter("after", int, description="the last announcement shown (0: the latest ten)")],
                   responses={200: CallFeedOut, **error_responses(400, 401, 403, 404)})
    def get(self, request, site: str):
        place = _site(site)
        device = request_device(request)
        if device is not None and device.site_id != place.pk:
            raise PermissionDenied("device_of_another_site", "该设备不属于此场所。", "This device belongs to another site.")
        try:
            after = int(request.query_params.get("after", "0"))
        except ValueError:
            raise ValidationFailed("bad_after", "after 须为整数。", "after must be an integer.") from None
        return Response(CallFeedOut({"calls": selectors.calls_after(place, after),
                                     "waiting": selectors.waiting_counts(place)}).data)


class SlotOut(serializers.Serializer):
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    remaining = serializers.IntegerField()


class SlotDayOut(serializers.Serializer):
    day = serializers.DateField()
    slots = SlotOut(many=True)


class AppointmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    site = serializers.CharField(source="site.code")
    group = serializers.CharField(source="group.code")
    day = serializers.DateField()
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    state = serializers.CharField()
    ticket_number = serializers.CharField(source="ticket.number", allow_null=True, default=None)


class AppointmentIn(serializers.Serializer):
    site = serializers.CharField(max_length=20)
    group = serializers.CharField(max_length=20)
    day = serializers.DateField()
    start = serializers.TimeField(input_formats=["%H:%M"])


class MoveIn(serializers.Serializer):
    day = serializers.DateField()
    start = serializers.TimeField(input_formats=["%H:%M"])


def _group(code: str) -> ServiceGroup:
    group = ServiceGroup.objects.filter(code=code).first()
    if group is None:
        raise NotFound("group_not_found", "业务分组不存在。", "Service group not found.")
    return group


class SlotsView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(operation_id="hall_slots", summary="Bookable days and slots of a group at a site, with places left",
                   parameters=[OpenApiParameter("group", str, required=True)],
                   responses={200: SlotDayOut(many=True), **error_responses(400, 404)})
    def get(self, request, site: str):
        code = request.query_params.get("group", "")
        if not code:
            raise ValidationFailed("group_required", "请指定业务分组。", "Give a service group.")
        return Response(SlotDayOut(selectors.open_slots(_site(site), _group(code)), many=True).data)


class AppointmentsView(APIView):
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="hall_my_appointments", summary="My appointments",
                   responses={200: AppointmentOut(many=True), **error_responses(401, 403)})
    def get(self, request):
        return Response(AppointmentOut(selectors.appointments_of(request.user)[:100], many=True).data)

    @extend_schema(operation_id="hall_book_appointment", summary="Book a slot",
                   request=AppointmentIn, responses={201: AppointmentOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request):
        values = validated(AppointmentIn, request)
        appointment = services.book_appointment(person=request.user, site=_site(values["site"]), group=_group(values["group"]),
                                                day=values["day"], start=values["start"])
        return Response(AppointmentOut(appointment).data, status=201)


class _MyAppointment(APIView):
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsResidentOrEnterprise]


class CancelAppointmentView(_MyAppointment):
    @extend_schema(operation_id="hall_cancel_appointment", summary="Cancel (until 2 hours before the slot)", request=None,
                   responses={200: AppointmentOut, **error_responses(401, 403, 404, 409)})
    def post(self, request, appointment_id: int):
        return Response(AppointmentOut(services.cancel_appointment(person=request.user, appointment_id=appointment_id)).data)


class MoveAppointmentView(_MyAppointment):
    @extend_schema(operation_id="hall_move_appointment", summary="Move to another slot (until 2 hours before)",
                   request=MoveIn, responses={200: AppointmentOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, appointment_id: int):
        data = validated(MoveIn, request)
        return Response(AppointmentOut(services.move_appointment(
            person=request.user, appointment_id=appointment_id, **data)).data)


class CheckInView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [TicketMachineOrApplicant]

    @extend_schema(operation_id="hall_check_in", summary="Check in at the hall: a priority ticket", request=None,
                   responses={201: TicketOut, **error_responses(401, 403, 404, 409)})
    def post(self, request, appointment_id: int):
        device = request_device(request)
        ticket = services.check_in(appointment_id=appointment_id, device=device, person=None if device else request.user)
        return Response(TicketOut(ticket).data, status=201)


class StatisticsRowOut(serializers.Serializer):
    key = serializers.CharField()
    tickets = serializers.IntegerField()
    served = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    wait_p50_seconds = serializers.FloatField(allow_null=True)
    wait_p90_seconds = serializers.FloatField(allow_null=True)
    service_mean_seconds = serializers.FloatField(allow_null=True)


class WindowLoadOut(serializers.Serializer):
    window = serializers.CharField()
    served = serializers.IntegerField()
    busy_seconds = serializers.FloatField()
    utilisation = serializers.FloatField(allow_null=True)


class StatisticsOut(serializers.Serializer):
    site = serializers.CharField()
    # "from" is a Python keyword: declared through the fields mapping below.
    to = serializers.DateField()
    by = serializers.CharField()
    rows = StatisticsRowOut(many=True)
    windows = WindowLoadOut(many=True)
    load_cv = serializers.FloatField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class StatisticsView(APIView):
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [HasStaffRole(roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR)]

    @extend_schema(operation_id="hall_site_statistics",
                   summary="Tickets, waits (p50/p90), service time, no-shows, abandoned tickets, window load",
                   parameters=[OpenApiParameter("from", str, description="first day, YYYY-MM-DD (default today)"),
                               OpenApiParameter("to", str, description="last day, YYYY-MM-DD (default: from)"),
                               OpenApiParameter("by", str, enum=list(selectors.STATISTICS_DIMENSIONS))],
                   responses={200: StatisticsOut, **error_responses(400, 401, 403, 404)})
    def get(self, request, site: str):
        place = _site(site)
        day_from, day_to, by = selectors.statistics_query(request.query_params)
        return Response(selectors.hall_statistics(place, day_from=day_from, day_to=day_to, by=by))


# ---------------------------------------------------------------------------------------------
# Front desk: the counter application of the called ticket
# ---------------------------------------------------------------------------------------------


class CounterApplicationIn(serializers.Serializer):
    item_code = serializers.CharField(max_length=40)
    real_name = serializers.CharField(max_length=100, help_text="as on the ID document")
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="",
                                      help_text="a person's resident ID card number")
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, default="",
                                        help_text="a company's unified social credit code (instead of id_number)")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                  help_text="the mobile number the person may later register with")
    form_data = TextKeyDictField(child=FormValueField(), required=False, default=dict)


class CounterFetchIn(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    consented = serializers.BooleanField(help_text="the applicant said yes in person")


class CounterScanIn(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    file = serializers.FileField()


def _counter_case_answer(case, request, status_code: int = 200) -> Response:
    notice = case.notices.order_by("-issued_at", "-id").first() if case.version else None
    return Response(CaseWriteOut(case, context={"viewer": request.user, "notice": notice}).data, status=status_code)


def _own_counter_case(request, case_id: int):
    """A case this officer took in at a counter; any other is not found."""
    case = selectors.counter_case_for(request.user, case_id)
    if case is None:
        raise NotFound("case_not_found", "办件不存在。", "Case not found.")
    return case


class CounterApplicationsView(_OfficerAction):
    @extend_schema(operation_id="hall_counter_open",
                   summary="Open a counter application for the person at the window (walk-ins recorded by ID number or credit code)",
                   request=CounterApplicationIn, responses={201: CaseWriteOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, ticket_id: int):
        data = validated(CounterApplicationIn, request)
        case = services.open_counter_application(officer=request.user, ticket_id=ticket_id, **data)
        return _counter_case_answer(case, request, status_code=201)


class CounterAcceptView(_OfficerAction):
    @extend_schema(operation_id="hall_counter_accept",
                   summary="Submit the counter application and accept it on the spot (受理), with the acceptance notice",
                   request=None, responses={200: CaseWriteOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, ticket_id: int, case_id: int):
        case = services.accept_counter_application(officer=request.user, ticket_id=ticket_id, case_id=case_id)
        return _counter_case_answer(case, request)


class CounterScanView(_OfficerAction):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="hall_counter_scan", summary="Attach the scan of a paper material the person brought",
                   request={"multipart/form-data": CounterScanIn},
                   responses={201: MaterialOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        case = _own_counter_case(request, case_id)
        data = validated(CounterScanIn, request)
        material = services.attach_counter_scan(officer=request.user, case_id=case.pk,
                                                position=data["position"], upload=data["file"])
        return Response(MaterialOut(material).data, status=201)


class CounterFetchView(_OfficerAction):
    @extend_schema(operation_id="hall_counter_fetch",
                   summary="Fetch a record through data sharing with the consent the person gave in person",
                   request=CounterFetchIn, responses={201: MaterialOut, **error_responses(400, 401, 403, 404, 409, 502)})
    def post(self, request, case_id: int):
        case = _own_counter_case(request, case_id)
        data = validated(CounterFetchIn, request)
        material = services.fetch_for_counter(officer=request.user, case_id=case.pk, **data)
        return Response(MaterialOut(material).data, status=201)


# ---------------------------------------------------------------------------------------------
# Unified output (统一出件)
# ---------------------------------------------------------------------------------------------


class HandoverOut(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField(source="case.number")
    item_name = serializers.CharField(source="case.item.name")
    applicant = serializers.SerializerMethodField()
    site = serializers.CharField(source="site.code", allow_null=True, default=None)
    method = serializers.CharField()
    state = serializers.CharField()
    ready_at = serializers.DateTimeField()
    handed_over_at = serializers.DateTimeField(allow_null=True)
    requested_method = serializers.CharField(help_text="what the applicant asked for (blank: nothing yet)")
    requested_at = serializers.DateTimeField(allow_null=True)
    mail_address = serializers.CharField()
    collector_masked = serializers.CharField()
    tracking_number = serializers.CharField()

    def get_applicant(self, handover) -> dict:
        return accounts.identity_as_seen_by(self.context.get("viewer"), handover.case.applicant)


class HandOverIn(serializers.Serializer):
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="",
                                      help_text="the ID shown by a person")
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, default="",
                                        help_text="the credit code shown for a company")


class MailIn(serializers.Serializer):
    address = serializers.CharField(max_length=200)
    tracking_number = serializers.CharField(max_length=40)


def _output_window(request):
    window = selectors.output_window_of(request.user)
    if window is None:
        raise Conflict("not_at_output_window", "请先在统一出件窗口签到。", "Sign in at a unified output window first.")
    return window


class OutputView(_OfficerAction):
    @extend_schema(operation_id="hall_output_awaiting",
                   summary="Results waiting at the output counter where the officer is signed in (oldest first)",
                   responses={200: HandoverOut(many=True), **error_responses(401, 403, 409)})
    def get(self, request):
        window = _output_window(request)
        return Response(HandoverOut(selectors.awaiting_handovers(window.site), many=True,
                                    context={"viewer": request.user}).data)


def _handover_answer(handover, request) -> Response:
    return Response(HandoverOut(handover, context={"viewer": request.user}).data)


class HandOverView(_OfficerAction):
    @extend_schema(operation_id="hall_output_hand_over", summary="Hand the result over against the applicant's ID",
                   request=HandOverIn, responses={200: HandoverOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        data = validated(HandOverIn, request)
        return _handover_answer(services.hand_over(officer=request.user, case_id=case_id, **data), request)


class MailView(_OfficerAction):
    @extend_schema(operation_id="hall_output_mail", summary="Record that the result was mailed, with its tracking number",
                   request=MailIn, responses={200: HandoverOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        data = validated(MailIn, request)
        return _handover_answer(services.record_mailing(officer=request.user, case_id=case_id, **data),
                                request)


class ElectronicView(_OfficerAction):
    @extend_schema(operation_id="hall_output_electronic",
                   summary="The applicant keeps the e-licence only: deliver without the paper result leaving", request=None,
                   responses={200: HandoverOut, **error_responses(401, 403, 404, 409)})
    def post(self, request, case_id: int):
        return _handover_answer(services.deliver_electronically(officer=request.user, case_id=case_id), request)


class DeliveryChoiceIn(serializers.Serializer):
    method = serializers.ChoiceField(choices=[c.PICKUP, c.MAIL, c.ELECTRONIC])
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                    help_text="where to mail it (method mail)")


class DeliveryChoiceView(APIView):
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="hall_result_delivery",
                   summary="The applicant chooses how the result waiting at the hall reaches them (pickup, mail, e-licence only)",
                   request=DeliveryChoiceIn, responses={200: HandoverOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        data = validated(DeliveryChoiceIn, request)
        return _handover_answer(services.request_delivery(person=request.user, case_id=case_id, **data),
                                request)
