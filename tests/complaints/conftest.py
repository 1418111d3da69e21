"""The complaint platform's people and a helper that walks a complaint through its verbs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaints import services
from complaints.choices import Channel
from portal import roles
from tests.factories import DepartmentFactory, UserFactory

from .factories import CategoryFactory

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def supervisory(db):
    return DepartmentFactory(code="JW", name="市纪委监委", short_name="纪委监委")


@pytest.fixture
def inspector(supervisory):
    return UserFactory(username="inspector", roles=[roles.INSPECTOR], department=supervisory)


@pytest.fixture
def operator(supervisory):
    return UserFactory(username="operator", roles=[roles.HOTLINE_OPERATOR], department=supervisory)


@pytest.fixture
def efficiency(db):
    return CategoryFactory(code="XL", name="办事效率", limit_days=5, accept_days=1)


@pytest.fixture
def corruption(db):
    return CategoryFactory(code="FB", name="腐败问题线索", limit_days=30, corruption_clue=True)


class Desk:
    """Walks a complaint to a state through the verbs, as the people would."""

    def __init__(self, inspector, handler, department, category):
        self.inspector, self.handler, self.department, self.category = (
            inspector,
            handler,
            department,
            category,
        )

    def submit(self, **kwargs):
        fields = {
            "channel": Channel.WEB,
            "title": "窗口办事拖延",
            "matter": "营业执照办理超过承诺时限仍未办结。",
            "reporter_name": "王小明",
            "reporter_contact": "13800000000",
        }
        fields.update(kwargs)
        return services.submit(**fields)

    def forwarded(self, **kwargs):
        complaint, secret = self.submit(**kwargs)
        now = kwargs.get("now")
        services.classify(complaint, self.category, by=self.inspector, now=now)
        return services.forward(complaint, self.department, by=self.inspector, now=now), secret

    def accepted(self, **kwargs):
        complaint, secret = self.forwarded(**kwargs)
        return services.accept(complaint, by=self.handler, now=kwargs.get("now")), secret

    def replied(self, **kwargs):
        complaint, secret = self.accepted(**kwargs)
        text = "已督促窗口办结，并向您致歉。"
        return services.reply(complaint, by=self.handler, text=text, now=kwargs.get("now")), secret

    def closed(self, **kwargs):
        complaint, secret = self.replied(**kwargs)
        complaint = services.propose_closure(complaint, by=self.handler, now=kwargs.get("now"))
        return services.approve_closure(complaint, by=self.inspector, now=kwargs.get("now")), secret


@pytest.fixture
def desk(inspector, handler, department, efficiency):
    return Desk(inspector, handler, department, efficiency)
