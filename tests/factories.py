"""Factories for the shared kernel. App factories live beside them (tests/<app>/factories.py)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal.choices import Level
from portal.models import Department, Post, StaffProfile

PASSWORD = "correct-horse-battery"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试局{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:4])
    level = Level.CITY


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"岗位{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user. ``roles=[...]`` adds groups; ``department=`` and ``posts=[...]`` make the profile."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            group, _ = Group.objects.get_or_create(name=role)
            self.groups.add(group)
        self.save()

    @factory.post_generation
    def department(self, create, extracted, **kwargs):
        if extracted is not None:
            StaffProfile.objects.update_or_create(
                user=self, defaults={"department": extracted, "display_name": self.username}
            )

    @factory.post_generation
    def posts(self, create, extracted, **kwargs):
        if extracted:
            self.staff_profile.posts.add(*extracted)
