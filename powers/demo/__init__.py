"""Demo data of the power list: ``seed(scale, stdout)``, called by ``manage.py seed_demo``.

Small scale: a curated catalogue (real laws with plausible article texts, ~70 powers over every
category and all four levels, flowcharts, discretion standards including DOMAIN.md's Hangzhou
example) built THROUGH the service verbs by the demo users, so the audit trail is real and a few
powers sit in every workflow state. City scale adds the seeds' figures with bulk inserts
(powers/demo/city.py).
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from portal import roles
from portal.models import Department, Post, StaffProfile

from .. import services
from ..models import LegalArticle, LegalDocument, Power
from .catalogue import (
    CATALOGUE,
    DEPARTMENTS_NEEDED,
    FLOW_TEMPLATES,
    LEGAL_DOCUMENTS,
    STANDARDS,
)

COMPLAINT_CHANNEL = "12345市民热线、12388纪检监察举报电话"


def seed(scale: str, stdout) -> None:
    """Seed the curated catalogue (always), then the city-scale bulk data when ``scale == "city"``."""
    with transaction.atomic():
        seed_catalogue(stdout)
    if scale == "city":
        from .city import seed_city

        seed_city(stdout)


# --- organisation the catalogue needs ------------------------------------------------------------


def ensure_departments() -> tuple[dict[str, Department], dict[str, dict[str, Post]]]:
    """The departments the catalogue uses (the portal's seed normally created them) and their posts."""
    by_code, posts = {}, {}
    for code, name, level, kind, parent in DEPARTMENTS_NEEDED:
        dept, _ = Department.objects.get_or_create(
            code=code,
            defaults={"name": name, "short_name": name[-6:], "level": level, "kind": kind,
                      "parent": by_code.get(parent) or Department.objects.filter(code=parent).first()},
        )  # fmt: skip
        by_code[code] = dept
        posts[code] = ensure_posts(dept)
    return by_code, posts


def ensure_posts(department: Department) -> dict[str, Post]:
    from portal.demo import ensure_posts as portal_posts

    return portal_posts(department)


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def department_staff(department: Department, password_hash: str):
    """The department's handler: ``handler`` for SCJG (the portal's login), ``handler_<code>`` elsewhere."""
    if department.code == "SCJG" and _user("handler"):
        return _user("handler")
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"handler_{department.code.lower()}")
    if created:
        user.password = password_hash
        user.save(update_fields=["password"])
        group, _ = Group.objects.get_or_create(name=roles.DEPT_HANDLER)
        user.groups.add(group)
        profile = StaffProfile.objects.create(
            user=user, department=department, display_name=f"{department.short_name or department.name}承办人"
        )
        profile.posts.set(Post.objects.filter(department=department, code__in=["CB", "ZF", "SL"]))
    return user


def overseers():
    """The legal reviewer and the administrator who confirms and publishes (created by portal's seed)."""
    legal, admin = _user("legal"), _user("admin")
    if legal is None or admin is None:
        raise RuntimeError(
            "powers demo needs the portal's demo users (legal, admin): run portal's seed first"
        )
    return legal, admin


# --- legal basis -----------------------------------------------------------------------------------


def seed_legal_documents() -> dict[tuple[str, int], LegalArticle]:
    articles = {}
    for code, title, kind, issuer, issued, effective, rows in LEGAL_DOCUMENTS:
        document, _ = LegalDocument.objects.get_or_create(
            code=code,
            defaults={"title": title, "kind": kind, "issuer": issuer, "issued_on": date.fromisoformat(issued),
                      "effective_on": date.fromisoformat(effective)},
        )  # fmt: skip
        for number, label, text in rows:
            article, _ = LegalArticle.objects.get_or_create(
                document=document, number=number, label=label, defaults={"text": text}
            )
            articles[(code, number)] = article
    return articles


# --- powers through the verbs ------------------------------------------------------------------------


def flow_steps(category: str, posts: dict[str, Post], total_days: int | None) -> list[dict]:
    """The annotated steps of the category's template, their time limits scaled to the power's."""
    template = FLOW_TEMPLATES[category]
    days = [step[6] for step in template]
    if total_days:
        # Spread the statutory limit over the steps in the template's proportions (at least 1 day each).
        scale = total_days / max(sum(days), 1)
        days = [max(1, round(d * scale)) for d in days]
    return [
        {"name": name, "kind": kind, "post": posts.get(post), "rules": rules, "duties": duties, "supervision_point": supervision,
         "complaint_channel": COMPLAINT_CHANNEL, "time_limit_days": day}
        for (name, kind, post, rules, duties, supervision, _), day in zip(template, days, strict=True)
    ]  # fmt: skip


def declare(entry, *, by, department, posts, articles) -> Power:
    fields = dict(entry.get("fields", {}))
    power = services.declare_power(
        by=by,
        department=department,
        name=entry["name"],
        category=entry["category"],
        legal_articles=[articles[ref] for ref in entry["basis"]],
        complaint_channel=COMPLAINT_CHANNEL,
        **fields,
    )
    if entry.get("flow", True):
        services.save_flowchart(
            power,
            by=by,
            steps=flow_steps(entry["category"], posts, power.time_limit_days),
            note="按照“一项权力一个流程”绘制，已删减非法定环节。",
        )
    for key in entry.get("standards", []):
        standard = dict(STANDARDS[key])
        article_ref = standard.pop("article", None)
        services.save_standard(
            power,
            by=by,
            bands=[dict(band) for band in standard.pop("bands")],
            article=articles.get(article_ref),
            **standard,
        )
    return power


def advance(power: Power, state: str, *, by, legal, admin) -> Power:
    """Walk the power through the workflow up to ``state`` (the states of the legal review)."""
    if state == "draft":
        return power
    services.submit_power(power, by=by)
    if state == "submitted":
        return power
    if state == "returned":
        return services.return_power(
            power, by=legal, reason="法律依据应具体到条款；承诺时限请对照同类事项压缩后重新申报。"
        )
    services.approve_power(power, by=legal, note="设定依据合法有效，实施主体适格。")
    if state == "approved":
        return power
    return services.publish_power(power, by=admin)


def seed_catalogue(stdout) -> None:
    articles = seed_legal_documents()
    if Power.objects.exists():
        stdout.write("    power list already seeded; legal documents checked")
        return
    departments, posts = ensure_departments()
    legal, admin = overseers()
    password_hash = make_password(settings.DEMO_PASSWORD)
    head = _user("head")
    by_name = {}
    for entry in CATALOGUE:
        department = departments[entry["department"]]
        staff = department_staff(department, password_hash)
        actor = head if entry.get("by") == "head" and head else staff
        power = declare(
            entry, by=actor, department=department, posts=posts[department.code], articles=articles
        )
        by_name[entry["name"]] = advance(
            power, entry.get("state", "published"), by=actor, legal=legal, admin=admin
        )
    changes = seed_versions(by_name, departments, password_hash, legal, admin)
    counts = {
        state: Power.objects.filter(status=state).count()
        for state in Power.objects.values_list("status", flat=True)
    }
    stdout.write(
        f"    {LegalDocument.objects.count()} legal documents, {Power.objects.count()} power versions "
        f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}); {changes}"
    )


def seed_versions(by_name, departments, password_hash, legal, admin) -> str:
    """One revised, one abolished, one delegated, one merged power, and one revision pending review."""
    handler = department_staff(departments["SCJG"], password_hash)

    licence = by_name["食品经营许可"]
    v2 = services.propose_revision(
        licence,
        by=handler,
        reason="依据《食品经营许可和备案管理办法》调整，承诺时限由10个工作日压缩为7个工作日。",
    )
    services.update_draft(v2, by=handler, promised_days=7)
    advance(v2, "published", by=handler, legal=legal, admin=admin)

    services.abolish_power(
        by_name["商品条码印刷资格认定"], by=admin, reason="国务院决定取消该事项，自决定公布之日起停止实施。"
    )

    district = departments["QSCJ"]
    delegated = services.propose_delegation(
        by_name["小餐饮经营许可"],
        by=handler,
        to_department=district,
        reason="按照市政府简政放权要求，下放至区级市场监管部门实施。",
    )
    advance(delegated, "published", by=department_staff(district, password_hash), legal=legal, admin=admin)

    merged = services.propose_merger(
        [by_name["食品生产许可"], by_name["食品添加剂生产许可"]],
        by=handler,
        name="食品及食品添加剂生产许可",
        reason="两项许可的审查标准和流程一致，合并为一项实施，减少申请人重复提交材料。",
    )
    advance(merged, "published", by=handler, legal=legal, admin=admin)

    permit = by_name["建筑工程施工许可"]
    staff = department_staff(permit.department, password_hash)
    pending = services.propose_revision(
        permit, by=staff, reason="承诺时限拟由3个工作日压缩为2个工作日，推行告知承诺制。"
    )
    services.update_draft(pending, by=staff, promised_days=2)
    services.submit_power(pending, by=staff)
    return "revised 1, abolished 1, delegated 1, merged 2→1, revision under review 1"
