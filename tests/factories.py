import factory
from django.contrib.auth import get_user_model

from locks import simulator
from locks.models import Membership, Owner, Property, Unit

PASSWORD = "correct horse battery"


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"owner{n}")
    name = factory.Sequence(lambda n: f"Owner {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    owner = factory.SubFactory(OwnerFactory)
    name = factory.Sequence(lambda n: f"Property {n}")
    address = "1 Harbour Street"
    time_zone = "Europe/Lisbon"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    property = factory.SubFactory(PropertyFactory)
    name = factory.Sequence(lambda n: f"Room {100 + n}")


def member(owner: Owner, username: str, *, role: str):
    user = UserFactory(username=username)
    Membership.objects.create(user=user, owner=owner, role=role)
    return user


def simulated_lock(
    *, owner, property, now, name="Front door", unit=None, model="keypad", **overrides
):
    return simulator.simulated_lock_create(
        owner=owner, property=property, unit=unit, name=name, now=now, model=model, **overrides
    )
