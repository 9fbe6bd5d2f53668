//! Checks against AWS at plan time, and again at apply with every value known: MGN is
//! initialized in the Region, the subnets are where they should be, the staging subnet's
//! default route is free for the NAT gateway, the NAT subnet is public, the source networks
//! are routed back from the staging subnet (the replication servers answer them on the
//! connections they open to TCP 1500), and the staging subnet has room for the servers.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::model::Config;
use crate::aws::call::Aws;
use crate::aws::ec2::route_table::RouteTable;
use crate::aws::ec2::subnet::Subnet;
use crate::aws::retry::OpError;
use crate::framework::typed::Maybe;
use crate::netplan::cidr::parse_canonical;
use crate::netplan::reachability::Fabric;
use crate::protocol::cty::Path;
use crate::protocol::diagnostics::Diagnostics;
use crate::resources::hub_network::model::decode_data_center_cidrs;

use super::hub_path;

/// What the checks read.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    pub region: String,
    pub mgn_initialized: bool,
    /// The staging and NAT subnets that exist.
    pub subnets: BTreeMap<String, Subnet>,
    /// Free addresses of each staging subnet, by subnet.
    pub free_addresses: BTreeMap<String, i32>,
    /// The route table of each staging subnet that has one of its own, by subnet.
    pub staging_tables: BTreeMap<String, RouteTable>,
    /// The route table of each NAT subnet that has one of its own, by subnet.
    pub nat_tables: BTreeMap<String, RouteTable>,
    /// The staging VPC's CIDRs (private mode lets them reach the interface endpoints).
    pub vpc_cidrs: BTreeSet<String>,
    /// The staging area's own NAT gateways.
    pub nat_gateway_ids: BTreeSet<String>,
    /// Whether the staging area is being created (the room check is a create's).
    pub creating: bool,
    /// Whether the subnets were known, so that the reads above were made.
    pub read: bool,
    /// Without `source_cidr_blocks`: the data center networks of each hub (Transit Gateway)
    /// the VPC is attached to, by gateway; `None` when not read.
    pub hub_data_centers: Option<BTreeMap<String, BTreeSet<String>>>,
    /// Whether these are the apply's checks (every value known), not the plan's.
    pub applying: bool,
    /// With PRIVATE_IP routing through a hub of this account: the routing between the data
    /// center and the staging VPC, as `hub_path` walks it; `None` when not read.
    pub hub_path: Option<Fabric>,
}

impl Facts {
    /// The zone (id) of each subnet read, by subnet id.
    pub(crate) fn zones(&self) -> BTreeMap<String, String> {
        self.subnets
            .iter()
            .map(|(id, s)| (id.clone(), s.zone_id().to_string()))
            .collect()
    }

    /// The data center networks of every hub the VPC is attached to; `None` when not read.
    pub(crate) fn hub_sources(&self) -> Option<BTreeSet<String>> {
        self.hub_data_centers
            .as_ref()
            .map(|hubs| hubs.values().flatten().cloned().collect())
    }
}

/// The data center networks of each hub (Transit Gateway) `vpc_id` is attached to: the prefixes
/// `migration_hub_network` tags its data center's attachment (Direct Connect gateway or VPN)
/// with. A gateway of another account shows this account none of its attachments, so its hub
/// is not found.
async fn hub_data_centers(
    aws: &Aws<'_>,
    vpc_id: &str,
) -> Result<BTreeMap<String, BTreeSet<String>>, OpError> {
    let gateways: BTreeSet<String> = aws
        .vpc_attachments_of_vpc(vpc_id)
        .await?
        .into_iter()
        .map(|a| a.transit_gateway_id)
        .collect();
    let mut found = BTreeMap::new();
    for tgw in gateways {
        for attachment in aws.transit_gateway_attachments(&tgw).await? {
            if !matches!(
                attachment.resource_type.as_str(),
                "direct-connect-gateway" | "vpn"
            ) {
                continue;
            }
            if let Some(cidrs) = decode_data_center_cidrs(&attachment.tags) {
                found
                    .entry(tgw.clone())
                    .or_insert_with(BTreeSet::new)
                    .extend(cidrs);
            }
        }
    }
    Ok(found)
}

/// Reads what the checks need; `nat_gateway_ids` are the staging area's own NAT gateways.
pub(crate) async fn read(
    aws: &Aws<'_>,
    config: &Config,
    nat_gateway_ids: BTreeSet<String>,
    creating: bool,
) -> Result<Facts, OpError> {
    let mut facts = Facts {
        region: aws.clients.region.clone(),
        mgn_initialized: aws.mgn_initialized().await?,
        nat_gateway_ids,
        creating,
        ..Facts::default()
    };
    if let (Maybe::Known(None), Maybe::Known(vpc_id)) = (&config.source_cidr_blocks, &config.vpc_id)
    {
        facts.hub_data_centers = Some(hub_data_centers(aws, vpc_id).await?);
    }
    let (Maybe::Known(vpc_id), Maybe::Known(staging), Maybe::Known(nats)) = (
        &config.vpc_id,
        config.staging_subnets(),
        config.nat_subnets(),
    ) else {
        return Ok(facts);
    };
    facts.read = true;
    let subnet_ids: BTreeSet<String> = staging.union(&nats).cloned().collect();
    facts.subnets = aws.subnets(&subnet_ids).await?;
    facts.vpc_cidrs = aws
        .vpcs(&BTreeSet::from([vpc_id.clone()]))
        .await?
        .remove(vpc_id)
        .map(|v| v.cidr_blocks.into_iter().collect())
        .unwrap_or_default();
    facts.free_addresses = aws.free_addresses(&staging).await?;
    facts.staging_tables = super::observe::tables_of(aws, &staging).await?;
    facts.nat_tables = super::observe::tables_of(aws, &nats).await?;
    if let (Maybe::Known(routing), Maybe::Known(sources)) = (
        config.routing(),
        config.sources(facts.hub_sources().as_ref()),
    ) && routing == "PRIVATE_IP"
    {
        let tables: Vec<RouteTable> = facts
            .staging_tables
            .values()
            .map(|t| (t.id.clone(), t.clone()))
            .collect::<BTreeMap<_, _>>()
            .into_values()
            .collect();
        facts.hub_path = hub_path::read(aws, vpc_id, &facts.vpc_cidrs, &tables, &sources).await?;
    }
    Ok(facts)
}

/// Every check, each error on the attribute at fault.
pub(crate) fn check(config: &Config, facts: &Facts) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if !facts.mgn_initialized {
        diagnostics.error(
            "Application Migration Service is not initialized",
            format!(
                "MGN has not been initialized in {} for this account, so it refuses every \
                 replication configuration template. Initialize it once per account and \
                 Region: open the Application Migration Service console in {} and choose \
                 \"Set up service\", or run `aws mgn initialize-service --region {}` with \
                 permission to create MGN's IAM roles. Then plan again.",
                facts.region, facts.region, facts.region
            ),
        );
    }
    if !facts.read {
        return diagnostics;
    }
    let (Maybe::Known(vpc_id), Maybe::Known(staging), Maybe::Known(nats)) = (
        &config.vpc_id,
        config.staging_subnets(),
        config.nat_subnets(),
    ) else {
        return diagnostics;
    };
    // Without source networks, the hub's data center is the default; the plan leaves them
    // unknown while no hub attaches the VPC (the hub may be made in the same apply), the
    // apply needs them.
    if facts.applying
        && matches!(config.source_cidr_blocks, Maybe::Known(None))
        && facts.hub_sources().is_none_or(|s| s.is_empty())
    {
        diagnostics.error_at(
            Path::root().attr("source_cidr_blocks"),
            "No source networks",
            format!(
                "source_cidr_blocks is not set, and {vpc_id} is attached to no hub whose data \
                 center this account can see (a Transit Gateway attachment of {vpc_id} to a \
                 gateway with a Direct Connect or VPN attachment tagged by \
                 migration_hub_network with the data center's networks), so nothing would be \
                 let in on TCP 1500. Set source_cidr_blocks to the networks whose servers \
                 replicate, or attach {vpc_id} to the hub first (migration_hub_network's \
                 vpc_attachments; depends_on that hub makes the staging area wait for it)."
            ),
        );
        return diagnostics;
    }
    let staging_attr = |id: &str| {
        if config.staging_subnet_id.known().map(String::as_str) == Some(id) {
            "staging_subnet_id"
        } else {
            "additional_staging_subnet_ids"
        }
    };
    let nat_attr = if config.per_zone() {
        "nat_subnet_ids"
    } else {
        "nat_subnet_id"
    };
    let mut placed = true;
    let named = staging
        .iter()
        .map(|id| (staging_attr(id), id))
        .chain(nats.iter().map(|id| (nat_attr, id)));
    for (name, id) in named {
        match facts.subnets.get(id) {
            None => {
                placed = false;
                diagnostics.error_at(
                    Path::root().attr(name),
                    "Subnet not found",
                    format!(
                        "{id} does not exist in this account and Region ({}). Name a subnet \
                         of {vpc_id}.",
                        facts.region
                    ),
                );
            }
            Some(subnet) if &subnet.vpc_id != vpc_id => {
                placed = false;
                diagnostics.error_at(
                    Path::root().attr(name),
                    "Subnet in another VPC",
                    format!(
                        "{id} is in {}, not in the staging VPC {vpc_id}. Name a subnet of \
                         {vpc_id}.",
                        subnet.vpc_id
                    ),
                );
            }
            Some(_) => {}
        }
    }
    if !placed {
        return diagnostics;
    }
    for id in &staging {
        staging_routes(
            config,
            facts,
            id,
            staging_attr(id),
            !nats.is_empty(),
            &mut diagnostics,
        );
    }
    reachable_through_the_hub(config, facts, &mut diagnostics);
    for nat in &nats {
        nat_subnet_public(facts, nat, nat_attr, &mut diagnostics);
    }
    if config.per_zone() {
        zones_covered(facts, &staging, &nats, &mut diagnostics);
    }
    for id in &staging {
        room(config, facts, id, staging_attr(id), &mut diagnostics);
    }
    diagnostics
}

/// Per-zone NAT gateways: one NAT subnet in each staging subnet's zone, none in a zone
/// without a staging subnet, never two in one zone.
fn zones_covered(
    facts: &Facts,
    staging: &BTreeSet<String>,
    nats: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) {
    let path = || Path::root().attr("nat_subnet_ids");
    let zone = |id: &String| facts.subnets.get(id).map(|s| s.zone_id().to_string());
    let mut nat_zones: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for nat in nats {
        nat_zones
            .entry(zone(nat).unwrap_or_default())
            .or_default()
            .push(nat);
    }
    let staging_zones: BTreeMap<String, &String> = staging
        .iter()
        .map(|s| (zone(s).unwrap_or_default(), s))
        .collect();
    for (zone, subnets) in &nat_zones {
        if subnets.len() > 1 {
            diagnostics.error_at(
                path(),
                "Two NAT subnets in one Availability Zone",
                format!(
                    "{} are all in {zone}. nat_subnet_ids takes one public subnet per \
                     Availability Zone, whose NAT gateway the zone's staging subnets leave \
                     through: keep one of them.",
                    subnets
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        } else if !staging_zones.contains_key(zone) {
            diagnostics.error_at(
                path(),
                "NAT subnet in a zone without a staging subnet",
                format!(
                    "{} is in {zone}, where no staging subnet is, so its NAT gateway would \
                     serve nothing. Remove it, or add a staging subnet of {zone} to \
                     additional_staging_subnet_ids.",
                    subnets[0]
                ),
            );
        }
    }
    let mut table_zones: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for subnet in staging {
        if let Some(table) = facts.staging_tables.get(subnet) {
            table_zones
                .entry(table.id.as_str())
                .or_default()
                .insert(zone(subnet).unwrap_or_default());
        }
    }
    for (table, zones) in table_zones.iter().filter(|(_, z)| z.len() > 1) {
        diagnostics.error_at(
            Path::root().attr("additional_staging_subnet_ids"),
            "Staging subnets of several zones share a route table",
            format!(
                "The route table {table} is the staging subnets' of {}: its one default route \
                 cannot lead to the NAT gateway of each zone. Give each zone's staging subnets \
                 a route table of their own.",
                zones.iter().cloned().collect::<Vec<_>>().join(" and ")
            ),
        );
    }
    for (zone, subnet) in &staging_zones {
        if !nat_zones.contains_key(zone) {
            diagnostics.error_at(
                path(),
                "Staging zone without a NAT subnet",
                format!(
                    "The staging subnet {subnet} is in {zone}, but no subnet of nat_subnet_ids \
                     is, so it would have no NAT gateway to leave through. Add a public subnet \
                     of {zone} to nat_subnet_ids."
                ),
            );
        }
    }
}

/// With PRIVATE_IP through a hub of this account: the first hop missing between the data
/// center and the staging VPC (there or back), on the sources.
fn reachable_through_the_hub(config: &Config, facts: &Facts, diagnostics: &mut Diagnostics) {
    if config.routing().known().map(String::as_str) != Some("PRIVATE_IP") {
        return;
    }
    let Some(missing) = facts.hub_path.as_ref().and_then(hub_path::missing) else {
        return;
    };
    diagnostics.error_at(
        Path::root().attr("source_cidr_blocks"),
        "Source network not reachable through the hub",
        format!(
            "With PRIVATE_IP data plane routing the source servers connect to the replication \
             servers' private addresses on TCP 1500 through the Transit Gateway, and the \
             answers come back the same way, but a hop is missing between the data center and \
             the staging VPC: {missing}. Connect both through the hub (migration_hub_network \
             with the staging VPC in vpc_attachments and the data center in data_center, route \
             propagation on), or use PUBLIC_IP with create_public_ip."
        ),
    );
}

fn staging_routes(
    config: &Config,
    facts: &Facts,
    staging: &str,
    name: &str,
    nat_mode: bool,
    diagnostics: &mut Diagnostics,
) {
    let path = Path::root().attr(name);
    let Some(table) = facts.staging_tables.get(staging) else {
        diagnostics.error_at(
            path,
            "Staging subnet without a route table of its own",
            format!(
                "{staging} uses its VPC's main route table. The staging area adds a default \
                 route to its NAT gateway to the staging subnet's table, which must not be the \
                 main table every other subnet of the VPC uses: associate a route table with \
                 {staging} (aws_route_table_association), then plan again."
            ),
        );
        return;
    };
    if let Some(route) = table
        .routes
        .iter()
        .find(|r| nat_mode && r.destination == "0.0.0.0/0")
    {
        let ours = facts.nat_gateway_ids.contains(&route.target);
        // A route to a NAT gateway that no longer works (ours, deleted out of band) is
        // replaced; anything else is someone else's way out.
        let stale = route.target.starts_with("nat-") && route.state != "active";
        if !ours && !stale {
            diagnostics.error_at(
                path,
                "Default route taken",
                format!(
                    "The route table {} of the staging subnet {staging} already sends \
                     0.0.0.0/0 to {} ({}). The staging area sends it to its NAT gateway: remove \
                     that route, or choose a staging subnet whose table has no default route.",
                    table.id, route.target, route.state
                ),
            );
        }
    }
    let (Maybe::Known(routing), Maybe::Known(sources)) = (
        config.routing(),
        config.sources(facts.hub_sources().as_ref()),
    ) else {
        return;
    };
    if routing != "PRIVATE_IP" {
        return;
    }
    let routes: Vec<(IpNet, &str)> = table
        .routes
        .iter()
        .filter_map(|r| Some((parse_canonical(&r.destination).ok()?, r.target.as_str())))
        .filter(|(net, _)| net.prefix_len() > 0)
        .collect();
    for source in sources {
        let Ok(source_net) = parse_canonical(&source) else {
            continue;
        };
        let routed = routes.iter().any(|(net, _)| net.contains(&source_net));
        if !routed {
            diagnostics.error_at(
                Path::root().attr("source_cidr_blocks"),
                "Source network not routed back",
                format!(
                    "The route table {} of the staging subnet {staging} has no route covering \
                     {source} but the default one, so the replication servers' answers to the source \
                     servers' connections on TCP 1500 would leave through the NAT gateway and \
                     never arrive (PRIVATE_IP data plane routing). Route {source} through the \
                     hub (migration_hub_network routes the data center to the staging VPC's \
                     tables), or use PUBLIC_IP with create_public_ip.",
                    table.id
                ),
            );
        }
    }
}

fn nat_subnet_public(facts: &Facts, nat: &str, name: &str, diagnostics: &mut Diagnostics) {
    // A subnet without a table of its own uses the main table, which this does not read.
    let Some(table) = facts.nat_tables.get(nat) else {
        return;
    };
    let public = table
        .routes
        .iter()
        .any(|r| r.destination == "0.0.0.0/0" && r.target.starts_with("igw-"));
    if !public {
        diagnostics.error_at(
            Path::root().attr(name),
            "NAT subnet is not public",
            format!(
                "{nat}'s route table {} has no default route to an internet gateway, so a NAT \
                 gateway there could not reach MGN, EC2 or S3. Name a public subnet of the VPC, \
                 or add 0.0.0.0/0 → igw-… to that table.",
                table.id
            ),
        );
    }
}

/// Each staging subnet must have room for every server of `concurrent_source_servers`: the
/// template puts them all in `staging_subnet_id`, and per-server settings may put them all in
/// another.
fn room(config: &Config, facts: &Facts, staging: &str, name: &str, diagnostics: &mut Diagnostics) {
    let (true, Some(free), Maybe::Known(needed)) = (
        facts.creating,
        facts.free_addresses.get(staging).copied(),
        config.addresses_needed(),
    ) else {
        return;
    };
    if i64::from(free) < needed {
        diagnostics.error_at(
            Path::root().attr(name),
            "Staging subnet too small",
            format!(
                "{staging} has {free} free addresses, but {needed} are needed for \
                 concurrent_source_servers = {} (replication servers plus one conversion \
                 server per source server). Use a larger staging subnet, or replicate fewer \
                 servers at once.",
                config
                    .concurrent_source_servers
                    .known()
                    .cloned()
                    .flatten()
                    .unwrap_or(1)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::route_table::VpcRoute;
    use crate::framework::typed::FromValue;
    use crate::protocol::cty::Value;
    use crate::resources::replication_staging_area::model::tests::{
        config_value, per_zone_changes, set,
    };

    fn route(destination: &str, target: &str) -> VpcRoute {
        VpcRoute {
            destination: destination.into(),
            target: target.into(),
            state: "active".into(),
        }
    }

    fn table(id: &str, routes: Vec<VpcRoute>) -> RouteTable {
        RouteTable {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            routes,
        }
    }

    fn subnet(id: &str) -> (String, Subnet) {
        (
            id.to_string(),
            Subnet {
                id: id.into(),
                vpc_id: "vpc-1".into(),
                availability_zone: "eu-west-1a".into(),
                availability_zone_id: None,
            },
        )
    }

    /// A staging area that passes every check: MGN initialized, the source network routed
    /// through the hub, a public NAT subnet, room for two servers.
    fn healthy() -> Facts {
        Facts {
            region: "eu-west-1".into(),
            mgn_initialized: true,
            subnets: BTreeMap::from([subnet("subnet-s"), subnet("subnet-p")]),
            free_addresses: BTreeMap::from([("subnet-s".to_string(), 250)]),
            staging_tables: BTreeMap::from([(
                "subnet-s".to_string(),
                table(
                    "rtb-s",
                    vec![
                        route("10.0.0.0/16", "local"),
                        route("192.168.0.0/16", "tgw-1"),
                    ],
                ),
            )]),
            nat_tables: BTreeMap::from([(
                "subnet-p".to_string(),
                table("rtb-p", vec![route("0.0.0.0/0", "igw-1")]),
            )]),
            vpc_cidrs: BTreeSet::from(["10.0.0.0/16".to_string()]),
            nat_gateway_ids: BTreeSet::new(),
            creating: true,
            read: true,
            hub_data_centers: None,
            applying: false,
            hub_path: None,
        }
    }

    fn errors(changes: &[(&str, Value)], facts: &Facts) -> Vec<(Option<String>, String)> {
        let config = Config::from_value(&config_value(changes)).unwrap();
        check(&config, facts)
            .iter()
            .map(|d| {
                (
                    d.attribute.as_ref().map(ToString::to_string),
                    d.summary.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn a_healthy_staging_area_passes() {
        assert_eq!(errors(&[], &healthy()), vec![]);
    }

    #[test]
    fn without_sources_the_hubs_data_center_is_checked_and_the_apply_needs_one() {
        let unset = [("source_cidr_blocks", Value::Null)];
        let no_sources = vec![(
            Some("source_cidr_blocks".to_string()),
            "No source networks".to_string(),
        )];
        // No hub attaches the VPC yet: the plan waits (the hub may come in the same apply),
        // the apply refuses.
        let mut facts = Facts {
            hub_data_centers: Some(BTreeMap::new()),
            ..healthy()
        };
        assert_eq!(errors(&unset, &facts), vec![]);
        facts.applying = true;
        assert_eq!(errors(&unset, &facts), no_sources);
        // The hub's data center networks are the sources, checked for the route back.
        let hub = |cidr: &str| {
            Some(BTreeMap::from([(
                "tgw-1".to_string(),
                BTreeSet::from([cidr.to_string()]),
            )]))
        };
        facts.hub_data_centers = hub("192.168.0.0/16");
        assert_eq!(errors(&unset, &facts), vec![]);
        facts.hub_data_centers = hub("172.16.0.0/12");
        assert_eq!(
            errors(&unset, &facts),
            vec![(
                Some("source_cidr_blocks".to_string()),
                "Source network not routed back".to_string()
            )]
        );
        // Configured sources need no hub.
        facts.hub_data_centers = None;
        assert_eq!(errors(&[], &facts), vec![]);
    }

    #[test]
    fn uninitialized_mgn_says_how_to_initialize() {
        let facts = Facts {
            mgn_initialized: false,
            ..healthy()
        };
        let config = Config::from_value(&config_value(&[])).unwrap();
        let diagnostics = check(&config, &facts);
        let error = diagnostics.iter().next().unwrap();
        assert_eq!(
            error.summary,
            "Application Migration Service is not initialized"
        );
        assert!(
            error
                .detail
                .contains("aws mgn initialize-service --region eu-west-1")
        );
    }

    #[test]
    fn a_hop_missing_in_the_hub_is_refused_on_the_sources_naming_it() {
        use super::hub_path::tests::{ROUTED, fabric};
        let mut facts = healthy();
        facts.hub_path = Some(fabric(
            ROUTED,
            &["tgw-attach-staging", "tgw-attach-dx"],
            &["10.1.0.0/16"],
            &[],
        ));
        assert_eq!(errors(&[], &facts), vec![]);
        // The staging VPC's attachment does not propagate into the hub route table.
        facts.hub_path = Some(fabric(ROUTED, &["tgw-attach-dx"], &["10.1.0.0/16"], &[]));
        let config = Config::from_value(&config_value(&[])).unwrap();
        let found = check(&config, &facts);
        let found: Vec<_> = found.iter().collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0]
                .attribute
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("source_cidr_blocks")
        );
        assert_eq!(
            found[0].summary,
            "Source network not reachable through the hub"
        );
        assert!(
            found[0].detail.contains("tgw-rtb-hub"),
            "{}",
            found[0].detail
        );
        // PUBLIC_IP does not go through the hub.
        assert_eq!(
            errors(
                &[
                    ("data_plane_routing", Value::string("PUBLIC_IP")),
                    ("create_public_ip", Value::Bool(true)),
                ],
                &facts
            ),
            vec![]
        );
    }

    #[test]
    fn a_source_network_left_to_the_default_route_is_refused_on_its_attribute() {
        let mut facts = healthy();
        facts.staging_tables.insert(
            "subnet-s".into(),
            table("rtb-s", vec![route("10.0.0.0/16", "local")]),
        );
        assert_eq!(
            errors(&[], &facts),
            vec![(
                Some("source_cidr_blocks".to_string()),
                "Source network not routed back".to_string()
            )]
        );
        // Public IP routing does not come back through the staging table's routes.
        assert_eq!(
            errors(
                &[
                    ("data_plane_routing", Value::string("PUBLIC_IP")),
                    ("create_public_ip", Value::Bool(true)),
                ],
                &facts
            ),
            vec![]
        );
    }

    #[test]
    fn the_default_route_must_be_free_or_ours() {
        let mut facts = healthy();
        facts.staging_tables.insert(
            "subnet-s".into(),
            table(
                "rtb-s",
                vec![
                    route("0.0.0.0/0", "igw-9"),
                    route("192.168.0.0/16", "tgw-1"),
                ],
            ),
        );
        assert_eq!(
            errors(&[], &facts),
            vec![(
                Some("staging_subnet_id".to_string()),
                "Default route taken".to_string()
            )]
        );
        facts.staging_tables.insert(
            "subnet-s".into(),
            table(
                "rtb-s",
                vec![
                    route("0.0.0.0/0", "nat-1"),
                    route("192.168.0.0/16", "tgw-1"),
                ],
            ),
        );
        facts.nat_gateway_ids = BTreeSet::from(["nat-1".to_string()]);
        assert_eq!(errors(&[], &facts), vec![]);
    }

    #[test]
    fn a_private_nat_subnet_and_a_full_staging_subnet_are_refused() {
        let mut facts = healthy();
        facts
            .nat_tables
            .insert("subnet-p".into(), table("rtb-p", vec![]));
        facts.free_addresses.insert("subnet-s".into(), 1);
        assert_eq!(
            errors(&[], &facts),
            vec![
                (
                    Some("nat_subnet_id".to_string()),
                    "NAT subnet is not public".to_string()
                ),
                (
                    Some("staging_subnet_id".to_string()),
                    "Staging subnet too small".to_string()
                ),
            ]
        );
        // Room is a create's check: running replication servers use the addresses.
        facts.creating = false;
        assert_eq!(errors(&[], &facts).len(), 1);
    }

    #[test]
    fn subnets_must_exist_in_the_vpc() {
        let mut facts = healthy();
        facts.subnets.remove("subnet-p");
        facts.subnets.get_mut("subnet-s").unwrap().vpc_id = "vpc-2".into();
        assert_eq!(
            errors(&[], &facts),
            vec![
                (
                    Some("staging_subnet_id".to_string()),
                    "Subnet in another VPC".to_string()
                ),
                (
                    Some("nat_subnet_id".to_string()),
                    "Subnet not found".to_string()
                ),
            ]
        );
    }

    /// `healthy()` with a second staging subnet `subnet-t` and a public `subnet-q`, both in
    /// zone b, each with a table of its own.
    fn two_zones() -> Facts {
        let mut facts = healthy();
        for (id, zone) in [("subnet-t", "eu-west-1b"), ("subnet-q", "eu-west-1b")] {
            let (_, mut s) = subnet(id);
            s.availability_zone = zone.into();
            facts.subnets.insert(id.into(), s);
        }
        facts.free_addresses.insert("subnet-t".into(), 250);
        facts.staging_tables.insert(
            "subnet-t".into(),
            table("rtb-t", vec![route("192.168.0.0/16", "tgw-1")]),
        );
        facts.nat_tables.insert(
            "subnet-q".into(),
            table("rtb-q", vec![route("0.0.0.0/0", "igw-1")]),
        );
        facts
    }

    #[test]
    fn per_zone_nat_subnets_cover_exactly_the_staging_zones() {
        let facts = two_zones();
        assert_eq!(errors(&per_zone_changes(), &facts), vec![]);
        let at = |summary: &str| (Some("nat_subnet_ids".to_string()), summary.to_string());
        // Zone b's staging subnet has no NAT subnet.
        let mut changes = per_zone_changes();
        changes.push(("nat_subnet_ids", set(&["subnet-p"])));
        assert_eq!(
            errors(&changes, &facts),
            vec![at("Staging zone without a NAT subnet")]
        );
        // Zone b's NAT subnet serves no staging subnet.
        let mut changes = per_zone_changes();
        changes.push(("additional_staging_subnet_ids", Value::Null));
        assert_eq!(
            errors(&changes, &facts),
            vec![at("NAT subnet in a zone without a staging subnet")]
        );
        // Two NAT subnets in zone a.
        let mut facts = two_zones();
        facts.subnets.get_mut("subnet-q").unwrap().availability_zone = "eu-west-1a".into();
        assert_eq!(
            errors(&per_zone_changes(), &facts),
            vec![
                at("Two NAT subnets in one Availability Zone"),
                at("Staging zone without a NAT subnet")
            ]
        );
    }

    #[test]
    fn every_staging_subnet_gets_the_staging_checks_on_its_attribute() {
        let mut facts = two_zones();
        facts.staging_tables.remove("subnet-t");
        facts
            .nat_tables
            .insert("subnet-q".into(), table("rtb-q", vec![]));
        facts.free_addresses.insert("subnet-t".into(), 1);
        assert_eq!(
            errors(&per_zone_changes(), &facts),
            vec![
                (
                    Some("additional_staging_subnet_ids".to_string()),
                    "Staging subnet without a route table of its own".to_string()
                ),
                (
                    Some("nat_subnet_ids".to_string()),
                    "NAT subnet is not public".to_string()
                ),
                (
                    Some("additional_staging_subnet_ids".to_string()),
                    "Staging subnet too small".to_string()
                ),
            ]
        );
        // The source network must be routed back from every staging subnet.
        let mut facts = two_zones();
        facts
            .staging_tables
            .insert("subnet-t".into(), table("rtb-t", vec![]));
        assert_eq!(
            errors(&per_zone_changes(), &facts),
            vec![(
                Some("source_cidr_blocks".to_string()),
                "Source network not routed back".to_string()
            )]
        );
        // One table for both zones cannot lead to each zone's NAT gateway.
        let mut facts = two_zones();
        let shared = facts.staging_tables["subnet-s"].clone();
        facts.staging_tables.insert("subnet-t".into(), shared);
        assert_eq!(
            errors(&per_zone_changes(), &facts),
            vec![(
                Some("additional_staging_subnet_ids".to_string()),
                "Staging subnets of several zones share a route table".to_string()
            )]
        );
        // Missing subnets are named on their attribute.
        let mut facts = two_zones();
        facts.subnets.remove("subnet-t");
        facts.subnets.remove("subnet-q");
        assert_eq!(
            errors(&per_zone_changes(), &facts),
            vec![
                (
                    Some("additional_staging_subnet_ids".to_string()),
                    "Subnet not found".to_string()
                ),
                (
                    Some("nat_subnet_ids".to_string()),
                    "Subnet not found".to_string()
                ),
            ]
        );
    }
}
