"""Demo organisation: departments on four levels, posts with A/B back-ups, and the demo logins."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal import roles
from portal.choices import AppraisalSeries, DepartmentKind, Level
from portal.models import Department, Post, StaffProfile

# (code, name, short name, level, kind, series, parent code)
DEPARTMENTS = [
    (
        "ZF",
        "示范市人民政府",
        "市政府",
        Level.CITY,
        DepartmentKind.GOVERNMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        None,
    ),
    (
        "JW",
        "示范市纪委监委",
        "市纪委监委",
        Level.CITY,
        DepartmentKind.SUPERVISORY,
        AppraisalSeries.PARTY_MASS,
        None,
    ),
    (
        "FZB",
        "示范市司法局（政府法制办）",
        "法制办",
        Level.CITY,
        DepartmentKind.LEGAL_AFFAIRS,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "FWZX",
        "示范市行政服务中心",
        "行政服务中心",
        Level.CITY,
        DepartmentKind.SERVICE_CENTRE,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "KPB",
        "示范市绩效考评办公室",
        "考评办",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "SCJG",
        "示范市市场监督管理局",
        "市场监管局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "ZJJ",
        "示范市住房和城乡建设局",
        "住建局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "CGJ",
        "示范市城市管理行政执法局",
        "城管执法局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "GTJ",
        "示范市自然资源和规划局",
        "自然资源局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "HBJ",
        "示范市生态环境局",
        "生态环境局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "GAJ",
        "示范市公安局",
        "公安局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "JYJ",
        "示范市教育局",
        "教育局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "WJW",
        "示范市卫生健康委员会",
        "卫健委",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "MZJ",
        "示范市民政局",
        "民政局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "RSJ",
        "示范市人力资源和社会保障局",
        "人社局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.GOV_DEPARTMENT,
        "ZF",
    ),
    (
        "SWJ",
        "国家税务总局示范市税务局",
        "税务局",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.CENTRAL_PROVINCIAL,
        "ZF",
    ),
    (
        "SWGS",
        "示范市自来水有限公司",
        "自来水公司",
        Level.CITY,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.PUBLIC_ENTERPRISE,
        "ZF",
    ),
    (
        "SMQ",
        "思明区人民政府",
        "思明区政府",
        Level.DISTRICT,
        DepartmentKind.GOVERNMENT,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "ZF",
    ),
    (
        "QSCJ",
        "思明区市场监督管理局",
        "思明区市场监管局",
        Level.DISTRICT,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "SMQ",
    ),
    (
        "QCGJ",
        "思明区城市管理行政执法局",
        "思明区城管局",
        Level.DISTRICT,
        DepartmentKind.DEPARTMENT,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "SMQ",
    ),
    (
        "HLQ",
        "湖里区人民政府",
        "湖里区政府",
        Level.DISTRICT,
        DepartmentKind.GOVERNMENT,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "ZF",
    ),
    (
        "JDXG",
        "思明区厦港街道办事处",
        "厦港街道",
        Level.TOWN,
        DepartmentKind.GOVERNMENT,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "SMQ",
    ),
    (
        "JDZS",
        "思明区中华街道办事处",
        "中华街道",
        Level.TOWN,
        DepartmentKind.GOVERNMENT,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "SMQ",
    ),
    (
        "SQSG",
        "厦港街道沙坡尾社区居民委员会",
        "沙坡尾社区",
        Level.VILLAGE,
        DepartmentKind.COMMUNITY,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "JDXG",
    ),
    (
        "CWHL",
        "湖里区禾山街道后坑村村民委员会",
        "后坑村",
        Level.VILLAGE,
        DepartmentKind.COMMUNITY,
        AppraisalSeries.DISTRICT_PARTY_GOV,
        "HLQ",
    ),
]

# Posts every operational department has (code, name); each has a named B post (A、B岗).
STANDARD_POSTS = [
    ("SL", "受理岗"),
    ("CB", "承办岗"),
    ("SH", "审核岗"),
    ("SP", "审批岗（负责人）"),
    ("ZF", "执法岗"),
    ("FZ", "法制审核岗"),
    ("SF", "收费岗"),
]

# username, display name, department, roles, post codes
DEMO_USERS = [
    ("admin", "王建国", "ZF", [roles.ADMINISTRATOR], []),
    ("clerk", "李晓梅", "FWZX", [roles.WINDOW_CLERK], ["SL", "SF"]),
    ("handler", "张伟", "SCJG", [roles.DEPT_HANDLER], ["CB", "ZF", "SL"]),
    ("head", "刘振华", "SCJG", [roles.DEPT_HEAD], ["SH", "SP", "SF"]),
    ("legal", "陈静", "FZB", [roles.LEGAL_REVIEWER], ["FZ"]),
    ("inspector", "赵铁军", "JW", [roles.INSPECTOR], []),
    ("operator", "周敏", "JW", [roles.HOTLINE_OPERATOR], []),
    ("appraiser", "孙丽", "KPB", [roles.APPRAISER], []),
    ("integrator", "数据共享平台", "ZF", [roles.INTEGRATOR], []),
]


def ensure_posts(department: Department) -> dict[str, Post]:
    """The standard posts of a department with their B posts; returns {code: A post}."""
    posts = {}
    for code, name in STANDARD_POSTS:
        backup, _ = Post.objects.get_or_create(
            department=department, code=f"{code}-B", defaults={"name": f"{name}(B岗)"}
        )
        post, _ = Post.objects.get_or_create(
            department=department,
            code=code,
            defaults={"name": name, "backup": backup, "duties": f"负责{name[:-1]}工作"},
        )
        posts[code] = post
    return posts


def seed(scale: str, stdout) -> None:
    by_code = {}
    for code, name, short, level, kind, series, parent in DEPARTMENTS:
        dept, _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "short_name": short, "level": level, "kind": kind, "series": series,
                "parent": by_code.get(parent), "region": "思明区" if code in {"SMQ", "QSCJ", "QCGJ", "JDXG", "JDZS", "SQSG"} else "",
            },
        )  # fmt: skip
        by_code[code] = dept
        if kind in {DepartmentKind.DEPARTMENT, DepartmentKind.SERVICE_CENTRE, DepartmentKind.LEGAL_AFFAIRS}:
            ensure_posts(dept)
    for role in roles.ALL_ROLES:
        Group.objects.get_or_create(name=role)

    User = get_user_model()
    for username, display, dept_code, user_roles, post_codes in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        user.set_password(settings.DEMO_PASSWORD)
        user.is_staff = username == "admin"
        user.is_superuser = username == "admin"
        user.save()
        user.groups.set(Group.objects.filter(name__in=user_roles))
        profile, _ = StaffProfile.objects.update_or_create(
            user=user, defaults={"department": by_code[dept_code], "display_name": display}
        )
        profile.posts.set(Post.objects.filter(department=by_code[dept_code], code__in=post_codes))
    stdout.write(f"    {len(DEPARTMENTS)} departments on four levels, {len(DEMO_USERS)} demo logins")
