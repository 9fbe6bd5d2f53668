"""Application Migration Service (signing name `mgn`, REST-JSON): replication configuration templates.

moto has no MGN backend, so the extension serves the service alone (like ds-data). What the
provider's `migration_replication_staging_area` needs, as AWS does it:

* MGN is initialized per account and Region (InitializeService). Before that every template
  call answers `UninitializedAccountException` (HTTP 400), the error users meet on a fresh
  account. Tests may seed initialization with the config key `mgn_initialized`.
* Templates carry every member of the API model. Requests are checked against the model's own
  constraints (required members, types, enums, lengths, patterns, ranges) and answered with a
  `ValidationException` whose `reason` is `fieldValidationFailed` and whose `fieldList` names
  each bad member, the shape the model defines.
* The staging subnet and the replication servers' security groups must exist in the caller's
  account and Region (moto's EC2 backend), the groups in the subnet's VPC; `CUSTOM` EBS
  encryption needs a KMS key ARN and `DEFAULT` takes none.
* Unknown template IDs (Describe with IDs, Update, Delete) and unknown ARNs (tag calls) answer
  `ResourceNotFoundException` (HTTP 404) with `resourceId` and `resourceType`, the members the
  model gives that error.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from .. import ids
from ..errors import AwsError
from ..pagination import page
from ..service_models import MODELS
from . import Call, handles
from .transit_gateways import backend

SERVICE = "mgn"
RESOURCE_TYPE = "REPLICATION_CONFIGURATION_TEMPLATE"
TAG_LIMIT = 50
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
_TEMPLATE_ARN = re.compile(r"^arn:aws[a-z-]*:mgn:([a-z0-9-]+):(\d{12}):replication-configuration-template/(rct-[0-9a-zA-Z]{17})$")

#: Members reported with AWS's default when a template was created without them.
DEFAULTS = {"useFipsEndpoint": False, "internetProtocol": "IPV4", "storeSnapshotOnLocalZone": False}


@dataclass
class Template:
    template_id: str
    arn: str
    region: str
    settings: dict[str, Any]
    tags: dict[str, str]
    created: float = field(default_factory=time.time)


class MgnStore:
    """MGN's state in one (account, Region): initialization and the templates."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.initialized = False
        self.templates: dict[str, Template] = {}


def _store(call: Call) -> MgnStore:
    return call.store(MgnStore)


def _require_initialized(call: Call) -> MgnStore:
    store = _store(call)
    if not (store.initialized or call.world.settings.mgn_initialized(call.account, call.region)):
        raise AwsError(
            "UninitializedAccountException",
            f"Application Migration Service is not initialized for account {call.account} in {call.region}. Call InitializeService first.",
            400,
        )
    return store


# ---------------------------------------------------------------------------------------------
# Validation against the model's constraints


def _validation_error(problems: list[tuple[str, str]]) -> AwsError:
    count = len(problems)
    summary = "; ".join(message for _, message in problems)
    return AwsError(
        "ValidationException",
        f"{count} validation error{'s' if count != 1 else ''} detected: {summary}",
        400,
        {"reason": "fieldValidationFailed", "fieldList": [{"name": name, "message": message} for name, message in problems]},
    )


def _constraint(path: str, value: Any, rule: str) -> tuple[str, str]:
    shown = "***" if isinstance(value, dict) else value
    return path, f"Value '{shown}' at '{path}' failed to satisfy constraint: {rule}"


def _check_scalar(path: str, shape: Shape, value: Any) -> list[tuple[str, str]]:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "boolean":
        return [] if isinstance(value, bool) else [_constraint(path, value, "Member must be a boolean")]
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [_constraint(path, value, "Member must be an integer")]
        if "min" in meta and value < meta["min"]:
            return [_constraint(path, value, f"Member must have value greater than or equal to {meta['min']}")]
        if "max" in meta and value > meta["max"]:
            return [_constraint(path, value, f"Member must have value less than or equal to {meta['max']}")]
        return []
    if kind == "string":
        if not isinstance(value, str):
            return [_constraint(path, value, "Member must be a string")]
        if shape.enum and value not in shape.enum:
            return [_constraint(path, value, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")]
        if "min" in meta and len(value) < meta["min"]:
            return [_constraint(path, value, f"Member must have length greater than or equal to {meta['min']}")]
        if "max" in meta and len(value) > meta["max"]:
            return [_constraint(path, value, f"Member must have length less than or equal to {meta['max']}")]
        if "pattern" in meta and not re.fullmatch(meta["pattern"].strip("^$"), value):
            return [_constraint(path, value, f"Member must satisfy regular expression pattern: {meta['pattern']}")]
    return []


def _check(path: str, shape: Shape, value: Any) -> list[tuple[str, str]]:
    """Every way `value` breaks the constraints of `shape` (empty when it fits)."""
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return [_constraint(path, value, "Member must be a structure")]
        return _check_members(shape, value, prefix=f"{path}.")
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return [_constraint(path, value, "Member must be a list")]
        problems = []
        if "min" in meta and len(value) < meta["min"]:
            problems.append(_constraint(path, value, f"Member must have length greater than or equal to {meta['min']}"))
        if "max" in meta and len(value) > meta["max"]:
            problems.append(_constraint(path, value, f"Member must have length less than or equal to {meta['max']}"))
        for index, item in enumerate(value):
            problems.extend(_check(f"{path}.{index + 1}.member", shape.member, item))
        return problems
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return [_constraint(path, value, "Member must be a map")]
        problems = []
        if "max" in meta and len(value) > meta["max"]:
            problems.append(_constraint(path, value, f"Member must have length less than or equal to {meta['max']}"))
        for key, item in value.items():
            problems.extend(_check(f"{path}.key", shape.key, key))
            problems.extend(_check(f"{path}.value", shape.value, item))
        return problems
    return _check_scalar(path, shape, value)


def _check_members(shape: StructureShape, params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    problems = []
    for name in shape.required_members:
        if params.get(name) is None:
            problems.append((f"{prefix}{name}", f"Value null at '{prefix}{name}' failed to satisfy constraint: Member must not be null"))
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if name in params and params[name] is not None and location is None:
            problems.extend(_check(f"{prefix}{name}", member, params[name]))
    return problems


def _validate_input(call: Call) -> dict[str, Any]:
    """The request's body members, once they fit the operation's input shape."""
    operation = MODELS.operation(SERVICE, call.request.action)
    assert operation is not None and operation.input_shape is not None
    params = call.params
    if "_raw_body" in params:
        raise AwsError("ValidationException", "The request body is not valid JSON.", 400, {"reason": "cannotParse"})
    problems = _check_members(operation.input_shape, params)
    if problems:
        raise _validation_error(problems)
    return {name: params[name] for name in operation.input_shape.members if params.get(name) is not None}


def _check_tags(name: str, tags: dict[str, str]) -> None:
    reserved = sorted(k for k in tags if k.lower().startswith("aws:"))
    if reserved:
        raise _validation_error([(name, f"Tag keys starting with 'aws:' are reserved for AWS use: {', '.join(reserved)}")])


def _check_network(call: Call, settings: dict[str, Any]) -> None:
    """The staging subnet and security groups must exist here; the groups in the subnet's VPC."""
    be = backend(call.account, call.region)
    subnet_id = settings["stagingAreaSubnetId"]
    try:
        subnet = be.get_subnet(subnet_id)
    except Exception:
        raise _validation_error([("stagingAreaSubnetId", f"Subnet {subnet_id} does not exist in account {call.account}, Region {call.region}.")]) from None
    problems = []
    for group_id in settings.get("replicationServersSecurityGroupsIDs") or []:
        group = be.get_security_group_from_id(group_id)
        if group is None:
            problems.append(("replicationServersSecurityGroupsIDs", f"Security group {group_id} does not exist in account {call.account}, Region {call.region}."))
        elif group.vpc_id != subnet.vpc_id:
            problems.append(
                ("replicationServersSecurityGroupsIDs", f"Security group {group_id} is in {group.vpc_id}, not in the staging subnet's VPC {subnet.vpc_id}.")
            )
    if problems:
        raise _validation_error(problems)


def _check_encryption(settings: dict[str, Any]) -> None:
    key = settings.get("ebsEncryptionKeyArn")
    if settings["ebsEncryption"] == "CUSTOM":
        if not key:
            raise _validation_error([("ebsEncryptionKeyArn", "ebsEncryptionKeyArn is required when ebsEncryption is CUSTOM.")])
        if not _KMS_KEY_ARN.match(key):
            raise _validation_error([("ebsEncryptionKeyArn", f"{key} is not a KMS key ARN.")])
    elif key:
        raise _validation_error([("ebsEncryptionKeyArn", "ebsEncryptionKeyArn can only be set when ebsEncryption is CUSTOM.")])


def _check_storage(settings: dict[str, Any]) -> None:
    storage = settings.get("storageConfiguration")
    if not storage:
        return
    has_fsx = storage.get("fsxOntapConfiguration") is not None
    if storage["storageType"] == "FSX_ONTAP" and not has_fsx:
        raise _validation_error([("storageConfiguration.fsxOntapConfiguration", "fsxOntapConfiguration is required when storageType is FSX_ONTAP.")])
    if storage["storageType"] == "EBS" and has_fsx:
        raise _validation_error([("storageConfiguration.fsxOntapConfiguration", "fsxOntapConfiguration can only be set when storageType is FSX_ONTAP.")])


def _check_semantics(call: Call, settings: dict[str, Any]) -> None:
    _check_tags("stagingAreaTags", settings.get("stagingAreaTags") or {})
    _check_encryption(settings)
    _check_storage(settings)
    _check_network(call, settings)


# ---------------------------------------------------------------------------------------------
# Shapes and lookups


def _template_shape(template: Template) -> dict[str, Any]:
    shape = {**DEFAULTS, **copy.deepcopy(template.settings)}
    shape.update({"replicationConfigurationTemplateID": template.template_id, "arn": template.arn, "tags": dict(template.tags)})
    return shape


def _not_found(template_id: str) -> AwsError:
    return AwsError(
        "ResourceNotFoundException",
        f"Replication configuration template {template_id} was not found.",
        404,
        {"resourceId": template_id, "resourceType": RESOURCE_TYPE},
    )


def _template(store: MgnStore, template_id: str) -> Template:
    template = store.templates.get(template_id)
    if template is None:
        raise _not_found(template_id)
    return template


def _template_by_arn(call: Call, arn: str) -> Template:
    match = _TEMPLATE_ARN.match(arn or "")
    store = _store(call)
    template = store.templates.get(match.group(3)) if match else None
    if template is None or template.arn != arn:
        raise AwsError("ResourceNotFoundException", f"Resource {arn} was not found.", 404, {"resourceId": arn, "resourceType": RESOURCE_TYPE})
    return template


# ---------------------------------------------------------------------------------------------
# Handlers


@handles(SERVICE, "InitializeService")
def initialize_service(call: Call) -> dict[str, Any]:
    """Idempotent, as on AWS; the IAM roles AWS creates here are not modelled."""
    _store(call).initialized = True
    return {}


@handles(SERVICE, "CreateReplicationConfigurationTemplate")
def create_template(call: Call) -> dict[str, Any]:
    store = _require_initialized(call)
    settings = _validate_input(call)
    tags = settings.pop("tags", {}) or {}
    _check_tags("tags", tags)
    _check_semantics(call, settings)
    template_id = ids.hex_id("rct")
    template = Template(
        template_id=template_id,
        arn=f"arn:aws:mgn:{call.region}:{call.account}:replication-configuration-template/{template_id}",
        region=call.region,
        settings=settings,
        tags=dict(tags),
    )
    store.templates[template_id] = template
    return _template_shape(template)


@handles(SERVICE, "DescribeReplicationConfigurationTemplates")
def describe_templates(call: Call) -> dict[str, Any]:
    store = _require_initialized(call)
    params = _validate_input(call)
    wanted = params.get("replicationConfigurationTemplateIDs") or []
    templates = sorted(store.templates.values(), key=lambda t: (t.created, t.template_id))
    if wanted:
        templates = [_template(store, template_id) for template_id in dict.fromkeys(wanted)]
    chunk, token = page(
        templates,
        params.get("maxResults"),
        params.get("nextToken"),
        query=wanted,
        cap=call.world.settings.page_size,
        bad_token_code="ValidationException",
        bad_max_code="ValidationException",
        max_name="maxResults",
    )
    return {"items": [_template_shape(t) for t in chunk], "nextToken": token}


@handles(SERVICE, "UpdateReplicationConfigurationTemplate")
def update_template(call: Call) -> dict[str, Any]:
    store = _require_initialized(call)
    changes = _validate_input(call)
    template = _template(store, changes.pop("replicationConfigurationTemplateID"))
    arn = changes.pop("arn", None)
    if arn is not None and arn != template.arn:
        raise _validation_error([("arn", f"{arn} is not the ARN of {template.template_id}.")])
    merged = {**template.settings, **changes}
    if changes.get("ebsEncryption") == "DEFAULT" and "ebsEncryptionKeyArn" not in changes:
        merged.pop("ebsEncryptionKeyArn", None)  # switching back to the default key drops the custom one
    _check_semantics(call, merged)
    template.settings = merged
    return _template_shape(template)


@handles(SERVICE, "DeleteReplicationConfigurationTemplate")
def delete_template(call: Call) -> dict[str, Any]:
    store = _require_initialized(call)
    params = _validate_input(call)
    template = _template(store, params["replicationConfigurationTemplateID"])
    del store.templates[template.template_id]
    return {}


@handles(SERVICE, "TagResource")
def tag_resource(call: Call) -> dict[str, Any]:
    params = _validate_input(call)
    template = _template_by_arn(call, call.params.get("resourceArn") or "")
    tags = params.get("tags") or {}
    _check_tags("tags", tags)
    merged = {**template.tags, **tags}
    if len(merged) > TAG_LIMIT:
        raise _validation_error([("tags", f"A resource can have at most {TAG_LIMIT} tags; this request would leave {len(merged)}.")])
    template.tags = merged
    return {}


@handles(SERVICE, "UntagResource")
def untag_resource(call: Call) -> dict[str, Any]:
    template = _template_by_arn(call, call.params.get("resourceArn") or "")
    keys = call.params.get("tagKeys") or []
    if not keys:
        raise _validation_error([("tagKeys", "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")])
    template.tags = {k: v for k, v in template.tags.items() if k not in keys}
    return {}


@handles(SERVICE, "ListTagsForResource")
def list_tags(call: Call) -> dict[str, Any]:
    template = _template_by_arn(call, call.params.get("resourceArn") or "")
    return {"tags": dict(template.tags)}


# ---------------------------------------------------------------------------------------------
# Inventory


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    templates = []
    for store_account, store_region, store in world.stores(MgnStore):
        if store_account != account or (region and store_region != region):
            continue
        for template in store.templates.values():
            settings = template.settings
            templates.append(
                {
                    "id": template.template_id,
                    "arn": template.arn,
                    "region": store_region,
                    "staging_area_subnet_id": settings.get("stagingAreaSubnetId"),
                    "security_group_ids": list(settings.get("replicationServersSecurityGroupsIDs") or []),
                    "ebs_encryption": settings.get("ebsEncryption"),
                    "data_plane_routing": settings.get("dataPlaneRouting"),
                    "staging_area_tags": dict(settings.get("stagingAreaTags") or {}),
                    "tags": dict(template.tags),
                }
            )
    return {"mgn_replication_configuration_templates": templates}
