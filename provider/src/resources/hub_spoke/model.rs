//! The spoke's configuration, typed, its offline checks, and what an apply wants (`Desired`),
//! with the pure choices it makes: the attachment's subnets, by Availability Zone id.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ipnet::IpNet;

use super::schema::TYPE_NAME;
use crate::aws::ec2::subnet::Subnet;
use crate::framework::tags::{self, MANAGED_BY_TAG, OWNER_TAG};
use crate::framework::timeouts;
use crate::framework::typed::Maybe;
use crate::netplan::cidr::parse_canonical;
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::duration::parse_go_duration;

pub(crate) type Tags = BTreeMap<String, String>;

/// Default of `share_visibility_timeout`: RAM usually propagates a share in seconds to a few
/// minutes.
pub(crate) const DEFAULT_VISIBILITY_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Default of `acceptance_timeout`: a person in the hub account may have to accept.
pub(crate) const DEFAULT_ACCEPTANCE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

crate::typed_object! {
    /// The configuration; values unknown at plan time stay unknown.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct Config {
        pub transit_gateway_id: Maybe<String>,
        pub resource_share_arn: Maybe<Option<String>>,
        pub vpc_id: Maybe<String>,
        pub subnet_ids: Maybe<Option<BTreeSet<String>>>,
        pub route_table_ids: Maybe<Option<BTreeSet<String>>>,
        pub hub_cidr_blocks: Maybe<BTreeSet<String>>,
        pub share_visibility_timeout: Maybe<Option<String>>,
        pub acceptance_timeout: Maybe<Option<String>>,
        pub tags: Maybe<Option<Tags>>,
        pub take_over: Maybe<Option<bool>>,
        pub timeouts: Value,
    }
}

/// What an apply makes true, every value known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Desired {
    pub tgw_id: String,
    pub share_arn: Option<String>,
    pub vpc_id: String,
    /// The attachment's subnets: the configured ones, or one per zone of the VPC.
    pub subnet_ids: BTreeSet<String>,
    pub route_tables: BTreeSet<String>,
    pub hub_cidrs: BTreeSet<IpNet>,
    /// Every tag of the attachment: `tags_all` plus the ownership tags.
    pub tags: Tags,
    pub visibility_timeout: Duration,
    pub acceptance_timeout: Duration,
    /// `take_over = true`: claim the attachment even when another instance owns it.
    pub take_over: bool,
}

/// The value of `migration:managed-by` on the attachment.
pub(crate) const MANAGED_BY: &str = TYPE_NAME;

/// The creation fingerprint of a spoke: its type, gateway and VPC, which identify its
/// attachment among every attachment of the account (AWS allows one per VPC and gateway).
pub(crate) fn fingerprint(tgw_id: &str, vpc_id: &str) -> String {
    tags::fingerprint([TYPE_NAME, tgw_id, vpc_id])
}

impl Config {
    /// `tags_all` for these `default_tags` (unknown while `tags` is).
    pub(crate) fn tags_all(&self, default_tags: &Tags) -> Maybe<Tags> {
        match &self.tags {
            Maybe::Known(tags) => Maybe::Known(tags::merge(
                default_tags,
                tags.as_ref().unwrap_or(&Tags::new()),
            )),
            Maybe::Unknown => Maybe::Unknown,
        }
    }

    /// The configured route tables (none when unset).
    pub(crate) fn route_tables(&self) -> Maybe<BTreeSet<String>> {
        self.route_table_ids.clone().map(Option::unwrap_or_default)
    }

    /// The hub's networks that parse (the others are `validate`'s errors).
    pub(crate) fn hub_cidrs(&self) -> Maybe<BTreeSet<IpNet>> {
        self.hub_cidr_blocks.clone().map(|cidrs| {
            cidrs
                .iter()
                .filter_map(|c| parse_canonical(c).ok())
                .collect()
        })
    }

    /// What an apply wants, once every value is known; the attachment's subnets are chosen
    /// among the VPC's when the configuration leaves them out. `Err` names a value still
    /// unknown.
    pub(crate) fn desired(
        &self,
        default_tags: &Tags,
        vpc_subnets: &BTreeMap<String, Subnet>,
    ) -> Result<Desired, Path> {
        fn known<'a, T>(value: &'a Maybe<T>, name: &str) -> Result<&'a T, Path> {
            value.known().ok_or_else(|| Path::root().attr(name))
        }
        let tgw_id = known(&self.transit_gateway_id, "transit_gateway_id")?.clone();
        let vpc_id = known(&self.vpc_id, "vpc_id")?.clone();
        let subnet_ids = match known(&self.subnet_ids, "subnet_ids")? {
            Some(given) => given.clone(),
            None => one_subnet_per_zone(vpc_subnets.values().filter(|s| s.vpc_id == vpc_id)),
        };
        let mut tags = known(&self.tags_all(default_tags), "tags")?.clone();
        tags.insert(OWNER_TAG.into(), tgw_id.clone());
        tags.insert(MANAGED_BY_TAG.into(), MANAGED_BY.into());
        Ok(Desired {
            share_arn: known(&self.resource_share_arn, "resource_share_arn")?.clone(),
            route_tables: known(&self.route_tables(), "route_table_ids")?.clone(),
            hub_cidrs: known(&self.hub_cidrs(), "hub_cidr_blocks")?.clone(),
            take_over: matches!(self.take_over, Maybe::Known(Some(true))),
            visibility_timeout: duration(&self.share_visibility_timeout)
                .unwrap_or(DEFAULT_VISIBILITY_TIMEOUT),
            acceptance_timeout: duration(&self.acceptance_timeout)
                .unwrap_or(DEFAULT_ACCEPTANCE_TIMEOUT),
            tgw_id,
            vpc_id,
            subnet_ids,
            tags,
        })
    }
}

fn duration(value: &Maybe<Option<String>>) -> Option<Duration> {
    match value {
        Maybe::Known(Some(text)) => parse_go_duration(text).ok().filter(|d| !d.is_zero()),
        _ => None,
    }
}

/// One subnet per Availability Zone, zones compared by id (the same physical zone in every
/// account, where zone names differ per account), the lowest subnet id in each zone, so that
/// every plan and every account choosing from the same subnets chooses the same ones.
pub(crate) fn one_subnet_per_zone<'a>(
    subnets: impl IntoIterator<Item = &'a Subnet>,
) -> BTreeSet<String> {
    let mut by_zone: BTreeMap<&str, &str> = BTreeMap::new();
    for subnet in subnets {
        by_zone
            .entry(subnet.zone_id())
            .and_modify(|chosen| {
                if subnet.id.as_str() < *chosen {
                    *chosen = &subnet.id;
                }
            })
            .or_insert(&subnet.id);
    }
    by_zone.into_values().map(str::to_string).collect()
}

/// Checks that need nothing but the configuration, each error on its attribute.
pub(crate) fn validate(config: &Config, config_value: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let prefixed =
        |value: &Maybe<String>, name: &str, prefix: &str, what: &str, d: &mut Diagnostics| {
            if let Maybe::Known(id) = value
                && (!id.starts_with(prefix) || id.len() == prefix.len())
            {
                d.error_at(
                    Path::root().attr(name),
                    format!("Invalid {what} id"),
                    format!("{id:?} is not {what} id: expected {prefix}…"),
                );
            }
        };
    prefixed(
        &config.transit_gateway_id,
        "transit_gateway_id",
        "tgw-",
        "a Transit Gateway",
        &mut diagnostics,
    );
    prefixed(&config.vpc_id, "vpc_id", "vpc-", "a VPC", &mut diagnostics);
    if let Maybe::Known(Some(subnets)) = &config.subnet_ids {
        if subnets.is_empty() {
            diagnostics.error_at(
                Path::root().attr("subnet_ids"),
                "No subnets",
                "An attachment needs at least one subnet. Remove subnet_ids to use one subnet \
                 per Availability Zone of the VPC.",
            );
        }
        for id in subnets {
            prefixed(
                &Maybe::Known(id.clone()),
                "subnet_ids",
                "subnet-",
                "a subnet",
                &mut diagnostics,
            );
        }
    }
    if let Maybe::Known(Some(tables)) = &config.route_table_ids {
        for id in tables {
            prefixed(
                &Maybe::Known(id.clone()),
                "route_table_ids",
                "rtb-",
                "a route table",
                &mut diagnostics,
            );
        }
    }
    if let Maybe::Known(Some(arn)) = &config.resource_share_arn
        && !(arn.starts_with("arn:") && arn.contains(":resource-share/"))
    {
        diagnostics.error_at(
                Path::root().attr("resource_share_arn"),
                "Invalid resource share ARN",
                format!("{arn:?} is not a RAM resource share ARN: expected arn:aws:ram:<region>:<account>:resource-share/…"),
            );
    }
    if let Maybe::Known(cidrs) = &config.hub_cidr_blocks {
        for cidr in cidrs {
            if let Err(error) = parse_canonical(cidr) {
                diagnostics.error_at(
                    Path::root().attr("hub_cidr_blocks"),
                    "Invalid CIDR block",
                    error.to_string(),
                );
            }
        }
    }
    for name in ["share_visibility_timeout", "acceptance_timeout"] {
        let value = match name {
            "share_visibility_timeout" => &config.share_visibility_timeout,
            _ => &config.acceptance_timeout,
        };
        if let Maybe::Known(Some(text)) = value {
            match parse_go_duration(text) {
                Ok(d) if d.is_zero() => diagnostics.error_at(
                    Path::root().attr(name),
                    "Invalid timeout",
                    "A timeout must be longer than zero.",
                ),
                Ok(_) => {}
                Err(message) => {
                    diagnostics.error_at(Path::root().attr(name), "Invalid timeout", message)
                }
            }
        }
    }
    if let Maybe::Known(Some(tags)) = &config.tags {
        tags::check(tags, Path::root().attr("tags"), &mut diagnostics);
    }
    timeouts::read(config_value, &mut diagnostics);
    diagnostics
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::framework::typed::{FromValue, Holds, assert_matches_schema};
    use proptest::prelude::*;

    fn subnet(id: &str, zone_id: &str) -> Subnet {
        Subnet {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            availability_zone: format!("name-of-{zone_id}"),
            availability_zone_id: Some(zone_id.into()),
        }
    }

    pub(crate) fn config_value(changes: &[(&str, Value)]) -> Value {
        let mut attributes = BTreeMap::from([
            ("transit_gateway_id".to_string(), Value::string("tgw-1")),
            ("resource_share_arn".to_string(), Value::Null),
            ("vpc_id".to_string(), Value::string("vpc-1")),
            ("subnet_ids".to_string(), Value::Null),
            (
                "route_table_ids".to_string(),
                Value::Set(vec![Value::string("rtb-1")]),
            ),
            (
                "hub_cidr_blocks".to_string(),
                Value::Set(vec![Value::string("10.1.0.0/16")]),
            ),
            ("share_visibility_timeout".to_string(), Value::Null),
            ("acceptance_timeout".to_string(), Value::Null),
            ("tags".to_string(), Value::Null),
            ("timeouts".to_string(), Value::Null),
        ]);
        for (name, value) in changes {
            attributes.insert(name.to_string(), value.clone());
        }
        Value::Object(attributes)
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
    fn subnets_are_chosen_one_per_zone_id_lowest_id_first() {
        let subnets = [
            subnet("subnet-b", "use1-az1"),
            subnet("subnet-a", "use1-az1"),
            subnet("subnet-c", "use1-az2"),
        ];
        assert_eq!(
            one_subnet_per_zone(&subnets),
            BTreeSet::from(["subnet-a".to_string(), "subnet-c".to_string()])
        );
    }

    proptest! {
        /// Whatever the order AWS lists them in, the choice is the same, and it has exactly
        /// one subnet in each zone.
        #[test]
        fn the_subnet_choice_is_one_per_zone_and_independent_of_order(
            zones in proptest::collection::vec(0u8..4, 1..12),
            seed in any::<u64>(),
        ) {
            let subnets: Vec<Subnet> = zones
                .iter()
                .enumerate()
                .map(|(i, z)| subnet(&format!("subnet-{i:02}"), &format!("az{z}")))
                .collect();
            let chosen = one_subnet_per_zone(&subnets);
            let mut shuffled = subnets.clone();
            let mut rng = fastrand::Rng::with_seed(seed);
            rng.shuffle(&mut shuffled);
            prop_assert_eq!(&chosen, &one_subnet_per_zone(&shuffled));
            let zones_of_chosen: BTreeSet<&str> = subnets
                .iter()
                .filter(|s| chosen.contains(&s.id))
                .map(|s| s.zone_id())
                .collect();
            prop_assert_eq!(zones_of_chosen.len(), chosen.len());
            let all_zones: BTreeSet<&str> = subnets.iter().map(|s| s.zone_id()).collect();
            prop_assert_eq!(zones_of_chosen, all_zones);
        }
    }

    #[test]
    fn desired_adds_ownership_tags_and_chooses_subnets() {
        let config = Config::from_value(&config_value(&[(
            "tags",
            Value::Map(BTreeMap::from([("team".to_string(), Value::string("net"))])),
        )]))
        .unwrap();
        let subnets = BTreeMap::from([("subnet-1".to_string(), subnet("subnet-1", "az1"))]);
        let desired = config.desired(&Tags::new(), &subnets).unwrap();
        assert_eq!(desired.subnet_ids, BTreeSet::from(["subnet-1".to_string()]));
        assert_eq!(desired.tags[OWNER_TAG], "tgw-1");
        assert_eq!(desired.tags[MANAGED_BY_TAG], MANAGED_BY);
        assert_eq!(desired.tags["team"], "net");
        assert_eq!(desired.acceptance_timeout, DEFAULT_ACCEPTANCE_TIMEOUT);
        let unknown = Config::from_value(&config_value(&[("vpc_id", Value::unknown())])).unwrap();
        assert_eq!(
            unknown.desired(&Tags::new(), &subnets).unwrap_err(),
            Path::root().attr("vpc_id")
        );
    }

    #[test]
    fn offline_errors_name_their_attribute() {
        let value = config_value(&[
            ("transit_gateway_id", Value::string("vpc-1")),
            (
                "hub_cidr_blocks",
                Value::Set(vec![Value::string("10.1.0.1/16")]),
            ),
            ("acceptance_timeout", Value::string("soon")),
            ("resource_share_arn", Value::string("share")),
            ("subnet_ids", Value::Set(vec![])),
        ]);
        let config = Config::from_value(&value).unwrap();
        let diagnostics = validate(&config, &value);
        let paths: BTreeSet<String> = diagnostics
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(|p| p.to_string()))
            .collect();
        for name in [
            "transit_gateway_id",
            "hub_cidr_blocks",
            "acceptance_timeout",
            "resource_share_arn",
            "subnet_ids",
        ] {
            assert!(paths.contains(name), "{name}: {paths:?}");
        }
        let fine = config_value(&[]);
        assert!(validate(&Config::from_value(&fine).unwrap(), &fine).is_empty());
    }
}
