"""Which fields of the API's serializers can be null, and whether the schema says so."""

from __future__ import annotations

import json
import typing
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework import serializers
from rest_framework.fields import empty


def schema() -> dict[str, Any]:
    return dict(json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))))


def _path_can_be_null(model: type[models.Model] | None, source: str) -> bool:
    """A dotted source through the model: null if any field on the way is nullable."""
    for part in source.split("."):
        if model is None:
            return False
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a property or method: not decidable here
        if field.one_to_many or field.many_to_many:
            return False  # a list (maybe empty), never null
        if getattr(field, "null", False):
            return True
        model = field.related_model if field.is_relation else None
    return False


def can_be_null(serializer: serializers.Serializer[Any], name: str, field: serializers.Field[Any, Any, Any, Any]) -> bool:
    if field.write_only:
        return False
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(serializer, field.method_name or f"get_{name}")
        returns = typing.get_type_hints(method).get("return")
        return type(None) in typing.get_args(returns)
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    source = field.source or name
    if source == "*":
        return False
    if field.default is None and field.default is not empty:
        return True
    return _path_can_be_null(model, source)


def _blank_choice(serializer: serializers.Serializer[Any], name: str, field: serializers.Field[Any, Any, Any, Any]) -> bool:
    """A choice field over a text model field that may be blank ("" is then
    returned; a blank number field is null instead, which `can_be_null` checks)."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if not isinstance(field, serializers.ChoiceField) or model is None or field.write_only:
        return False
    try:
        model_field = model._meta.get_field(field.source or name)
    except FieldDoesNotExist:
        return False
    return bool(getattr(model_field, "blank", False)) and isinstance(model_field, models.CharField | models.TextField)


def _allows_blank(prop: dict[str, Any], components: dict[str, Any]) -> bool:
    options = prop.get("oneOf") or prop.get("allOf") or [prop]
    for option in options:
        target = components.get(option.get("$ref", "").rsplit("/", 1)[-1], option) if "$ref" in option else option
        if "" in target.get("enum", []) or ("enum" not in target and target.get("type") == "string"):
            return True
    return False


def serializers_in_use() -> list[serializers.Serializer[Any]]:
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found: dict[type, serializers.Serializer[Any]] = {}
    for *_, method, view_callback in generator.endpoints or []:
        view = generator.create_view(view_callback, method)
        for serializer_class in (getattr(view, "serializer_class", None), getattr(view, "response_serializer_class", None)):
            if serializer_class is not None and isinstance(serializer_class, type):
                found.setdefault(serializer_class, serializer_class())
        get = getattr(view, "get_serializer_class", None)
        if get is not None:
            try:
                cls = get()
            except Exception:  # noqa: BLE001  (a view that needs a request to choose)
                cls = None
            if isinstance(cls, type):
                found.setdefault(cls, cls())
    return list(found.values())


def _nested(serializer: serializers.Serializer[Any]) -> list[serializers.Serializer[Any]]:
    out = [serializer]
    for field in serializer.fields.values():
        child = getattr(field, "child", field)
        if isinstance(child, serializers.Serializer):
            out += _nested(child)
    return out


def audit() -> list[str]:
    """`Component.field` for every field that can be null but is not marked nullable."""
    components = schema()["components"]["schemas"]
    missing: list[str] = []
    seen: set[type] = set()
    for top in serializers_in_use():
        for serializer in _nested(top):
            if type(serializer) in seen:
                continue
            seen.add(type(serializer))
            name = type(serializer).__name__.removesuffix("Serializer")
            component = components.get(name)
            if component is None:
                continue
            for field_name, field in serializer.fields.items():
                prop = component.get("properties", {}).get(field_name)
                if prop is None or not any(key in prop for key in ("type", "$ref", "allOf", "oneOf")):
                    continue  # absent, or any JSON value (null included)
                if can_be_null(serializer, field_name, field) and not prop.get("nullable"):
                    missing.append(f"{name}.{field_name}")
                if _blank_choice(serializer, field_name, field) and not _allows_blank(prop, components):
                    missing.append(f"{name}.{field_name} (blank)")
    return sorted(missing)
