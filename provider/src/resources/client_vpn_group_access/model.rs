//! The resource's own types: the configuration as typed (with values not yet known), the access
//! it describes once everything is known, and the two encodings that carry group keys through
//! AWS (rule descriptions) and SIDs. The identity of AWS rules and routes and their phases are
//! the Client VPN finders' (`crate::aws::ec2::client_vpn`), re-exported here.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use crate::framework::typed::FromValue;
use crate::protocol::cty::Value;

pub(crate) use crate::aws::ec2::client_vpn::{Phase, RouteKey, RuleKey};
pub(crate) use crate::protocol::object::Maybe;

/// One group of the configuration; any part may be unknown at plan time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupConfig {
    pub sid: Maybe<Option<String>>,
    pub name: Maybe<Option<String>>,
    /// The set's elements; the whole set or single elements may be unknown.
    pub networks: Maybe<Vec<Maybe<String>>>,
    pub description: Maybe<Option<String>>,
}

/// The resource configuration as Terraform sent it, typed but not yet checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Config {
    pub endpoint_id: Maybe<String>,
    pub directory_id: Maybe<Option<String>>,
    pub groups: Maybe<BTreeMap<String, GroupConfig>>,
    /// `Known(None)` when unset (every associated subnet); unknown if any element is.
    pub route_subnet_ids: Maybe<Option<BTreeSet<String>>>,
    pub manage_routes: Maybe<bool>,
    pub allow_internet: Maybe<bool>,
    /// Whether groups whose rules another instance owns are taken from it
    /// ([`ownership`](super::ownership)).
    pub take_over: Maybe<bool>,
}

crate::typed_object! {
    /// `groups[key]` exactly as Terraform sends it: the attribute names are the schema's.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct GroupArguments {
        pub sid: Maybe<Option<String>>,
        pub name: Maybe<Option<String>>,
        /// A set: the whole set or single elements may be unknown.
        pub networks: Maybe<Option<Vec<Maybe<Option<String>>>>>,
        pub description: Maybe<Option<String>>,
    }
}

crate::typed_object! {
    /// The resource's arguments exactly as Terraform sends them (configuration, proposed or
    /// planned object): the one place their names are written. [`Config`] is what the checks
    /// and the plan read, with the defaults applied and unknowns where they matter.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Arguments {
        pub client_vpn_endpoint_id: Maybe<Option<String>>,
        pub directory_id: Maybe<Option<String>>,
        /// An element (one group) may be unknown as a whole.
        pub groups: Maybe<Option<BTreeMap<String, Maybe<GroupArguments>>>>,
        pub route_subnet_ids: Maybe<Option<Vec<Maybe<Option<String>>>>>,
        pub manage_routes: Maybe<Option<bool>>,
        pub allow_internet: Maybe<Option<bool>>,
        pub take_over: Maybe<Option<bool>>,
        pub timeouts: Value,
    }
}

pub(crate) const DEFAULT_MANAGE_ROUTES: bool = true;
pub(crate) const DEFAULT_ALLOW_INTERNET: bool = false;

/// A set's elements without its nulls (a null element names nothing).
fn elements(items: Vec<Maybe<Option<String>>>) -> Vec<Maybe<String>> {
    items
        .into_iter()
        .filter_map(|item| match item {
            Maybe::Known(Some(text)) => Some(Maybe::Known(text)),
            Maybe::Known(None) => None,
            Maybe::Unknown => Some(Maybe::Unknown),
        })
        .collect()
}

fn or_default(flag: Maybe<Option<bool>>, default: bool) -> Maybe<bool> {
    flag.map(|set| set.unwrap_or(default))
}

impl Config {
    /// Reads a configuration, proposed or planned object of the resource's schema (a value
    /// that does not fit reads as wholly unknown: the checks then skip it).
    pub(crate) fn parse(value: &Value) -> Config {
        Arguments::from_value(value).map_or_else(|_| Config::unknown(), Config::from)
    }

    /// A configuration with every argument unknown.
    fn unknown() -> Config {
        Config {
            endpoint_id: Maybe::Unknown,
            directory_id: Maybe::Unknown,
            groups: Maybe::Unknown,
            route_subnet_ids: Maybe::Unknown,
            manage_routes: Maybe::Unknown,
            allow_internet: Maybe::Unknown,
            take_over: Maybe::Unknown,
        }
    }
}

impl From<Arguments> for Config {
    fn from(arguments: Arguments) -> Config {
        let groups = arguments.groups.map(|groups| {
            groups
                .unwrap_or_default()
                .into_iter()
                .map(|(key, group)| (key, GroupConfig::from(group)))
                .collect()
        });
        let route_subnet_ids = match arguments.route_subnet_ids {
            Maybe::Known(Some(items)) => elements(items)
                .into_iter()
                .map(|item| item.known().cloned())
                .collect::<Option<BTreeSet<String>>>()
                .map_or(Maybe::Unknown, |ids| Maybe::Known(Some(ids))),
            Maybe::Known(None) => Maybe::Known(None),
            Maybe::Unknown => Maybe::Unknown,
        };
        Config {
            endpoint_id: match arguments.client_vpn_endpoint_id {
                Maybe::Known(Some(id)) => Maybe::Known(id),
                // Required: null only reaches here in a broken request; treat it as not known.
                _ => Maybe::Unknown,
            },
            directory_id: arguments.directory_id,
            groups,
            route_subnet_ids,
            manage_routes: or_default(arguments.manage_routes, DEFAULT_MANAGE_ROUTES),
            allow_internet: or_default(arguments.allow_internet, DEFAULT_ALLOW_INTERNET),
            take_over: or_default(arguments.take_over, false),
        }
    }
}

impl From<Maybe<GroupArguments>> for GroupConfig {
    fn from(group: Maybe<GroupArguments>) -> GroupConfig {
        match group {
            Maybe::Unknown => GroupConfig {
                sid: Maybe::Unknown,
                name: Maybe::Unknown,
                networks: Maybe::Unknown,
                description: Maybe::Unknown,
            },
            Maybe::Known(group) => GroupConfig {
                sid: group.sid,
                name: group.name,
                networks: group
                    .networks
                    .map(|items| elements(items.unwrap_or_default())),
                description: group.description,
            },
        }
    }
}

/// One group once everything about it is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub sid: String,
    pub name: Option<String>,
    pub networks: BTreeSet<Ipv4Net>,
    pub description: Option<String>,
}

/// The access a configuration grants, wholly known (at apply, or at plan when nothing is
/// unknown): what the diff compares with AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Access {
    pub endpoint_id: String,
    pub directory_id: Option<String>,
    pub groups: BTreeMap<String, Group>,
    pub route_subnet_ids: BTreeSet<String>,
    pub manage_routes: bool,
    pub allow_internet: bool,
    /// `take_over`: groups whose rules another instance holds are taken back from it, not left.
    pub take_over: bool,
}

/// What a wanted rule looks like besides its identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RuleSpec {
    pub group: String,
    pub description: Option<String>,
}

impl Access {
    /// The access without the groups of `sids`: what this instance manages while another
    /// instance holds those groups' rules ([`ownership::held_by_others`](super::ownership::held_by_others)).
    pub(crate) fn without_sids(&self, sids: &BTreeSet<String>) -> Access {
        let mut access = self.clone();
        access.groups.retain(|_, group| !sids.contains(&group.sid));
        access
    }

    /// Every rule the groups need, with the description that carries the group key.
    pub(crate) fn rules(&self) -> BTreeMap<RuleKey, RuleSpec> {
        let mut rules = BTreeMap::new();
        for (key, group) in &self.groups {
            for cidr in &group.networks {
                rules.insert(
                    RuleKey {
                        sid: group.sid.clone(),
                        cidr: *cidr,
                    },
                    RuleSpec {
                        group: key.clone(),
                        description: rule_description(key, group.description.as_deref()),
                    },
                );
            }
        }
        rules
    }

    /// Every authorized network, once.
    pub(crate) fn destinations(&self) -> BTreeSet<Ipv4Net> {
        self.groups
            .values()
            .flat_map(|g| g.networks.iter().copied())
            .collect()
    }

    /// One route per authorized network and route subnet (none when routes are not managed).
    pub(crate) fn routes(&self) -> BTreeSet<RouteKey> {
        if !self.manage_routes {
            return BTreeSet::new();
        }
        let destinations = self.destinations();
        destinations
            .iter()
            .flat_map(|destination| {
                self.route_subnet_ids.iter().map(|subnet| RouteKey {
                    destination: *destination,
                    subnet_id: subnet.clone(),
                })
            })
            .collect()
    }

    /// The group key of each SID.
    pub(crate) fn keys_by_sid(&self) -> BTreeMap<&str, &str> {
        self.groups
            .iter()
            .map(|(key, group)| (group.sid.as_str(), key.as_str()))
            .collect()
    }
}

/// Separates the group key from the group's description inside a rule description.
pub(crate) const KEY_SEPARATOR: &str = ": ";

/// The description of a group's rules on AWS. Rules have no tags, so the description is the
/// only place that can carry the group key back to an import: `key` alone, or
/// `key: description`; an explicitly empty description gives rules without one.
pub(crate) fn rule_description(key: &str, description: Option<&str>) -> Option<String> {
    match description {
        None => Some(key.to_string()),
        Some("") => None,
        Some(text) => Some(format!("{key}{KEY_SEPARATOR}{text}")),
    }
}

/// The group key and description an import reads from a rule description: the inverse of
/// [`rule_description`]. `None` as key means the rule carries no key (no description), and the
/// group is then keyed by its SID with an empty description.
pub(crate) fn parse_rule_description(text: Option<&str>) -> (Option<String>, Option<String>) {
    match text.filter(|t| !t.is_empty()) {
        None => (None, Some(String::new())),
        Some(text) => match text.split_once(KEY_SEPARATOR) {
            Some((key, description)) if !key.is_empty() => {
                (Some(key.to_string()), Some(description.to_string()))
            }
            _ => (Some(text.to_string()), None),
        },
    }
}

/// Why a group key cannot be used.
pub(crate) fn group_key_problem(key: &str) -> Option<String> {
    if key.trim().is_empty() {
        Some("a group key must not be empty or blank".to_string())
    } else if key.contains(KEY_SEPARATOR) {
        Some(format!(
            "the group key {key:?} contains \"{KEY_SEPARATOR}\", which separates the key from the \
             description in rule descriptions; use another key"
        ))
    } else if key.trim() != key {
        Some(format!(
            "the group key {key:?} starts or ends with whitespace; remove it"
        ))
    } else if key.chars().any(char::is_control) {
        Some(format!("the group key {key:?} contains control characters"))
    } else {
        None
    }
}

/// Why a string is not a usable security identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SidError {
    NotASid,
    /// A SID AD would write differently; Client VPN compares SIDs as text, so the rule would
    /// never match anyone.
    NotCanonical {
        canonical: String,
    },
}

/// Parses a SID in AD's canonical text form: `S-1-<authority>-<sub-authority>…` with 1 to 15
/// decimal sub-authorities, no leading zeros.
pub(crate) fn parse_sid(text: &str) -> Result<String, SidError> {
    let trimmed = text.trim();
    let mut parts = trimmed.split('-');
    let prefix = parts.next().unwrap_or_default();
    if !prefix.eq_ignore_ascii_case("S") {
        return Err(SidError::NotASid);
    }
    let numbers: Vec<&str> = parts.collect();
    if numbers.len() < 3 || numbers.len() > 17 {
        return Err(SidError::NotASid);
    }
    let mut canonical = String::from("S");
    for (i, number) in numbers.iter().enumerate() {
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SidError::NotASid);
        }
        let value: u64 = number.parse().map_err(|_| SidError::NotASid)?;
        let fits = match i {
            0 => value == 1,
            1 => value < (1 << 48),
            _ => value <= u64::from(u32::MAX),
        };
        if !fits {
            return Err(SidError::NotASid);
        }
        canonical.push('-');
        canonical.push_str(&value.to_string());
    }
    if canonical == text {
        Ok(canonical)
    } else {
        Err(SidError::NotCanonical { canonical })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::{Holds, assert_matches_schema};
    use proptest::prelude::*;

    #[test]
    fn the_typed_arguments_are_the_schema_s_arguments() {
        let block = super::super::schema::schema().block;
        assert_matches_schema::<Arguments>(&block, &[], Holds::Arguments);
        assert_matches_schema::<GroupArguments>(&block, &["groups"], Holds::Arguments);
    }

    fn group(networks: Value) -> Value {
        Value::object([
            ("sid", Value::string("S-1-5-21-1-2-3-1104")),
            ("networks", networks),
        ])
    }

    #[test]
    fn unknowns_stay_where_the_configuration_has_them() {
        let config = Config::parse(&Value::object([
            ("client_vpn_endpoint_id", Value::string("cvpn-endpoint-1")),
            (
                "groups",
                Value::Map(BTreeMap::from([
                    ("whole".to_string(), Value::unknown()),
                    (
                        "element".to_string(),
                        group(Value::Set(vec![
                            Value::string("10.0.0.0/16"),
                            Value::unknown(),
                        ])),
                    ),
                    ("set".to_string(), group(Value::unknown())),
                ])),
            ),
            (
                "route_subnet_ids",
                Value::Set(vec![Value::string("subnet-1"), Value::unknown()]),
            ),
            ("manage_routes", Value::Null),
            ("allow_internet", Value::unknown()),
        ]));
        assert_eq!(config.endpoint_id, Maybe::Known("cvpn-endpoint-1".into()));
        assert_eq!(config.directory_id, Maybe::Known(None));
        let groups = config.groups.known().unwrap();
        assert_eq!(groups["whole"].sid, Maybe::Unknown);
        assert_eq!(groups["whole"].networks, Maybe::Unknown);
        assert_eq!(
            groups["element"].networks,
            Maybe::Known(vec![Maybe::Known("10.0.0.0/16".into()), Maybe::Unknown])
        );
        assert_eq!(groups["element"].name, Maybe::Known(None));
        assert_eq!(groups["set"].networks, Maybe::Unknown);
        // One unknown subnet makes the whole set unknown: the routes depend on every element.
        assert_eq!(config.route_subnet_ids, Maybe::Unknown);
        assert_eq!(config.manage_routes, Maybe::Known(DEFAULT_MANAGE_ROUTES));
        assert_eq!(config.allow_internet, Maybe::Unknown);
    }

    #[test]
    fn unset_collections_read_as_empty_and_unset_subnets_as_every_association() {
        let config = Config::parse(&Value::object([
            ("client_vpn_endpoint_id", Value::string("cvpn-endpoint-1")),
            (
                "groups",
                Value::Map(BTreeMap::from([("it".to_string(), group(Value::Null))])),
            ),
            ("allow_internet", Value::Bool(true)),
        ]));
        assert_eq!(
            config.groups.known().unwrap()["it"].networks,
            Maybe::Known(Vec::new())
        );
        assert_eq!(config.route_subnet_ids, Maybe::Known(None));
        assert_eq!(config.allow_internet, Maybe::Known(true));
        let broken = Config::parse(&Value::object([("groups", Value::Bool(true))]));
        assert_eq!(broken.groups, Maybe::Unknown);
        assert_eq!(broken.endpoint_id, Maybe::Unknown);
    }

    #[test]
    fn sids_must_be_canonical() {
        let sid = "S-1-5-21-1004336348-1177238915-682003330-1104";
        assert_eq!(parse_sid(sid), Ok(sid.to_string()));
        assert_eq!(parse_sid("S-1-5-32-544"), Ok("S-1-5-32-544".to_string()));
        assert_eq!(
            parse_sid("s-1-5-21-1-2-3-1104"),
            Err(SidError::NotCanonical {
                canonical: "S-1-5-21-1-2-3-1104".into()
            })
        );
        assert_eq!(
            parse_sid(" S-1-5-21-01-2-3-1104"),
            Err(SidError::NotCanonical {
                canonical: "S-1-5-21-1-2-3-1104".into()
            })
        );
        for bad in [
            "",
            "S-1",
            "S-1-5",
            "S-2-5-21",
            "S-1-5-21-x",
            "S-1-5-21--1",
            "S-1-5-21-4294967296",
            "migration_engineers",
            "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
        ] {
            assert_eq!(parse_sid(bad), Err(SidError::NotASid), "{bad}");
        }
    }

    #[test]
    fn rule_descriptions_carry_the_group_key() {
        assert_eq!(rule_description("it", None).as_deref(), Some("it"));
        assert_eq!(
            rule_description("it", Some("data center")).as_deref(),
            Some("it: data center")
        );
        assert_eq!(rule_description("it", Some("")), None);
        assert_eq!(
            parse_rule_description(Some("it: data center: east")),
            (Some("it".into()), Some("data center: east".into()))
        );
        assert_eq!(
            parse_rule_description(Some("VPN for ops")),
            (Some("VPN for ops".into()), None)
        );
        assert_eq!(parse_rule_description(None), (None, Some(String::new())));
        assert_eq!(
            parse_rule_description(Some("")),
            (None, Some(String::new()))
        );
    }

    #[test]
    fn group_keys_that_cannot_round_trip_are_refused() {
        assert_eq!(group_key_problem("migration_engineers"), None);
        assert_eq!(group_key_problem("Internal IT"), None);
        assert_eq!(group_key_problem("http://x"), None);
        for bad in ["", "  ", "a: b", " a", "a\n"] {
            assert!(group_key_problem(bad).is_some(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn descriptions_round_trip_for_valid_keys(
            key in "[A-Za-z0-9_ .:/-]{1,20}",
            description in proptest::option::of("[A-Za-z0-9_ .:/+-]{0,30}"),
        ) {
            prop_assume!(group_key_problem(&key).is_none());
            let text = rule_description(&key, description.as_deref());
            let (parsed_key, parsed_description) = parse_rule_description(text.as_deref());
            match description.as_deref() {
                Some("") => {
                    prop_assert_eq!(parsed_key, None);
                    prop_assert_eq!(parsed_description, Some(String::new()));
                }
                _ => {
                    prop_assert_eq!(parsed_key, Some(key.clone()));
                    prop_assert_eq!(parsed_description, description);
                }
            }
        }

        #[test]
        fn canonical_sids_parse_to_themselves(
            authority in 0u64..(1 << 48),
            subs in proptest::collection::vec(any::<u32>(), 1..15),
        ) {
            let text = std::iter::once(format!("S-1-{authority}"))
                .chain(subs.iter().map(u32::to_string))
                .collect::<Vec<_>>()
                .join("-");
            prop_assert_eq!(parse_sid(&text), Ok(text.clone()));
            let lower = text.replacen('S', "s", 1);
            prop_assert_eq!(parse_sid(&lower), Err(SidError::NotCanonical { canonical: text }));
        }
    }
}
