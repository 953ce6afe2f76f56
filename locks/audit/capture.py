"""What is recorded: saves and deletes of the models people change, before -> after per field.

Each app registers its own models (`audit_register`, in its `AppConfig.ready()`; `locks` never
imports the apps above it), naming the fields a person sets: the engine's own fields (status,
next check, timestamps) are not listed, so a save that changed only those records nothing.
Django's model signals carry the saves, connected for the registered models only, and every
receiver returns at once when no actor is set: the engine pays one context-variable read.

The state before a change is the one the instance was loaded with (`post_init`, only while an
actor is set: no query), or, for an instance loaded outside the request, the row read at
`pre_save`. A secret field (a PIN, a token, a key's hash) is written as "(changed)", never
with its values.
"""

import datetime
import decimal
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.utils import timezone

from locks.audit.actor import Actor, actor_current
from locks.models import AuditEntry

SECRET = "(changed)"
SECRET_SET = "(set)"
UTC = ZoneInfo("UTC")
_BEFORE = "_audit_before"


@dataclass(frozen=True)
class Tracked:
    """How one model is recorded."""

    model: type[models.Model]
    kind: str  # the object type written on the entry, e.g. "reservation"
    noun: str  # how people call it: "stay"
    fields: tuple[str, ...]
    secret: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # field -> words, else verbose_name
    owner: Callable[[models.Model], int | None] = lambda obj: obj.owner_id
    label: Callable[[models.Model], str] = str
    time_zone: Callable[[models.Model], ZoneInfo] = lambda obj: UTC
    # A named action for a change (`cancelled`, `checked_out`…), from its changes; else "changed".
    action: Callable[[dict], str | None] = lambda changes: None
    skip: Callable[[models.Model], bool] = lambda obj: False  # recorded elsewhere (a stay's codes)
    on_create: bool = True

    @cached_property
    def attnames(self) -> dict[str, str]:
        """Each tracked field's column attribute (`lock` -> `lock_id`), worked out once: it is
        read for every instance loaded while someone acts."""
        return {name: self.model._meta.get_field(name).attname for name in self.fields}

    def field_name(self, name: str) -> str:
        if name in self.names:
            return self.names[name]
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except Exception:
            return name.replace("_", " ")


REGISTRY: dict[type[models.Model], Tracked] = {}
KINDS: dict[str, Tracked] = {}


def audit_register(model: type[models.Model], **how) -> Tracked:
    """Record people's changes to `model` (its listed fields). Once per model."""
    tracked = Tracked(model=model, **how)
    REGISTRY[model] = tracked
    KINDS[tracked.kind] = tracked
    uid = f"audit-{model._meta.label_lower}"
    post_init.connect(_loaded, sender=model, dispatch_uid=uid)
    pre_save.connect(_saving, sender=model, dispatch_uid=uid)
    post_save.connect(_saved, sender=model, dispatch_uid=uid)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    return tracked


# --- values --------------------------------------------------------------------------------------


def _attnames(tracked: Tracked) -> dict[str, str]:
    return tracked.attnames


def _raw(obj, tracked: Tracked) -> dict:
    """The tracked fields' values as loaded (deferred ones left out)."""
    loaded = obj.__dict__
    return {name: loaded[att] for name, att in _attnames(tracked).items() if att in loaded}


def _plain(value, tz: ZoneInfo):
    """A value as JSON keeps it: datetimes in the object's time zone, ISO."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(tz).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _file_change(old, new) -> list:
    """A file field's change in words: its random stored name says nothing to a person."""
    had, has = bool(getattr(old, "name", old)), bool(getattr(new, "name", new))
    return ["(a file)" if had else "", ("(a new file)" if had else "(a file)") if has else ""]


def _related_labels(tracked: Tracked, name: str, ids) -> dict:
    related = tracked.model._meta.get_field(name).related_model
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=wanted)}


def _changes(tracked: Tracked, before: dict, after: dict, tz: ZoneInfo, created: bool) -> dict:
    """{field: [before, after]} for the fields whose value differs; secrets without values."""
    found = {}
    for name, new in after.items():
        old = before.get(name)
        if name not in before and (not created or new in (None, "", [], {}, False)):
            continue  # a new object's empty field says nothing; an unread one, nothing known
        if old == new:
            continue
        if name in tracked.secret:
            found[name] = [None, SECRET_SET] if old in (None, "", {}) else [SECRET, SECRET]
            continue
        if isinstance(tracked.model._meta.get_field(name), models.FileField):
            found[name] = _file_change(old, new)
            continue
        if tracked.model._meta.get_field(name).is_relation:
            labels = _related_labels(tracked, name, [old, new])
            found[name] = [labels.get(old, old), labels.get(new, new)]
            continue
        found[name] = [_plain(old, tz), _plain(new, tz)]
    return found


# --- writing an entry ----------------------------------------------------------------------------


def _write(actor: Actor, tracked: Tracked, obj, action: str, changes: dict) -> AuditEntry | None:
    owner_id = tracked.owner(obj)
    if owner_id is None:
        return None
    return AuditEntry.objects.create(
        owner_id=owner_id,
        at=timezone.now(),
        actor=actor.user,
        api_key=actor.api_key,
        actor_label=actor.label[:200],
        source=actor.source,
        address=actor.address or "",
        action=action,
        object_type=tracked.kind,
        object_id=str(obj.pk),
        object_label=str(tracked.label(obj))[:300],
        time_zone=str(tracked.time_zone(obj)),
        changes=changes,
    )


def audit_record(
    *, obj, action: str, changes: dict | None = None, even_if_skipped: bool = False
) -> AuditEntry | None:
    """Record a named action on `obj` (a PIN shown, a backup given, a key revoked) by whoever is
    acting; nothing when nobody is (engine work) or `obj`'s model is not registered, nor for an
    object whose changes are recorded elsewhere (a stay's guest code), unless `even_if_skipped`
    (a person saw its PIN)."""
    actor = actor_current()
    tracked = REGISTRY.get(type(obj))
    if actor is None or tracked is None or (tracked.skip(obj) and not even_if_skipped):
        return None
    tz = tracked.time_zone(obj)
    plain = {name: [_plain(a, tz), _plain(b, tz)] for name, (a, b) in (changes or {}).items()}
    return _write(actor, tracked, obj, action, plain)


# --- the receivers -------------------------------------------------------------------------------


def _loaded(sender, instance, **kwargs) -> None:
    if actor_current() is not None:
        instance.__dict__[_BEFORE] = _raw(instance, REGISTRY[sender])


def _saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or actor_current() is None:
        return
    tracked = REGISTRY[sender]
    if instance._state.adding or tracked.skip(instance):
        return
    if update_fields is not None and not set(update_fields) & set(tracked.fields):
        return
    if _BEFORE not in instance.__dict__:
        # Loaded before the request began (or built by hand): the row as it is now.
        values = (
            sender._default_manager.filter(pk=instance.pk)
            .values(*_attnames(tracked).values())
            .first()
        )
        if values is not None:
            names = {att: name for name, att in _attnames(tracked).items()}
            instance.__dict__[_BEFORE] = {names[att]: value for att, value in values.items()}


def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    actor = actor_current()
    if raw or actor is None:
        return
    tracked = REGISTRY[sender]
    if tracked.skip(instance):
        return
    after = _raw(instance, tracked)
    if update_fields is not None:
        after = {name: value for name, value in after.items() if name in update_fields}
    before = {} if created else instance.__dict__.get(_BEFORE, {})
    instance.__dict__[_BEFORE] = {**before, **after}
    if created and not tracked.on_create:
        return
    if not created and not after:
        return
    tz = tracked.time_zone(instance)
    changes = _changes(tracked, before, after, tz, created) if (created or before) else {}
    if not created and not changes:
        return
    action = "created" if created else (tracked.action(changes) or "changed")
    _write(actor, tracked, instance, action, changes)


def _deleted(sender, instance, **kwargs) -> None:
    actor = actor_current()
    if actor is None:
        return
    tracked = REGISTRY[sender]
    if not tracked.skip(instance):
        _write(actor, tracked, instance, "deleted", {})
