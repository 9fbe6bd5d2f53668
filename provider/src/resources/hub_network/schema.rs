//! The `migration_hub_network` schema. Every description is Markdown and is what the registry
//! documentation is generated from, so each one says what the attribute does, its default, what
//! changing it does to live traffic, and the AWS rule behind any restriction.

use crate::framework::timeouts;
use crate::protocol::cty::Type;
use crate::protocol::schema::{Attribute, Block, Nesting, Presence, Schema};

/// Version of the stored state layout; bump it (and teach `upgrade_state`) when a change is
/// not additive.
pub(crate) const SCHEMA_VERSION: i64 = 1;

fn strings() -> Type {
    Type::set(Type::String)
}

fn vpc_attachment_attributes() -> Vec<Attribute> {
    vec![
        Attribute::required("vpc_id", Type::String).describe(
            "The VPC to attach (in the provider's account and Region). Changing it replaces this \
             attachment only: the old one is deleted after its routes, then the new one is \
             created. A VPC can be listed once.",
        ),
        Attribute::required("subnet_ids", strings()).describe(
            "Subnets the Transit Gateway places its network interfaces in, **one per \
             Availability Zone** (AWS refuses two in one zone). Subnets are added and removed \
             in place (`ModifyTransitGatewayVpcAttachment`).",
        ),
        Attribute::optional("route_table_ids", strings()).describe(
            "Route tables of this VPC that get a route to every other network of the hub \
             (other VPCs, the data center, `transit_gateway_cidr_blocks`) through the Transit \
             Gateway, when `mesh_routes` is true. Each must belong to this VPC and must not \
             already route one of those destinations elsewhere (that would fail with \
             `RouteAlreadyExists`; the plan says which route is in the way). The hub manages \
             every route to its Transit Gateway in these tables.",
        ),
        Attribute::optional_computed("appliance_mode_support", Type::Bool).describe(
            "Appliance mode keeps both directions of a flow in one Availability Zone, which \
             stateful appliances (firewalls) in this VPC need. Default: `false`. Changed in \
             place.",
        ),
        Attribute::optional_computed("dns_support", Type::Bool).describe(
            "Resolve public DNS names of this VPC's hosts to private addresses for the other \
             networks. Default: `true`. Changed in place.",
        ),
        Attribute::computed("attachment_id", Type::String)
            .describe("The Transit Gateway VPC attachment (`tgw-attach-…`)."),
        Attribute::computed("cidr_blocks", strings()).describe(
            "Every IPv4 CIDR of the VPC, secondary ones included, as read from AWS: these are \
             the destinations other networks get routes to.",
        ),
        Attribute::computed("owner_id", Type::String).describe("The account that owns the VPC."),
        Attribute::computed("state", Type::String).describe(
            "The attachment's state. An apply waits until it is `available` (never stopping at \
             `pendingAcceptance`).",
        ),
    ]
}

fn data_center_attributes() -> Vec<Attribute> {
    vec![
        Attribute::required("cidr_blocks", strings()).describe(
            "The source data center's networks. Every VPC route table in `route_table_ids` \
             gets a route to each of them; with a static VPN they also become static routes in \
             the hub route table. They must not overlap any VPC or each other's networks.",
        ),
        Attribute::optional("direct_connect_gateway_id", Type::String).describe(
            "Reach the data center over this Direct Connect gateway (associated with the \
             Transit Gateway). Its Amazon side ASN must differ from `amazon_side_asn`. Set \
             exactly one of `direct_connect_gateway_id` and `vpn`. Associations routinely take \
             tens of minutes; raise `timeouts` if needed.",
        ),
        Attribute::nested(
            "vpn",
            Nesting::Single,
            Presence::Optional,
            vec![
                Attribute::required("customer_gateway_id", Type::String).describe(
                    "The customer gateway (`cgw-…`) of the data center's VPN device. \
                     Changing it replaces the VPN connection.",
                ),
                Attribute::optional_computed("static_routes_only", Type::Bool).describe(
                    "Use static routes (`true`, the default: the hub adds a static route per \
                     data-center CIDR to its route table) instead of BGP. AWS cannot change \
                     this on a live connection, so changing it replaces the VPN connection.",
                ),
            ],
        )
        .describe(
            "Reach the data center over a site-to-site VPN attached to the Transit Gateway. \
             Set exactly one of `direct_connect_gateway_id` and `vpn`.",
        ),
        Attribute::optional_computed("allowed_prefixes", strings()).describe(
            "Direct Connect only: the prefixes advertised to the data center over the Direct \
             Connect gateway. Default: every VPC CIDR of the hub, kept up to date as VPCs come \
             and go. Changed in place (`UpdateDirectConnectGatewayAssociation`), without \
             touching the association. Must not overlap `cidr_blocks`.",
        ),
        Attribute::computed("attachment_id", Type::String)
            .describe("The Transit Gateway attachment of the Direct Connect gateway or VPN."),
        Attribute::computed("association_id", Type::String)
            .describe("Direct Connect only: the gateway association."),
        Attribute::computed("vpn_connection_id", Type::String)
            .describe("VPN only: the site-to-site VPN connection (`vpn-…`)."),
    ]
}

fn spoke_attributes() -> Vec<Attribute> {
    vec![
        Attribute::optional("account_id", Type::String).describe(
            "The spoke's AWS account (12 digits). It becomes a principal of the resource share \
             (beside `share_with`), and only its attachments are accepted for this spoke. \
             Required, except for a Client VPN endpoint of the hub's own account (leave it \
             unset there: a gateway is not shared with its owner).",
        ),
        Attribute::required("cidr_blocks", strings()).describe(
            "The networks the spoke may bring: every route table in `route_table_ids` gets a \
             route to each through the Transit Gateway, the Direct Connect default \
             `allowed_prefixes` include them, and they must not overlap the hub's VPCs, the \
             data center or another spoke. An attachment of this account whose VPC CIDRs \
             (as the hub route table learns them) are not all within these is not propagated, \
             and the plan warns about it. For a Client VPN endpoint: its client CIDR (an \
             endpoint attached to a Transit Gateway keeps the clients' addresses, so every \
             network needs its route back to them).",
        ),
        Attribute::optional("client_vpn_endpoint_id", Type::String).describe(
            "A Client VPN endpoint attached to this hub's Transit Gateway (created with a \
             `TransitGatewayConfiguration`; `cvpn-endpoint-…`) instead of VPCs: the hub \
             accepts its `client-vpn` attachment when it waits in `pendingAcceptance` \
             (`AcceptTransitGatewayClientVpnAttachment`), associates it with the hub route \
             table and propagates it like any spoke, routes every VPC of `route_table_ids` to \
             its client CIDR and checks that CIDR for overlaps. Give `account_id` when the \
             endpoint is in another account. Grant the groups their networks with \
             `migration_client_vpn_group_access`.",
        ),
        Attribute::computed("attachment_ids", strings()).describe(
            "The spoke account's VPC attachments to the hub's Transit Gateway (any state but \
             deleted or rejected).",
        ),
        Attribute::computed("status", Type::String).describe(
            "`not attached`; `pendingAcceptance` (with `auto_accept_shared_attachments = \
             false`, until the next apply accepts it); `available` (accepted, not yet \
             propagating into the hub route table, or its CIDRs do not match the declaration); \
             `propagated` (the hub route table routes to it). With several attachments, the \
             least advanced one's; AWS's own state while it is in another (`pending`, \
             `modifying`, …).",
        ),
    ]
}

fn route_table_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("vpc", Type::String).describe(
            "The key in `vpc_attachments` of the VPC this route table belongs to; null for the \
             hub route table (the Transit Gateway's), whose static routes lead to the data center.",
        ),
        Attribute::computed("destinations", Type::map(Type::String)).describe(
            "Every destination this table routes through the Transit Gateway, each mapped to the \
             network it belongs to: a key of `vpc_attachments`, `data_center`, \
             `transit_gateway_cidr_blocks`, or `spokes[\"<name>\"]`. A route AWS reports as \
             `blackhole` is not listed (it \
             delivers nothing), so the next plan shows it and the apply repairs it.",
        ),
    ]
}

pub(crate) fn schema() -> Schema {
    let attributes = vec![
        Attribute::computed("id", Type::String).describe("The Transit Gateway id (`tgw-…`)."),
        Attribute::computed("arn", Type::String).describe("The Transit Gateway ARN."),
        Attribute::computed("owner_id", Type::String)
            .describe("The account that owns the Transit Gateway."),
        Attribute::required("name", Type::String).describe(
            "Name of the hub: the `Name` tag of the Transit Gateway and the resource share, \
             and the prefix of every child's `Name` (`<name>-<key>` for attachments, \
             `<name>-data-center` for the data center). Renaming retags in place.",
        ),
        Attribute::optional("description", Type::String)
            .describe("Description of the Transit Gateway. Changed in place."),
        Attribute::optional_computed("amazon_side_asn", Type::Number).describe(
            "Private ASN of the Amazon side of BGP sessions: 64512–65534 or \
             4200000000–4294967294. Default: `64512`. Changed in place, except while a data \
             center is attached (AWS refuses to change the ASN of a Transit Gateway with a VPN \
             or Direct Connect attachment: remove `data_center` first).",
        ),
        Attribute::optional_computed("auto_accept_shared_attachments", Type::Bool).describe(
            "Accept attachments that other accounts (those in `share_with`) make to the shared \
             Transit Gateway without an explicit accept. AWS then also associates each with \
             the hub route table and (with `route_propagation`) propagates it there, so a \
             spoke created in the same apply as the hub is connected without a second apply; \
             each plan of the hub still checks what a spoke's attachment brings against \
             `spokes`. Without it they stay in `pendingAcceptance`, and each apply accepts \
             those of the accounts in `spokes`. Default: `true`. Changed in place.",
        ),
        Attribute::optional_computed("dns_support", Type::Bool)
            .describe("DNS support on the Transit Gateway. Default: `true`. Changed in place."),
        Attribute::optional_computed("vpn_ecmp_support", Type::Bool).describe(
            "Equal-cost multi-path routing across VPN tunnels. Default: `true`. Changed in \
             place.",
        ),
        Attribute::optional("transit_gateway_cidr_blocks", strings()).describe(
            "CIDR blocks of the Transit Gateway itself (for Connect peers): at most 5, IPv4 \
             /24 or larger outside 169.254.0.0/16, IPv6 /64 or larger. They are destinations \
             of the mesh like any other network. Added and removed in place.",
        ),
        Attribute::optional("share_with", strings()).describe(
            "RAM principals to share the Transit Gateway with, besides the accounts of \
             `spokes` (the share's principals are the union of both): 12-digit account ids, \
             Organization ARNs (`arn:aws:organizations::<account>:organization/o-…`) or OU \
             ARNs (`arn:aws:organizations::<account>:ou/o-…/ou-…`). Bare `o-…`/`ou-…` ids are \
             refused by AWS; write the ARN. Principals are keyed by value: adding or removing \
             one never touches the others. Accounts outside the Organization must accept the \
             invitation.",
        ),
        Attribute::optional_computed("allow_external_principals", Type::Bool).describe(
            "Allow `share_with` to name accounts outside your AWS Organization. Default: \
             `true`. Changed in place.",
        ),
        Attribute::nested(
            "vpc_attachments",
            Nesting::Map,
            Presence::Optional,
            vpc_attachment_attributes(),
        )
        .describe(
            "The VPCs of the hub, keyed by a network name of your choice (the key is the \
             attachment's identity: renaming a key retags the attachment, it does not recreate \
             it). Attachments are created in parallel and the apply waits until each is \
             really `available`.",
        ),
        Attribute::nested(
            "data_center",
            Nesting::Single,
            Presence::Optional,
            data_center_attributes(),
        )
        .describe("The source data center, reached over Direct Connect or a site-to-site VPN."),
        Attribute::nested(
            "spokes",
            Nesting::Map,
            Presence::Optional,
            spoke_attributes(),
        )
        .describe(
            "The other accounts' VPCs that join the hub (`migration_hub_spoke` in those \
                 accounts), and Client VPN endpoints attached to its Transit Gateway, keyed \
                 by a spoke name of your choice: the key is the spoke's \
                 identity in plans, so adding, changing or removing one shows as that one \
                 entry. The hub shares its Transit Gateway with each spoke's account, routes \
                 its VPCs to the spoke's CIDRs, checks them for overlaps, and (with \
                 `auto_accept_shared_attachments = false`) accepts exactly the declared \
                 accounts' attachments on each apply; any other attachment is a plan warning \
                 naming it, never accepted or rejected silently.",
        ),
        Attribute::optional_computed("route_propagation", Type::Bool).describe(
            "Every attachment propagates its routes into the hub route table, so the Transit \
             Gateway knows every network. Managed per attachment, and with \
             `auto_accept_shared_attachments` also through the Transit Gateway's \
             default-propagation option (so attachments AWS accepts by itself propagate at \
             once); toggled in place. Default: `true`.",
        ),
        Attribute::optional_computed("mesh_routes", Type::Bool).describe(
            "Add a route to every other network, through the Transit Gateway, to each route \
             table in `route_table_ids`. Default: `true`. With `false` the hub removes the \
             routes it added.",
        ),
        Attribute::optional("take_over", Type::Bool).describe(
            "Set to `true` to take over what another `migration_hub_network` holds of this \
             hub's networks (its previous instance under `-replace`, another copy of a module, \
             another workspace). Routes in these route tables are re-targeted to this hub's \
             Transit Gateway in place (ReplaceRoute, no gap), and the other hub then leaves \
             them alone when it is destroyed. The Direct Connect gateway's association with the \
             other hub, whose prefixes overlap this hub's, is deleted right before this hub \
             makes its own (the data center is disconnected in between). Without it, another \
             hub's routes and association are an error, except for a new hub of the same \
             `name` (its replacement), which takes them over with a warning. Default: `false`.",
        ),
        Attribute::optional("tags", Type::map(Type::String)).describe(
            "Tags for the Transit Gateway and every child object that can be tagged, merged \
             over the provider's `default_tags`. `Name` comes from `name`; keys starting with \
             `aws:` or `migration:` are reserved.",
        ),
        Attribute::computed("tags_all", Type::map(Type::String)).describe(
            "The tags applied: the provider's `default_tags` overridden by `tags`. Each object \
             also carries `Name` and the ownership tags `migration:owner` (the Transit Gateway \
             id), `migration:managed-by`, and on attachments `migration:network`.",
        ),
        Attribute::computed("route_table_id", Type::String).describe(
            "The hub route table: the Transit Gateway's default association route table, which \
             every attachment is associated with and propagates into.",
        ),
        Attribute::computed("resource_share_arn", Type::String)
            .describe("The RAM resource share, when `share_with` is not empty."),
        Attribute::nested(
            "routes",
            Nesting::Map,
            Presence::Computed,
            route_table_attributes(),
        )
        .describe(
            "Every route the hub manages, by route table id: the VPC route tables of \
             `route_table_ids` (the mesh), and the hub route table's static routes to the data \
             center (a static VPN). Keyed by table and destination, so that a route changed out \
             of band shows in a plan as that one route.",
        ),
        timeouts::attribute(),
    ];
    Schema {
        version: SCHEMA_VERSION,
        block: Block {
            attributes,
            blocks: Vec::new(),
            description: "A migration connectivity hub in one resource: a Transit Gateway \
                          shared over RAM, VPC attachments, the data center over Direct \
                          Connect or VPN, route propagation and a full mesh of VPC routes. \
                          Overlapping networks, routes in the way and misplaced subnets are \
                          reported at plan time, on the attribute at fault."
                .to_string(),
            deprecated: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::schema::AttributeType;

    fn every_attribute(attributes: &[Attribute], out: &mut Vec<(String, String)>, prefix: &str) {
        for attribute in attributes {
            let path = format!("{prefix}{}", attribute.name);
            out.push((path.clone(), attribute.description.clone()));
            if let AttributeType::Nested(nested) = &attribute.ty {
                every_attribute(&nested.attributes, out, &format!("{path}."));
            }
        }
    }

    #[test]
    fn schema_is_sane_and_fully_documented() {
        let schema = schema();
        assert_eq!(schema.sanity_errors(), Vec::<String>::new());
        let mut all = Vec::new();
        every_attribute(&schema.block.attributes, &mut all, "");
        let undocumented: Vec<_> = all.iter().filter(|(_, d)| d.is_empty()).collect();
        assert!(undocumented.is_empty(), "{undocumented:?}");
        assert!(
            all.len() > 30,
            "nested attributes are walked: {}",
            all.len()
        );
    }
}
