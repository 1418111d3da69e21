"""/api/v1/results/: decisions made public (双公示). Anonymous clients read published records only.

Staff of the deciding department (and inspectors) also see the records still due or exempted, and
act on them with one POST per verb: ``publish``, ``withdraw``, ``exempt`` (departments), ``challenge``
(inspectors). The verbs decide who may act (403), what state allows it (409) and what input is valid (400).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.permissions import PublicReadScopedWrite

from ..choices import ExemptionReason
from ..filtersets import ResultDisclosureFilterSet
from ..models import ResultDisclosure
from ..services import disclosure

PUBLIC_FIELDS = [
    "id", "decision_number", "kind", "party_name", "party_credit_code", "matter", "power_code", "legal_basis",
    "result", "amount", "amount_unit", "band", "decided_on", "department_code", "department_name", "published_at",
    "withdrawn_at", "withdrawal_reason",
]  # fmt: skip


class PublicResultSerializer(serializers.ModelSerializer):
    """What the public page shows, nothing more (the party's name is stored masked for a private person)."""

    power_code = serializers.CharField(source="power.code", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ResultDisclosure
        fields = PUBLIC_FIELDS
        read_only_fields = PUBLIC_FIELDS


class StaffResultSerializer(PublicResultSerializer):
    """For staff who may see the record: its state, limit and the exemption and challenge."""

    case_code = serializers.CharField(source="case.code", read_only=True)

    class Meta(PublicResultSerializer.Meta):
        fields = PUBLIC_FIELDS + [
            "case_code", "state", "due_on", "due_provisional", "exemption_reason", "exemption_note", "exempted_at",
            "challenge_note", "challenged_at",
        ]  # fmt: skip
        read_only_fields = fields


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ExemptSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ExemptionReason.choices)
    note = serializers.CharField(max_length=2000)


class ChallengeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Results (办理结果公示). Filters: department, kind, state (staff), party, q, decided_from, decided_to."""

    filterset_class = ResultDisclosureFilterSet
    permission_classes = [PublicReadScopedWrite]

    def get_queryset(self):
        user = self.request.user
        base = (
            ResultDisclosure.objects.visible_to(user)
            if user.is_authenticated
            else ResultDisclosure.objects.public()
        )
        return base.select_related("department", "power", "case").order_by("-decided_on", "-id")

    def get_serializer_class(self):
        user = self.request.user
        if user.is_authenticated:
            return StaffResultSerializer
        return PublicResultSerializer

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _done(self, record):
        return Response(StaffResultSerializer(record, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: StaffResultSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the decision (its department's handlers and head)."""
        return self._done(disclosure.publish(self.get_object(), by=request.user))

    @extend_schema(request=WithdrawSerializer, responses={200: StaffResultSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a publication when the decision is revoked (the department head; the reason is public)."""
        data = self._input(WithdrawSerializer)
        return self._done(disclosure.withdraw(self.get_object(), by=request.user, reason=data["reason"]))

    @extend_schema(request=ExemptSerializer, responses={200: StaffResultSerializer})
    @action(detail=True, methods=["post"])
    def exempt(self, request, pk=None):
        """Do not disclose, on a legal ground (the department head); inspectors see it and may challenge."""
        data = self._input(ExemptSerializer)
        return self._done(disclosure.exempt(self.get_object(), by=request.user, **data))

    @extend_schema(request=ChallengeSerializer, responses={200: StaffResultSerializer})
    @action(detail=True, methods=["post"])
    def challenge(self, request, pk=None):
        """An inspector overturns an exemption: the record is due again within 7 working days."""
        data = self._input(ChallengeSerializer)
        return self._done(disclosure.challenge(self.get_object(), by=request.user, note=data["note"]))
