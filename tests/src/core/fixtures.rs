//! A schema shaped like the hub resource (every nesting mode, every presence) and values for
//! it, shared by the unit tests of the core rules.

use std::collections::BTreeMap;

use terraform_provider_migration::protocol::cty::{Type, Value};
use terraform_provider_migration::protocol::schema::{
    Attribute, Block, NestedBlock, Nesting, Presence,
};

fn nested_block(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> NestedBlock {
    NestedBlock {
        type_name: name.into(),
        nesting,
        block: Block {
            attributes,
            ..Block::default()
        },
        min_items: 0,
        max_items: 0,
    }
}

pub(crate) fn hub_schema() -> Block {
    Block {
        attributes: vec![
            Attribute::required("name", Type::String),
            Attribute::computed("id", Type::String),
            Attribute::optional_computed("amazon_side_asn", Type::Number),
            Attribute::optional("description", Type::String),
            Attribute::optional("token", Type::String).sensitive(),
            Attribute::nested(
                "vpc_attachments",
                Nesting::Map,
                Presence::Optional,
                vec![
                    Attribute::required("vpc_id", Type::String),
                    Attribute::computed("attachment_id", Type::String),
                    Attribute::optional("subnet_ids", Type::list(Type::String)),
                ],
            ),
        ],
        blocks: vec![
            nested_block(
                "rule",
                Nesting::List,
                vec![
                    Attribute::optional("cidr", Type::String),
                    Attribute::computed("rule_id", Type::String),
                ],
            ),
            nested_block(
                "route",
                Nesting::Set,
                vec![
                    Attribute::optional("cidr", Type::String),
                    Attribute::computed("route_id", Type::String),
                ],
            ),
            nested_block(
                "timeouts",
                Nesting::Single,
                vec![Attribute::optional("create", Type::String)],
            ),
            nested_block(
                "options",
                Nesting::Group,
                vec![Attribute::optional_computed("dns_support", Type::Bool)],
            ),
        ],
        ..Block::default()
    }
}

fn attachments(entries: Vec<(String, Value)>) -> Value {
    if entries.is_empty() {
        Value::Null
    } else {
        Value::Map(entries.into_iter().collect())
    }
}

/// A configuration naming the hub and the given `(key, vpc_id)` attachments.
pub(crate) fn hub_config(attachment_vpcs: &[(&str, &str)]) -> Value {
    let entries = attachment_vpcs
        .iter()
        .map(|(key, vpc)| {
            let attachment = Value::object([
                ("vpc_id", Value::string(*vpc)),
                ("attachment_id", Value::Null),
                ("subnet_ids", Value::Null),
            ]);
            (key.to_string(), attachment)
        })
        .collect();
    Value::object([
        ("name", Value::string("hub")),
        ("id", Value::Null),
        ("amazon_side_asn", Value::Null),
        ("description", Value::Null),
        ("token", Value::Null),
        ("vpc_attachments", attachments(entries)),
        ("rule", Value::List(vec![])),
        ("route", Value::Set(vec![])),
        ("timeouts", Value::Null),
        ("options", Value::object([("dns_support", Value::Null)])),
    ])
}

/// Stored state for the hub with the given `(key, vpc_id, attachment_id)` attachments.
pub(crate) fn hub_state(attachment_rows: &[(&str, &str, &str)]) -> Value {
    let entries = attachment_rows
        .iter()
        .map(|(key, vpc, id)| {
            let attachment = Value::object([
                ("vpc_id", Value::string(*vpc)),
                ("attachment_id", Value::string(*id)),
                ("subnet_ids", Value::Null),
            ]);
            (key.to_string(), attachment)
        })
        .collect();
    Value::object([
        ("name", Value::string("hub")),
        ("id", Value::string("hub-123")),
        ("amazon_side_asn", Value::Null),
        ("description", Value::Null),
        ("token", Value::Null),
        ("vpc_attachments", attachments(entries)),
        ("rule", Value::List(vec![])),
        ("route", Value::Set(vec![])),
        ("timeouts", Value::Null),
        (
            "options",
            Value::object([("dns_support", Value::Bool(true))]),
        ),
    ])
}

pub(crate) fn set_attr(object: &mut Value, name: &str, value: Value) {
    if let Value::Object(attributes) = object {
        attributes.insert(name.to_owned(), value);
    }
}

/// Sets an attribute of one element of a map attribute.
pub(crate) fn set_map_entry_attr(
    object: &mut Value,
    map: &str,
    key: &str,
    name: &str,
    value: Value,
) {
    if let Value::Object(attributes) = object
        && let Some(Value::Map(entries)) = attributes.get_mut(map)
        && let Some(entry) = entries.get_mut(key)
    {
        set_attr(entry, name, value);
    }
}

pub(crate) fn map_entry(object: &Value, map: &str, key: &str) -> Value {
    object
        .attr(map)
        .and_then(Value::as_map)
        .and_then(|entries: &BTreeMap<String, Value>| entries.get(key))
        .cloned()
        .unwrap_or(Value::Null)
}

pub(crate) fn rule(cidr: &str, id: Value) -> Value {
    Value::object([("cidr", Value::string(cidr)), ("rule_id", id)])
}

pub(crate) fn route(cidr: &str, id: Value) -> Value {
    Value::object([("cidr", Value::string(cidr)), ("route_id", id)])
}
