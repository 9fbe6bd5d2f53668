//! The schema side of core's rules (`internal/configs/configschema`): what an absent block
//! looks like, and which attribute a path inside a value names.

use terraform_provider_migration::protocol::cty::{Type, Value};
use terraform_provider_migration::protocol::schema::{
    Attribute, AttributeType, Block, Nesting, Presence,
};

use super::render::Step;

/// The schema of one nested object: a block's body, or a nested attribute's attributes.
/// Core treats both alike when correlating elements (its `nestedSchema`).
#[derive(Clone, Copy)]
pub(crate) enum Nested<'a> {
    Block(&'a Block),
    Object(&'a [Attribute]),
}

impl<'a> Nested<'a> {
    pub(crate) fn object_type(self) -> Type {
        match self {
            Nested::Block(block) => block.implied_type(),
            Nested::Object(attributes) => object_type(attributes),
        }
    }

    /// `AttributeByPath`: index steps are passed over, an attribute with a nested type is
    /// descended into, a nested block is descended into (blocks only); anything else names no
    /// attribute. Like core, an object schema passes over names it does not know.
    pub(crate) fn attribute_by_path(self, path: &[Step]) -> Option<&'a Attribute> {
        match self {
            Nested::Block(block) => block_attribute_by_path(block, path),
            Nested::Object(attributes) => object_attribute_by_path(attributes, path),
        }
    }
}

fn block_attribute_by_path<'a>(block: &'a Block, path: &[Step]) -> Option<&'a Attribute> {
    let mut block = block;
    for (i, step) in path.iter().enumerate() {
        let Step::Attr(name) = step else { continue };
        if let Some(attribute) = block.attribute(name) {
            return attribute_at(attribute, &path[i + 1..]);
        }
        block = &block.block(name)?.block;
    }
    None
}

fn object_attribute_by_path<'a>(
    attributes: &'a [Attribute],
    path: &[Step],
) -> Option<&'a Attribute> {
    for (i, step) in path.iter().enumerate() {
        let Step::Attr(name) = step else { continue };
        if let Some(attribute) = attributes.iter().find(|a| a.name == *name) {
            return attribute_at(attribute, &path[i + 1..]);
        }
    }
    None
}

/// The attribute itself when the path ends at it, else whatever its nested type names.
fn attribute_at<'a>(attribute: &'a Attribute, rest: &[Step]) -> Option<&'a Attribute> {
    if rest.is_empty() {
        return Some(attribute);
    }
    match &attribute.ty {
        AttributeType::Nested(nested) => object_attribute_by_path(&nested.attributes, rest),
        AttributeType::Plain(_) => None,
    }
}

/// The object type of a nested attribute's elements.
pub(crate) fn object_type(attributes: &[Attribute]) -> Type {
    Type::Object(
        attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect(),
    )
}

/// The user may write the attribute (core's `Optional` flag).
pub(crate) fn is_optional(attribute: &Attribute) -> bool {
    matches!(
        attribute.presence,
        Presence::Optional | Presence::OptionalComputed
    )
}

/// Only the provider sets it (computed and not optional).
pub(crate) fn is_computed_only(attribute: &Attribute) -> bool {
    attribute.presence == Presence::Computed
}

/// `Block.EmptyValue`: what decoding an empty block body gives: attributes null, a single
/// block null, a group block its own empty value, and no list, set or map blocks.
pub(crate) fn empty_value(block: &Block) -> Value {
    let mut attributes: std::collections::BTreeMap<String, Value> = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null))
        .collect();
    for nested in &block.blocks {
        let empty = match nested.nesting {
            Nesting::Single => Value::Null,
            Nesting::Group => empty_value(&nested.block),
            Nesting::List => Value::List(Vec::new()),
            Nesting::Set => Value::Set(Vec::new()),
            Nesting::Map => Value::Map(Default::default()),
        };
        attributes.insert(nested.type_name.clone(), empty);
    }
    Value::Object(attributes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use terraform_provider_migration::protocol::schema::NestedBlock;

    fn schema() -> Block {
        Block {
            attributes: vec![
                Attribute::required("name", Type::String),
                Attribute::nested(
                    "attachments",
                    Nesting::Map,
                    Presence::Optional,
                    vec![
                        Attribute::required("vpc_id", Type::String),
                        Attribute::computed("id", Type::String),
                    ],
                ),
            ],
            blocks: vec![
                NestedBlock {
                    type_name: "rule".into(),
                    nesting: Nesting::List,
                    block: Block {
                        attributes: vec![Attribute::optional("cidr", Type::String)],
                        ..Block::default()
                    },
                    min_items: 0,
                    max_items: 0,
                },
                NestedBlock {
                    type_name: "timeouts".into(),
                    nesting: Nesting::Group,
                    block: Block {
                        attributes: vec![Attribute::optional("create", Type::String)],
                        ..Block::default()
                    },
                    min_items: 0,
                    max_items: 0,
                },
            ],
            ..Block::default()
        }
    }

    fn attr(name: &str) -> Step {
        Step::Attr(name.into())
    }

    #[test]
    fn finds_attributes_through_nesting() {
        let block = schema();
        let nested = Nested::Block(&block);
        let found = |path: &[Step]| nested.attribute_by_path(path).map(|a| a.name.as_str());
        assert_eq!(found(&[attr("name")]), Some("name"));
        let key = Step::Index(Value::string("k"));
        assert_eq!(
            found(&[attr("attachments"), key.clone(), attr("id")]),
            Some("id")
        );
        assert_eq!(found(&[attr("attachments"), key]), None);
        let index = Step::Index(Value::number(0));
        assert_eq!(found(&[attr("rule"), index, attr("cidr")]), Some("cidr"));
        assert_eq!(found(&[attr("name"), attr("extra")]), None);
        assert_eq!(found(&[attr("nothing")]), None);
        assert_eq!(found(&[]), None);
    }

    #[test]
    fn empty_value_follows_nesting_modes() {
        let empty = empty_value(&schema());
        assert_eq!(empty.attr("name"), Some(&Value::Null));
        assert_eq!(empty.attr("rule"), Some(&Value::List(vec![])));
        assert_eq!(
            empty.attr("timeouts"),
            Some(&Value::object([("create", Value::Null)]))
        );
    }
}
