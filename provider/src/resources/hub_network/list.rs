//! `list "migration_hub_network"` (`terraform query`, Terraform ≥ 1.14): the hubs of the
//! provider's account and Region, found by the ownership tag their Transit Gateway carries
//! (`migration:managed-by = migration_hub_network`). A gateway still marked unconfirmed (no
//! Terraform state has read it yet: an apply just made it, or its create was cut short before
//! Terraform saved it) is listed too, named so: importing it is how a user takes over, or
//! destroys, what such a create left.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::HubNetwork;
use super::model::MANAGED_BY;
use super::topology::TransitGateway;
use crate::aws::retry::OpError;
use crate::framework::context::Ctx;
use crate::framework::identity::Place;
use crate::framework::list::{Found, Listed, UNCONFIRMED_NOTE};
use crate::framework::tags::{MANAGED_BY_TAG, UNCONFIRMED_TAG};
use crate::protocol::cty::Type;
use crate::protocol::schema::{Attribute, Block, Schema};

crate::typed_object! {
    /// The filters of a `list "migration_hub_network"` block's `config`.
    pub(crate) struct Filter {
        name: Option<String>,
        tags: Option<BTreeMap<String, String>>,
    }
}

/// The `config` block's schema.
pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::optional("name", Type::String).describe(
                    "Only the hub of this `name` (its Transit Gateway's `Name` tag). Default: \
                     every hub.",
                ),
                Attribute::optional("tags", Type::map(Type::String)).describe(
                    "Only hubs whose Transit Gateway carries every one of these tags with \
                     these values.",
                ),
            ],
            description: "Lists the hubs (`migration_hub_network`) of the provider's account \
                          and Region: the Transit Gateways this provider created, found by \
                          their `migration:managed-by` tag, including those an interrupted \
                          create left unconfirmed (their display name says so)."
                .to_string(),
            ..Block::default()
        },
    }
}

/// The hubs among `gateways`: this provider's, owned by the account of `place` (a gateway
/// shared from another account is that account's hub), selected by `filter`.
fn select(gateways: &[TransitGateway], place: &Place, filter: &Filter) -> Vec<Found> {
    gateways
        .iter()
        .filter(|tgw| tgw.tags.get(MANAGED_BY_TAG).map(String::as_str) == Some(MANAGED_BY))
        .filter(|tgw| tgw.owner_id.is_empty() || tgw.owner_id == place.account_id)
        .filter(|tgw| {
            filter
                .name
                .as_ref()
                .is_none_or(|name| tgw.tags.get("Name") == Some(name))
        })
        .filter(|tgw| {
            filter
                .tags
                .iter()
                .flatten()
                .all(|(key, value)| tgw.tags.get(key) == Some(value))
        })
        .map(|tgw| {
            let name = tgw.tags.get("Name").map_or("", String::as_str);
            let display_name = if tgw.tags.contains_key(UNCONFIRMED_TAG) {
                format!("{name} ({}), {UNCONFIRMED_NOTE}", tgw.id)
            } else {
                format!("{name} ({})", tgw.id)
            };
            Found {
                import_id: tgw.id.clone(),
                display_name,
            }
        })
        .collect()
}

#[async_trait]
impl Listed for HubNetwork {
    type Filter = Filter;

    fn list_schema(&self) -> Schema {
        schema()
    }

    async fn find(&self, ctx: &Ctx, place: &Place, filter: &Filter) -> Result<Vec<Found>, OpError> {
        let gateways = ctx.aws().transit_gateways_tagged(MANAGED_BY_TAG).await?;
        Ok(select(&gateways, place, filter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(id: &str, owner: &str, tags: &[(&str, &str)]) -> TransitGateway {
        TransitGateway {
            id: id.to_string(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            arn: format!("arn:aws:ec2:eu-west-1:{owner}:transit-gateway/{id}"),
            owner_id: owner.to_string(),
            state: "available".to_string(),
            description: None,
            amazon_side_asn: 64512,
            auto_accept_shared_attachments: true,
            dns_support: true,
            vpn_ecmp_support: true,
            cidr_blocks: Default::default(),
            association_default_route_table_id: None,
            propagation_default_route_table_id: None,
        }
    }

    const ACCOUNT: &str = "111122223333";

    fn place() -> Place {
        Place {
            account_id: ACCOUNT.to_string(),
            region: "eu-west-1".to_string(),
        }
    }

    fn gateways() -> Vec<TransitGateway> {
        let hub = (MANAGED_BY_TAG, MANAGED_BY);
        vec![
            gateway("tgw-1", ACCOUNT, &[hub, ("Name", "hub-a"), ("team", "net")]),
            gateway(
                "tgw-2",
                ACCOUNT,
                &[hub, ("Name", "hub-b"), (UNCONFIRMED_TAG, "f0")],
            ),
            // A spoke's marker is not a hub's, nor is an untagged gateway.
            gateway(
                "tgw-3",
                ACCOUNT,
                &[(MANAGED_BY_TAG, "migration_hub_spoke"), ("Name", "x")],
            ),
            gateway("tgw-4", ACCOUNT, &[("Name", "hub-a")]),
            // Another account's hub, shared with this one.
            gateway("tgw-5", "444455556666", &[hub, ("Name", "hub-a")]),
        ]
    }

    fn ids(found: &[Found]) -> Vec<&str> {
        found.iter().map(|f| f.import_id.as_str()).collect()
    }

    #[test]
    fn only_this_accounts_hubs_are_listed_unconfirmed_ones_named_so() {
        let all = Filter {
            name: None,
            tags: None,
        };
        let found = select(&gateways(), &place(), &all);
        assert_eq!(ids(&found), ["tgw-1", "tgw-2"]);
        assert_eq!(found[0].display_name, "hub-a (tgw-1)");
        assert!(
            found[1]
                .display_name
                .starts_with("hub-b (tgw-2), unconfirmed"),
            "{}",
            found[1].display_name
        );
    }

    #[test]
    fn name_and_tags_filter() {
        let by_name = |name: &str| Filter {
            name: Some(name.to_string()),
            tags: None,
        };
        assert_eq!(
            ids(&select(&gateways(), &place(), &by_name("hub-b"))),
            ["tgw-2"]
        );
        assert!(select(&gateways(), &place(), &by_name("nope")).is_empty());
        let by_tags = |tags: &[(&str, &str)]| Filter {
            name: None,
            tags: Some(
                tags.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
        };
        assert_eq!(
            ids(&select(&gateways(), &place(), &by_tags(&[("team", "net")]))),
            ["tgw-1"]
        );
        assert!(select(&gateways(), &place(), &by_tags(&[("team", "ops")])).is_empty());
        assert!(
            select(
                &gateways(),
                &place(),
                &by_tags(&[("team", "net"), ("x", "y")])
            )
            .is_empty()
        );
    }

    #[test]
    fn the_schema_is_sane_and_matches_the_filter() {
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
