//! The hub's configuration as typed data, in two forms:
//!
//! * [`Config`]: what Terraform sent, where any value may still be unknown (plan time).
//!   Validation and planning read it and skip whatever is not known yet.
//! * [`Desired`]: the same configuration with every value known and every default applied
//!   (apply time), which the diff compares with what AWS holds.
//!
//! Also here: the tags every object of the hub carries, because they are part of what is
//! desired of each object.

use std::collections::{BTreeMap, BTreeSet};

use crate::framework::tags::{MANAGED_BY_TAG, OWNER_TAG};
use crate::protocol::cty::{Number, Path, Value};

pub(crate) const TYPE_NAME: &str = "migration_hub_network";

pub(crate) const DEFAULT_ASN: i64 = 64512;
pub(crate) const DEFAULT_AUTO_ACCEPT: bool = true;
pub(crate) const DEFAULT_DNS_SUPPORT: bool = true;
pub(crate) const DEFAULT_VPN_ECMP: bool = true;
pub(crate) const DEFAULT_ALLOW_EXTERNAL: bool = true;
pub(crate) const DEFAULT_ROUTE_PROPAGATION: bool = true;
pub(crate) const DEFAULT_MESH_ROUTES: bool = true;
pub(crate) const DEFAULT_APPLIANCE_MODE: bool = false;
pub(crate) const DEFAULT_ATTACHMENT_DNS: bool = true;
pub(crate) const DEFAULT_STATIC_ROUTES_ONLY: bool = true;

/// Label of the data center in `routes[*].network` and in overlap messages.
pub(crate) const DATA_CENTER: &str = "data_center";
/// Label of a declared spoke as a network (in `routes[*].destinations` and messages): the
/// path of its declaration, which no `vpc_attachments` key can be mistaken for.
pub(crate) fn spoke_label(name: &str) -> String {
    format!("spokes[{name:?}]")
}

/// Label of the Transit Gateway's own CIDR blocks as a network.
pub(crate) const TGW_CIDR_BLOCKS: &str = "transit_gateway_cidr_blocks";

/// Tag naming the configuration key of a VPC attachment, so import and adoption can rebuild
/// `vpc_attachments` with the user's keys.
pub(crate) const NETWORK_TAG: &str = "migration:network";
/// Tag on the data-center attachment holding its CIDR blocks (comma-separated, split over
/// numbered tags when longer than one tag value), because a Direct Connect association has
/// no other place AWS would remember them.
pub(crate) const DATA_CENTER_CIDRS_TAG: &str = "migration:data-center-cidrs";
/// `migration:managed-by` value of every object of this resource type.
pub(crate) const MANAGED_BY: &str = TYPE_NAME;

pub(crate) use crate::framework::typed::Maybe;
use crate::framework::typed::{FromValue, OrEmpty, Strings};

crate::typed_object! {
    /// `vpc_attachments[key]` as configured.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct AttachmentConfig {
        pub vpc_id: Maybe<String>,
        pub subnet_ids: Maybe<Strings>,
        pub route_table_ids: Maybe<Strings>,
        pub appliance_mode_support: Maybe<Option<bool>>,
        pub dns_support: Maybe<Option<bool>>,
    }
}

crate::typed_object! {
    /// `data_center.vpn` as configured.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct VpnConfig {
        pub customer_gateway_id: Maybe<String>,
        pub static_routes_only: Maybe<Option<bool>>,
    }
}

crate::typed_object! {
    /// `data_center` as configured.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct DataCenterConfig {
        pub cidr_blocks: Maybe<Strings>,
        pub direct_connect_gateway_id: Maybe<Option<String>>,
        pub vpn: Maybe<Option<VpnConfig>>,
        pub allowed_prefixes: Maybe<Option<Strings>>,
    }
}

crate::typed_object! {
    /// `spokes[name]` as configured: another account's VPCs, or a Client VPN endpoint attached
    /// to the gateway, that the hub expects, by what they may bring.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct SpokeConfig {
        pub account_id: Maybe<Option<String>>,
        pub cidr_blocks: Maybe<Strings>,
        pub client_vpn_endpoint_id: Maybe<Option<String>>,
    }
}

crate::typed_object! {
    /// The resource's arguments (a configuration, proposed or planned object) with unknowns
    /// kept: each field is the attribute of the same name.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Config {
        pub name: Maybe<String>,
        pub description: Maybe<Option<String>>,
        pub amazon_side_asn: Maybe<Option<Number>>,
        pub auto_accept_shared_attachments: Maybe<Option<bool>>,
        pub dns_support: Maybe<Option<bool>>,
        pub vpn_ecmp_support: Maybe<Option<bool>>,
        pub transit_gateway_cidr_blocks: Maybe<Strings>,
        pub share_with: Maybe<Strings>,
        pub allow_external_principals: Maybe<Option<bool>>,
        pub vpc_attachments: Maybe<OrEmpty<BTreeMap<String, AttachmentConfig>>>,
        pub data_center: Maybe<Option<DataCenterConfig>>,
        pub spokes: Maybe<OrEmpty<BTreeMap<String, SpokeConfig>>>,
        pub route_propagation: Maybe<Option<bool>>,
        pub mesh_routes: Maybe<Option<bool>>,
        pub take_over: Maybe<Option<bool>>,
        pub tags: Maybe<OrEmpty<BTreeMap<String, String>>>,
        pub timeouts: Value,
    }
}

/// The VPCs, subnets and route tables a configuration names (the known ones).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NamedNetworks {
    pub(crate) vpcs: BTreeSet<String>,
    pub(crate) subnets: BTreeSet<String>,
    pub(crate) route_tables: BTreeSet<String>,
}

impl Config {
    /// The known VPC, subnet and route table ids of `vpc_attachments`: what the plan-time checks
    /// and an observation read.
    pub(crate) fn named_networks(&self) -> NamedNetworks {
        let mut named = NamedNetworks::default();
        for attachment in self
            .vpc_attachments
            .known()
            .into_iter()
            .flat_map(|a| a.values())
        {
            named.vpcs.extend(attachment.vpc_id.known().cloned());
            let known = |ids: &Maybe<Strings>| ids.known().cloned().unwrap_or_default();
            named.subnets.extend(known(&attachment.subnet_ids));
            named
                .route_tables
                .extend(known(&attachment.route_table_ids));
        }
        named
    }

    /// Reads a configuration, proposed or planned object of the resource's schema (a value
    /// that does not fit reads as wholly unknown: the checks then skip it).
    pub(crate) fn parse(value: &Value) -> Self {
        <Config as FromValue>::from_value(value).unwrap_or_else(|_| Config::unknown())
    }

    /// A configuration with every argument unknown.
    fn unknown() -> Self {
        Config {
            name: Maybe::Unknown,
            description: Maybe::Unknown,
            amazon_side_asn: Maybe::Unknown,
            auto_accept_shared_attachments: Maybe::Unknown,
            dns_support: Maybe::Unknown,
            vpn_ecmp_support: Maybe::Unknown,
            transit_gateway_cidr_blocks: Maybe::Unknown,
            share_with: Maybe::Unknown,
            allow_external_principals: Maybe::Unknown,
            vpc_attachments: Maybe::Unknown,
            data_center: Maybe::Unknown,
            spokes: Maybe::Unknown,
            route_propagation: Maybe::Unknown,
            mesh_routes: Maybe::Unknown,
            take_over: Maybe::Unknown,
            tags: Maybe::Unknown,
            timeouts: Value::unknown(),
        }
    }

    /// The configuration with every value known and defaults applied, or the path of the first
    /// value that is still unknown.
    pub(crate) fn desired(&self, default_tags: &BTreeMap<String, String>) -> Result<Desired, Path> {
        let root = Path::root();
        let need = |known: bool, name: &str| {
            if known { Ok(()) } else { Err(root.attr(name)) }
        };
        fn get<T: Clone>(value: &Maybe<T>, path: Path) -> Result<T, Path> {
            value.known().cloned().ok_or(path)
        }
        need(self.name.is_known(), "name")?;
        let asn = match get(&self.amazon_side_asn, root.attr("amazon_side_asn"))? {
            None => DEFAULT_ASN,
            Some(n) => n.as_i64().ok_or(root.attr("amazon_side_asn"))?,
        };
        let mut attachments = BTreeMap::new();
        let configured = get(&self.vpc_attachments, root.attr("vpc_attachments"))?;
        for (key, attachment) in configured {
            let at = root.attr("vpc_attachments").key(&key);
            attachments.insert(
                key.clone(),
                AttachmentDesired {
                    vpc_id: get(&attachment.vpc_id, at.attr("vpc_id"))?,
                    subnet_ids: get(&attachment.subnet_ids, at.attr("subnet_ids"))?
                        .into_iter()
                        .collect(),
                    route_table_ids: get(&attachment.route_table_ids, at.attr("route_table_ids"))?
                        .into_iter()
                        .collect(),
                    appliance_mode_support: get(
                        &attachment.appliance_mode_support,
                        at.attr("appliance_mode_support"),
                    )?
                    .unwrap_or(DEFAULT_APPLIANCE_MODE),
                    dns_support: get(&attachment.dns_support, at.attr("dns_support"))?
                        .unwrap_or(DEFAULT_ATTACHMENT_DNS),
                },
            );
        }
        let data_center = match get(&self.data_center, root.attr("data_center"))? {
            None => None,
            Some(dc) => {
                let at = root.attr("data_center");
                let link = match (
                    get(
                        &dc.direct_connect_gateway_id,
                        at.attr("direct_connect_gateway_id"),
                    )?,
                    get(&dc.vpn, at.attr("vpn"))?,
                ) {
                    (Some(gateway_id), None) => Link::DirectConnect {
                        gateway_id,
                        allowed_prefixes: get(&dc.allowed_prefixes, at.attr("allowed_prefixes"))?
                            .map(|p| p.into_iter().collect()),
                    },
                    (None, Some(vpn)) => Link::Vpn {
                        customer_gateway_id: get(
                            &vpn.customer_gateway_id,
                            at.attr("vpn").attr("customer_gateway_id"),
                        )?,
                        static_routes_only: get(
                            &vpn.static_routes_only,
                            at.attr("vpn").attr("static_routes_only"),
                        )?
                        .unwrap_or(DEFAULT_STATIC_ROUTES_ONLY),
                    },
                    // Validation refuses both and neither before anything gets here.
                    _ => return Err(at),
                };
                Some(DataCenterDesired {
                    cidr_blocks: get(&dc.cidr_blocks, at.attr("cidr_blocks"))?
                        .into_iter()
                        .collect(),
                    link,
                })
            }
        };
        let mut spokes = BTreeMap::new();
        for (name, spoke) in get(&self.spokes, root.attr("spokes"))? {
            let at = root.attr("spokes").key(&name);
            spokes.insert(
                name,
                SpokeDesired {
                    account_id: get(&spoke.account_id, at.attr("account_id"))?,
                    cidr_blocks: get(&spoke.cidr_blocks, at.attr("cidr_blocks"))?
                        .into_iter()
                        .collect(),
                    client_vpn_endpoint_id: get(
                        &spoke.client_vpn_endpoint_id,
                        at.attr("client_vpn_endpoint_id"),
                    )?,
                },
            );
        }
        // The share's principals: `share_with` and every spoke's account (a set: an account
        // in both is one principal).
        let share_with: BTreeSet<String> = get(&self.share_with, root.attr("share_with"))?
            .into_iter()
            .chain(
                spokes
                    .values()
                    .filter_map(|s: &SpokeDesired| s.account_id.clone()),
            )
            .collect();
        let allow_external = get(
            &self.allow_external_principals,
            root.attr("allow_external_principals"),
        )?
        .unwrap_or(DEFAULT_ALLOW_EXTERNAL);
        let tags = get(&self.tags, root.attr("tags"))?;
        Ok(Desired {
            name: get(&self.name, root.attr("name"))?,
            description: get(&self.description, root.attr("description"))?,
            amazon_side_asn: asn,
            auto_accept_shared_attachments: get(
                &self.auto_accept_shared_attachments,
                root.attr("auto_accept_shared_attachments"),
            )?
            .unwrap_or(DEFAULT_AUTO_ACCEPT),
            dns_support: get(&self.dns_support, root.attr("dns_support"))?
                .unwrap_or(DEFAULT_DNS_SUPPORT),
            vpn_ecmp_support: get(&self.vpn_ecmp_support, root.attr("vpn_ecmp_support"))?
                .unwrap_or(DEFAULT_VPN_ECMP),
            transit_gateway_cidr_blocks: get(
                &self.transit_gateway_cidr_blocks,
                root.attr("transit_gateway_cidr_blocks"),
            )?
            .into_iter()
            .collect(),
            share: (!share_with.is_empty()).then_some(ShareDesired {
                principals: share_with,
                allow_external_principals: allow_external,
            }),
            attachments,
            data_center,
            spokes,
            route_propagation: get(&self.route_propagation, root.attr("route_propagation"))?
                .unwrap_or(DEFAULT_ROUTE_PROPAGATION),
            mesh_routes: get(&self.mesh_routes, root.attr("mesh_routes"))?
                .unwrap_or(DEFAULT_MESH_ROUTES),
            take_over: get(&self.take_over, root.attr("take_over"))?.unwrap_or(false),
            take_over_from: BTreeMap::new(),
            release_direct_connect: Vec::new(),
            tags_all: crate::framework::tags::merge(default_tags, &tags),
        })
    }
}

/// One VPC attachment, fully known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AttachmentDesired {
    pub vpc_id: String,
    pub subnet_ids: BTreeSet<String>,
    pub route_table_ids: BTreeSet<String>,
    pub appliance_mode_support: bool,
    pub dns_support: bool,
}

/// One declared spoke, fully known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SpokeDesired {
    /// The account whose attachment this is, and a principal of the share. `None` only for a
    /// Client VPN endpoint of the hub's own account (validation requires it otherwise).
    pub account_id: Option<String>,
    pub cidr_blocks: BTreeSet<String>,
    /// A Client VPN endpoint attached to the gateway (its `client-vpn` attachment is the
    /// spoke's) instead of a VPC; `cidr_blocks` is then its client CIDR.
    pub client_vpn_endpoint_id: Option<String>,
}

impl SpokeDesired {
    /// Whether `attachment` (its type, resource and account) is one this spoke expects.
    pub(crate) fn expects(&self, resource_type: &str, resource_id: &str, owner: &str) -> bool {
        let account_fits = self.account_id.as_deref().is_none_or(|a| a == owner);
        match (&self.client_vpn_endpoint_id, resource_type) {
            (None, "vpc") => account_fits,
            (Some(endpoint), "client-vpn") => account_fits && endpoint == resource_id,
            _ => false,
        }
    }
}

/// How the data center is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    DirectConnect {
        gateway_id: String,
        /// `None`: every VPC CIDR of the hub (computed from what AWS reports).
        allowed_prefixes: Option<BTreeSet<String>>,
    },
    Vpn {
        customer_gateway_id: String,
        static_routes_only: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DataCenterDesired {
    pub cidr_blocks: BTreeSet<String>,
    pub link: Link,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShareDesired {
    pub principals: BTreeSet<String>,
    pub allow_external_principals: bool,
}

/// The whole hub as it should be, every default applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Desired {
    pub name: String,
    pub description: Option<String>,
    pub amazon_side_asn: i64,
    pub auto_accept_shared_attachments: bool,
    pub dns_support: bool,
    pub vpn_ecmp_support: bool,
    pub transit_gateway_cidr_blocks: BTreeSet<String>,
    /// `None` when `share_with` is empty: no resource share exists then.
    pub share: Option<ShareDesired>,
    pub attachments: BTreeMap<String, AttachmentDesired>,
    pub data_center: Option<DataCenterDesired>,
    /// Declared spokes by name: their accounts are principals of the share, their CIDRs
    /// destinations of the mesh, their attachments accepted and connected.
    pub spokes: BTreeMap<String, SpokeDesired>,
    pub route_propagation: bool,
    pub mesh_routes: bool,
    /// `take_over`: routes other migration hubs own in these route tables are re-targeted.
    pub take_over: bool,
    /// The other hubs (gateway id → name) this hub takes over from: the apply re-targets their
    /// routes in these route tables to this hub's gateway and moves the Direct Connect link
    /// their association holds. Filled from what the apply sees (see [`super::handover`]);
    /// empty otherwise.
    pub take_over_from: BTreeMap<String, String>,
    /// The Direct Connect associations of other hubs whose prefixes are in the way and that
    /// `take_over` moves the data center link from (see [`super::handover`]); empty otherwise.
    pub release_direct_connect: Vec<String>,
    /// `default_tags` merged with `tags` (what `tags_all` shows).
    pub tags_all: BTreeMap<String, String>,
}

impl Desired {
    /// Whether the gateway propagates every new attachment into the hub route table by itself.
    /// With auto-accept, an attachment another account makes is associated (the hub route
    /// table is the default association table) and, with this, propagated the moment AWS
    /// accepts it, so a spoke created in the same apply as its hub is connected without a
    /// second apply. Without auto-accept the hub's own apply accepts and connects declared
    /// attachments one by one, and nothing is propagated before the hub has looked at it.
    pub(crate) fn propagates_by_default(&self) -> bool {
        self.auto_accept_shared_attachments && self.route_propagation
    }

    /// The creation fingerprint ([`crate::framework::tags::fingerprint`]): the hub's name and
    /// the VPCs it attaches. A retry of the same configuration finds the Transit Gateway an
    /// interrupted create made by it; another hub (another name, or other networks) does not.
    pub(crate) fn fingerprint(&self) -> String {
        let vpcs: BTreeSet<&str> = self
            .attachments
            .values()
            .map(|a| a.vpc_id.as_str())
            .collect();
        crate::framework::tags::fingerprint([TYPE_NAME, self.name.as_str()].into_iter().chain(vpcs))
    }

    /// The key of the attachment of `vpc_id`, if the VPC is part of the hub.
    #[cfg(test)]
    pub(crate) fn key_of_vpc(&self, vpc_id: &str) -> Option<&str> {
        self.attachments
            .iter()
            .find(|(_, a)| a.vpc_id == vpc_id)
            .map(|(k, _)| k.as_str())
    }
}

/// Which object of the hub a set of tags is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagTarget<'a> {
    TransitGateway,
    Share,
    VpcAttachment { key: &'a str },
    DataCenterAttachment { cidr_blocks: &'a BTreeSet<String> },
    VpnConnection,
}

/// Every tag an object of the hub must carry: the user's (`tags_all`), `Name`, and the
/// ownership tags that let a retry adopt it and another hub refuse it.
pub(crate) fn tags_for(
    tgw_id: &str,
    name: &str,
    tags_all: &BTreeMap<String, String>,
    target: TagTarget<'_>,
) -> BTreeMap<String, String> {
    let mut tags = tags_all.clone();
    let object_name = match target {
        TagTarget::TransitGateway | TagTarget::Share => name.to_string(),
        TagTarget::VpcAttachment { key } => format!("{name}-{key}"),
        TagTarget::DataCenterAttachment { .. } | TagTarget::VpnConnection => {
            format!("{name}-data-center")
        }
    };
    tags.insert("Name".to_string(), object_name);
    tags.insert(OWNER_TAG.to_string(), tgw_id.to_string());
    tags.insert(MANAGED_BY_TAG.to_string(), MANAGED_BY.to_string());
    match target {
        TagTarget::VpcAttachment { key } => {
            tags.insert(NETWORK_TAG.to_string(), key.to_string());
        }
        TagTarget::DataCenterAttachment { cidr_blocks } => {
            tags.insert(NETWORK_TAG.to_string(), DATA_CENTER.to_string());
            tags.extend(encode_data_center_cidrs(cidr_blocks));
        }
        _ => {}
    }
    tags
}

/// `tags` with the owner tag naming `tgw_id`: children planned in the same apply as their
/// Transit Gateway only learn its id when they are created.
pub(crate) fn with_owner(
    mut tags: BTreeMap<String, String>,
    tgw_id: &str,
) -> BTreeMap<String, String> {
    tags.insert(OWNER_TAG.to_string(), tgw_id.to_string());
    tags
}

/// Tags the user controls through `tags`: everything but `Name`, the provider's own
/// `migration:*` tags and AWS's `aws:*` tags.
pub(crate) fn is_user_tag(key: &str) -> bool {
    key != "Name" && !key.starts_with("migration:") && !key.starts_with("aws:")
}

const TAG_VALUE_LIMIT: usize = 256;

/// The data-center CIDRs as one or more tags: `migration:data-center-cidrs`, then
/// `migration:data-center-cidrs:2`, … when one value cannot hold them all.
pub(crate) fn encode_data_center_cidrs(cidrs: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut chunks: Vec<String> = Vec::new();
    for cidr in cidrs {
        match chunks.last_mut() {
            Some(last) if last.len() + 1 + cidr.len() <= TAG_VALUE_LIMIT => {
                last.push(',');
                last.push_str(cidr);
            }
            _ => chunks.push(cidr.clone()),
        }
    }
    if chunks.is_empty() {
        chunks.push(String::new());
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let key = if i == 0 {
                DATA_CENTER_CIDRS_TAG.to_string()
            } else {
                format!("{DATA_CENTER_CIDRS_TAG}:{}", i + 1)
            };
            (key, chunk)
        })
        .collect()
}

/// Reads the CIDRs back from an object's tags; `None` when the tag is absent.
pub(crate) fn decode_data_center_cidrs(
    tags: &BTreeMap<String, String>,
) -> Option<BTreeSet<String>> {
    let mut found = false;
    let mut cidrs = BTreeSet::new();
    for (key, value) in tags {
        if key == DATA_CENTER_CIDRS_TAG || key.starts_with(&format!("{DATA_CENTER_CIDRS_TAG}:")) {
            found = true;
            cidrs.extend(
                value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
        }
    }
    found.then_some(cidrs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::{Holds, assert_matches_schema};

    #[test]
    fn the_typed_configuration_is_the_schema_s_arguments() {
        let block = super::super::schema::schema().block;
        assert_matches_schema::<Config>(&block, &[], Holds::Arguments);
        assert_matches_schema::<AttachmentConfig>(&block, &["vpc_attachments"], Holds::Arguments);
        assert_matches_schema::<DataCenterConfig>(&block, &["data_center"], Holds::Arguments);
        assert_matches_schema::<VpnConfig>(&block, &["data_center", "vpn"], Holds::Arguments);
        assert_matches_schema::<SpokeConfig>(&block, &["spokes"], Holds::Arguments);
    }
    use proptest::prelude::*;

    fn strings(items: &[&str]) -> Value {
        Value::Set(items.iter().map(|s| Value::string(*s)).collect())
    }

    fn config() -> Value {
        Value::object([
            ("name", Value::string("hub")),
            (
                "vpc_attachments",
                Value::Map(BTreeMap::from([(
                    "staging".to_string(),
                    Value::object([
                        ("vpc_id", Value::string("vpc-1")),
                        ("subnet_ids", strings(&["subnet-b", "subnet-a"])),
                        ("route_table_ids", Value::Null),
                    ]),
                )])),
            ),
            (
                "data_center",
                Value::object([
                    ("cidr_blocks", strings(&["192.168.0.0/16"])),
                    ("direct_connect_gateway_id", Value::string("dx-1")),
                ]),
            ),
            ("share_with", strings(&["111122223333"])),
            (
                "tags",
                Value::Map(BTreeMap::from([("team".into(), Value::string("net"))])),
            ),
        ])
    }

    #[test]
    fn defaults_are_applied_when_everything_is_known() {
        let defaults = BTreeMap::from([("env".to_string(), "prod".to_string())]);
        let desired = Config::parse(&config()).desired(&defaults).unwrap();
        assert_eq!(desired.amazon_side_asn, DEFAULT_ASN);
        assert!(desired.auto_accept_shared_attachments && desired.route_propagation);
        let staging = &desired.attachments["staging"];
        assert_eq!(
            staging.subnet_ids,
            BTreeSet::from(["subnet-a".to_string(), "subnet-b".to_string()])
        );
        assert!(staging.route_table_ids.is_empty());
        assert!(!staging.appliance_mode_support && staging.dns_support);
        assert_eq!(desired.key_of_vpc("vpc-1"), Some("staging"));
        assert_eq!(
            desired.data_center.clone().unwrap().link,
            Link::DirectConnect {
                gateway_id: "dx-1".into(),
                allowed_prefixes: None
            }
        );
        assert!(desired.share.as_ref().unwrap().allow_external_principals);
        assert_eq!(desired.tags_all.len(), 2);
    }

    #[test]
    fn an_unknown_value_names_its_path() {
        let mut value = config();
        if let Value::Object(attributes) = &mut value
            && let Some(Value::Map(attachments)) = attributes.get_mut("vpc_attachments")
            && let Some(Value::Object(staging)) = attachments.get_mut("staging")
        {
            staging.insert("subnet_ids".into(), Value::Set(vec![Value::unknown()]));
        }
        let parsed = Config::parse(&value);
        let path = parsed.desired(&BTreeMap::new()).unwrap_err();
        assert_eq!(path.to_string(), r#"vpc_attachments["staging"].subnet_ids"#);
        let attachment = &parsed.vpc_attachments.known().unwrap()["staging"];
        assert_eq!(attachment.subnet_ids, Maybe::Unknown);
        assert_eq!(attachment.vpc_id, Maybe::Known("vpc-1".into()));
    }

    #[test]
    fn tags_carry_name_and_ownership() {
        let user = BTreeMap::from([("team".to_string(), "net".to_string())]);
        let tags = tags_for(
            "tgw-1",
            "hub",
            &user,
            TagTarget::VpcAttachment { key: "staging" },
        );
        assert_eq!(tags["Name"], "hub-staging");
        assert_eq!(tags[OWNER_TAG], "tgw-1");
        assert_eq!(tags[NETWORK_TAG], "staging");
        assert_eq!(tags["team"], "net");
        assert!(!is_user_tag("Name") && !is_user_tag(OWNER_TAG) && is_user_tag("team"));
    }

    proptest! {
        #[test]
        fn data_center_cidrs_survive_tags(
            cidrs in proptest::collection::btree_set("10\\.[0-9]{1,3}\\.[0-9]{1,3}\\.0/24", 0..60)
        ) {
            let tags = encode_data_center_cidrs(&cidrs);
            prop_assert!(tags.values().all(|v| v.len() <= TAG_VALUE_LIMIT));
            prop_assert_eq!(decode_data_center_cidrs(&tags), Some(cidrs));
        }
    }
}
