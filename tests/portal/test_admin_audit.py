"""Admin changes to accounts, roles, the organisation and API tokens write audit events (issue 9, hole 3)."""

import pytest
from django.contrib.auth.models import Group
from django.forms import MultiWidget

from portal import roles
from portal.models import ApiToken, AuditEvent, Department, Post, StaffProfile
from portal.tokens import issue_token
from tests.factories import PostFactory


def _form_data(form, data):
    for name, field in form.fields.items():
        if field.disabled:
            continue
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[key] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = str(getattr(value, "pk", value))


def post_change_form(client, url, changes, inline_changes=None):
    """Post an admin change form as the browser would: every current value, with ``changes`` applied."""
    page = client.get(url)
    assert page.status_code == 200
    data = {}
    _form_data(page.context["adminform"].form, data)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            _form_data(form, data)
    data.update(changes)
    data.update(inline_changes or {})
    return client.post(url, data)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_giving_a_user_a_role_is_audited(admin_client, admin_user, handler):
    inspector_role, _ = Group.objects.get_or_create(name=roles.INSPECTOR)
    handler_role = Group.objects.get(name=roles.DEPT_HANDLER)
    response = post_change_form(
        admin_client,
        f"/admin/auth/user/{handler.pk}/change/",
        {"groups": [str(handler_role.pk), str(inspector_role.pk)]},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert roles.INSPECTOR in set(handler.groups.values_list("name", flat=True))
    event = AuditEvent.objects.get(verb="account.user.changed")
    assert event.actor == admin_user
    assert event.before["groups"] == [roles.DEPT_HANDLER]
    assert event.after["groups"] == sorted([roles.DEPT_HANDLER, roles.INSPECTOR])
    assert "password" not in (event.after or {})


@pytest.mark.django_db
def test_a_password_hash_never_enters_the_trail(admin_client, admin_user):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {"username": "newbie", "password1": "a-long-new-password-9", "password2": "a-long-new-password-9",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="account.user.added")
    assert event.after["username"] == "newbie"
    assert event.after["password"] == "（已更改）"
    assert "pbkdf2" not in str(event.after) and "md5" not in str(event.after)


@pytest.mark.django_db
def test_department_changes_and_its_inline_posts_are_audited(admin_client, admin_user, department):
    url = f"/admin/portal/department/{department.pk}/change/"
    response = post_change_form(
        admin_client,
        url,
        {"name": "市市场监管局（新）"},
        {"posts-TOTAL_FORMS": "1", "posts-0-code": "P9", "posts-0-name": "登记岗", "posts-0-duties": ""},
    )
    assert response.status_code == 302
    changed = AuditEvent.objects.get(verb="org.department.changed")
    assert changed.before == {"name": "市市场监督管理局"} and changed.after == {"name": "市市场监管局（新）"}
    added = AuditEvent.objects.get(verb="org.post.added")
    assert added.target_id == str(Post.objects.get(code="P9").pk)


@pytest.mark.django_db
def test_posts_and_staff_profiles_are_audited(admin_client, department, handler):
    post = PostFactory(department=department, code="A1", name="审批岗")
    response = post_change_form(admin_client, f"/admin/portal/post/{post.pk}/change/", {"name": "审核岗"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(verb="org.post.changed").after == {"name": "审核岗"}

    post.refresh_from_db()
    profile = StaffProfile.objects.get(user=handler)
    response = post_change_form(
        admin_client, f"/admin/portal/staffprofile/{profile.pk}/change/", {"posts": [str(post.pk)]}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="org.staff_profile.changed")
    assert event.before == {"posts": []} and event.after == {"posts": [str(post)]}

    response = admin_client.post(f"/admin/portal/post/{post.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(verb="org.post.deleted").before["code"] == "A1"


@pytest.mark.django_db
def test_groups_are_audited(admin_client):
    response = admin_client.post("/admin/auth/group/add/", {"name": "临时组"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(verb="account.group.added").after["name"] == "临时组"


@pytest.mark.django_db
def test_api_token_changes_in_the_admin_are_audited(admin_client, integrator):
    token, _raw = issue_token(integrator, name="旧")
    response = post_change_form(admin_client, f"/admin/portal/apitoken/{token.pk}/change/", {"name": "大屏"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="api_token.rename")  # through portal.tokens.rename_token
    assert event.before == {"name": "旧"} and event.after == {"name": "大屏"}
    assert event.actor.is_superuser
    response = admin_client.post(
        "/admin/portal/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(verb="api_token.revoke").exists()


@pytest.mark.django_db
def test_api_token_illegal_changes_are_refused_in_the_admin(admin_client, integrator):
    from django.contrib.messages import get_messages

    token, _raw = issue_token(integrator, name="旧")
    # A line break in the one-line label: the verb refuses it with a message, nothing stored.
    url = f"/admin/portal/apitoken/{token.pk}/change/"
    response = post_change_form(admin_client, url, {"name": "大\n屏"})
    assert response.status_code == 302
    assert any("控制字符" in str(m) for m in get_messages(response.wsgi_request))
    assert ApiToken.objects.get(pk=token.pk).name == "旧"
    assert not AuditEvent.objects.filter(verb="api_token.rename").exists()
    # Revoking twice: the second is refused with a message naming the token, one event only.
    admin_client.post("/admin/portal/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    response = admin_client.post(
        "/admin/portal/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert any("已于" in str(m) and "吊销" in str(m) for m in get_messages(response.wsgi_request))
    assert AuditEvent.objects.filter(verb="api_token.revoke").count() == 1
    # Never deleted: no delete page, no bulk delete.
    assert admin_client.post(f"/admin/portal/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert b"delete_selected" not in admin_client.get("/admin/portal/apitoken/").content
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_token_verbs_check_who(integrator, handler):
    from django.core.exceptions import PermissionDenied

    from portal.tokens import rename_token, revoke_token

    token, _raw = issue_token(integrator, name="旧")
    with pytest.raises(PermissionDenied):
        rename_token(token, name="别人的", by=handler)
    with pytest.raises(PermissionDenied):
        revoke_token(token, by=handler)
    with pytest.raises(PermissionDenied):
        issue_token(integrator, by=handler)
    assert rename_token(token, name="自己改", by=integrator).name == "自己改"


@pytest.mark.django_db
def test_deleting_a_department_is_audited(admin_client):
    dept = Department.objects.create(code="TMP", name="临时单位")
    response = admin_client.post(f"/admin/portal/department/{dept.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(verb="org.department.deleted").before["code"] == "TMP"


@pytest.mark.django_db
def test_every_admin_page_for_these_models_is_audited():
    """A new admin page for an organisation or account model must be audited too."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from portal.admin_audit import AuditedAdminMixin, VerbAdminMixin

    for model in (get_user_model(), Group, Department, Post, StaffProfile):
        assert isinstance(admin.site._registry[model], AuditedAdminMixin), model
    assert isinstance(admin.site._registry[ApiToken], VerbAdminMixin)  # tokens: through portal.tokens
