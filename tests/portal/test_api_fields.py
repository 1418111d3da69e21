from django.utils import translation

from approvals.choices import CaseStatus
from portal.api.fields import ChoiceLabelField, choice_labels


def test_choice_labels_follow_the_active_language():
    with translation.override("zh-hans"):
        chinese = choice_labels(CaseStatus)[CaseStatus.SUBMITTED]
        assert chinese == str(CaseStatus.SUBMITTED.label)
    with translation.override("en"):
        english = ChoiceLabelField(CaseStatus).to_representation(CaseStatus.SUBMITTED)
        assert english == str(CaseStatus.SUBMITTED.label)
    assert ChoiceLabelField(CaseStatus).to_representation("unknown") == "unknown"
