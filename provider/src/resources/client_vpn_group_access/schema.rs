//! What `migration_client_vpn_group_access` accepts and reports. The descriptions are the user
//! documentation: the docs page is generated from them.

use crate::framework::timeouts;
use crate::protocol::cty::Type;
use crate::protocol::schema::{Attribute, Block, Nesting, Presence, Schema};

pub(crate) const TYPE_NAME: &str = "migration_client_vpn_group_access";

/// Client VPN's fixed quotas (not adjustable), checked at plan time.
pub(crate) const RULES_PER_ENDPOINT: usize = 200;
pub(crate) const ROUTES_PER_ASSOCIATION: usize = 100;
/// AWS's limit on an authorization rule's description.
pub(crate) const DESCRIPTION_MAX_CHARS: usize = 255;

fn string_set() -> Type {
    Type::set(Type::String)
}

fn group_attributes() -> Vec<Attribute> {
    vec![
        Attribute::optional_computed("sid", Type::String).describe(
            "Security identifier of the Active Directory group, such as \
             `S-1-5-21-1004336348-1177238915-682003330-1104`. Client VPN matches authorization \
             rules against group SIDs. Set exactly one of `sid` and `name`; when `name` is given, \
             this attribute reports the SID it resolved to.",
        ),
        Attribute::optional("name", Type::String).describe(
            "The group's name (its `sAMAccountName`, the pre-Windows 2000 name), resolved to a SID \
             with the Directory Service Data API at plan time. Only AWS Managed Microsoft AD \
             offers that API: for AD Connector and Simple AD give `sid` instead.",
        ),
        Attribute::required("networks", string_set()).describe(
            "IPv4 CIDRs the group's members may reach, written the way AWS reports them \
             (`10.10.0.0/16`, not `10.10.0.1/16`). One authorization rule is created per network. \
             `0.0.0.0/0` also needs `allow_internet = true`.",
        ),
        Attribute::optional("description", Type::String).describe(
            "Text added to the description of this group's rules. A rule's description is \
             `<group key>: <description>`, or just `<group key>` when unset, so that \
             `terraform import` can recover the group keys. Set it to `\"\"` for rules without a \
             description (an import then keys the group by its SID). Changing it re-creates the \
             group's rules one at a time: Client VPN rules cannot be updated in place.",
        ),
    ]
}

fn rule_group_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("sid", Type::String).describe("SID of the group the rules authorize."),
        Attribute::computed(
            "networks",
            Type::map(Type::object([
                ("description", Type::String),
                ("status", Type::String),
            ])),
        )
        .describe(
            "One entry per authorization rule, keyed by the network (CIDR) it authorizes: the \
             rule's `description` on AWS (null when it has none) and its `status`: `active` once \
             applied; `authorizing`, `revoking` or `failed` when the last apply was interrupted \
             or AWS reports a problem (the next apply finishes or repairs it).",
        ),
    ]
}

/// Version of the stored state layout; bump it (and teach `upgrade_state`) when a change is
/// not additive.
pub(crate) const SCHEMA_VERSION: i64 = 1;

pub(crate) fn schema() -> Schema {
    Schema {
        version: SCHEMA_VERSION,
        block: Block {
            description: "Client VPN access per Active Directory group: one authorization rule \
                per group and network, identified by the group's SID, and the routes that make \
                each network reachable through the endpoint's associated subnets. Rules that \
                authorize *all* groups are never created (existing ones are reported as a \
                warning).\n\nAt plan time the resource reads the endpoint, its associated \
                subnets, rules, routes and directory, and reports what AWS would reject or what \
                would not work as intended: invalid or duplicate SIDs, CIDRs that are not \
                canonical or overlap the client CIDR, `0.0.0.0/0` without `allow_internet`, \
                networks another group's more specific rule takes away (AWS evaluates \
                authorization by longest prefix across all groups), route subnets that are not \
                associated or all in one Availability Zone, networks without a route, routes \
                without authorization, and the quotas of 200 rules per endpoint and 100 routes \
                per associated subnet.\n\nApplying changes only the difference, at Client VPN's \
                limits: at most 10 mutations in flight per endpoint and 2 per second after a \
                burst of 5. An interrupted apply (error, timeout or Ctrl-C) saves every rule and \
                route made so far; the next apply continues from there."
                .to_string(),
            deprecated: false,
            blocks: Vec::new(),
            attributes: vec![
                Attribute::computed("id", Type::String).describe(
                    "The Client VPN endpoint ID (one instance of this resource per endpoint).",
                ),
                Attribute::required("client_vpn_endpoint_id", Type::String).describe(
                    "ID of the Client VPN endpoint (`cvpn-endpoint-…`), managed elsewhere. It \
                     must use Active Directory authentication. Changing it moves the access to \
                     the new endpoint: the rules and routes on the old one are removed.",
                ),
                Attribute::optional_computed("directory_id", Type::String).describe(
                    "ID of the directory (`d-…`) the groups live in. Default: the directory of \
                     the endpoint's Active Directory authentication, which this attribute then \
                     reports. When set, it is checked against the endpoint's.",
                ),
                Attribute::nested(
                    "groups",
                    Nesting::Map,
                    Presence::Required,
                    group_attributes(),
                )
                .describe(
                    "Access per Active Directory group, keyed by a friendly name of your \
                         choice (it must not contain `\": \"`). Only the groups listed here get \
                         access; this resource owns every per-group rule of these groups' SIDs \
                         on the endpoint, and removes those it was not asked for.",
                ),
                Attribute::optional_computed("route_subnet_ids", string_set()).describe(
                    "Associated subnets to route every authorized network through (one route \
                     per network and subnet). Use subnets in two Availability Zones for \
                     redundancy. Default: every subnet associated with the endpoint when the \
                     apply runs. For an endpoint attached to a Transit Gateway, leave it unset: \
                     its routes go through its Transit Gateway attachment, which it then holds.",
                ),
                Attribute::optional_computed("manage_routes", Type::Bool).describe(
                    "Whether this resource creates and deletes the routes to the authorized \
                     networks. Routes AWS added when a subnet was associated (to the VPC's CIDR) \
                     are used as they are and never deleted. Setting it to `false` leaves \
                     existing routes in place. Default: `true`.",
                ),
                Attribute::optional_computed("allow_internet", Type::Bool).describe(
                    "Must be `true` to authorize `0.0.0.0/0` (full-tunnel internet access \
                     through the VPC). Default: `false`.",
                ),
                Attribute::optional("take_over", Type::Bool).describe(
                    "Set to `true` to take over groups whose rules another \
                     `migration_client_vpn_group_access` owns on the same endpoint (another \
                     copy of a module, another workspace): this resource becomes their owner, \
                     and the other one then leaves their rules alone when it is destroyed or \
                     drops the group. Without it, such a group is an error, except for a new \
                     resource that wants every rule the owner has, which takes them over with a \
                     warning (a replacement under `create_before_destroy`, or the retry of a \
                     create whose provider was stopped). Default: `false`.",
                ),
                timeouts::attribute(),
                Attribute::computed("client_cidr_block", Type::String).describe(
                    "The endpoint's client CIDR, which no authorized network may overlap.",
                ),
                Attribute::nested(
                    "authorization_rules",
                    Nesting::Map,
                    Presence::Computed,
                    rule_group_attributes(),
                )
                .describe(
                    "The authorization rules of the groups' SIDs on the endpoint, by group key \
                     (a group this resource no longer lists keeps its entry while rules of its \
                     SID remain), then by network: a rule changed out of band shows in a plan \
                     as that one rule.",
                ),
                Attribute::computed("routes", Type::map(Type::map(Type::String))).describe(
                    "The routes this resource manages, including routes AWS added on \
                     association that it uses: destination CIDR → target subnet → the route's \
                     status (`active`, or `creating`, `deleting`, `failed` when the last apply \
                     was interrupted or AWS reports a problem).",
                ),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::schema::AttributeType;

    #[test]
    fn passes_terraform_sanity_rules() {
        assert_eq!(schema().sanity_errors(), Vec::<String>::new());
    }

    #[test]
    fn every_attribute_is_documented() {
        fn check(attributes: &[Attribute], prefix: &str) {
            for attribute in attributes {
                assert!(
                    !attribute.description.trim().is_empty(),
                    "{prefix}{} has no description",
                    attribute.name
                );
                if let AttributeType::Nested(nested) = &attribute.ty {
                    check(&nested.attributes, &format!("{prefix}{}.", attribute.name));
                }
            }
        }
        let schema = schema();
        assert!(!schema.block.description.is_empty());
        check(&schema.block.attributes, "");
    }
}
