//! The staging area's configuration, typed, its offline checks, and what an apply wants
//! (`Desired`), with the defaults it applies and the security group rules it derives.

use std::collections::{BTreeMap, BTreeSet};

use super::schema::TYPE_NAME;
use crate::aws::ec2::security_group::CidrRule;
use crate::aws::mgn::TemplateSettings;
use crate::framework::tags::{self, MANAGED_BY_TAG, OWNER_TAG};
use crate::framework::timeouts;
use crate::framework::typed::Maybe;
use crate::netplan::cidr::parse_canonical;
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;

pub(crate) type Tags = BTreeMap<String, String>;

/// The port MGN's agents send replicated data to on the replication servers.
pub(crate) const REPLICATION_PORT: i32 = 1500;
/// The port replication servers reach MGN, EC2 and S3 on.
pub(crate) const HTTPS_PORT: i32 = 443;

pub(crate) const DEFAULT_INSTANCE_TYPE: &str = "t3.small";
pub(crate) const DEFAULT_DISK_TYPE: &str = "GP3";
pub(crate) const DEFAULT_ROUTING: &str = "PRIVATE_IP";
pub(crate) const DISK_TYPES: [&str; 3] = ["GP2", "GP3", "ST1"];
pub(crate) const ROUTINGS: [&str; 2] = ["PRIVATE_IP", "PUBLIC_IP"];
pub(crate) const MODES: [&str; 2] = ["NAT", "PRIVATE"];
/// The services a private staging area reaches through interface endpoints (S3 also through a
/// gateway endpoint on the staging subnet's route table).
pub(crate) const ENDPOINT_SERVICES: [&str; 3] = ["mgn", "ec2", "s3"];
/// Source servers (one disk each) a shared replication server takes: MGN puts at most 15
/// disks on one.
pub(crate) const SERVERS_PER_SHARED_REPLICATOR: i64 = 15;

/// The value of `migration:managed-by` on every object of a staging area.
pub(crate) const MANAGED_BY: &str = TYPE_NAME;

crate::typed_object! {
    /// The configuration; values unknown at plan time stay unknown.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct Config {
        pub vpc_id: Maybe<String>,
        pub staging_subnet_id: Maybe<String>,
        pub additional_staging_subnet_ids: Maybe<Option<BTreeSet<String>>>,
        pub network_mode: Maybe<Option<String>>,
        pub nat_subnet_id: Maybe<Option<String>>,
        pub nat_subnet_ids: Maybe<Option<BTreeSet<String>>>,
        pub source_cidr_blocks: Maybe<Option<BTreeSet<String>>>,
        pub replication_server_instance_type: Maybe<Option<String>>,
        pub use_dedicated_replication_server: Maybe<Option<bool>>,
        pub default_large_staging_disk_type: Maybe<Option<String>>,
        pub ebs_encryption_key_arn: Maybe<Option<String>>,
        pub bandwidth_throttling: Maybe<Option<i64>>,
        pub data_plane_routing: Maybe<Option<String>>,
        pub create_public_ip: Maybe<Option<bool>>,
        pub concurrent_source_servers: Maybe<Option<i64>>,
        pub staging_area_tags: Maybe<Option<Tags>>,
        pub tags: Maybe<Option<Tags>>,
        pub timeouts: Value,
    }
}

/// What an apply makes true, every value known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Desired {
    pub vpc_id: String,
    /// The template's staging subnet.
    pub staging_subnet_id: String,
    /// Every staging subnet: the template's and the additional ones.
    pub staging_subnet_ids: BTreeSet<String>,
    /// NAT mode: the NAT subnet each staging subnet's default route leaves through (its NAT
    /// gateway's), by staging subnet; empty in private mode.
    pub nat_for: BTreeMap<String, String>,
    /// Private mode: the subnets of the interface endpoints, one staging subnet per zone.
    pub endpoint_subnet_ids: BTreeSet<String>,
    /// The Region, for the endpoint service names of private mode.
    pub region: String,
    pub ingress: BTreeSet<CidrRule>,
    pub egress: BTreeSet<CidrRule>,
    /// The template's settings; its security group is filled in by the executor once the
    /// group exists.
    pub template: TemplateSettings,
    /// Every tag of every object: `tags_all` plus the ownership tags.
    pub tags: Tags,
}

/// The creation fingerprint of a staging area: its type and VPC, which identify its objects
/// among every object of the account (one staging area per VPC).
pub(crate) fn fingerprint(vpc_id: &str) -> String {
    tags::fingerprint([TYPE_NAME, vpc_id])
}

/// The rules the replication servers' security group holds: 1500 in from each source network,
/// 443 out to anywhere (MGN, EC2 and S3 have no fixed addresses). In private mode the interface
/// endpoints share the group, so it also lets the VPC (`endpoint_clients`) in on 443.
pub(crate) fn rules(
    sources: &BTreeSet<String>,
    endpoint_clients: &BTreeSet<String>,
) -> (BTreeSet<CidrRule>, BTreeSet<CidrRule>) {
    let ingress = sources
        .iter()
        .map(|cidr| CidrRule::tcp(REPLICATION_PORT, cidr))
        .chain(
            endpoint_clients
                .iter()
                .map(|cidr| CidrRule::tcp(HTTPS_PORT, cidr)),
        )
        .collect();
    let egress = BTreeSet::from([CidrRule::tcp(HTTPS_PORT, "0.0.0.0/0")]);
    (ingress, egress)
}

impl Config {
    /// `tags_all` for these `default_tags` (unknown while `tags` is).
    pub(crate) fn tags_all(&self, default_tags: &Tags) -> Maybe<Tags> {
        self.tags
            .clone()
            .map(|tags| tags::merge(default_tags, tags.as_ref().unwrap_or(&Tags::new())))
    }

    /// Every staging subnet: `staging_subnet_id` and `additional_staging_subnet_ids`.
    pub(crate) fn staging_subnets(&self) -> Maybe<BTreeSet<String>> {
        match (&self.staging_subnet_id, &self.additional_staging_subnet_ids) {
            (Maybe::Known(staging), Maybe::Known(more)) => {
                let mut all = more.clone().unwrap_or_default();
                all.insert(staging.clone());
                Maybe::Known(all)
            }
            _ => Maybe::Unknown,
        }
    }

    /// The NAT subnets: `nat_subnet_id` (shared) or `nat_subnet_ids` (one per zone); empty
    /// when neither is set (private mode).
    pub(crate) fn nat_subnets(&self) -> Maybe<BTreeSet<String>> {
        match (&self.nat_subnet_id, &self.nat_subnet_ids) {
            (Maybe::Known(one), Maybe::Known(per_zone)) => {
                let mut all = per_zone.clone().unwrap_or_default();
                all.extend(one.clone());
                Maybe::Known(all)
            }
            _ => Maybe::Unknown,
        }
    }

    /// Whether each zone has its own NAT gateway (`nat_subnet_ids` is set).
    pub(crate) fn per_zone(&self) -> bool {
        matches!(self.nat_subnet_ids, Maybe::Known(Some(_)) | Maybe::Unknown)
    }

    /// The network mode with its default.
    pub(crate) fn mode(&self) -> Maybe<String> {
        self.network_mode
            .clone()
            .map(|m| m.unwrap_or_else(|| "NAT".to_string()))
    }

    /// The data plane routing with its default.
    pub(crate) fn routing(&self) -> Maybe<String> {
        self.data_plane_routing
            .clone()
            .map(|r| r.unwrap_or_else(|| DEFAULT_ROUTING.to_string()))
    }

    pub(crate) fn public_ip(&self) -> Maybe<bool> {
        self.create_public_ip.clone().map(Option::unwrap_or_default)
    }

    pub(crate) fn dedicated(&self) -> Maybe<bool> {
        self.use_dedicated_replication_server
            .clone()
            .map(Option::unwrap_or_default)
    }

    pub(crate) fn instance_type(&self) -> Maybe<String> {
        self.replication_server_instance_type
            .clone()
            .map(|t| t.unwrap_or_else(|| DEFAULT_INSTANCE_TYPE.to_string()))
    }

    pub(crate) fn disk_type(&self) -> Maybe<String> {
        self.default_large_staging_disk_type
            .clone()
            .map(|t| t.unwrap_or_else(|| DEFAULT_DISK_TYPE.to_string()))
    }

    pub(crate) fn bandwidth(&self) -> Maybe<i64> {
        self.bandwidth_throttling
            .clone()
            .map(Option::unwrap_or_default)
    }

    /// Addresses the staging subnet needs for `concurrent_source_servers`: the replication
    /// servers, and one conversion server per source server.
    pub(crate) fn addresses_needed(&self) -> Maybe<i64> {
        let servers = self
            .concurrent_source_servers
            .clone()
            .map(|n| n.unwrap_or(1).max(0));
        match (servers, self.dedicated()) {
            (Maybe::Known(n), Maybe::Known(dedicated)) => {
                let replicators = if dedicated {
                    n
                } else {
                    (n + SERVERS_PER_SHARED_REPLICATOR - 1) / SERVERS_PER_SHARED_REPLICATOR
                };
                Maybe::Known(replicators + n)
            }
            _ => Maybe::Unknown,
        }
    }

    /// The source networks: `source_cidr_blocks`, or where it is not set the data center
    /// networks of the hubs the VPC is attached to (`hub_sources`, read from AWS), unknown
    /// until they are read and found.
    pub(crate) fn sources(
        &self,
        hub_sources: Option<&BTreeSet<String>>,
    ) -> Maybe<BTreeSet<String>> {
        match &self.source_cidr_blocks {
            Maybe::Known(Some(sources)) => Maybe::Known(sources.clone()),
            Maybe::Known(None) => hub_sources
                .filter(|s| !s.is_empty())
                .cloned()
                .map_or(Maybe::Unknown, Maybe::Known),
            Maybe::Unknown => Maybe::Unknown,
        }
    }

    /// What an apply wants, once every value is known; `Err` names a value still unknown
    /// (or a NAT subnet missing for a staging subnet's zone, which the checks report).
    /// `vpc_cidrs`: the VPC's CIDRs, which reach the interface endpoints in private mode;
    /// `hub_sources`: the hubs' data center networks, the sources when none are configured;
    /// `zones`: the zone of each staging and NAT subnet, by subnet id.
    pub(crate) fn desired(
        &self,
        default_tags: &Tags,
        region: &str,
        vpc_cidrs: &BTreeSet<String>,
        hub_sources: Option<&BTreeSet<String>>,
        zones: &BTreeMap<String, String>,
    ) -> Result<Desired, Path> {
        fn known<'a, T>(value: &'a Maybe<T>, name: &str) -> Result<&'a T, Path> {
            value.known().ok_or_else(|| Path::root().attr(name))
        }
        let vpc_id = known(&self.vpc_id, "vpc_id")?.clone();
        let sources = self.sources(hub_sources);
        let sources = known(&sources, "source_cidr_blocks")?;
        let private = known(&self.mode(), "network_mode")? == "PRIVATE";
        let endpoint_clients = if private {
            vpc_cidrs.clone()
        } else {
            BTreeSet::new()
        };
        let (ingress, egress) = rules(sources, &endpoint_clients);
        let mut tags = known(&self.tags_all(default_tags), "tags")?.clone();
        tags.insert(OWNER_TAG.into(), vpc_id.clone());
        tags.insert(MANAGED_BY_TAG.into(), MANAGED_BY.into());
        let staging_subnet_id = known(&self.staging_subnet_id, "staging_subnet_id")?.clone();
        let staging_subnet_ids =
            known(&self.staging_subnets(), "additional_staging_subnet_ids")?.clone();
        let nat_subnets = known(&self.nat_subnets(), "nat_subnet_ids")?.clone();
        let mut nat_for = BTreeMap::new();
        let mut endpoint_subnet_ids = BTreeSet::new();
        if private {
            endpoint_subnet_ids = one_per_zone(&staging_subnet_ids, zones);
        } else if let Maybe::Known(Some(shared)) = &self.nat_subnet_id {
            nat_for = staging_subnet_ids
                .iter()
                .map(|s| (s.clone(), shared.clone()))
                .collect();
        } else {
            for staging in &staging_subnet_ids {
                let zone = zones.get(staging);
                let nat = nat_subnets
                    .iter()
                    .find(|n| zone.is_some() && zones.get(*n) == zone)
                    .ok_or_else(|| Path::root().attr("nat_subnet_ids"))?;
                nat_for.insert(staging.clone(), nat.clone());
            }
        }
        Ok(Desired {
            template: TemplateSettings {
                staging_area_subnet_id: staging_subnet_id.clone(),
                security_group_ids: BTreeSet::new(),
                instance_type: known(&self.instance_type(), "replication_server_instance_type")?
                    .clone(),
                dedicated_servers: *known(&self.dedicated(), "use_dedicated_replication_server")?,
                large_disk_type: known(&self.disk_type(), "default_large_staging_disk_type")?
                    .clone(),
                ebs_kms_key_arn: known(&self.ebs_encryption_key_arn, "ebs_encryption_key_arn")?
                    .clone(),
                bandwidth_throttling: *known(&self.bandwidth(), "bandwidth_throttling")?,
                data_plane_routing: known(&self.routing(), "data_plane_routing")?.clone(),
                create_public_ip: *known(&self.public_ip(), "create_public_ip")?,
                staging_area_tags: known(&self.staging_area_tags, "staging_area_tags")?
                    .clone()
                    .unwrap_or_default(),
            },
            staging_subnet_ids,
            nat_for,
            endpoint_subnet_ids,
            region: region.to_string(),
            staging_subnet_id,
            vpc_id,
            ingress,
            egress,
            tags,
        })
    }
}

/// One subnet of `subnets` per zone (the first by id), as an interface endpoint takes them;
/// a subnet of unknown zone counts as a zone of its own.
pub(crate) fn one_per_zone(
    subnets: &BTreeSet<String>,
    zones: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut by_zone: BTreeMap<&str, &String> = BTreeMap::new();
    for subnet in subnets {
        let zone = zones.get(subnet).map_or(subnet.as_str(), String::as_str);
        by_zone.entry(zone).or_insert(subnet);
    }
    by_zone.into_values().cloned().collect()
}

/// Whether `id` looks like a subnet id.
fn subnet_id(id: &str) -> bool {
    id.starts_with("subnet-") && id.len() > "subnet-".len()
}

/// Checks that need nothing but the configuration, each error on its attribute.
pub(crate) fn validate(config: &Config, config_value: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let at = |name: &str| Path::root().attr(name);
    for (name, value, prefix, what) in [
        ("vpc_id", &config.vpc_id, "vpc-", "a VPC"),
        (
            "staging_subnet_id",
            &config.staging_subnet_id,
            "subnet-",
            "a subnet",
        ),
    ] {
        if let Maybe::Known(id) = value
            && (!id.starts_with(prefix) || id.len() == prefix.len())
        {
            diagnostics.error_at(
                at(name),
                format!("Invalid {what} id"),
                format!("{id:?} is not {what} id: expected {prefix}…"),
            );
        }
    }
    if let Maybe::Known(Some(nat)) = &config.nat_subnet_id
        && !subnet_id(nat)
    {
        diagnostics.error_at(
            at("nat_subnet_id"),
            "Invalid subnet id",
            format!("{nat:?} is not a subnet id: expected subnet-…"),
        );
    }
    for name in ["additional_staging_subnet_ids", "nat_subnet_ids"] {
        let value = if name == "nat_subnet_ids" {
            &config.nat_subnet_ids
        } else {
            &config.additional_staging_subnet_ids
        };
        if let Maybe::Known(Some(ids)) = value {
            for id in ids.iter().filter(|id| !subnet_id(id)) {
                diagnostics.error_at(
                    at(name),
                    "Invalid subnet id",
                    format!("{id:?} is not a subnet id: expected subnet-…"),
                );
            }
        }
    }
    if let (Maybe::Known(Some(more)), Maybe::Known(staging)) = (
        &config.additional_staging_subnet_ids,
        &config.staging_subnet_id,
    ) && more.contains(staging)
    {
        diagnostics.error_at(
            at("additional_staging_subnet_ids"),
            "Staging subnet listed twice",
            format!(
                "{staging} is staging_subnet_id already: list only the other staging subnets \
                 here."
            ),
        );
    }
    if let Maybe::Known(Some(per_zone)) = &config.nat_subnet_ids {
        if matches!(config.nat_subnet_id, Maybe::Known(Some(_))) {
            diagnostics.error_at(
                at("nat_subnet_ids"),
                "Both a shared NAT gateway and one per zone",
                "nat_subnet_id makes one NAT gateway every staging subnet shares, \
                 nat_subnet_ids one per Availability Zone: set one of them.",
            );
        } else if per_zone.is_empty() {
            diagnostics.error_at(
                at("nat_subnet_ids"),
                "No NAT subnets",
                "nat_subnet_ids names a public subnet in each Availability Zone of the staging \
                 subnets: list them, or remove it and set nat_subnet_id for one shared NAT \
                 gateway.",
            );
        }
        if let Maybe::Known(mode) = config.mode()
            && mode == "PRIVATE"
        {
            diagnostics.error_at(
                at("nat_subnet_ids"),
                "NAT subnets in private mode",
                "A private staging area makes no NAT gateway (it reaches MGN, EC2 and S3 \
                 through VPC endpoints): remove nat_subnet_ids, or use network_mode = \"NAT\".",
            );
        }
    }
    let no_nat_subnets = matches!(config.nat_subnet_ids, Maybe::Known(None));
    match (config.mode(), &config.nat_subnet_id) {
        (Maybe::Known(mode), _) if !MODES.contains(&mode.as_str()) => diagnostics.error_at(
            at("network_mode"),
            "Invalid network mode",
            format!("{mode:?} is not one of {}.", MODES.join(", ")),
        ),
        (Maybe::Known(mode), Maybe::Known(None)) if mode == "NAT" && no_nat_subnets => diagnostics
            .error_at(
                at("nat_subnet_id"),
                "NAT mode without a NAT subnet",
                "In NAT mode the replication servers reach MGN, EC2 and S3 through a NAT \
                 gateway, which needs a public subnet: set nat_subnet_id (one shared NAT \
                 gateway) or nat_subnet_ids (one per Availability Zone), or set network_mode = \
                 \"PRIVATE\" to reach them through VPC endpoints instead.",
            ),
        (Maybe::Known(mode), Maybe::Known(Some(_))) if mode == "PRIVATE" => diagnostics.error_at(
            at("nat_subnet_id"),
            "NAT subnet in private mode",
            "A private staging area makes no NAT gateway (it reaches MGN, EC2 and S3 through \
             VPC endpoints): remove nat_subnet_id, or use network_mode = \"NAT\".",
        ),
        _ => {}
    }
    if let (Maybe::Known(mode), Maybe::Known(routing), Maybe::Known(public)) =
        (config.mode(), config.routing(), config.public_ip())
        && mode == "PRIVATE"
        && (routing == "PUBLIC_IP" || public)
    {
        diagnostics.error_at(
            at(if routing == "PUBLIC_IP" {
                "data_plane_routing"
            } else {
                "create_public_ip"
            }),
            "Public IP in private mode",
            "A private staging area has no way to the internet, so the replication servers \
             cannot be reached on a public IP: use PRIVATE_IP data plane routing without \
             create_public_ip, or network_mode = \"NAT\".",
        );
    }
    if let (Maybe::Known(staging), Maybe::Known(nats)) =
        (config.staging_subnets(), config.nat_subnets())
    {
        let name = if config.per_zone() {
            "nat_subnet_ids"
        } else {
            "nat_subnet_id"
        };
        for nat in staging.intersection(&nats) {
            diagnostics.error_at(
                at(name),
                "NAT gateway in the staging subnet",
                format!(
                    "{nat} is also a staging subnet. The NAT gateway needs a public subnet (a \
                     route to an internet gateway), while the staging subnet's default route \
                     goes to the NAT gateway: name a public subnet of the VPC here."
                ),
            );
        }
    }
    if let Maybe::Known(Some(sources)) = &config.source_cidr_blocks {
        if sources.is_empty() {
            diagnostics.error_at(
                at("source_cidr_blocks"),
                "No source networks",
                "Name at least one network whose servers replicate (for instance the data \
                 center's CIDRs): nothing else may reach the replication servers on TCP 1500.",
            );
        }
        for cidr in sources {
            match parse_canonical(cidr) {
                Err(error) => diagnostics.error_at(
                    at("source_cidr_blocks"),
                    "Invalid CIDR block",
                    error.to_string(),
                ),
                Ok(net) if !matches!(net, ipnet::IpNet::V4(_)) => diagnostics.error_at(
                    at("source_cidr_blocks"),
                    "IPv6 source network",
                    format!(
                        "{cidr} is IPv6; MGN replicates over IPv4 here. Name the source \
                         networks' IPv4 CIDRs."
                    ),
                ),
                Ok(_) => {}
            }
        }
    }
    if let Maybe::Known(Some(disk)) = &config.default_large_staging_disk_type
        && !DISK_TYPES.contains(&disk.as_str())
    {
        diagnostics.error_at(
            at("default_large_staging_disk_type"),
            "Invalid disk type",
            format!("{disk:?} is not one of {}.", DISK_TYPES.join(", ")),
        );
    }
    if let Maybe::Known(Some(routing)) = &config.data_plane_routing
        && !ROUTINGS.contains(&routing.as_str())
    {
        diagnostics.error_at(
            at("data_plane_routing"),
            "Invalid data plane routing",
            format!("{routing:?} is not one of {}.", ROUTINGS.join(", ")),
        );
    }
    if let (Maybe::Known(routing), Maybe::Known(false)) = (config.routing(), config.public_ip())
        && routing == "PUBLIC_IP"
    {
        diagnostics.error_at(
            at("data_plane_routing"),
            "Public IP routing without a public IP",
            "With PUBLIC_IP the source servers send their data to the replication servers' \
             public IP addresses, but create_public_ip is false, so they would have none and \
             replication would stall. Set create_public_ip = true, or use PRIVATE_IP through \
             the hub (the default).",
        );
    }
    if let Maybe::Known(Some(arn)) = &config.ebs_encryption_key_arn
        && !(arn.starts_with("arn:") && arn.contains(":kms:"))
    {
        diagnostics.error_at(
            at("ebs_encryption_key_arn"),
            "Invalid KMS key ARN",
            format!(
                "{arn:?} is not a KMS key ARN: expected arn:aws:kms:<region>:<account>:key/…. \
                 Remove it to use the account's default EBS key."
            ),
        );
    }
    if let Maybe::Known(Some(mbps)) = &config.bandwidth_throttling
        && *mbps < 0
    {
        diagnostics.error_at(
            at("bandwidth_throttling"),
            "Negative bandwidth",
            "bandwidth_throttling is in Mbps, 0 for no limit.",
        );
    }
    if let Maybe::Known(Some(servers)) = &config.concurrent_source_servers
        && *servers < 1
    {
        diagnostics.error_at(
            at("concurrent_source_servers"),
            "No source servers",
            "concurrent_source_servers counts the servers replicating at once: at least 1.",
        );
    }
    for (name, value) in [
        ("tags", &config.tags),
        ("staging_area_tags", &config.staging_area_tags),
    ] {
        if let Maybe::Known(Some(tags)) = value {
            tags::check(tags, at(name), &mut diagnostics);
        }
    }
    timeouts::read(config_value, &mut diagnostics);
    diagnostics
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::framework::typed::{FromValue, Holds, assert_matches_schema};

    pub(crate) fn config_value(changes: &[(&str, Value)]) -> Value {
        let mut attributes = BTreeMap::from([
            ("vpc_id".to_string(), Value::string("vpc-1")),
            ("staging_subnet_id".to_string(), Value::string("subnet-s")),
            ("nat_subnet_id".to_string(), Value::string("subnet-p")),
            (
                "source_cidr_blocks".to_string(),
                Value::Set(vec![Value::string("192.168.0.0/16")]),
            ),
        ]);
        for name in [
            "additional_staging_subnet_ids",
            "nat_subnet_ids",
            "network_mode",
            "replication_server_instance_type",
            "use_dedicated_replication_server",
            "default_large_staging_disk_type",
            "ebs_encryption_key_arn",
            "bandwidth_throttling",
            "data_plane_routing",
            "create_public_ip",
            "concurrent_source_servers",
            "staging_area_tags",
            "tags",
            "timeouts",
        ] {
            attributes.insert(name.to_string(), Value::Null);
        }
        for (name, value) in changes {
            attributes.insert(name.to_string(), value.clone());
        }
        Value::Object(attributes)
    }

    /// The zones of the test subnets: staging `subnet-s` and public `subnet-p` in a, staging
    /// `subnet-t` and public `subnet-q` in b.
    pub(crate) fn zones() -> BTreeMap<String, String> {
        [
            ("subnet-s", "euw1-az1"),
            ("subnet-p", "euw1-az1"),
            ("subnet-t", "euw1-az2"),
            ("subnet-q", "euw1-az2"),
        ]
        .into_iter()
        .map(|(s, z)| (s.to_string(), z.to_string()))
        .collect()
    }

    pub(crate) fn set(ids: &[&str]) -> Value {
        Value::Set(ids.iter().map(|id| Value::string(*id)).collect())
    }

    /// Two staging subnets (zones a and b) with a NAT gateway in each zone.
    pub(crate) fn per_zone_changes() -> Vec<(&'static str, Value)> {
        vec![
            ("additional_staging_subnet_ids", set(&["subnet-t"])),
            ("nat_subnet_id", Value::Null),
            ("nat_subnet_ids", set(&["subnet-p", "subnet-q"])),
        ]
    }

    fn config(changes: &[(&str, Value)]) -> Config {
        Config::from_value(&config_value(changes)).unwrap()
    }

    fn error_paths(diagnostics: &Diagnostics) -> BTreeSet<String> {
        diagnostics
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(|p| p.to_string()))
            .collect()
    }

    #[test]
    fn the_config_struct_matches_the_schema() {
        assert_matches_schema::<Config>(
            &super::super::schema::schema().block,
            &[],
            Holds::Arguments,
        );
    }

    #[test]
    fn desired_applies_the_defaults_and_the_ownership_tags() {
        let desired = config(&[])
            .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None, &zones())
            .unwrap();
        assert_eq!(desired.template.instance_type, DEFAULT_INSTANCE_TYPE);
        assert_eq!(desired.template.large_disk_type, DEFAULT_DISK_TYPE);
        assert_eq!(desired.template.data_plane_routing, "PRIVATE_IP");
        assert!(!desired.template.create_public_ip);
        assert_eq!(desired.template.ebs_kms_key_arn, None);
        assert_eq!(desired.template.staging_area_subnet_id, "subnet-s");
        assert_eq!(desired.tags[OWNER_TAG], "vpc-1");
        assert_eq!(desired.tags[MANAGED_BY_TAG], MANAGED_BY);
        assert_eq!(
            desired.ingress,
            BTreeSet::from([CidrRule::tcp(1500, "192.168.0.0/16")])
        );
        assert_eq!(
            desired.egress,
            BTreeSet::from([CidrRule::tcp(443, "0.0.0.0/0")])
        );
        let unknown = config(&[("source_cidr_blocks", Value::unknown())]);
        assert_eq!(
            unknown
                .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None, &zones())
                .unwrap_err(),
            Path::root().attr("source_cidr_blocks")
        );
    }

    #[test]
    fn sources_default_to_the_hubs_data_center_once_read() {
        let hub = BTreeSet::from(["192.168.0.0/16".to_string(), "172.16.0.0/12".to_string()]);
        let unset = config(&[("source_cidr_blocks", Value::Null)]);
        assert_eq!(unset.sources(Some(&hub)), Maybe::Known(hub.clone()));
        // Not read yet, or no hub with a data center attaches the VPC (yet): unknown.
        assert_eq!(unset.sources(None), Maybe::Unknown);
        assert_eq!(unset.sources(Some(&BTreeSet::new())), Maybe::Unknown);
        let desired = unset
            .desired(
                &Tags::new(),
                "eu-west-1",
                &BTreeSet::new(),
                Some(&hub),
                &zones(),
            )
            .unwrap();
        assert_eq!(
            desired.ingress,
            BTreeSet::from([
                CidrRule::tcp(1500, "172.16.0.0/12"),
                CidrRule::tcp(1500, "192.168.0.0/16")
            ])
        );
        // Configured sources win over the hub's.
        let set = config(&[]);
        assert_eq!(
            set.sources(Some(&hub)),
            Maybe::Known(BTreeSet::from(["192.168.0.0/16".to_string()]))
        );
        let unknown = config(&[("source_cidr_blocks", Value::unknown())]);
        assert_eq!(unknown.sources(Some(&hub)), Maybe::Unknown);
    }

    #[test]
    fn room_counts_replication_and_conversion_servers() {
        let shared = config(&[("concurrent_source_servers", Value::number(16))]);
        // Two shared replication servers (15 + 1) and 16 conversion servers.
        assert_eq!(shared.addresses_needed(), Maybe::Known(18));
        let dedicated = config(&[
            ("concurrent_source_servers", Value::number(4)),
            ("use_dedicated_replication_server", Value::Bool(true)),
        ]);
        assert_eq!(dedicated.addresses_needed(), Maybe::Known(8));
        assert_eq!(config(&[]).addresses_needed(), Maybe::Known(2));
    }

    #[test]
    fn offline_errors_name_their_attribute() {
        let value = config_value(&[
            ("vpc_id", Value::string("subnet-1")),
            ("nat_subnet_id", Value::string("subnet-s")),
            (
                "source_cidr_blocks",
                Value::Set(vec![Value::string("10.0.0.1/8")]),
            ),
            ("default_large_staging_disk_type", Value::string("IO2")),
            ("data_plane_routing", Value::string("PUBLIC_IP")),
            ("ebs_encryption_key_arn", Value::string("key")),
            ("bandwidth_throttling", Value::number(-1)),
            ("concurrent_source_servers", Value::number(0)),
        ]);
        let diagnostics = validate(&Config::from_value(&value).unwrap(), &value);
        assert_eq!(
            error_paths(&diagnostics),
            BTreeSet::from(
                [
                    "vpc_id",
                    "nat_subnet_id",
                    "source_cidr_blocks",
                    "default_large_staging_disk_type",
                    "data_plane_routing",
                    "ebs_encryption_key_arn",
                    "bandwidth_throttling",
                    "concurrent_source_servers",
                ]
                .map(String::from)
            )
        );
        let fine = config_value(&[]);
        assert!(validate(&Config::from_value(&fine).unwrap(), &fine).is_empty());
    }

    #[test]
    fn private_mode_takes_no_nat_subnet_nor_public_ip_and_lets_the_vpc_reach_the_endpoints() {
        let value = config_value(&[
            ("network_mode", Value::string("PRIVATE")),
            ("create_public_ip", Value::Bool(true)),
        ]);
        let diagnostics = validate(&Config::from_value(&value).unwrap(), &value);
        assert_eq!(
            error_paths(&diagnostics),
            BTreeSet::from(["nat_subnet_id".to_string(), "create_public_ip".to_string()])
        );
        let value = config_value(&[
            ("network_mode", Value::string("PRIVATE")),
            ("nat_subnet_id", Value::Null),
        ]);
        let config = Config::from_value(&value).unwrap();
        assert!(validate(&config, &value).is_empty());
        let desired = config
            .desired(
                &Tags::new(),
                "eu-west-1",
                &BTreeSet::from(["10.60.0.0/16".to_string()]),
                None,
                &zones(),
            )
            .unwrap();
        assert!(desired.nat_for.is_empty());
        assert_eq!(
            desired.endpoint_subnet_ids,
            BTreeSet::from(["subnet-s".to_string()])
        );
        assert!(
            desired
                .ingress
                .contains(&CidrRule::tcp(443, "10.60.0.0/16"))
        );
        let value = config_value(&[("nat_subnet_id", Value::Null)]);
        let diagnostics = validate(&Config::from_value(&value).unwrap(), &value);
        assert_eq!(
            error_paths(&diagnostics),
            BTreeSet::from(["nat_subnet_id".to_string()])
        );
    }

    #[test]
    fn public_ip_routing_needs_a_public_ip() {
        let value = config_value(&[
            ("data_plane_routing", Value::string("PUBLIC_IP")),
            ("create_public_ip", Value::Bool(true)),
        ]);
        assert!(validate(&Config::from_value(&value).unwrap(), &value).is_empty());
        let value = config_value(&[("data_plane_routing", Value::string("PUBLIC_IP"))]);
        let diagnostics = validate(&Config::from_value(&value).unwrap(), &value);
        assert_eq!(
            error_paths(&diagnostics),
            BTreeSet::from(["data_plane_routing".to_string()])
        );
    }

    #[test]
    fn each_staging_subnet_leaves_through_the_nat_gateway_of_its_zone_or_the_shared_one() {
        let per_zone = config(&per_zone_changes());
        assert!(per_zone.per_zone());
        let desired = per_zone
            .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None, &zones())
            .unwrap();
        assert_eq!(
            desired.nat_for,
            BTreeMap::from([
                ("subnet-s".to_string(), "subnet-p".to_string()),
                ("subnet-t".to_string(), "subnet-q".to_string()),
            ])
        );
        assert_eq!(desired.template.staging_area_subnet_id, "subnet-s");
        // A staging zone without a NAT subnet has nowhere to go (the checks say so first).
        let mut zones = zones();
        zones.insert("subnet-q".into(), "euw1-az3".into());
        assert_eq!(
            per_zone
                .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None, &zones)
                .unwrap_err(),
            Path::root().attr("nat_subnet_ids")
        );
        // Shared: both staging subnets leave through the one NAT gateway.
        let shared = config(&[("additional_staging_subnet_ids", set(&["subnet-t"]))]);
        assert!(!shared.per_zone());
        let desired = shared
            .desired(
                &Tags::new(),
                "eu-west-1",
                &BTreeSet::new(),
                None,
                &self::zones(),
            )
            .unwrap();
        assert_eq!(
            desired.nat_for.values().collect::<BTreeSet<_>>(),
            BTreeSet::from([&"subnet-p".to_string()])
        );
        assert_eq!(desired.nat_for.len(), 2);
    }

    #[test]
    fn private_endpoints_take_one_staging_subnet_per_zone() {
        let mut zones = zones();
        zones.insert("subnet-u".into(), "euw1-az2".into());
        let subnets: BTreeSet<String> = ["subnet-s", "subnet-t", "subnet-u"]
            .map(String::from)
            .into();
        assert_eq!(
            one_per_zone(&subnets, &zones),
            BTreeSet::from(["subnet-s".to_string(), "subnet-t".to_string()])
        );
    }

    #[test]
    fn nat_subnets_are_one_way_or_the_other_and_never_staging_subnets() {
        let both = config_value(&[("nat_subnet_ids", set(&["subnet-q"]))]);
        assert_eq!(
            error_paths(&validate(&Config::from_value(&both).unwrap(), &both)),
            BTreeSet::from(["nat_subnet_ids".to_string()])
        );
        let mut changes = per_zone_changes();
        changes.push(("nat_subnet_ids", set(&["subnet-t", "subnet-q"])));
        changes.push((
            "additional_staging_subnet_ids",
            set(&["subnet-t", "subnet-s"]),
        ));
        let value = config_value(&changes);
        let diagnostics = validate(&Config::from_value(&value).unwrap(), &value);
        assert_eq!(
            diagnostics
                .iter()
                .map(|d| d.summary.as_str())
                .collect::<Vec<_>>(),
            vec![
                "Staging subnet listed twice",
                "NAT gateway in the staging subnet"
            ]
        );
        let value = config_value(&per_zone_changes());
        assert!(validate(&Config::from_value(&value).unwrap(), &value).is_empty());
        let mut changes = per_zone_changes();
        changes.push(("network_mode", Value::string("PRIVATE")));
        let value = config_value(&changes);
        assert_eq!(
            error_paths(&validate(&Config::from_value(&value).unwrap(), &value)),
            BTreeSet::from(["nat_subnet_ids".to_string()])
        );
    }
}
