//! The `migration_hub_spoke` schema. Descriptions are Markdown and become the registry page, so
//! each says what the attribute does, its default, and what changing it does.

use crate::framework::timeouts;
use crate::protocol::cty::Type;
use crate::protocol::schema::{Attribute, Block, Schema};

pub(crate) const TYPE_NAME: &str = "migration_hub_spoke";

fn strings() -> Type {
    Type::set(Type::String)
}

pub(crate) fn schema() -> Schema {
    let attributes = vec![
        Attribute::computed("id", Type::String)
            .describe("The spoke's Transit Gateway VPC attachment (`tgw-attach-…`)."),
        Attribute::required("transit_gateway_id", Type::String).describe(
            "The hub's Transit Gateway (`tgw-…`), owned by the hub account and shared with \
             this one over RAM (for instance `migration_hub_network.hub.id`). Changing it \
             replaces the spoke.",
        ),
        Attribute::optional("resource_share_arn", Type::String).describe(
            "The hub's RAM resource share (`migration_hub_network.hub.resource_share_arn`). \
             Needed only when this account is invited to the share (outside the hub's \
             Organization, or Organization sharing off): the spoke accepts that share's \
             invitation. Inside an Organization with RAM sharing on there is no invitation, \
             and a Transit Gateway this account already sees needs none: then the invitations \
             are never listed, so `ram:GetResourceShareInvitations` is not needed.",
        ),
        Attribute::required("vpc_id", Type::String).describe(
            "The spoke VPC, in this provider's account and Region. Changing it replaces the \
             spoke.",
        ),
        Attribute::optional_computed("subnet_ids", strings()).describe(
            "Subnets the attachment places its network interfaces in, one per Availability \
             Zone (AWS refuses two in one zone). Default: one subnet in every zone of the VPC, \
             zones compared by Availability Zone id (`use1-az1`), which names the same \
             physical zone in every account where zone names do not; in each zone the subnet \
             with the lowest id. Changed in place.",
        ),
        Attribute::optional("route_table_ids", strings()).describe(
            "Route tables of the spoke VPC that get a route to each of `hub_cidr_blocks` \
             through the Transit Gateway. The spoke manages every route to the Transit \
             Gateway in these tables. A table that already routes one of those destinations \
             elsewhere is a plan-time error naming the route.",
        ),
        Attribute::required("hub_cidr_blocks", strings()).describe(
            "The networks behind the hub that the spoke routes to: the hub's VPCs, the data \
             center, other spokes (for instance from the hub's outputs). None may overlap the \
             spoke VPC's CIDRs. Routes are added and removed in place, keyed by destination.",
        ),
        Attribute::optional("share_visibility_timeout", Type::String).describe(
            "How long an apply waits for the Transit Gateway to become visible to this \
             account after the invitation is accepted (or while an Organization share \
             associates): RAM takes a while to propagate a share, during which AWS answers \
             `InvalidTransitGatewayID.NotFound`. A duration such as `10m`. Default: `10m`, \
             within the operation's `timeouts`.",
        ),
        Attribute::optional("acceptance_timeout", Type::String).describe(
            "How long an apply waits while the attachment is `pendingAcceptance`, that is \
             until the hub account accepts it (when its Transit Gateway does not accept shared \
             attachments automatically). `pendingAcceptance` is never taken for success: \
             routes through an unaccepted attachment go nowhere. A duration such as `30m`. \
             Default: `30m`, within the operation's `timeouts`.",
        ),
        Attribute::optional("tags", Type::map(Type::String)).describe(
            "Tags for the attachment (this account's side of it: tags are per account), merged \
             over the provider's `default_tags`. Keys starting with `aws:` or `migration:` \
             are reserved.",
        ),
        Attribute::optional("take_over", Type::Bool).describe(
            "Set to `true` to take over the attachment of this VPC to this Transit Gateway, \
             and the routes through it, when another `migration_hub_spoke` owns it: the \
             replaced instance under `create_before_destroy` (AWS allows one attachment per VPC \
             and gateway, so a replacement cannot make its own), or another copy of a module or \
             workspace. This resource then records itself as the owner (tag \
             `migration:spoke-owner` on the attachment) and the other instance's destroy leaves \
             the attachment and its routes in place. Without it such a plan is an error naming \
             the attachment. Default: `false`.",
        ),
        Attribute::computed("tags_all", Type::map(Type::String)).describe(
            "The tags applied: the provider's `default_tags` overridden by `tags`. The \
             attachment also carries the ownership tags `migration:owner` (the Transit Gateway \
             id) and `migration:managed-by`.",
        ),
        Attribute::computed("transit_gateway_owner_id", Type::String)
            .describe("The hub account: the owner of the Transit Gateway."),
        Attribute::computed("share_invitation_arn", Type::String).describe(
            "The RAM invitation this spoke accepted, or null when none was needed (an \
             Organization share, or a Transit Gateway already visible to this account).",
        ),
        Attribute::computed("attachment_state", Type::String).describe(
            "The attachment's state. An apply waits until it is `available`; a refresh shows \
             `pendingAcceptance` if the hub has not accepted it.",
        ),
        Attribute::computed("vpc_cidr_blocks", strings())
            .describe("Every IPv4 CIDR of the spoke VPC, as read from AWS."),
        Attribute::computed("availability_zone_ids", strings())
            .describe("The Availability Zone ids of the attachment's subnets."),
        Attribute::computed("routes", Type::map(Type::map(Type::String))).describe(
            "The routes to the Transit Gateway, by route table id, then destination, valued \
             with their target: a route changed out of band shows in a plan as that one route.",
        ),
        timeouts::attribute(),
    ];
    Schema {
        version: 0,
        block: Block {
            attributes,
            blocks: Vec::new(),
            description: "A spoke account's side of a migration hub: joins the hub's shared \
                          Transit Gateway (accepting the RAM invitation when there is one), \
                          attaches a VPC with one subnet per Availability Zone, waits until the \
                          attachment is really `available`, and routes the VPC's route tables \
                          to the hub's networks. Overlaps and routes in the way are reported at \
                          plan time. Run it with the spoke account's provider configuration."
                .to_string(),
            deprecated: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_sane_and_fully_documented() {
        let schema = schema();
        assert_eq!(schema.sanity_errors(), Vec::<String>::new());
        let undocumented: Vec<_> = schema
            .block
            .attributes
            .iter()
            .filter(|a| a.description.is_empty())
            .map(|a| a.name.clone())
            .collect();
        assert!(undocumented.is_empty(), "{undocumented:?}");
    }
}
