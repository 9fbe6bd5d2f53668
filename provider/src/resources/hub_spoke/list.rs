//! `list "migration_hub_spoke"` (`terraform query`, Terraform ≥ 1.14): the spokes of the
//! provider's account and Region, found by the ownership tag on their Transit Gateway VPC
//! attachment (`migration:managed-by = migration_hub_spoke`), the spoke's root object. One
//! still marked unconfirmed (no Terraform state has read it yet) is listed too, named so.

use async_trait::async_trait;

use super::HubSpoke;
use super::model::MANAGED_BY;
use crate::aws::ec2::attachment::VpcAttachment;
use crate::aws::retry::OpError;
use crate::framework::context::Ctx;
use crate::framework::identity::Place;
use crate::framework::list::{Found, Listed, UNCONFIRMED_NOTE};
use crate::framework::tags::{MANAGED_BY_TAG, UNCONFIRMED_TAG};
use crate::protocol::cty::Type;
use crate::protocol::schema::{Attribute, Block, Schema};

crate::typed_object! {
    /// The filters of a `list "migration_hub_spoke"` block's `config`.
    pub(crate) struct Filter {
        transit_gateway_id: Option<String>,
    }
}

/// The `config` block's schema.
pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::optional("transit_gateway_id", Type::String).describe(
                    "Only the spokes attached to this (shared) Transit Gateway. Default: every \
                     spoke.",
                ),
            ],
            description: "Lists the spokes (`migration_hub_spoke`) of the provider's account \
                          and Region: the Transit Gateway VPC attachments this provider created \
                          for a spoke, found by their `migration:managed-by` tag, including \
                          those an interrupted create left unconfirmed (their display name says \
                          so)."
                .to_string(),
            ..Block::default()
        },
    }
}

/// The spokes among `attachments`: this provider's, of VPCs of the account of `place`,
/// selected by `filter`.
fn select(attachments: &[VpcAttachment], place: &Place, filter: &Filter) -> Vec<Found> {
    attachments
        .iter()
        .filter(|a| a.tags.get(MANAGED_BY_TAG).map(String::as_str) == Some(MANAGED_BY))
        .filter(|a| a.vpc_owner_id.is_empty() || a.vpc_owner_id == place.account_id)
        .filter(|a| {
            filter
                .transit_gateway_id
                .as_ref()
                .is_none_or(|tgw| &a.transit_gateway_id == tgw)
        })
        .map(|a| {
            let mut display_name = format!("{} to {} ({})", a.vpc_id, a.transit_gateway_id, a.id);
            if a.tags.contains_key(UNCONFIRMED_TAG) {
                display_name.push_str(", ");
                display_name.push_str(UNCONFIRMED_NOTE);
            }
            Found {
                import_id: a.id.clone(),
                display_name,
            }
        })
        .collect()
}

#[async_trait]
impl Listed for HubSpoke {
    type Filter = Filter;

    fn list_schema(&self) -> Schema {
        schema()
    }

    async fn find(&self, ctx: &Ctx, place: &Place, filter: &Filter) -> Result<Vec<Found>, OpError> {
        let attachments = ctx.aws().vpc_attachments_tagged(MANAGED_BY_TAG).await?;
        Ok(select(&attachments, place, filter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(id: &str, tgw: &str, owner: &str, tags: &[(&str, &str)]) -> VpcAttachment {
        VpcAttachment {
            id: id.to_string(),
            transit_gateway_id: tgw.to_string(),
            vpc_id: format!("vpc-{id}"),
            vpc_owner_id: owner.to_string(),
            state: "available".to_string(),
            subnet_ids: Default::default(),
            appliance_mode_support: false,
            dns_support: true,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            associated_route_table: None,
        }
    }

    #[test]
    fn only_this_accounts_spokes_are_listed() {
        let place = Place {
            account_id: "222233334444".to_string(),
            region: "eu-west-1".to_string(),
        };
        let spoke = (MANAGED_BY_TAG, MANAGED_BY);
        let attachments = [
            attachment("tgw-attach-1", "tgw-a", "222233334444", &[spoke]),
            attachment(
                "tgw-attach-2",
                "tgw-b",
                "222233334444",
                &[spoke, (UNCONFIRMED_TAG, "f")],
            ),
            // The hub's own attachments, another account's spoke, an untagged one.
            attachment(
                "tgw-attach-3",
                "tgw-a",
                "222233334444",
                &[(MANAGED_BY_TAG, "migration_hub_network")],
            ),
            attachment("tgw-attach-4", "tgw-a", "999988887777", &[spoke]),
            attachment("tgw-attach-5", "tgw-a", "222233334444", &[]),
        ];
        let all = select(
            &attachments,
            &place,
            &Filter {
                transit_gateway_id: None,
            },
        );
        let ids: Vec<&str> = all.iter().map(|f| f.import_id.as_str()).collect();
        assert_eq!(ids, ["tgw-attach-1", "tgw-attach-2"]);
        assert_eq!(
            all[0].display_name,
            "vpc-tgw-attach-1 to tgw-a (tgw-attach-1)"
        );
        assert!(all[1].display_name.contains("unconfirmed"));
        let on_b = select(
            &attachments,
            &place,
            &Filter {
                transit_gateway_id: Some("tgw-b".to_string()),
            },
        );
        assert_eq!(on_b.len(), 1);
        assert_eq!(on_b[0].import_id, "tgw-attach-2");
        assert!(schema().sanity_errors().is_empty());
    }
}
