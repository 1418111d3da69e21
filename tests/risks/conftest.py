import pytest

from tests.factories import PostFactory
from tests.powers.factories import FlowchartFactory, PowerFactory


@pytest.fixture
def power(department):
    power = PowerFactory(department=department)
    FlowchartFactory(power=power)
    return power


@pytest.fixture
def post(department):
    return PostFactory(department=department, code="SL", name="受理岗")


@pytest.fixture
def declare_values(power, post):
    def values(**overrides):
        data = {
            "power": power,
            "step": power.flowchart.steps.order_by("order").first(),
            "post": post,
            "title": "审核环节吃拿卡要",
            "risk_type": "operational",
            "source": "self",
            "holder": "staff",
            "description": "对申请材料故意挑剔，索取好处",
            "measures": "一次性告知；双人审核；电子监察全程留痕",
            "responsible_name": "李四",
            "commitment": "不收受服务对象任何财物",
            "separation_rules": "受理与审核岗位分离",
            "likelihood": 3,
            "harm": 3,
            "frequency": 3,
            "discretion": 3,
        }
        data.update(overrides)
        return data

    return values
