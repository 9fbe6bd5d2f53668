//! The schema model: what a provider configuration or resource accepts, the cty type Terraform
//! encodes its values with, and the sanity rules Terraform checks on every schema it receives.
//!
//! Resources describe themselves with this model once; the protocol layer turns it into the
//! wire message, the test harness reads the wire message back into it, and the docs generator
//! renders it. Descriptions live here so the docs cannot disagree with the provider.

use std::collections::BTreeMap;

use plugin_proto::tfplugin6;

use super::cty::Type;

/// A versioned schema; `version` is what `UpgradeResourceState` upgrades stored state from.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Bumped when the stored state layout changes.
    pub version: i64,
    /// The top-level attributes and nested blocks.
    pub block: Block,
}

/// An object with attributes and nested blocks (the top level of every schema).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// Attributes, in the order the docs list them.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub blocks: Vec<NestedBlock>,
    /// Markdown shown in the docs and by language servers.
    pub description: String,
    /// Whether Terraform warns when the block is used.
    pub deprecated: bool,
}

/// Whether the user must, may, or cannot set an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The user must set it.
    Required,
    /// The user may set it; unset means null.
    Optional,
    /// Set by the provider only.
    Computed,
    /// The user may set it; when they do not, the provider decides.
    OptionalComputed,
}

/// An attribute's value shape: a plain cty type, or a nested object with its own attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeType {
    /// A value of a cty type.
    Plain(Type),
    /// Objects with attributes of their own (protocol 6 nested attributes).
    Nested(NestedAttributes),
}

/// One attribute of a block or of a nested attribute: its name, value shape and who sets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The name configurations use.
    pub name: String,
    /// Its value shape.
    pub ty: AttributeType,
    /// Who sets it: the user, the provider, or either.
    pub presence: Presence,
    /// Markdown shown in the docs and by language servers.
    pub description: String,
    /// Whether Terraform hides the value in its output.
    pub sensitive: bool,
    /// Whether Terraform warns when it is set.
    pub deprecated: bool,
    /// Whether the value is only in the configuration, never in plan or state.
    pub write_only: bool,
}

/// How nested attributes or blocks repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// One object, or null.
    Single,
    /// An ordered list of objects.
    List,
    /// A set of objects.
    Set,
    /// Objects by string key.
    Map,
    /// Blocks only: a single block that is never null (absent means all attributes null).
    Group,
}

/// The objects of a nested attribute: how they repeat and their attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedAttributes {
    /// How the objects repeat.
    pub nesting: Nesting,
    /// The attributes of each object.
    pub attributes: Vec<Attribute>,
}

/// A nested block type (`data_center { ... }`): its name, how it repeats and its contents.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    /// The block name configurations use.
    pub type_name: String,
    /// How the blocks repeat.
    pub nesting: Nesting,
    /// The contents of each block.
    pub block: Block,
    /// The fewest blocks allowed; 0 for no limit.
    pub min_items: i64,
    /// The most blocks allowed; 0 for no limit.
    pub max_items: i64,
}

impl Attribute {
    fn new(name: &str, ty: AttributeType, presence: Presence) -> Self {
        Self {
            name: name.to_string(),
            ty,
            presence,
            description: String::new(),
            sensitive: false,
            deprecated: false,
            write_only: false,
        }
    }

    /// An attribute of type `ty` the user must set.
    pub fn required(name: &str, ty: Type) -> Self {
        Self::new(name, AttributeType::Plain(ty), Presence::Required)
    }

    /// An attribute of type `ty` the user may set.
    pub fn optional(name: &str, ty: Type) -> Self {
        Self::new(name, AttributeType::Plain(ty), Presence::Optional)
    }

    /// An attribute of type `ty` only the provider sets.
    pub fn computed(name: &str, ty: Type) -> Self {
        Self::new(name, AttributeType::Plain(ty), Presence::Computed)
    }

    /// An attribute of type `ty` the provider decides when the user does not set it.
    pub fn optional_computed(name: &str, ty: Type) -> Self {
        Self::new(name, AttributeType::Plain(ty), Presence::OptionalComputed)
    }

    /// An attribute whose value is one or more objects with attributes of their own.
    pub fn nested(
        name: &str,
        nesting: Nesting,
        presence: Presence,
        attributes: Vec<Attribute>,
    ) -> Self {
        Self::new(
            name,
            AttributeType::Nested(NestedAttributes {
                nesting,
                attributes,
            }),
            presence,
        )
    }

    /// With `markdown` as its description.
    pub fn describe(mut self, markdown: &str) -> Self {
        self.description = markdown.to_string();
        self
    }

    /// Hidden in Terraform's output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marked deprecated: Terraform warns when it is set.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// Whether the provider may set this attribute (computed or optional-computed).
    pub fn is_computed(&self) -> bool {
        matches!(
            self.presence,
            Presence::Computed | Presence::OptionalComputed
        )
    }

    /// Whether a configuration may set this attribute (it is not computed only).
    pub fn is_settable(&self) -> bool {
        !matches!(self.presence, Presence::Computed)
    }

    /// The cty type Terraform encodes this attribute's value with.
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Plain(ty) => ty.clone(),
            AttributeType::Nested(nested) => nested.value_type(),
        }
    }
}

impl NestedAttributes {
    /// The object type of one element.
    pub fn object_type(&self) -> Type {
        object_of(&self.attributes, &[])
    }

    /// The cty type Terraform encodes the whole value with.
    pub fn value_type(&self) -> Type {
        let object = self.object_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::List(Box::new(object)),
            Nesting::Set => Type::Set(Box::new(object)),
            Nesting::Map => Type::Map(Box::new(object)),
        }
    }
}

impl NestedBlock {
    /// The cty type Terraform encodes the whole value with.
    pub fn value_type(&self) -> Type {
        let object = self.block.implied_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::List(Box::new(object)),
            Nesting::Set => Type::Set(Box::new(object)),
            Nesting::Map => Type::Map(Box::new(object)),
        }
    }
}

fn object_of(attributes: &[Attribute], blocks: &[NestedBlock]) -> Type {
    let mut fields: BTreeMap<String, Type> = attributes
        .iter()
        .map(|a| (a.name.clone(), a.value_type()))
        .collect();
    for block in blocks {
        fields.insert(block.type_name.clone(), block.value_type());
    }
    Type::Object(fields)
}

impl Block {
    /// The object type of this block's values: its attributes plus one attribute per nested
    /// block type, exactly as Terraform encodes them.
    pub fn implied_type(&self) -> Type {
        object_of(&self.attributes, &self.blocks)
    }

    /// The attribute named `name`, if the block has one.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The nested block type named `name`, if the block has one.
    pub fn block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.type_name == name)
    }
}

impl Schema {
    /// The object type of values of this schema.
    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }

    /// Terraform's schema sanity rules (`configschema` InternalValidate); a schema that breaks
    /// them makes every command fail, so the provider's own tests run this on every schema.
    pub fn sanity_errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        check_block(&self.block, "", &mut errors);
        errors
    }

    /// The wire form GetProviderSchema sends.
    pub fn to_proto(&self) -> tfplugin6::Schema {
        tfplugin6::Schema {
            version: self.version,
            block: Some(block_to_proto(&self.block)),
        }
    }

    /// Reads a schema back from the wire form (used by the test harness, which plays Terraform
    /// and so only knows what the provider sent).
    pub fn from_proto(schema: &tfplugin6::Schema) -> Result<Self, String> {
        let block = schema
            .block
            .as_ref()
            .ok_or("schema has no block")
            .map_err(str::to_string)?;
        Ok(Self {
            version: schema.version,
            block: block_from_proto(block)?,
        })
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_attributes(attributes: &[Attribute], prefix: &str, errors: &mut Vec<String>) {
    for attribute in attributes {
        let path = format!("{prefix}{}", attribute.name);
        if !valid_name(&attribute.name) {
            errors.push(format!(
                "{path}: name may contain only lowercase letters, digits and underscores"
            ));
        }
        if attribute.write_only && attribute.is_computed() {
            errors.push(format!("{path}: write-only attributes cannot be computed"));
        }
        if let AttributeType::Nested(nested) = &attribute.ty {
            if nested.nesting == Nesting::Group {
                errors.push(format!(
                    "{path}: nested attributes cannot use group nesting"
                ));
            }
            check_attributes(&nested.attributes, &format!("{path}."), errors);
        }
    }
}

fn check_block(block: &Block, prefix: &str, errors: &mut Vec<String>) {
    check_attributes(&block.attributes, prefix, errors);
    let mut seen = std::collections::BTreeSet::new();
    for name in block
        .attributes
        .iter()
        .map(|a| &a.name)
        .chain(block.blocks.iter().map(|b| &b.type_name))
    {
        if !seen.insert(name) {
            errors.push(format!("{prefix}{name}: defined more than once"));
        }
    }
    for nested in &block.blocks {
        let path = format!("{prefix}{}", nested.type_name);
        if !valid_name(&nested.type_name) {
            errors.push(format!(
                "{path}: name may contain only lowercase letters, digits and underscores"
            ));
        }
        if nested.min_items < 0 || nested.max_items < 0 {
            errors.push(format!(
                "{path}: min_items and max_items must not be negative"
            ));
        }
        if nested.max_items != 0 && nested.min_items > nested.max_items {
            errors.push(format!("{path}: min_items is greater than max_items"));
        }
        match nested.nesting {
            Nesting::Single | Nesting::Group if nested.min_items > 1 || nested.max_items > 1 => {
                errors.push(format!(
                    "{path}: single and group blocks must have min_items and max_items of 0 or 1"
                ))
            }
            _ => {}
        }
        check_block(&nested.block, &format!("{path}."), errors);
    }
}

fn string_kind(text: &str) -> i32 {
    // Every description in this provider is written as Markdown; an empty one is plain.
    if text.is_empty() {
        tfplugin6::StringKind::Plain as i32
    } else {
        tfplugin6::StringKind::Markdown as i32
    }
}

fn attribute_to_proto(attribute: &Attribute) -> tfplugin6::schema::Attribute {
    let (r#type, nested_type) = match &attribute.ty {
        AttributeType::Plain(ty) => (ty.to_json(), None),
        AttributeType::Nested(nested) => (
            Vec::new(),
            Some(tfplugin6::schema::Object {
                attributes: nested.attributes.iter().map(attribute_to_proto).collect(),
                nesting: object_nesting_to_proto(nested.nesting) as i32,
                ..Default::default()
            }),
        ),
    };
    tfplugin6::schema::Attribute {
        name: attribute.name.clone(),
        r#type,
        nested_type,
        description: attribute.description.clone(),
        required: attribute.presence == Presence::Required,
        optional: matches!(
            attribute.presence,
            Presence::Optional | Presence::OptionalComputed
        ),
        computed: attribute.is_computed(),
        sensitive: attribute.sensitive,
        description_kind: string_kind(&attribute.description),
        deprecated: attribute.deprecated,
        write_only: attribute.write_only,
        ..Default::default()
    }
}

fn object_nesting_to_proto(nesting: Nesting) -> tfplugin6::schema::object::NestingMode {
    use tfplugin6::schema::object::NestingMode;
    match nesting {
        Nesting::Single | Nesting::Group => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    }
}

fn block_nesting_to_proto(nesting: Nesting) -> tfplugin6::schema::nested_block::NestingMode {
    use tfplugin6::schema::nested_block::NestingMode;
    match nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::Group => NestingMode::Group,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    }
}

fn block_to_proto(block: &Block) -> tfplugin6::schema::Block {
    tfplugin6::schema::Block {
        version: 0,
        attributes: block.attributes.iter().map(attribute_to_proto).collect(),
        block_types: block
            .blocks
            .iter()
            .map(|nested| tfplugin6::schema::NestedBlock {
                type_name: nested.type_name.clone(),
                block: Some(block_to_proto(&nested.block)),
                nesting: block_nesting_to_proto(nested.nesting) as i32,
                min_items: nested.min_items,
                max_items: nested.max_items,
            })
            .collect(),
        description: block.description.clone(),
        description_kind: string_kind(&block.description),
        deprecated: block.deprecated,
        ..Default::default()
    }
}

fn presence_from_flags(required: bool, optional: bool, computed: bool) -> Result<Presence, String> {
    match (required, optional, computed) {
        (true, false, false) => Ok(Presence::Required),
        (false, true, false) => Ok(Presence::Optional),
        (false, false, true) => Ok(Presence::Computed),
        (false, true, true) => Ok(Presence::OptionalComputed),
        (false, false, false) => Err("must set one of Required, Optional or Computed".into()),
        (true, true, _) => Err("cannot be both Required and Optional".into()),
        (true, _, true) => Err("cannot be both Required and Computed".into()),
    }
}

fn attribute_from_proto(attribute: &tfplugin6::schema::Attribute) -> Result<Attribute, String> {
    let name = &attribute.name;
    let ty = match (&attribute.nested_type, attribute.r#type.is_empty()) {
        (Some(_), false) => return Err(format!("{name}: sets both type and nested_type")),
        (None, true) => return Err(format!("{name}: sets neither type nor nested_type")),
        (None, false) => AttributeType::Plain(
            Type::from_json(&attribute.r#type)
                .map_err(|e| format!("{name}: unparsable type JSON: {e}"))?,
        ),
        (Some(object), true) => {
            use tfplugin6::schema::object::NestingMode;
            let nesting = match NestingMode::try_from(object.nesting) {
                Ok(NestingMode::Single) => Nesting::Single,
                Ok(NestingMode::List) => Nesting::List,
                Ok(NestingMode::Set) => Nesting::Set,
                Ok(NestingMode::Map) => Nesting::Map,
                _ => return Err(format!("{name}: invalid nested attribute nesting")),
            };
            AttributeType::Nested(NestedAttributes {
                nesting,
                attributes: object
                    .attributes
                    .iter()
                    .map(attribute_from_proto)
                    .collect::<Result<_, _>>()?,
            })
        }
    };
    Ok(Attribute {
        name: name.clone(),
        ty,
        presence: presence_from_flags(attribute.required, attribute.optional, attribute.computed)
            .map_err(|e| format!("{name}: {e}"))?,
        description: attribute.description.clone(),
        sensitive: attribute.sensitive,
        deprecated: attribute.deprecated,
        write_only: attribute.write_only,
    })
}

fn block_from_proto(block: &tfplugin6::schema::Block) -> Result<Block, String> {
    use tfplugin6::schema::nested_block::NestingMode;
    Ok(Block {
        attributes: block
            .attributes
            .iter()
            .map(attribute_from_proto)
            .collect::<Result<_, _>>()?,
        blocks: block
            .block_types
            .iter()
            .map(|nested| {
                let nesting = match NestingMode::try_from(nested.nesting) {
                    Ok(NestingMode::Single) => Nesting::Single,
                    Ok(NestingMode::Group) => Nesting::Group,
                    Ok(NestingMode::List) => Nesting::List,
                    Ok(NestingMode::Set) => Nesting::Set,
                    Ok(NestingMode::Map) => Nesting::Map,
                    _ => return Err(format!("{}: invalid block nesting", nested.type_name)),
                };
                Ok(NestedBlock {
                    type_name: nested.type_name.clone(),
                    nesting,
                    block: block_from_proto(
                        nested
                            .block
                            .as_ref()
                            .ok_or_else(|| format!("{}: block missing", nested.type_name))?,
                    )?,
                    min_items: nested.min_items,
                    max_items: nested.max_items,
                })
            })
            .collect::<Result<_, String>>()?,
        description: block.description.clone(),
        deprecated: block.deprecated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Schema {
        Schema {
            version: 1,
            block: Block {
                attributes: vec![
                    Attribute::required("name", Type::String).describe("The `Name` tag."),
                    Attribute::optional("token", Type::String).sensitive(),
                    Attribute::computed("id", Type::String),
                    Attribute::optional_computed("tags", Type::Map(Box::new(Type::String))),
                    Attribute::nested(
                        "vpc_attachments",
                        Nesting::Map,
                        Presence::Optional,
                        vec![
                            Attribute::required("vpc_id", Type::String),
                            Attribute::computed("attachment_id", Type::String),
                        ],
                    ),
                ],
                blocks: vec![NestedBlock {
                    type_name: "timeouts".into(),
                    nesting: Nesting::Single,
                    block: Block {
                        attributes: vec![Attribute::optional("create", Type::String)],
                        ..Default::default()
                    },
                    min_items: 0,
                    max_items: 1,
                }],
                description: "A hub.".into(),
                deprecated: false,
            },
        }
    }

    #[test]
    fn implied_type_includes_nested_attributes_and_blocks() {
        let expected = Type::object([
            ("id", Type::String),
            ("name", Type::String),
            ("tags", Type::Map(Box::new(Type::String))),
            ("timeouts", Type::object([("create", Type::String)])),
            ("token", Type::String),
            (
                "vpc_attachments",
                Type::Map(Box::new(Type::object([
                    ("attachment_id", Type::String),
                    ("vpc_id", Type::String),
                ]))),
            ),
        ]);
        assert_eq!(sample().implied_type(), expected);
    }

    #[test]
    fn proto_round_trip_keeps_everything() {
        let schema = sample();
        assert!(schema.sanity_errors().is_empty());
        let wire = schema.to_proto();
        let name = &wire.block.as_ref().unwrap().attributes[0];
        assert_eq!(name.r#type, br#""string""#.to_vec());
        assert_eq!(
            name.description_kind,
            tfplugin6::StringKind::Markdown as i32
        );
        assert!(name.required && !name.optional && !name.computed);
        let tags = &wire.block.as_ref().unwrap().attributes[3];
        assert!(tags.optional && tags.computed && !tags.required);
        assert_eq!(Schema::from_proto(&wire).unwrap(), schema);
    }

    #[test]
    fn sanity_rules_catch_what_terraform_rejects() {
        let mut schema = sample();
        schema
            .block
            .attributes
            .push(Attribute::optional("Bad-Name", Type::String));
        schema
            .block
            .attributes
            .push(Attribute::optional("name", Type::String));
        schema.block.blocks[0].max_items = 2;
        let errors = schema.sanity_errors();
        assert!(
            errors.iter().any(|e| e.starts_with("Bad-Name: name")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("name: defined more than once")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("timeouts: single")),
            "{errors:?}"
        );
    }

    #[test]
    fn from_proto_rejects_inconsistent_flags() {
        let mut wire = sample().to_proto();
        let attribute = &mut wire.block.as_mut().unwrap().attributes[0];
        attribute.optional = true;
        let err = Schema::from_proto(&wire).unwrap_err();
        assert!(err.contains("Required and Optional"), "{err}");
        let mut wire = sample().to_proto();
        wire.block.as_mut().unwrap().attributes[0].r#type = b"[\"nonsense".to_vec();
        assert!(Schema::from_proto(&wire).unwrap_err().contains("type JSON"));
    }
}
