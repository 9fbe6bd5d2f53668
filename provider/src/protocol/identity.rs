//! Resource identity (protocol 6.9, Terraform ≥ 1.12): a small object, versioned apart from the
//! resource's schema, that names the remote object a resource instance manages. Terraform keeps
//! it beside the state, shows it in `terraform show -json`, and accepts it in an `import` block
//! (`identity = { … }`) instead of an import id.
//!
//! Only the schema, its wire form and the decoding of stored identities live here; what a
//! resource's identity holds, and the rules of when it may change, are the framework's.

use plugin_proto::tfplugin6;

use super::cty::{self, Type, Value};
use super::diagnostics::Diagnostics;

/// One attribute of an identity. Identity attributes are primitive or lists of primitives;
/// this provider's are all strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityAttribute {
    /// Its name in an `import` block's `identity` and in `terraform show -json`.
    pub name: String,
    /// Its type (JSON on the wire, like a schema attribute's).
    pub ty: Type,
    /// An `import` block's `identity` must set it.
    pub required_for_import: bool,
    /// An `import` block's `identity` may leave it out; the provider fills it in.
    pub optional_for_import: bool,
    /// Markdown.
    pub description: String,
}

/// The identity schema of one managed resource type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySchema {
    /// Versioned apart from the resource schema; UpgradeResourceIdentity brings older
    /// identities to this version.
    pub version: i64,
    /// Its attributes, in the order they are documented.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// The object type identity values have.
    pub fn implied_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.as_str(), a.ty.clone())),
        )
    }

    /// The wire form GetResourceIdentitySchemas sends.
    pub fn to_proto(&self) -> tfplugin6::ResourceIdentitySchema {
        tfplugin6::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| tfplugin6::resource_identity_schema::IdentityAttribute {
                    name: a.name.clone(),
                    r#type: a.ty.to_json(),
                    required_for_import: a.required_for_import,
                    optional_for_import: a.optional_for_import,
                    description: a.description.clone(),
                })
                .collect(),
        }
    }

    /// Reads a schema back from the wire (the test harness plays Terraform).
    pub fn from_proto(wire: &tfplugin6::ResourceIdentitySchema) -> Result<Self, String> {
        let attributes = wire
            .identity_attributes
            .iter()
            .map(|a| {
                Ok(IdentityAttribute {
                    name: a.name.clone(),
                    ty: Type::from_json(&a.r#type).map_err(|e| format!("{}: {e}", a.name))?,
                    required_for_import: a.required_for_import,
                    optional_for_import: a.optional_for_import,
                    description: a.description.clone(),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            version: wire.version,
            attributes,
        })
    }

    /// Terraform's rules on identity schemas: at least one attribute, valid unique names, and
    /// each attribute either required or optional for import, not both.
    pub fn sanity_errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.attributes.is_empty() {
            errors.push("an identity needs at least one attribute".to_string());
        }
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.attributes {
            if !seen.insert(a.name.as_str()) {
                errors.push(format!("{}: declared twice", a.name));
            }
            if a.name.is_empty()
                || !a
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                errors.push(format!(
                    "{}: name may contain only lowercase letters, digits and underscores",
                    a.name
                ));
            }
            if a.required_for_import == a.optional_for_import {
                errors.push(format!(
                    "{}: must be either required or optional for import",
                    a.name
                ));
            }
        }
        errors
    }

    /// A stored identity (JSON, as Terraform keeps it in state) of schema `version`, as a value
    /// of this schema: attributes the schema no longer has are dropped; an identity from a
    /// newer provider is refused.
    pub fn decode_stored(
        &self,
        type_name: &str,
        version: i64,
        json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        if version > self.version {
            diagnostics.error(
                "Identity written by a newer provider",
                format!(
                    "The identity of this {type_name} was saved by a provider using identity \
                     version {version}, newer than this provider's {}. Use the provider version \
                     that wrote the state (or newer).",
                    self.version
                ),
            );
            return Err(diagnostics);
        }
        cty::from_json_ignoring_unknown_attributes(json, &self.implied_type()).map_err(|error| {
            diagnostics.error(
                "Stored identity cannot be read",
                format!(
                    "The saved identity of this {type_name} is invalid: {error}. Remove the \
                     resource from state (`terraform state rm`) and import it again."
                ),
            );
            diagnostics
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> IdentitySchema {
        let attribute = |name: &str, required| IdentityAttribute {
            name: name.to_string(),
            ty: Type::String,
            required_for_import: required,
            optional_for_import: !required,
            description: format!("The {name}."),
        };
        IdentitySchema {
            version: 0,
            attributes: vec![attribute("account_id", false), attribute("id", true)],
        }
    }

    #[test]
    fn the_wire_form_round_trips() {
        let schema = schema();
        assert!(schema.sanity_errors().is_empty());
        let wire = schema.to_proto();
        assert_eq!(wire.identity_attributes[0].r#type, b"\"string\"");
        assert_eq!(IdentitySchema::from_proto(&wire).unwrap(), schema);
    }

    #[test]
    fn broken_schemas_are_named() {
        let mut schema = schema();
        schema.attributes[1].optional_for_import = true;
        schema.attributes.push(schema.attributes[0].clone());
        let errors = schema.sanity_errors();
        assert!(
            errors.iter().any(|e| e.contains("id: must be either")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("declared twice")),
            "{errors:?}"
        );
    }

    #[test]
    fn stored_identities_decode_or_say_why_not() {
        let schema = schema();
        let value = schema
            .decode_stored(
                "t",
                0,
                br#"{"account_id":"111122223333","id":"x","gone":"y"}"#,
            )
            .unwrap();
        assert_eq!(value.attr("id"), Some(&Value::string("x")));
        let newer = schema.decode_stored("t", 1, b"{}").unwrap_err();
        assert_eq!(newer.0[0].summary, "Identity written by a newer provider");
        let garbage = schema.decode_stored("t", 0, b"[1").unwrap_err();
        assert_eq!(garbage.0[0].summary, "Stored identity cannot be read");
    }
}
