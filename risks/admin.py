"""Admin: the grading matrix is data an administrator edits — each save is a new version that
re-grades every risk point (``risks.services.change_matrix``); other rows are read-only here
(their changes are verbs with pages and API actions)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import GradingMatrix, RiskInformation, RiskPoint, SupervisionOrder, WarningNotice
from .permissions import can_change_matrix


class MatrixForm(forms.ModelForm):
    class Meta:
        model = GradingMatrix
        fields = [
            "weight_likelihood", "weight_harm", "weight_frequency", "weight_discretion",
            "a_threshold", "b_threshold", "overrides", "reason",
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        from powers.choices import Category

        from . import grading

        weights = {
            "likelihood": data.get("weight_likelihood"),
            "harm": data.get("weight_harm"),
            "frequency": data.get("weight_frequency"),
            "discretion": data.get("weight_discretion"),
        }
        if not self.errors:
            try:
                grading.make_matrix(
                    weights, data.get("a_threshold"), data.get("b_threshold"), data.get("overrides"),
                    categories=Category.values,
                )  # fmt: skip
            except grading.MatrixError as exc:
                raise ValidationError(str(exc)) from exc
        return data


@admin.register(GradingMatrix)
class GradingMatrixAdmin(admin.ModelAdmin):
    """Adding a row is changing the matrix: a new version, every point re-graded, an audit event."""

    form = MatrixForm
    list_display = ("version", "a_threshold", "b_threshold", "is_current", "created_at", "reason")

    def has_add_permission(self, request):
        return can_change_matrix(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        current = services.current_matrix()
        return {
            "weight_likelihood": current.weight_likelihood,
            "weight_harm": current.weight_harm,
            "weight_frequency": current.weight_frequency,
            "weight_discretion": current.weight_discretion,
            "a_threshold": current.a_threshold,
            "b_threshold": current.b_threshold,
            "overrides": current.overrides,
        }

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        matrix, changed = services.change_matrix(
            by=request.user,
            weights={
                "likelihood": data["weight_likelihood"],
                "harm": data["weight_harm"],
                "frequency": data["weight_frequency"],
                "discretion": data["weight_discretion"],
            },
            a_threshold=data["a_threshold"],
            b_threshold=data["b_threshold"],
            overrides=data["overrides"],
            reason=data["reason"],
        )
        obj.pk = matrix.pk
        messages.info(request, f"评级矩阵 v{matrix.version} 已生效，{changed} 个风险点等级发生变化。")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskPoint)
class RiskPointAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "department", "grade", "status")
    list_filter = ("grade", "status", "risk_type")
    search_fields = ("code", "title")


@admin.register(RiskInformation)
class RiskInformationAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "department", "grade", "status")


@admin.register(WarningNotice)
class WarningNoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "level", "department", "status")


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "department", "deadline_on", "status")
