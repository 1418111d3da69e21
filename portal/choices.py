"""Enumerated values of the shared kernel."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The four administrative levels (四级)."""

    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    TOWN = "town", _("镇(街)级")
    VILLAGE = "village", _("村(居)级")


LEVEL_ORDER = [Level.CITY, Level.DISTRICT, Level.TOWN, Level.VILLAGE]


class AppraisalSeries(models.TextChoices):
    """The five appraisal series (Xiamen's 考评系列)."""

    DISTRICT_PARTY_GOV = "district", _("区党委和政府")
    PARTY_MASS = "party_mass", _("党群部门")
    GOV_DEPARTMENT = "gov_dept", _("政府部门和管委会")
    CENTRAL_PROVINCIAL = "central", _("中央和省属驻市单位")
    PUBLIC_ENTERPRISE = "enterprise", _("公共服务企业")


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("人民政府")
    DEPARTMENT = "department", _("工作部门")
    SUPERVISORY = "supervisory", _("纪检监察机关")
    LEGAL_AFFAIRS = "legal", _("法制机构")
    SERVICE_CENTRE = "service_centre", _("行政服务中心")
    COMMUNITY = "community", _("村(居)委会")
