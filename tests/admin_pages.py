"""Helpers for the support admin's tests: a superuser, and its pages read as HTML."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

# The apps of the project (Django's own and third parties' are not ours to register).
PROJECT_APPS = ("config", "locks", "reservations", "backups", "messaging")
# A PIN no generated value contains by chance: it must appear in no admin page.
PIN = "482913"


@pytest.fixture
def support(db):
    """A support person: a superuser, member of no owner (signed in without a password)."""
    return get_user_model().objects.create(username="support", is_staff=True, is_superuser=True)


@pytest.fixture
def support_client(client, support):
    """The test client, signed in as the support person."""
    client.force_login(support)
    return client


def project_models(*labels):
    return [
        model
        for label in labels or PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    ]


def model_admin(model):
    return admin.site._registry[model]


def changelist(client, model, **query) -> str:
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), query)
    assert response.status_code == 200, (model, response.status_code)
    return response.content.decode()


def change_page(client, obj) -> str:
    opts = obj._meta
    response = client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200, (obj, response.status_code)
    return response.content.decode()


def every_page_opens(client, labels):
    """The changelist and a change page of every model of these apps answer 200."""
    for model in project_models(*labels):
        row = model.objects.first()
        assert row is not None, f"the test made no {model.__name__}"
        changelist(client, model)
        change_page(client, row)
