from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from annotations.models import Annotation, Category, Tag
from briefs.models import Brief, Section


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            obj.save()


class BriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brief

    slug = factory.Sequence(lambda n: f"brief-{n}")
    title = factory.Sequence(lambda n: f"북미 협상 평가 {n}")
    organisation = "통일연구원"
    series_code = factory.Sequence(lambda n: f"CO 19-{n:02d}")
    authors = factory.LazyFunction(lambda: ["현안분석팀"])
    language = "ko"
    publication_year = 2019


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    brief = factory.SubFactory(BriefFactory)
    position = factory.Sequence(lambda n: n)
    heading = factory.Sequence(lambda n: f"쟁점 {n}")
    text = "미국은 빅딜을 요구했고 북한은 단계적 접근을 고수했다."
    anchor = factory.Sequence(lambda n: f"section-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"category-{n}")
    label_en = factory.Sequence(lambda n: f"Category {n}")
    label_ko = factory.Sequence(lambda n: f"범주 {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"tag-{n}")
    label_en = factory.Sequence(lambda n: f"Tag {n}")
    label_ko = factory.Sequence(lambda n: f"태그 {n}")
    colour = "#64b5f6"


def role_user(role: str, **kwargs) -> object:
    """Create a user in a role's group (the group is created or synced on the way)."""
    from annotations.roles import Role
    from annotations.services import role_group_sync

    user = UserFactory(**kwargs)
    user.groups.add(role_group_sync(role=Role(role)))
    if role == Role.EDITOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


class AnnotationFactory(factory.django.DjangoModelFactory):
    """An annotation over the first `length` code points of its section (no service checks)."""

    class Meta:
        model = Annotation
        skip_postgeneration_save = True

    class Params:
        length = 5

    section = factory.SubFactory(SectionFactory)
    author = factory.SubFactory(UserFactory)
    start = 0
    end = factory.LazyAttribute(lambda o: o.start + o.length)
    quote = factory.LazyAttribute(lambda o: o.section.text[o.start : o.end])
    prefix = factory.LazyAttribute(lambda o: o.section.text[max(0, o.start - 32) : o.start])
    suffix = factory.LazyAttribute(lambda o: o.section.text[o.end : o.end + 32])
    actor = "unspecified"
    visibility = "private"
    ever_shared = factory.LazyAttribute(lambda o: o.visibility == "shared")

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create and extracted:
            obj.tags.set(extracted)
