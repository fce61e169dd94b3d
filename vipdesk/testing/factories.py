"""factory_boy factories shared by every app's tests."""
from __future__ import annotations

import random

import factory
from django.utils import timezone

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.core.validators import id_check_digit
from vipdesk.org.models import Franchisee, Region, Store
from vipdesk.members.services import member_enrol

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def chinese_name(rng: random.Random | None = None) -> str:
    rng = rng or random
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def valid_id_number(born: str = "19900307", serial: int = 123) -> str:
    body = f"110105{born}{serial:03d}"
    return body + id_check_digit(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"区域{n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"门店{n}")
    region = factory.SubFactory(RegionFactory)


class FranchiseeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Franchisee

    code = factory.Sequence(lambda n: f"F{n:02d}")
    name = factory.Sequence(lambda n: f"加盟商{n}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.LazyFunction(chinese_name)
    role = Role.GUIDE
    password = factory.PostGenerationMethodCall("set_password", "Vipdesk#2026")

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if create and extracted:
            self.stores.set(extracted)
        if create:
            self.save()


_mobile_counter = iter(range(10_000_000, 99_999_999))


def next_mobile() -> str:
    return f"139{next(_mobile_counter):08d}"


def make_member(*, actor=None, store=None, **data):
    """Enrol through the service, as every real entry point does."""
    data.setdefault("name", chinese_name())
    data.setdefault("mobile", next_mobile())
    if store is None and not (actor is not None and getattr(actor, "store_ids", None)):
        store = StoreFactory()
    if store is not None:
        data.setdefault("home_store", store)
    return member_enrol(actor=actor, data=data)


def now():
    return timezone.now()
