//! Terraform configuration in HCL, decoded against the schemas the provider reports, the way
//! Terraform core does: unknown arguments and missing required ones are Terraform's own errors,
//! values are converted to the schema's types, and unset optional arguments are null.
//!
//! Expressions may use variables (`var.name`, with `variable` blocks and their defaults), the
//! harness function `unknown()`, which stands for a value Terraform does not know until apply
//! (such as an attribute of a resource not yet created), and, once a plan has read them, the
//! data sources of the configuration (`data.TYPE.NAME.ATTRIBUTE`).

use std::collections::BTreeMap;

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef};
use terraform_provider_migration::protocol::cty::{Number, Type, Value};
use terraform_provider_migration::protocol::schema::{AttributeType, Block, Nesting, Presence};

const UNKNOWN_SENTINEL: &str = "\u{0}harness-unknown\u{0}";

fn unknown_function(_: FuncArgs) -> Result<hcl::Value, String> {
    Ok(hcl::Value::String(UNKNOWN_SENTINEL.to_string()))
}

/// One `resource "TYPE" "NAME" {}` block.
#[derive(Clone, Debug)]
pub struct ResourceBlock {
    pub type_name: String,
    pub name: String,
    pub body: hcl::Body,
}

impl ResourceBlock {
    /// `TYPE.NAME`; a data block's address is [`data_address`](Self::data_address).
    pub fn address(&self) -> String {
        format!("{}.{}", self.type_name, self.name)
    }

    /// `data.TYPE.NAME`.
    pub fn data_address(&self) -> String {
        format!("data.{}.{}", self.type_name, self.name)
    }
}

/// A cty value as HCL sees it in expressions (an unknown stays unknown).
pub fn to_hcl(value: &Value) -> hcl::Value {
    match value {
        Value::Null => hcl::Value::Null,
        Value::Unknown(_) => hcl::Value::String(UNKNOWN_SENTINEL.to_string()),
        Value::Bool(b) => hcl::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => hcl::Value::Number(i.into()),
            None => hcl::Number::from_f64(n.as_f64())
                .map_or_else(|| hcl::Value::String(n.to_string()), hcl::Value::Number),
        },
        Value::String(s) => hcl::Value::String(s.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            hcl::Value::Array(items.iter().map(to_hcl).collect())
        }
        Value::Map(items) | Value::Object(items) => {
            hcl::Value::Object(items.iter().map(|(k, v)| (k.clone(), to_hcl(v))).collect())
        }
        Value::Dynamic(_, inner) => to_hcl(inner),
    }
}

/// A parsed configuration: the provider block, the resources, the data sources, and the
/// variable context.
#[derive(Clone, Debug)]
pub struct Configuration {
    pub provider: Option<hcl::Body>,
    pub resources: Vec<ResourceBlock>,
    /// `data "TYPE" "NAME" {}` blocks (their address is `data.TYPE.NAME`).
    pub data: Vec<ResourceBlock>,
    pub variables: BTreeMap<String, hcl::Value>,
    /// What data sources read so far, by type then name (the `data` of expressions).
    pub data_values: BTreeMap<String, BTreeMap<String, hcl::Value>>,
}

fn label(block: &hcl::Block, index: usize) -> Option<String> {
    block.labels.get(index).map(|l| l.as_str().to_string())
}

/// Parses HCL text; `variables` override `variable` block defaults, as `-var` does.
pub fn parse(
    text: &str,
    variables: &BTreeMap<String, hcl::Value>,
) -> Result<Configuration, String> {
    parse_with(text, variables, false)
}

/// `body` with every reference to a data source or a resource (`data.TYPE.NAME`, `TYPE.NAME`
/// for each of `roots`, and any attribute or index after it) replaced by `unknown()`, as
/// `terraform validate` evaluates a configuration before anything is read or applied. Text in
/// string literals is rewritten too, which only changes the literal.
fn references_unknown(body: &hcl::Body, roots: &[String]) -> Result<hcl::Body, String> {
    let text = hcl::to_string(body).map_err(|e| e.to_string())?;
    let bytes = text.as_bytes();
    let is_identifier = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let at_boundary = i == 0 || !(is_identifier(bytes[i - 1]) || bytes[i - 1] == b'.');
        let root = roots.iter().find(|root| {
            at_boundary
                && text[i..].starts_with(root.as_str())
                && bytes.get(i + root.len()) == Some(&b'.')
        });
        let Some(root) = root else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8().max(1);
            continue;
        };
        let mut j = i + root.len();
        loop {
            if bytes.get(j) == Some(&b'.') && bytes.get(j + 1).is_some_and(|b| is_identifier(*b)) {
                j += 1;
                while bytes.get(j).is_some_and(|b| is_identifier(*b)) {
                    j += 1;
                }
            } else if bytes.get(j) == Some(&b'[') {
                match text[j..].find(']') {
                    Some(end) => j += end + 1,
                    None => break,
                }
            } else {
                break;
            }
        }
        out.push_str("unknown()");
        i = j;
    }
    hcl::parse(&out).map_err(|e| format!("rewriting references: {e}"))
}

/// Parses HCL text in which variables without a value are unknown, as in `terraform validate`
/// (used to check the examples against the schema).
pub fn parse_for_validation(text: &str) -> Result<Configuration, String> {
    parse_with(text, &BTreeMap::new(), true)
}

fn parse_with(
    text: &str,
    variables: &BTreeMap<String, hcl::Value>,
    unset_is_unknown: bool,
) -> Result<Configuration, String> {
    let body = hcl::parse(text).map_err(|e| format!("configuration is not valid HCL: {e}"))?;
    let mut configuration = Configuration {
        provider: None,
        resources: Vec::new(),
        data: Vec::new(),
        variables: BTreeMap::new(),
        data_values: BTreeMap::new(),
    };
    // `terraform validate` reads no data source and applies nothing: what data sources and
    // resources return is unknown to the blocks that refer to them. Locals are not evaluated
    // here (the real-Terraform suite validates the examples with Terraform itself), so they are
    // unknown too.
    let mut roots: Vec<String> = vec!["data".to_string(), "local".to_string()];
    if unset_is_unknown {
        roots.extend(
            body.blocks()
                .filter(|b| b.identifier() == "resource")
                .filter_map(|b| label(b, 0)),
        );
        roots.sort();
        roots.dedup();
    }
    let unknown_references = |body: &hcl::Body| {
        if unset_is_unknown {
            references_unknown(body, &roots)
        } else {
            Ok(body.clone())
        }
    };
    for block in body.blocks() {
        match block.identifier() {
            "provider" if label(block, 0).as_deref() == Some("migration") => {
                configuration.provider = Some(block.body.clone());
            }
            "resource" => {
                let (Some(type_name), Some(name)) = (label(block, 0), label(block, 1)) else {
                    return Err("a resource block needs a type and a name label".into());
                };
                configuration.resources.push(ResourceBlock {
                    type_name,
                    name,
                    body: unknown_references(&block.body)?,
                });
            }
            "data" => {
                let (Some(type_name), Some(name)) = (label(block, 0), label(block, 1)) else {
                    return Err("a data block needs a type and a name label".into());
                };
                configuration.data.push(ResourceBlock {
                    type_name,
                    name,
                    body: unknown_references(&block.body)?,
                });
            }
            "variable" => {
                let name = label(block, 0).ok_or("a variable block needs a name")?;
                let default = block
                    .body
                    .attributes()
                    .find(|a| a.key() == "default")
                    .map(|a| a.expr.evaluate(&Context::new()))
                    .transpose()
                    .map_err(|e| format!("variable {name}: {e}"))?;
                let unknown =
                    unset_is_unknown.then(|| hcl::Value::String(UNKNOWN_SENTINEL.to_string()));
                let value = variables.get(&name).cloned().or(default).or(unknown).ok_or_else(|| {
                    format!("No value for required variable: variable {name:?} has no default and no value was given")
                })?;
                configuration.variables.insert(name, value);
            }
            // Blocks that matter only to the real CLI.
            "terraform" | "output" | "locals" | "provider" | "module" | "check" | "moved"
            | "import" | "removed" => {}
            other => {
                return Err(format!(
                    "Unsupported block type: blocks of type {other:?} are not expected here"
                ));
            }
        }
    }
    for (name, value) in variables {
        configuration
            .variables
            .entry(name.clone())
            .or_insert(value.clone());
    }
    Ok(configuration)
}

impl Configuration {
    fn context(&self) -> Context<'_> {
        let mut ctx = Context::new();
        let vars: hcl::Map<String, hcl::Value> = self
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        ctx.declare_var("var", hcl::Value::Object(vars));
        let data: hcl::Map<String, hcl::Value> = self
            .data_values
            .iter()
            .map(|(type_name, by_name)| {
                let objects = by_name
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect();
                (type_name.clone(), hcl::Value::Object(objects))
            })
            .collect();
        ctx.declare_var("data", hcl::Value::Object(data));
        ctx.declare_func("unknown", FuncDef::builder().build(unknown_function));
        ctx
    }

    /// Makes what a data source read available to later expressions as `data.TYPE.NAME`.
    pub fn set_data(&mut self, block: &ResourceBlock, value: &Value) {
        self.data_values
            .entry(block.type_name.clone())
            .or_default()
            .insert(block.name.clone(), to_hcl(value));
    }

    /// The provider block as a cty value of `schema` (an absent block is all-null, as in
    /// Terraform).
    pub fn provider_value(&self, schema: &Block) -> Result<Value, Vec<String>> {
        let empty = hcl::Body::default();
        decode_body(
            self.provider.as_ref().unwrap_or(&empty),
            schema,
            &self.context(),
            "",
        )
    }

    /// A resource or data block as a cty value of `schema`.
    pub fn resource_value(
        &self,
        resource: &ResourceBlock,
        schema: &Block,
    ) -> Result<Value, Vec<String>> {
        decode_body(&resource.body, schema, &self.context(), "")
    }
}

/// Decodes a block body against its schema, collecting every error like Terraform does.
pub fn decode_body(
    body: &hcl::Body,
    schema: &Block,
    ctx: &Context,
    path: &str,
) -> Result<Value, Vec<String>> {
    let mut errors = Vec::new();
    let mut object = BTreeMap::new();
    for attribute in body.attributes() {
        let name = attribute.key();
        match schema.attribute(name) {
            Some(spec) if spec.presence == Presence::Computed => errors.push(format!(
                "Invalid or unknown key: {path}{name} is computed and cannot be set in configuration"
            )),
            Some(_) => {}
            None if schema.block(name).is_some() => errors.push(format!(
                "Unsupported argument: an argument named {name:?} is not expected here. Did you mean to define a block of type {name:?}?"
            )),
            None => errors.push(format!(
                "Unsupported argument: an argument named {name:?} is not expected here."
            )),
        }
    }
    for block in body.blocks() {
        if schema.block(block.identifier()).is_none() {
            errors.push(format!(
                "Unsupported block type: blocks of type {:?} are not expected here.",
                block.identifier()
            ));
        }
    }
    for spec in &schema.attributes {
        let expr = body.attributes().find(|a| a.key() == spec.name);
        let value = match expr {
            None => {
                if spec.presence == Presence::Required {
                    errors.push(format!(
                        "Missing required argument: the argument {:?} is required, but no definition was found.",
                        spec.name
                    ));
                }
                Value::Null
            }
            Some(attribute) => match attribute.expr.evaluate(ctx) {
                Ok(raw) => match &spec.ty {
                    AttributeType::Plain(ty) => {
                        convert(&raw, ty, &format!("{path}{}", spec.name), &mut errors)
                    }
                    AttributeType::Nested(nested) => {
                        let element = Block {
                            attributes: nested.attributes.clone(),
                            ..Default::default()
                        };
                        convert_nested(
                            &raw,
                            nested.nesting,
                            &element,
                            &format!("{path}{}", spec.name),
                            &mut errors,
                        )
                    }
                },
                Err(e) => {
                    errors.push(format!("{path}{}: {e}", spec.name));
                    Value::Null
                }
            },
        };
        object.insert(spec.name.clone(), value);
    }
    for spec in &schema.blocks {
        let found: Vec<&hcl::Block> = body
            .blocks()
            .filter(|b| b.identifier() == spec.type_name)
            .collect();
        let child_path = format!("{path}{}", spec.type_name);
        if matches!(spec.nesting, Nesting::Single | Nesting::Group) && found.len() > 1 {
            errors.push(format!(
                "Duplicate {} block: only one is allowed",
                spec.type_name
            ));
        }
        let mut nested_errors = Vec::new();
        let mut decode = |b: &hcl::Block| match decode_body(
            &b.body,
            &spec.block,
            ctx,
            &format!("{child_path}."),
        ) {
            Ok(v) => v,
            Err(mut e) => {
                nested_errors.append(&mut e);
                Value::Null
            }
        };
        let value = match spec.nesting {
            Nesting::Single | Nesting::Group => match found.first() {
                Some(b) => decode(b),
                None if spec.nesting == Nesting::Group => {
                    decode(&hcl::Block::new(spec.type_name.as_str()))
                }
                None => Value::Null,
            },
            Nesting::List => Value::List(found.iter().map(|b| decode(b)).collect()),
            Nesting::Set => Value::Set(found.iter().map(|b| decode(b)).collect()),
            Nesting::Map => Value::Map(
                found
                    .iter()
                    .map(|b| (label(b, 0).unwrap_or_default(), decode(b)))
                    .collect(),
            ),
        };
        errors.append(&mut nested_errors);
        if (spec.min_items > 0 && (found.len() as i64) < spec.min_items)
            || (spec.max_items > 0 && (found.len() as i64) > spec.max_items)
        {
            errors.push(format!(
                "Invalid number of {} blocks: between {} and {} allowed, found {}",
                spec.type_name,
                spec.min_items,
                spec.max_items,
                found.len()
            ));
        }
        object.insert(spec.type_name.clone(), value);
    }
    if errors.is_empty() {
        Ok(Value::Object(object))
    } else {
        Err(errors)
    }
}

fn convert_nested(
    raw: &hcl::Value,
    nesting: Nesting,
    element: &Block,
    path: &str,
    errors: &mut Vec<String>,
) -> Value {
    if let hcl::Value::String(s) = raw
        && s == UNKNOWN_SENTINEL
    {
        return Value::unknown();
    }
    let object = |raw: &hcl::Value, path: &str, errors: &mut Vec<String>| -> Value {
        match raw {
            hcl::Value::Null => Value::Null,
            hcl::Value::Object(fields) => {
                let mut out = BTreeMap::new();
                for key in fields.keys() {
                    if element.attribute(key).is_none() {
                        errors.push(format!("{path}: unexpected attribute {key:?}"));
                    }
                }
                for spec in &element.attributes {
                    let child = format!("{path}.{}", spec.name);
                    let value = match fields.get(&spec.name) {
                        None | Some(hcl::Value::Null) => {
                            if spec.presence == Presence::Required {
                                errors
                                    .push(format!("{path}: attribute {:?} is required", spec.name));
                            }
                            Value::Null
                        }
                        Some(_) if spec.presence == Presence::Computed => {
                            errors.push(format!(
                                "{child}: this attribute is computed and cannot be set"
                            ));
                            Value::Null
                        }
                        Some(v) => match &spec.ty {
                            AttributeType::Plain(ty) => convert(v, ty, &child, errors),
                            AttributeType::Nested(n) => {
                                let e = Block {
                                    attributes: n.attributes.clone(),
                                    ..Default::default()
                                };
                                convert_nested(v, n.nesting, &e, &child, errors)
                            }
                        },
                    };
                    out.insert(spec.name.clone(), value);
                }
                Value::Object(out)
            }
            _ => {
                errors.push(format!("{path}: an object is required"));
                Value::Null
            }
        }
    };
    match (nesting, raw) {
        (_, hcl::Value::Null) => Value::Null,
        (Nesting::Single | Nesting::Group, raw) => object(raw, path, errors),
        (Nesting::List, hcl::Value::Array(items)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| object(v, &format!("{path}[{i}]"), errors))
                .collect(),
        ),
        (Nesting::Set, hcl::Value::Array(items)) => Value::Set(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| object(v, &format!("{path}[{i}]"), errors))
                .collect(),
        ),
        (Nesting::Map, hcl::Value::Object(items)) => Value::Map(
            items
                .iter()
                .map(|(k, v)| (k.clone(), object(v, &format!("{path}[{k:?}]"), errors)))
                .collect(),
        ),
        _ => {
            errors.push(format!("{path}: wrong shape for a nested attribute"));
            Value::Null
        }
    }
}

/// Terraform's type conversion from an HCL value to a schema type.
pub fn convert(raw: &hcl::Value, ty: &Type, path: &str, errors: &mut Vec<String>) -> Value {
    if let hcl::Value::String(s) = raw
        && s == UNKNOWN_SENTINEL
    {
        return Value::unknown();
    }
    let mismatch = |errors: &mut Vec<String>, expected: &str| {
        errors.push(format!(
            "Incorrect attribute value type: {path}: {expected} required"
        ));
        Value::Null
    };
    match (ty, raw) {
        (_, hcl::Value::Null) => Value::Null,
        (Type::String, hcl::Value::String(s)) => Value::string(s.clone()),
        (Type::String, hcl::Value::Number(n)) => Value::string(n.to_string()),
        (Type::String, hcl::Value::Bool(b)) => Value::string(b.to_string()),
        (Type::Number, hcl::Value::Number(n)) => match n.to_string().parse::<Number>() {
            Ok(n) => Value::Number(n),
            Err(_) => mismatch(errors, "number"),
        },
        (Type::Number, hcl::Value::String(s)) => match s.parse::<Number>() {
            Ok(n) => Value::Number(n),
            Err(_) => mismatch(errors, "number"),
        },
        (Type::Bool, hcl::Value::Bool(b)) => Value::Bool(*b),
        (Type::Bool, hcl::Value::String(s)) if s == "true" || s == "false" => {
            Value::Bool(s == "true")
        }
        (Type::List(inner), hcl::Value::Array(items)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| convert(v, inner, &format!("{path}[{i}]"), errors))
                .collect(),
        ),
        (Type::Set(inner), hcl::Value::Array(items)) => {
            let mut out: Vec<Value> = Vec::new();
            for (i, v) in items.iter().enumerate() {
                let value = convert(v, inner, &format!("{path}[{i}]"), errors);
                if !out.contains(&value) {
                    out.push(value);
                }
            }
            Value::Set(out)
        }
        (Type::Map(inner), hcl::Value::Object(items)) => Value::Map(
            items
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        convert(v, inner, &format!("{path}[{k:?}]"), errors),
                    )
                })
                .collect(),
        ),
        (Type::Object(fields), hcl::Value::Object(items)) => {
            for key in items.keys() {
                if !fields.contains_key(key) {
                    errors.push(format!("{path}: unexpected attribute {key:?}"));
                }
            }
            Value::Object(
                fields
                    .iter()
                    .map(|(k, t)| {
                        let v = items.get(k).map_or(Value::Null, |v| {
                            convert(v, t, &format!("{path}.{k}"), errors)
                        });
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        (Type::Dynamic, raw) => Value::dynamic(Type::String, Value::string(raw.to_string())),
        (Type::String, _) => mismatch(errors, "string"),
        (Type::Number, _) => mismatch(errors, "number"),
        (Type::Bool, _) => mismatch(errors, "bool"),
        (Type::List(_) | Type::Set(_) | Type::Tuple(_), _) => mismatch(errors, "list"),
        (Type::Map(_) | Type::Object(_), _) => mismatch(errors, "map or object"),
    }
}
