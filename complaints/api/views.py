"""The complaint API (/api/v1/). Reads start from ``visible_to(user)``; every write calls a verb.

- ``complaints/``: create = submit (anonymous for the web channel; staff channels for intake staff;
  the query secret is returned only then); ``complaints/track/``, ``/rate/``, ``/reopen/`` for the
  citizen with code + secret (the "tracking" throttle); list and retrieve for staff by role; one
  POST action per verb; ``identity`` returns the reporter to intake and supervisory staff (audited).
- ``complaint-categories/``: the category tree (public).
- ``complaint-indicators/?start=&end=``: the nine indicators and the grade per department.

Errors carry reasons: TransitionError -> 409, PermissionDenied -> 403, ValidationError -> 400.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.access import HasRole
from portal.api.pagination import StandardCursorPagination
from portal.api.permissions import PublicReadScopedWrite
from portal.ratelimit import ScopedThrottle
from portal.roles import ADMINISTRATOR, APPRAISER, DEPT_HEAD, INSPECTOR, INTEGRATOR

from .. import indicators, services
from .. import permissions as perm
from ..filtersets import ComplaintFilterSet
from ..models import Category, Complaint
from . import serializers as s

CODE = r"[A-Za-z0-9\-]+"
PUBLIC_ACTIONS = {"create", "track", "rate", "reopen"}


class ComplaintAccess(permissions.BasePermission):
    """Submitting and the citizen's actions are open; everything else needs a complaint staff role."""

    message = "仅限投诉受理、监察和承办人员访问。"

    def has_permission(self, request, view):
        scoped = PublicReadScopedWrite()
        user = request.user
        if view.action in PUBLIC_ACTIONS:
            if user and user.is_authenticated and not scoped.has_permission(request, view):
                self.message = scoped.message
                return False
            return True
        if not (user and user.is_authenticated):
            return False
        if not scoped.has_permission(request, view):
            self.message = scoped.message
            return False
        return perm.has_staff_role(user)


VERBS = {
    # action: (input serializer, perform(complaint, user, data))
    "classify": (s.ClassifyInput, lambda c, u, d: services.classify(c, d["category"], by=u)),
    "forward": (s.ForwardInput, lambda c, u, d: services.forward(c, d["department"], by=u, note=d["note"])),
    "keep": (s.NoteInput, lambda c, u, d: services.keep(c, by=u, note=d["note"])),
    "route": (s.NoteInput, lambda c, u, d: services.route(c, by=u, note=d["note"])),
    "merge": (s.MergeInput, lambda c, u, d: services.merge(c, d["into"], by=u, note=d["note"])),
    "return_complaint": (s.ReasonInput, lambda c, u, d: services.return_complaint(c, by=u, reason=d["reason"])),
    "accept": (None, lambda c, u, d: services.accept(c, by=u)),
    "reply": (s.ReplyInput, lambda c, u, d: services.reply(c, by=u, text=d["text"])),
    "propose_closure": (s.NoteInput, lambda c, u, d: services.propose_closure(c, by=u, note=d["note"])),
    "approve_closure": (s.NoteInput, lambda c, u, d: services.approve_closure(c, by=u, note=d["note"])),
    "refuse_closure": (s.ReasonInput, lambda c, u, d: services.refuse_closure(c, by=u, reason=d["reason"])),
    "press": (s.PressInput, lambda c, u, d: services.press(c, by=u, requirement=d["requirement"],
                                                          deadline_days=d["deadline_days"])),
}  # fmt: skip


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints (投诉件). Filters: q, state, channel, category, department, received_after/before, overdue."""

    permission_classes = [ComplaintAccess]
    filterset_class = ComplaintFilterSet
    pagination_class = StandardCursorPagination
    lookup_field = "code"
    lookup_value_regex = CODE

    def get_queryset(self):
        queryset = Complaint.objects.visible_to(self.request.user).select_related(
            "category", "department", "handling_department", "merged_into"
        )
        return queryset.prefetch_related("events__department") if self.action != "list" else queryset

    def get_serializer_class(self):
        return s.ComplaintSerializer if self.action == "list" else s.ComplaintDetailSerializer

    def get_throttles(self):
        if self.action in {"track", "rate", "reopen"}:
            self.throttle_scope = "tracking"
            return [ScopedThrottle()]
        return super().get_throttles()

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _tracked(self, data) -> Complaint:
        complaint = services.find(data["code"], data["secret"])
        if complaint is None:
            raise NotFound(gettext(services.WRONG))
        return complaint

    @extend_schema(request=s.ComplaintSubmitSerializer, responses={201: s.ComplaintSubmittedSerializer})
    def create(self, request):
        """Submit (登记): web complaints by anyone, anonymous allowed; hotline/letter/e-mail by intake staff.

        Attachments: multipart ``files`` (PDF/JPG/PNG, the portal's upload policy)."""
        data = self._input(s.ComplaintSubmitSerializer)
        user = request.user if request.user.is_authenticated else None
        complaint, secret = services.submit(files=request.FILES.getlist("files"), by=user, **data)
        body = {  # ComplaintSubmittedSerializer's shape, written out (the time in the current zone, as DRF does)
            "code": complaint.code,
            "query_secret": secret,
            "state": complaint.state,
            "received_at": timezone.localtime(complaint.received_at).isoformat(),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ComplaintTrackSerializer, responses={200: s.ComplaintTrackingSerializer})
    @action(detail=False, methods=["post"])
    def track(self, request):
        """Track with code and query secret; a wrong code and a wrong secret answer alike (404)."""
        complaint = self._tracked(self._input(s.ComplaintTrackSerializer))
        return Response(s.ComplaintTrackingSerializer(complaint).data)

    @extend_schema(request=s.ComplaintRateSerializer, responses={200: s.ComplaintTrackingSerializer})
    @action(detail=False, methods=["post"])
    def rate(self, request):
        data = self._input(s.ComplaintRateSerializer)
        complaint = self._tracked(data)
        complaint = services.rate(complaint, secret=data["secret"], satisfaction=data["satisfaction"],
                                  comment=data["comment"])  # fmt: skip
        return Response(s.ComplaintTrackingSerializer(complaint).data)

    @extend_schema(request=s.ComplaintReopenSerializer, responses={200: s.ComplaintTrackingSerializer})
    @action(detail=False, methods=["post"])
    def reopen(self, request):
        data = self._input(s.ComplaintReopenSerializer)
        complaint = services.reopen(self._tracked(data), secret=data["secret"], reason=data["reason"])
        return Response(s.ComplaintTrackingSerializer(complaint).data)

    @extend_schema(request=None, responses={200: s.ComplaintIdentitySerializer})
    @action(detail=True, methods=["post"])
    def identity(self, request, code=None):
        """The reporter's name and contact: intake and supervisory staff only; every call is audited."""
        complaint = self.get_object()
        try:
            return Response(
                s.ComplaintIdentitySerializer(services.view_identity(complaint, by=request.user)).data
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None

    def _verb(self, request, name):
        complaint = self.get_object()
        serializer_class, perform = VERBS[name]
        data = self._input(serializer_class) if serializer_class else {}
        perform(complaint, request.user, data)
        complaint = self.get_queryset().filter(pk=complaint.pk).first()
        if complaint is None:  # e.g. returned: no longer the department's
            return Response({"detail": "已办理。"}, status=status.HTTP_200_OK)
        return Response(s.ComplaintDetailSerializer(complaint).data)


def _verb_action(name, serializer_class):
    def verb(self, request, code=None):
        return self._verb(request, name)

    verb.__name__ = name
    verb.__doc__ = getattr(services, name).__doc__
    verb = action(
        detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name.replace("_", "-")
    )(verb)
    return extend_schema(request=serializer_class, responses={200: s.ComplaintDetailSerializer})(verb)


for _name, (_serializer, _perform) in VERBS.items():
    setattr(ComplaintViewSet, _name, _verb_action(_name, _serializer))


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The complaint category tree (public): handling limit in working days, corruption-clue flag."""

    serializer_class = s.ComplaintCategorySerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    pagination_class = None

    def get_queryset(self):
        return Category.objects.filter(is_active=True).select_related("parent")


class IndicatorsView(APIView):
    """The nine indicators and the grade per department for ``[start, end)`` (dates)."""

    permission_classes = [HasRole(INSPECTOR, ADMINISTRATOR, APPRAISER, DEPT_HEAD, INTEGRATOR)]

    @extend_schema(parameters=[s.ComplaintIndicatorQuery], responses={200: dict})
    def get(self, request):
        query = s.ComplaintIndicatorQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = indicators.department_indicators(query.validated_data["start"], query.validated_data["end"])
        from portal.models import Department

        names = dict(Department.objects.filter(pk__in=list(rows)).values_list("pk", "code"))
        return Response(
            {
                "start": query.validated_data["start"],
                "end": query.validated_data["end"],
                "indicators": [
                    {"name": n, "label": label, "unit": unit} for n, label, unit in indicators.INDICATORS
                ],
                "departments": [{"department": names[pk], **row} for pk, row in sorted(rows.items())],
            }
        )
