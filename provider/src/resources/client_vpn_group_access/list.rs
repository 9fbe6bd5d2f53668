//! `list "migration_client_vpn_group_access"` (`terraform query`, Terraform ≥ 1.14): the
//! Client VPN endpoints of the provider's account and Region that hold authorization rules of
//! the kind this resource manages (per group, by SID; a rule for all groups is not one), one
//! result per endpoint as the resource has one instance per endpoint. Importing a result
//! rebuilds its groups from those rules, keyed by their descriptions.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::ClientVpnGroupAccess;
use super::model::Phase;
use crate::aws::ec2::client_vpn::{ListedEndpoint, Rule};
use crate::aws::retry::OpError;
use crate::framework::context::Ctx;
use crate::framework::identity::Place;
use crate::framework::list::{Found, Listed};
use crate::protocol::cty::Path;
use crate::protocol::cty::Type;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{Attribute, Block, Schema};

crate::typed_object! {
    /// The filters of a `list "migration_client_vpn_group_access"` block's `config`.
    pub(crate) struct Filter {
        client_vpn_endpoint_ids: Option<BTreeSet<String>>,
    }
}

/// The `config` block's schema.
pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::optional("client_vpn_endpoint_ids", Type::set(Type::String)).describe(
                    "Only these Client VPN endpoints (`cvpn-endpoint-…`). Default: every \
                         endpoint of the account and Region.",
                ),
            ],
            description: "Lists the Client VPN group accesses \
                          (`migration_client_vpn_group_access`) of the provider's account and \
                          Region: every Client VPN endpoint with authorization rules per \
                          Active Directory group (by SID), which is what the resource manages. \
                          An endpoint whose rules all authorize every group is not listed."
                .to_string(),
            ..Block::default()
        },
    }
}

/// The SIDs whose rules the resource would manage (and an import would rebuild as groups).
fn managed_groups(rules: &[Rule]) -> BTreeSet<String> {
    rules
        .iter()
        .filter(|rule| matches!(rule.phase(), Phase::Active | Phase::Arriving))
        .filter_map(|rule| rule.key().map(|key| key.sid))
        .collect()
}

/// The result for `endpoint` with `rules`, when it holds rules of groups.
fn found(endpoint: &ListedEndpoint, rules: &[Rule]) -> Option<Found> {
    let groups = managed_groups(rules).len();
    if groups == 0 {
        return None;
    }
    let id = &endpoint.endpoint.id;
    let label = endpoint
        .name
        .as_deref()
        .or(endpoint.description.as_deref())
        .map_or_else(|| id.clone(), |label| format!("{label} ({id})"));
    let plural = if groups == 1 { "" } else { "s" };
    Some(Found {
        import_id: id.clone(),
        display_name: format!("{label}: {groups} group{plural}"),
    })
}

#[async_trait]
impl Listed for ClientVpnGroupAccess {
    type Filter = Filter;

    fn list_schema(&self) -> Schema {
        schema()
    }

    fn validate_filter(&self, filter: &Filter) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for id in filter.client_vpn_endpoint_ids.iter().flatten() {
            if !id.starts_with("cvpn-endpoint-") {
                diagnostics.error_at(
                    Path::root().attr("client_vpn_endpoint_ids"),
                    "Invalid Client VPN endpoint id",
                    format!(
                        "{id:?} is not a Client VPN endpoint id. List endpoints by their ids \
                         (`cvpn-endpoint-…`), or leave client_vpn_endpoint_ids out to list \
                         every endpoint."
                    ),
                );
            }
        }
        diagnostics
    }

    async fn find(
        &self,
        ctx: &Ctx,
        _place: &Place,
        filter: &Filter,
    ) -> Result<Vec<Found>, OpError> {
        let aws = ctx.aws();
        let mut endpoints: BTreeMap<String, ListedEndpoint> = aws
            .client_vpn_endpoints()
            .await?
            .into_iter()
            .map(|e| (e.endpoint.id.clone(), e))
            .collect();
        if let Some(wanted) = &filter.client_vpn_endpoint_ids {
            endpoints.retain(|id, _| wanted.contains(id));
        }
        let mut results = Vec::new();
        for (id, endpoint) in &endpoints {
            match aws.client_vpn_authorization_rules(id).await {
                Ok(rules) => results.extend(found(endpoint, &rules)),
                // Deleted since the listing.
                Err(OpError::Aws(error)) if error.is_not_found() => {}
                Err(error) => return Err(error),
            }
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::client_vpn::Endpoint;

    fn rule(group: Option<&str>, cidr: &str, status: &str) -> Rule {
        Rule {
            group_id: group.map(str::to_string),
            access_all: group.is_none(),
            destination_cidr: cidr.to_string(),
            description: None,
            status: status.to_string(),
            message: None,
        }
    }

    fn endpoint(name: Option<&str>, description: Option<&str>) -> ListedEndpoint {
        ListedEndpoint {
            endpoint: Endpoint {
                id: "cvpn-endpoint-1".to_string(),
                client_cidr_block: "172.16.0.0/22".to_string(),
                directory_id: None,
                authentication: Vec::new(),
                transit_gateway_id: None,
                transit_gateway_attachment_id: None,
                status: "available".into(),
                vpc_id: None,
                tags: Default::default(),
            },
            name: name.map(str::to_string),
            description: description.map(str::to_string),
        }
    }

    #[test]
    fn endpoints_with_group_rules_are_listed_with_their_group_count() {
        let rules = [
            rule(Some("S-1-5-21-1"), "10.0.0.0/16", "active"),
            rule(Some("S-1-5-21-1"), "10.1.0.0/16", "authorizing"),
            rule(Some("S-1-5-21-2"), "10.0.0.0/16", "active"),
            rule(None, "0.0.0.0/0", "active"),
        ];
        let listed = found(&endpoint(Some("vpn"), Some("the VPN")), &rules).unwrap();
        assert_eq!(listed.import_id, "cvpn-endpoint-1");
        assert_eq!(listed.display_name, "vpn (cvpn-endpoint-1): 2 groups");
        let listed = found(&endpoint(None, Some("the VPN")), &rules[..1]).unwrap();
        assert_eq!(listed.display_name, "the VPN (cvpn-endpoint-1): 1 group");
        let listed = found(&endpoint(None, None), &rules[..1]).unwrap();
        assert_eq!(listed.display_name, "cvpn-endpoint-1: 1 group");
    }

    #[test]
    fn endpoints_without_group_rules_are_not() {
        let foreign = [
            rule(None, "0.0.0.0/0", "active"),
            rule(Some("S-1-5-21-1"), "10.0.0.0/16", "revoking"),
        ];
        assert_eq!(found(&endpoint(Some("vpn"), None), &foreign), None);
        assert_eq!(found(&endpoint(Some("vpn"), None), &[]), None);
    }

    #[test]
    fn endpoint_ids_are_checked_and_the_schema_matches_the_filter() {
        let filter = |ids: &[&str]| Filter {
            client_vpn_endpoint_ids: Some(ids.iter().map(|s| s.to_string()).collect()),
        };
        let access = ClientVpnGroupAccess;
        assert!(
            access
                .validate_filter(&filter(&["cvpn-endpoint-0abc"]))
                .is_empty()
        );
        let refused = access.validate_filter(&filter(&["vpn-1"]));
        assert!(refused.has_errors());
        assert_eq!(
            refused.0[0].attribute.as_ref().unwrap().to_string(),
            "client_vpn_endpoint_ids"
        );
        let schema = schema();
        assert!(schema.sanity_errors().is_empty());
        let names: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            names,
            <Filter as crate::framework::typed::Attributes>::ATTRIBUTES
        );
    }
}
