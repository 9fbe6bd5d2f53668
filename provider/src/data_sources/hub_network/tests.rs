//! The pure parts of `migration_hub_network`: which lookup, what a lookup by name or share
//! found, and the answer built from an observed hub.

use super::*;
use crate::aws::ec2::vpc::Vpc;
use crate::aws::ram::Share;
use crate::framework::typed::{FromValue, Holds, ToValue, assert_matches_schema};
use crate::resources::hub_network::model::{NETWORK_TAG, encode_data_center_cidrs};
use crate::resources::hub_network::topology::{DataCenter, DataCenterAttachment, DataCenterLink};

fn config(id: Value, share: Value, name: Value) -> Config {
    Config::from_value(&Value::object([
        ("transit_gateway_id", id),
        ("resource_share_arn", share),
        ("name", name),
    ]))
    .unwrap()
}

const SHARE: &str = "arn:aws:ram:eu-west-1:111122223333:resource-share/4f3c-12";

fn errors(diagnostics: &Diagnostics) -> Vec<(String, String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d.attribute
                    .as_ref()
                    .map_or(String::new(), ToString::to_string),
                d.summary.clone(),
                d.detail.clone(),
            )
        })
        .collect()
}

#[test]
fn the_typed_structs_are_the_schema() {
    let schema = schema();
    assert_eq!(schema.sanity_errors(), Vec::<String>::new());
    assert_matches_schema::<Config>(&schema.block, &[], Holds::Arguments);
    assert_matches_schema::<State>(&schema.block, &[], Holds::Everything);
    assert_matches_schema::<NetworkState>(&schema.block, &["networks"], Holds::Everything);
}

#[test]
fn exactly_one_lookup_is_accepted_and_unknowns_count_as_set() {
    for one in [
        config(Value::string("tgw-0a1b"), Value::Null, Value::Null),
        config(Value::Null, Value::string(SHARE), Value::Null),
        config(Value::Null, Value::Null, Value::string("migration-hub")),
        config(Value::unknown(), Value::Null, Value::Null),
    ] {
        assert!(check(&one).is_empty(), "{:?}", errors(&check(&one)));
    }

    let none = errors(&check(&config(Value::Null, Value::Null, Value::Null)));
    assert_eq!(none.len(), 1, "{none:?}");
    assert_eq!(none[0].1, "No hub to look up");
    for argument in ["transit_gateway_id", "resource_share_arn", "name"] {
        assert!(none[0].2.contains(argument), "{}", none[0].2);
    }

    let several = errors(&check(&config(
        Value::string("tgw-0a1b"),
        Value::unknown(),
        Value::string("hub"),
    )));
    let places: Vec<&str> = several.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(places, ["resource_share_arn", "name"]);
    assert!(several.iter().all(|e| e.1 == "Several hub lookups"));
    assert!(
        several[1]
            .2
            .contains("Both transit_gateway_id and name are set")
    );
}

#[test]
fn each_lookup_is_checked_in_the_form_aws_gives_it() {
    let cases = [
        (
            config(Value::string("vpc-0a1b"), Value::Null, Value::Null),
            "transit_gateway_id",
            "is not a Transit Gateway id",
        ),
        (
            config(
                Value::Null,
                Value::string("arn:aws:ec2:eu-west-1:1:vpc/x"),
                Value::Null,
            ),
            "resource_share_arn",
            "is not a RAM resource share ARN",
        ),
        (
            config(Value::Null, Value::Null, Value::string("  ")),
            "name",
            "The name is empty",
        ),
    ];
    for (config, attribute, text) in cases {
        let found = errors(&check(&config));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, attribute);
        assert!(found[0].2.contains(text), "{}", found[0].2);
    }
    assert!(is_share_arn(SHARE));
    assert!(!is_share_arn("arn:aws:ram:eu-west-1:1:resource-share/"));
}

fn tgw(id: &str, name: Option<&str>) -> TransitGateway {
    TransitGateway {
        id: id.into(),
        arn: format!("arn:aws:ec2:eu-west-1:111122223333:transit-gateway/{id}"),
        owner_id: "111122223333".into(),
        state: "available".into(),
        description: None,
        amazon_side_asn: 64512,
        auto_accept_shared_attachments: false,
        dns_support: true,
        vpn_ecmp_support: true,
        cidr_blocks: BTreeSet::new(),
        association_default_route_table_id: Some("tgw-rtb-1".into()),
        propagation_default_route_table_id: Some("tgw-rtb-1".into()),
        tags: name
            .map(|n| BTreeMap::from([("Name".to_string(), n.to_string())]))
            .unwrap_or_default(),
    }
}

#[test]
fn a_lookup_by_name_takes_the_one_match_and_names_what_it_found_otherwise() {
    let lookup = Lookup::Name("hub".into());
    let own = |id: &str, name: &str| Candidate::own(tgw(id, Some(name)));
    let one = one_named(&lookup, "eu-west-1", vec![own("tgw-1", "hub")], &[]).unwrap();
    assert_eq!(one.tgw.id, "tgw-1");

    let message = |error: ReadError| match error {
        ReadError::Invalid(d) => errors(&d).remove(0),
        other => panic!("{other:?}"),
    };
    let (place, summary, detail) = message(
        one_named(
            &lookup,
            "eu-west-1",
            vec![own("tgw-1", "hub"), shared_hub("tgw-2", "hub")],
            &[],
        )
        .unwrap_err(),
    );
    assert_eq!(
        (place.as_str(), summary.as_str()),
        ("name", "Several hubs have this name")
    );
    assert!(
        detail.contains(
            "tgw-1 \"hub\" (account 111122223333), tgw-2 \"hub\" (account 999988887777, shared \
             with this account)"
        ),
        "{detail}"
    );

    let (place, summary, detail) = message(
        one_named(
            &lookup,
            "eu-west-1",
            Vec::new(),
            &[
                own("tgw-7", "migration-hub"),
                shared_hub("tgw-8", "other-hub"),
            ],
        )
        .unwrap_err(),
    );
    assert_eq!(
        (place.as_str(), summary.as_str()),
        ("name", "Hub not found")
    );
    assert!(
        detail.contains(
            "The hubs there are: tgw-7 \"migration-hub\" (account 111122223333), tgw-8 \
             \"other-hub\" (account 999988887777, shared with this account)"
        ),
        "{detail}"
    );
    let (_, _, detail) = message(one_named(&lookup, "eu-west-1", Vec::new(), &[]).unwrap_err());
    assert!(
        detail.contains("There is no hub at all in eu-west-1"),
        "{detail}"
    );
}

#[test]
fn a_share_names_its_gateways_by_arn() {
    let resources = BTreeSet::from([
        "arn:aws:ec2:eu-west-1:111122223333:transit-gateway/tgw-0a".to_string(),
        "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-1".to_string(),
    ]);
    assert_eq!(gateways_in(&resources), ["tgw-0a"]);
    assert!(gateways_in(&BTreeSet::new()).is_empty());
}

/// A gateway account 999988887777 owns and shares with this one through a share named `name`
/// (EC2 shows this account none of its tags).
fn shared_hub(id: &str, name: &str) -> Candidate {
    let mut tgw = tgw(id, None);
    tgw.owner_id = "999988887777".into();
    tgw.arn = format!("arn:aws:ec2:eu-west-1:999988887777:transit-gateway/{id}");
    Candidate {
        received: Some(ReceivedShare {
            arn: "arn:aws:ram:eu-west-1:999988887777:resource-share/77".into(),
            name: name.into(),
            owner_account_id: "999988887777".into(),
            resources: BTreeSet::from([tgw.arn.clone()]),
        }),
        tgw,
    }
}

#[test]
fn a_share_looked_up_by_arn_must_hold_one_gateway() {
    let lookup = Lookup::Share(SHARE.into());
    let gateway = |id: &str| format!("arn:aws:ec2:eu-west-1:111122223333:transit-gateway/{id}");
    assert_eq!(
        one_gateway(&lookup, &BTreeSet::from([gateway("tgw-0a")])).unwrap(),
        "tgw-0a"
    );
    for (resources, summary, names) in [
        (
            BTreeSet::new(),
            "The share holds no Transit Gateway",
            "holds nothing",
        ),
        (
            BTreeSet::from([gateway("tgw-0a"), gateway("tgw-0b")]),
            "The share holds several Transit Gateways",
            "tgw-0a, tgw-0b",
        ),
    ] {
        let Err(ReadError::Invalid(d)) = one_gateway(&lookup, &resources) else {
            panic!("an invalid lookup")
        };
        let found = errors(&d);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1.as_str()),
            ("resource_share_arn", summary)
        );
        assert!(found[0].2.contains(names), "{}", found[0].2);
    }
}

#[test]
fn a_gateway_of_another_account_answers_what_that_account_sees_and_warns_of_the_rest() {
    let hub = shared_hub("tgw-9", "migration-hub");
    let state = shared_state(&hub);
    assert_eq!(state.transit_gateway_id, "tgw-9");
    assert_eq!(state.owner_account_id, "999988887777");
    assert_eq!(state.name.as_deref(), Some("migration-hub"));
    assert_eq!(
        state.resource_share_arn.as_deref(),
        Some("arn:aws:ram:eu-west-1:999988887777:resource-share/77")
    );
    assert_eq!(state.route_table_id.as_deref(), Some("tgw-rtb-1"));
    assert_eq!(
        (
            &state.networks,
            &state.cidr_blocks,
            &state.data_center_cidr_blocks,
            &state.shared_with
        ),
        (&None, &None, &None, &None),
        "an account the hub shares with sees none of its networks"
    );
    assert!(state.to_value().conforms(&schema().implied_type()));

    let warnings = shared_view_warning(&Lookup::Id("tgw-9".into()), &hub.tgw, "222233334444");
    let found = errors(&warnings);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "transit_gateway_id");
    for part in [
        "belongs to account 999988887777",
        "account 222233334444's",
        "networks, data_center_cidr_blocks, cidr_blocks and shared_with are null",
        "read-only role",
    ] {
        assert!(found[0].2.contains(part), "{part}: {}", found[0].2);
    }
    assert!(!warnings.has_errors());
}

fn attachment(id: &str, vpc: &str, tags: &[(&str, &str)]) -> VpcAttachment {
    VpcAttachment {
        id: id.into(),
        transit_gateway_id: "tgw-1".into(),
        vpc_id: vpc.into(),
        vpc_owner_id: "111122223333".into(),
        state: "available".into(),
        subnet_ids: BTreeSet::new(),
        appliance_mode_support: false,
        dns_support: true,
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        associated_route_table: Some("tgw-rtb-1".into()),
    }
}

fn vpc(id: &str, cidrs: &[&str]) -> (String, Vpc) {
    (
        id.into(),
        Vpc {
            id: id.into(),
            owner_id: "111122223333".into(),
            cidr_blocks: cidrs.iter().map(|c| c.to_string()).collect(),
        },
    )
}

fn hub_topology(data_center_tags: BTreeMap<String, String>) -> Topology {
    Topology {
        tgw: Some(tgw("tgw-1", Some("migration-hub"))),
        share: Some(Share {
            arn: SHARE.into(),
            name: "migration-hub".into(),
            allow_external_principals: true,
            principals: BTreeSet::from(["222233334444".to_string()]),
            resources: BTreeSet::new(),
            tags: BTreeMap::new(),
        }),
        attachments: BTreeMap::from([
            (
                "vpc-1".to_string(),
                attachment("tgw-attach-1", "vpc-1", &[(NETWORK_TAG, "staging")]),
            ),
            (
                "vpc-2".to_string(),
                // Made by hand and named only by its Name tag: the hub's prefix goes.
                attachment("tgw-attach-2", "vpc-2", &[("Name", "migration-hub-target")]),
            ),
        ]),
        data_center: Some(DataCenter {
            link: DataCenterLink::DirectConnect {
                association_id: "dxa-1".into(),
                gateway_id: "dxgw-1".into(),
                state: "associated".into(),
                allowed_prefixes: BTreeSet::new(),
            },
            attachment: Some(DataCenterAttachment {
                id: "tgw-attach-dx".into(),
                state: "available".into(),
                tags: data_center_tags,
                associated_route_table: Some("tgw-rtb-1".into()),
            }),
        }),
        vpcs: BTreeMap::from([
            vpc("vpc-1", &["10.10.0.0/16", "10.11.0.0/16"]),
            vpc("vpc-2", &["10.20.0.0/16"]),
        ]),
        ..Topology::default()
    }
}

#[test]
fn the_answer_names_networks_as_the_hub_does_and_flattens_their_cidrs() {
    let tags = encode_data_center_cidrs(&BTreeSet::from([
        "192.168.0.0/16".to_string(),
        "172.16.0.0/12".to_string(),
    ]));
    let mut warnings = Diagnostics::new();
    let state = state(&hub_topology(tags), &mut warnings);
    assert!(warnings.is_empty(), "{:?}", errors(&warnings));
    assert_eq!(state.transit_gateway_id, "tgw-1");
    assert_eq!(state.name.as_deref(), Some("migration-hub"));
    assert_eq!(state.resource_share_arn.as_deref(), Some(SHARE));
    assert_eq!(state.route_table_id.as_deref(), Some("tgw-rtb-1"));
    assert_eq!(
        state.shared_with,
        Some(BTreeSet::from(["222233334444".to_string()]))
    );
    let networks = state.networks.as_ref().expect("the hub account sees them");
    assert_eq!(networks.keys().collect::<Vec<_>>(), ["staging", "target"]);
    assert_eq!(networks["target"].attachment_id, "tgw-attach-2");
    assert_eq!(
        networks["staging"].cidr_blocks,
        BTreeSet::from(["10.10.0.0/16".to_string(), "10.11.0.0/16".to_string()])
    );
    let set = |cidrs: &[&str]| cidrs.iter().map(|c| c.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        state.data_center_cidr_blocks,
        Some(set(&["172.16.0.0/12", "192.168.0.0/16"]))
    );
    assert_eq!(
        state.cidr_blocks,
        Some(set(&[
            "10.10.0.0/16",
            "10.11.0.0/16",
            "10.20.0.0/16",
            "172.16.0.0/12",
            "192.168.0.0/16"
        ]))
    );
    assert!(state.to_value().conforms(&schema().implied_type()));
}

#[test]
fn a_data_center_whose_networks_cannot_be_told_is_a_warning_and_left_out() {
    let mut warnings = Diagnostics::new();
    let answer = state(&hub_topology(BTreeMap::new()), &mut warnings);
    let found = errors(&warnings);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "data_center_cidr_blocks");
    assert_eq!(answer.data_center_cidr_blocks, Some(BTreeSet::new()));
    assert_eq!(answer.cidr_blocks.map(|c| c.len()), Some(3));

    let mut without = hub_topology(BTreeMap::new());
    without.data_center = None;
    let mut warnings = Diagnostics::new();
    assert_eq!(
        state(&without, &mut warnings).data_center_cidr_blocks,
        Some(BTreeSet::new())
    );
    assert!(warnings.is_empty());
}
