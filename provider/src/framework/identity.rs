//! Resource identity (Terraform ≥ 1.12), once for every resource: a resource declares which
//! attribute names its object ([`Identity`]); the identity is that attribute plus the account
//! and Region of the configured provider, the place the object lives in. The lifecycle returns
//! it from every read, plan, apply and import, takes it instead of an import id, and refuses an
//! identity of another place.
//!
//! Terraform older than 1.12 never asks for the identity schema and never reads the identity
//! fields, so it sees exactly what it saw before.

use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::retry::{OpError, RetryOn};
use crate::protocol::cty::{Type, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::identity::{IdentityAttribute, IdentitySchema};

use super::context::Ctx;

/// The identity attribute holding the account.
pub(crate) const ACCOUNT_ID: &str = "account_id";
/// The identity attribute holding the Region.
pub(crate) const REGION: &str = "region";

/// What a resource declares about its identity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Identity {
    /// The identity attribute naming the object (besides `account_id` and `region`).
    pub attribute: &'static str,
    /// The state attribute its value comes from.
    pub state_attribute: &'static str,
    /// Markdown: what the attribute holds.
    pub description: &'static str,
}

/// Where the configured provider works: the objects it can manage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub account_id: String,
    pub region: String,
}

impl Place {
    /// The configured provider's account (known at configure unless
    /// `skip_credentials_validation` is set; then asked of STS once per process) and Region.
    pub(crate) async fn of(ctx: &Ctx) -> Result<Place, OpError> {
        let clients = &ctx.clients;
        let account_id = match clients
            .account_id
            .as_ref()
            .or_else(|| clients.looked_up_account.get())
        {
            Some(account) => account.clone(),
            None => {
                let answer = ctx
                    .aws()
                    .call(Lane::Describe, RetryOn::default(), || async {
                        clients
                            .sts
                            .get_caller_identity()
                            .send()
                            .await
                            .map_err(|e| AwsError::from_sdk("GetCallerIdentity", e))
                    })
                    .await?;
                let account = answer.account().unwrap_or_default().to_string();
                clients.looked_up_account.get_or_init(|| account).clone()
            }
        };
        Ok(Place {
            account_id,
            region: clients.region.clone(),
        })
    }
}

/// An identity as a user would write it in an `import` block: `{ account_id = "…", … }`.
pub(crate) fn describe(identity: &Value) -> String {
    let Some(attributes) = identity.as_map() else {
        return "null".to_string();
    };
    let shown: Vec<String> = attributes
        .iter()
        .map(|(name, value)| match value.as_str() {
            Some(text) => format!("{name} = {text:?}"),
            None if value.is_unknown() => format!("{name} = (known after apply)"),
            None => format!("{name} = null"),
        })
        .collect();
    format!("{{ {} }}", shown.join(", "))
}

impl Identity {
    /// The identity schema: `account_id` and `region` optional for import (the configured
    /// provider's by default), the object's attribute required.
    pub(crate) fn schema(&self, type_name: &str) -> IdentitySchema {
        let attribute = |name: &str, required: bool, description: String| IdentityAttribute {
            name: name.to_string(),
            ty: Type::String,
            required_for_import: required,
            optional_for_import: !required,
            description,
        };
        IdentitySchema {
            version: 0,
            attributes: vec![
                attribute(
                    ACCOUNT_ID,
                    false,
                    format!(
                        "The AWS account the {type_name} is in. Optional in an `import` block: \
                         the account of the provider's credentials by default, and it must be \
                         that account."
                    ),
                ),
                attribute(
                    REGION,
                    false,
                    "The AWS Region it is in. Optional in an `import` block: the provider's \
                     `region` by default, and it must be that Region."
                        .to_string(),
                ),
                attribute(self.attribute, true, self.description.to_string()),
            ],
        }
    }

    /// The identity of a state, in `place`: null for a null state; the object's attribute may
    /// be unknown (a plan that creates it).
    pub(crate) fn of(&self, state: &Value, place: &Place) -> Value {
        if state.is_null() || state.is_unknown() {
            return Value::Null;
        }
        let id = match state.attr(self.state_attribute) {
            Some(id) if id.is_unknown() || id.as_str().is_some_and(|s| !s.is_empty()) => id.clone(),
            _ => return Value::Null,
        };
        Value::object([
            (ACCOUNT_ID, Value::string(place.account_id.as_str())),
            (REGION, Value::string(place.region.as_str())),
            (self.attribute, id),
        ])
    }

    /// The identity of the object `id` names (its import id, which is also the identity's
    /// attribute), in `place`: how a list names what it found before reading it.
    pub(crate) fn of_id(&self, id: &str, place: &Place) -> Value {
        self.of(
            &Value::object([(self.state_attribute, Value::string(id))]),
            place,
        )
    }

    /// Errors for an identity of another account or Region than `place`, naming the attribute
    /// and what to do. Null attributes (left out of an `import` block) are fine.
    /// `importing`: the identity is an `import` block's (which may also name another object),
    /// rather than one Terraform saved.
    pub(crate) fn misplaced(
        &self,
        identity: &Value,
        place: &Place,
        type_name: &str,
        importing: bool,
    ) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for (attribute, configured, what, remedy) in [
            (
                ACCOUNT_ID,
                place.account_id.as_str(),
                "account",
                "configure the provider with credentials (or an `assume_role`) for that account",
            ),
            (
                REGION,
                place.region.as_str(),
                "Region",
                "configure the provider (or a provider alias for this resource) with that \
                 `region`",
            ),
        ] {
            let Some(given) = identity.attr(attribute).and_then(Value::as_str) else {
                continue;
            };
            if given != configured {
                let instead = if importing {
                    format!(
                        " To import an object of {what} {configured:?} instead, set \
                         \"{attribute}\" to {configured:?} or leave it out."
                    )
                } else {
                    " Otherwise, if it no longer belongs to this configuration, remove it from \
                     the state (`terraform state rm`)."
                        .to_string()
                };
                diagnostics.error(
                    format!("Identity of another {what}"),
                    format!(
                        "The identity attribute \"{attribute}\" of this {type_name} is \
                         {given:?}, but the provider is configured for {what} {configured:?}. \
                         To manage it, {remedy}.{instead}"
                    ),
                );
            }
        }
        diagnostics
    }

    /// The object an `import` block's identity names, once its account and Region are checked
    /// against `place`.
    pub(crate) fn import_target(
        &self,
        identity: &Value,
        place: &Place,
        type_name: &str,
    ) -> Result<String, Diagnostics> {
        let mut diagnostics = self.misplaced(identity, place, type_name, true);
        let id = identity
            .attr(self.attribute)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default();
        if id.is_empty() {
            diagnostics.error(
                "Identity without its object",
                format!(
                    "The identity attribute \"{}\" of this {type_name} is not set. Set it in \
                     the import block's identity ({}).",
                    self.attribute, self.description
                ),
            );
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok(id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUB: Identity = Identity {
        attribute: "id",
        state_attribute: "id",
        description: "The Transit Gateway id.",
    };

    fn place() -> Place {
        Place {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
        }
    }

    fn identity(account: Option<&str>, region: Option<&str>, id: Option<&str>) -> Value {
        let text = |s: Option<&str>| s.map(Value::string).unwrap_or(Value::Null);
        Value::object([
            (ACCOUNT_ID, text(account)),
            (REGION, text(region)),
            ("id", text(id)),
        ])
    }

    #[test]
    fn the_schema_requires_only_the_object() {
        let schema = HUB.schema("migration_hub_network");
        assert!(
            schema.sanity_errors().is_empty(),
            "{:?}",
            schema.sanity_errors()
        );
        let required: Vec<&str> = schema
            .attributes
            .iter()
            .filter(|a| a.required_for_import)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(required, ["id"]);
        assert_eq!(
            schema.implied_type(),
            Type::object([
                (ACCOUNT_ID, Type::String),
                (REGION, Type::String),
                ("id", Type::String)
            ])
        );
    }

    #[test]
    fn a_state_has_the_identity_of_its_place() {
        let state = Value::object([("id", Value::string("tgw-1")), ("name", Value::Null)]);
        assert_eq!(
            HUB.of(&state, &place()),
            identity(Some("111122223333"), Some("eu-west-1"), Some("tgw-1"))
        );
        assert!(HUB.of(&Value::Null, &place()).is_null());
        let creating = Value::object([("id", Value::unknown())]);
        let planned = HUB.of(&creating, &place());
        assert!(!planned.is_wholly_known());
        assert_eq!(planned.attr(REGION), Some(&Value::string("eu-west-1")));
        let without = Value::object([("id", Value::Null)]);
        assert!(HUB.of(&without, &place()).is_null());
    }

    #[test]
    fn an_import_identity_is_checked_against_the_place() {
        let target = |i: &Value| HUB.import_target(i, &place(), "migration_hub_network");
        assert_eq!(
            target(&identity(None, None, Some(" tgw-1 "))).unwrap(),
            "tgw-1"
        );
        assert_eq!(
            target(&identity(
                Some("111122223333"),
                Some("eu-west-1"),
                Some("tgw-1")
            ))
            .unwrap(),
            "tgw-1"
        );
        let other_account =
            target(&identity(Some("444455556666"), None, Some("tgw-1"))).unwrap_err();
        assert_eq!(other_account.0.len(), 1);
        let detail = &other_account.0[0].detail;
        assert_eq!(other_account.0[0].summary, "Identity of another account");
        assert!(
            detail.contains("\"account_id\"")
                && detail.contains("\"444455556666\"")
                && detail.contains("\"111122223333\""),
            "{detail}"
        );
        let other_region = target(&identity(None, Some("us-east-1"), Some("tgw-1"))).unwrap_err();
        assert_eq!(other_region.0[0].summary, "Identity of another Region");
        assert!(other_region.0[0].detail.contains("`region`"));
        let missing = target(&identity(None, None, Some("  "))).unwrap_err();
        assert_eq!(missing.0[0].summary, "Identity without its object");
        assert!(missing.0[0].detail.contains("\"id\""));
    }
}
