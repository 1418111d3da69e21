"""The legal-review workflow (清权确权) and versioning, through the service verbs only."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal import audit, roles
from portal.choices import Level
from portal.models import AuditEvent
from portal.services import TransitionError
from powers import services
from powers.choices import Category, ChangeKind, PowerStatus
from powers.models import DiscretionStandard, Flowchart, Power
from tests.factories import DepartmentFactory, PostFactory, UserFactory
from tests.powers.factories import HANGZHOU_BANDS, LegalArticleFactory, PowerFactory, hangzhou_standard

pytestmark = pytest.mark.django_db


def verbs_for(power):
    return list(AuditEvent.objects.for_object(power).values_list("verb", flat=True))


@pytest.fixture
def article(db):
    return LegalArticleFactory()


@pytest.fixture
def draft(handler, article):
    return services.declare_power(
        by=handler,
        department=handler.staff_profile.department,
        name="食品经营许可",
        category=Category.LICENSING,
        legal_articles=[article],
        time_limit_days=20,
        promised_days=10,
    )


def publish(power, handler, legal, admin_user):
    services.submit_power(power, by=handler)
    services.approve_power(power, by=legal, note="依据充分")
    return services.publish_power(power, by=admin_user)


@pytest.fixture
def published(draft, handler, legal, admin_user):
    return publish(draft, handler, legal, admin_user)


@pytest.fixture
def district(department):
    return DepartmentFactory(code="QSCJ", name="思明区市场监督管理局", level=Level.DISTRICT)


class TestLegalReview:
    def test_declare_gives_a_coded_draft_of_the_department(self, draft, department):
        assert draft.status == PowerStatus.DRAFT
        assert draft.code == "XK-SCJG-0001"
        assert draft.department == department
        assert draft.is_current and draft.version == 1
        assert not Power.objects.exercisable().filter(pk=draft.pk).exists()

    def test_codes_count_up_per_department_and_category(self, draft, handler, department):
        second = services.declare_power(
            by=handler, department=department, name="药品经营许可", category="licensing"
        )
        penalty = services.declare_power(by=handler, department=department, name="罚款", category="penalty")
        assert second.code == "XK-SCJG-0002"
        assert penalty.code == "CF-SCJG-0001"

    def test_the_whole_workflow_is_audited_and_ends_exercisable(self, draft, handler, legal, admin_user):
        publish(draft, handler, legal, admin_user)
        draft.refresh_from_db()
        assert draft.status == PowerStatus.PUBLISHED
        assert draft.published_by == admin_user and draft.reviewed_by == legal and draft.published_at
        assert Power.objects.exercisable().filter(pk=draft.pk).exists()
        assert verbs_for(draft) == ["power.declare", "power.submit", "power.approve", "power.publish"]
        event = AuditEvent.objects.for_object(draft).get(verb="power.publish")
        assert (event.before["status"], event.after["status"]) == ("approved", "published")
        assert audit.verify_chain().ok

    def test_return_with_reason_then_resubmit(self, draft, handler, legal):
        services.submit_power(draft, by=handler)
        services.return_power(draft, by=legal, reason="法律依据未具体到条款")
        draft.refresh_from_db()
        assert draft.status == PowerStatus.RETURNED
        assert draft.review_note == "法律依据未具体到条款"
        services.update_draft(draft, by=handler, name="食品经营许可（含仅销售预包装食品备案）")
        services.submit_power(draft, by=handler)
        assert Power.objects.get(pk=draft.pk).status == PowerStatus.SUBMITTED

    def test_return_needs_a_reason(self, draft, handler, legal):
        services.submit_power(draft, by=handler)
        with pytest.raises(ValidationError):
            services.return_power(draft, by=legal, reason="  ")
        assert Power.objects.get(pk=draft.pk).status == PowerStatus.SUBMITTED

    def test_submit_needs_legal_basis(self, handler, department):
        power = services.declare_power(by=handler, department=department, name="无依据事项", category="other")
        with pytest.raises(ValidationError, match="法律依据"):
            services.submit_power(power, by=handler)
        assert Power.objects.get(pk=power.pk).status == PowerStatus.DRAFT


class TestRefusedTransitions:
    def test_publish_a_draft(self, draft, admin_user):
        with pytest.raises(TransitionError, match="草稿"):
            services.publish_power(draft, by=admin_user)
        assert Power.objects.get(pk=draft.pk).status == PowerStatus.DRAFT
        assert verbs_for(draft) == ["power.declare"]

    def test_approve_a_draft_that_was_not_submitted(self, draft, legal):
        with pytest.raises(TransitionError):
            services.approve_power(draft, by=legal)

    def test_submit_twice(self, draft, handler):
        services.submit_power(draft, by=handler)
        with pytest.raises(TransitionError):
            services.submit_power(draft, by=handler)

    def test_return_a_published_power(self, published, legal):
        with pytest.raises(TransitionError):
            services.return_power(published, by=legal, reason="迟到的意见")

    def test_approve_by_a_handler(self, draft, handler):
        services.submit_power(draft, by=handler)
        with pytest.raises(PermissionDenied):
            services.approve_power(draft, by=handler)
        assert Power.objects.get(pk=draft.pk).status == PowerStatus.SUBMITTED

    def test_publish_by_the_legal_reviewer(self, draft, handler, legal):
        services.submit_power(draft, by=handler)
        services.approve_power(draft, by=legal)
        with pytest.raises(PermissionDenied):
            services.publish_power(draft, by=legal)

    def test_a_published_power_is_not_edited_in_place(self, published, handler):
        with pytest.raises(ValidationError, match="修订"):
            services.update_draft(published, by=handler, name="改名")
        assert Power.objects.get(pk=published.pk).name == "食品经营许可"


class TestDepartmentBoundaries:
    @pytest.fixture
    def outsider(self, other_department):
        return UserFactory(username="handler_zjj", roles=[roles.DEPT_HANDLER], department=other_department)

    def test_another_departments_staff_cannot_declare(self, outsider, department):
        with pytest.raises(PermissionDenied):
            services.declare_power(by=outsider, department=department, name="越权申报", category="other")
        assert not Power.objects.exists()

    def test_another_departments_staff_cannot_edit_or_submit(self, draft, outsider):
        with pytest.raises(PermissionDenied):
            services.update_draft(draft, by=outsider, name="越权修改")
        with pytest.raises(PermissionDenied):
            services.submit_power(draft, by=outsider)
        with pytest.raises(PermissionDenied):
            services.save_flowchart(draft, by=outsider, steps=[{"name": "受理"}])
        assert Power.objects.get(pk=draft.pk).name == "食品经营许可"

    def test_a_clerk_of_the_same_department_cannot_declare(self, clerk, department):
        with pytest.raises(PermissionDenied):
            services.declare_power(by=clerk, department=department, name="窗口申报", category="other")

    def test_administrator_may_declare_for_any_department(self, admin_user, other_department):
        power = services.declare_power(by=admin_user, department=other_department, name="建筑工程施工许可",
                                       category="licensing")  # fmt: skip
        assert power.code == "XK-ZJJ-0001"


class TestBadInput:
    def test_identity_fields_cannot_be_changed_through_the_draft(self, draft, handler, other_department):
        with pytest.raises(ValidationError, match="department"):
            services.update_draft(draft, by=handler, department=other_department)
        with pytest.raises(ValidationError, match="status"):
            services.update_draft(draft, by=handler, status=PowerStatus.PUBLISHED)
        assert Power.objects.get(pk=draft.pk).status == PowerStatus.DRAFT

    def test_script_bearing_text_is_refused_and_nothing_stored(self, handler, department):
        with pytest.raises(ValidationError) as err:
            services.declare_power(by=handler, department=department, name="<script>alert(1)</script>",
                                   category="other")  # fmt: skip
        assert "name" in err.value.message_dict
        assert not Power.objects.exists()

    def test_oversized_name_is_refused(self, handler, department):
        with pytest.raises(ValidationError) as err:
            services.declare_power(by=handler, department=department, name="许" * 201, category="other")
        assert "name" in err.value.message_dict
        assert not Power.objects.exists()

    def test_promised_limit_must_not_exceed_the_statutory_one(self, handler, department):
        with pytest.raises(ValidationError):
            services.declare_power(by=handler, department=department, name="超时承诺", category="licensing",
                                   time_limit_days=10, promised_days=20)  # fmt: skip

    def test_unknown_category_is_refused(self, handler, department):
        with pytest.raises((ValidationError, KeyError)):
            services.declare_power(by=handler, department=department, name="未知类别", category="bogus")
        assert not Power.objects.exists()


class TestVersions:
    def test_revision_keeps_history_and_one_published_version(self, published, handler, legal, admin_user):
        services.save_flowchart  # noqa: B018 - the revision copies charts; checked below
        chart = Flowchart.objects.create(power=published)
        chart.steps.create(order=1, name="受理", time_limit_days=1)
        hangzhou_standard(published)

        v2 = services.propose_revision(published, by=handler, reason="依据新修订的食品安全法调整")
        assert (v2.code, v2.version, v2.status, v2.is_current) == (
            published.code,
            2,
            PowerStatus.DRAFT,
            False,
        )
        assert v2.change_kind == ChangeKind.REVISION and v2.predecessor == published
        assert v2.flowchart.steps.count() == 1 and v2.standards.get().bands.count() == 4
        # While v2 is under review the public still sees v1.
        assert Power.objects.current().get(code=published.code) == published

        publish(v2, handler, legal, admin_user)
        v1 = Power.objects.get(pk=published.pk)
        assert v1.status == PowerStatus.SUPERSEDED and v1.ended_at and not v1.is_current
        assert Power.objects.current().get(code=published.code).pk == v2.pk
        assert Power.objects.filter(code=published.code, status=PowerStatus.PUBLISHED).count() == 1
        assert "power.superseded" in verbs_for(v1)

    def test_only_one_pending_change_at_a_time(self, published, handler):
        services.propose_revision(published, by=handler, reason="第一次修订")
        with pytest.raises(ValidationError, match="待审核或草稿"):
            services.propose_revision(published, by=handler, reason="第二次修订")

    def test_revision_needs_a_reason_and_a_published_power(self, draft, published, handler):
        with pytest.raises(ValidationError):
            services.propose_revision(published, by=handler, reason="")
        other = services.declare_power(by=handler, department=draft.department, name="草稿", category="other")
        with pytest.raises(ValidationError, match="已公布"):
            services.propose_revision(other, by=handler, reason="修订草稿")

    def test_abolish(self, published, handler, admin_user):
        with pytest.raises(PermissionDenied):
            services.abolish_power(published, by=handler, reason="上位法废止")
        with pytest.raises(ValidationError):
            services.abolish_power(published, by=admin_user, reason="")
        services.abolish_power(published, by=admin_user, reason="上位法废止")
        power = Power.objects.get(pk=published.pk)
        assert power.status == PowerStatus.ABOLISHED and power.ended_at and power.is_current
        assert not Power.objects.exercisable().filter(code=power.code).exists()
        with pytest.raises(TransitionError):
            services.abolish_power(power, by=admin_user, reason="再次废止")

    def test_delegation_moves_the_power_down_a_level(self, published, handler, legal, admin_user, district):
        district_staff = UserFactory(username="handler_qscj", roles=[roles.DEPT_HANDLER], department=district)
        new = services.propose_delegation(
            published, by=handler, to_department=district, reason="下放到区级实施"
        )
        assert new.code == "XK-QSCJ-0001" and new.department == district
        assert new.change_kind == ChangeKind.DELEGATION and new.is_current
        # The receiving department's staff carry it through review.
        publish(new, district_staff, legal, admin_user)
        old = Power.objects.get(pk=published.pk)
        assert old.status == PowerStatus.DELEGATED and old.successor_id == new.pk
        assert Power.objects.exercisable().filter(code=new.code).exists()
        assert not Power.objects.exercisable().filter(code=old.code).exists()

    def test_delegation_must_go_down(self, published, handler, other_department):
        with pytest.raises(ValidationError, match="更低一级"):
            services.propose_delegation(published, by=handler, to_department=other_department, reason="平级")
        assert Power.objects.count() == 1

    def test_merger(self, published, handler, legal, admin_user, department, article):
        second = services.declare_power(by=handler, department=department, name="食品生产许可",
                                        category="licensing", legal_articles=[article])  # fmt: skip
        publish(second, handler, legal, admin_user)
        merged = services.propose_merger(
            [published, second], by=handler, name="食品生产经营许可", reason="合并同类"
        )
        assert merged.change_kind == ChangeKind.MERGER and merged.code == "XK-SCJG-0003"
        # A member of a pending merger cannot start another change.
        with pytest.raises(ValidationError):
            services.propose_revision(Power.objects.get(pk=second.pk), by=handler, reason="并行修订")
        publish(merged, handler, legal, admin_user)
        statuses = set(
            Power.objects.filter(pk__in=[published.pk, second.pk]).values_list("status", flat=True)
        )
        assert statuses == {PowerStatus.MERGED}
        assert Power.objects.filter(successor=merged).count() == 2

    def test_merger_refuses_one_power_or_two_departments(
        self, published, handler, admin_user, other_department
    ):
        with pytest.raises(ValidationError):
            services.propose_merger([published], by=handler, name="单项", reason="x")
        foreign = PowerFactory(department=other_department)
        with pytest.raises(ValidationError, match="同一单位"):
            services.propose_merger([published, foreign], by=admin_user, name="跨部门", reason="x")


class TestFlowchartsAndStandards:
    def test_save_flowchart_replaces_steps(self, draft, handler, department):
        post = PostFactory(department=department, name="受理岗")
        services.save_flowchart(draft, by=handler, steps=[{"name": "受理", "post": post, "time_limit_days": 1},
                                                          {"name": "审核", "time_limit_days": 5}])  # fmt: skip
        services.save_flowchart(
            draft, by=handler, steps=[{"name": "受理"}, {"name": "审查"}, {"name": "决定"}]
        )
        chart = Flowchart.objects.get(power=draft)
        assert list(chart.steps.values_list("order", "name")) == [(1, "受理"), (2, "审查"), (3, "决定")]
        assert verbs_for(draft).count("power.flowchart") == 2

    def test_flowchart_post_must_belong_to_the_department(self, draft, handler, other_department):
        foreign = PostFactory(department=other_department)
        with pytest.raises(ValidationError, match="承办岗位"):
            services.save_flowchart(draft, by=handler, steps=[{"name": "受理", "post": foreign}])
        assert not Flowchart.objects.exists()

    def test_flowchart_of_a_published_power_is_not_edited(self, published, handler):
        with pytest.raises(ValidationError, match="修订"):
            services.save_flowchart(published, by=handler, steps=[{"name": "受理"}])

    def test_save_and_remove_standard(self, handler, department):
        power = services.declare_power(
            by=handler, department=department, name="对店外店的处罚", category="penalty"
        )
        standard = services.save_standard(power, by=handler, bands=HANGZHOU_BANDS, title="店外店、超出门窗外墙摆卖经营",
                                          fact_label="占用面积", fact_unit="平方米")  # fmt: skip
        assert [b.amount_max for b in standard.bands.all()] == [200, 500, 1000, 2000]
        services.save_standard(power, by=handler, standard=standard, bands=HANGZHOU_BANDS[:2],
                               title=standard.title, fact_label="占用面积")  # fmt: skip
        assert standard.bands.count() == 2
        services.remove_standard(power, by=handler, standard=standard)
        assert not DiscretionStandard.objects.exists()

    def test_invalid_bands_store_nothing(self, handler, department):
        power = services.declare_power(by=handler, department=department, name="罚款", category="penalty")
        gap = [dict(HANGZHOU_BANDS[0]), dict(HANGZHOU_BANDS[2])]
        with pytest.raises(ValidationError, match="衔接"):
            services.save_standard(power, by=handler, bands=gap, title="有缺口", fact_label="面积")
        inverted = [{**HANGZHOU_BANDS[0], "amount_min": Decimal("300")}]
        with pytest.raises(ValidationError, match="下限高于上限"):
            services.save_standard(power, by=handler, bands=inverted, title="倒挂", fact_label="面积")
        assert not DiscretionStandard.objects.exists()
