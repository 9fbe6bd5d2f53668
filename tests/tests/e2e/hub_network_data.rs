//! `data "migration_hub_network"` against the emulator: a hub shared with a spoke account, found
//! by its gateway id, its share's ARN and its name, each answering the same networks by the
//! hub's names; lookups that name none or several hubs are errors naming the argument and what
//! was found; and the same three lookups from the spoke account, which sees the gateway and the
//! share but none of the hub's networks: the answer has the gateway, its owner and the share,
//! and a warning saying the networks need the hub account's credentials; and an external spoke
//! whose invitation is not accepted yet, told the share has not reached it.

use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use harness::terraform::Plan;
use harness::{LaunchOptions, Terraform};
use serde_json::json;
use terraform_provider_migration::protocol::cty::Value;

use crate::hub_network_support::*;

const DATA: &str = "data.migration_hub_network.hub";
const SPOKE: &str = "222233334444";

fn hub(staging: &Net, target: &Net, dx: &str) -> String {
    format!(
        r#"
  name       = "migration-hub"
  share_with = ["{SPOKE}"]
  vpc_attachments = {{
    staging = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
    target = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
  }}
  data_center = {{
    cidr_blocks               = ["192.168.0.0/16", "172.16.0.0/12"]
    direct_connect_gateway_id = "{dx}"
  }}
"#,
        staging.vpc,
        list(&staging.subnets),
        list(&staging.tables),
        target.vpc,
        list(&target.subnets),
        list(&target.tables),
    )
}

fn data(arguments: &str) -> String {
    format!("\ndata \"migration_hub_network\" \"hub\" {{\n{arguments}\n}}\n")
}

fn read(plan: &Plan) -> &Value {
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let value = &plan.data[DATA];
    assert!(value.is_wholly_known(), "read during plan: {value:?}");
    value
}

fn strings(value: &Value) -> Vec<String> {
    let Value::Set(items) = value else {
        panic!("a set: {value:?}")
    };
    let mut found: Vec<String> = items
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    found.sort();
    found
}

/// The one error of a plan: (attribute, summary, detail).
fn only_error(plan: &Plan) -> (String, String, String) {
    let errors = plan.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    (
        errors[0]
            .attribute
            .as_ref()
            .map_or(String::new(), ToString::to_string),
        errors[0].summary.clone(),
        errors[0].detail.clone(),
    )
}

/// A world whose spoke account is in the hub's Organization, so the share needs no invitation.
async fn world() -> World {
    let world = World::start().await;
    let mut config = small_delays();
    config["delays"]["ram_share.propagation"] = json!(0.3);
    config["organizations"] = json!({"o-exampleorgid1": {
        "management_account": OWNER,
        "accounts": [SPOKE],
        "ram_sharing_enabled": true,
    }});
    world.emulator.configure(config).await.unwrap();
    world
}

#[tokio::test]
async fn each_lookup_finds_the_hub_and_answers_its_networks_by_the_hubs_names() {
    let mut world = world().await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    world.secondary_cidr(&target.vpc, "10.102.0.0/16").await;
    let dx = world.direct_connect_gateway(65000).await;
    let config = world.config(&hub(&staging, &target, &dx));
    world.converge(&config).await;
    let state = world.state();
    let tgw = text(&state, &["id"]);
    let share = text(&state, &["resource_share_arn"]);

    let mut answers = Vec::new();
    for lookup in [
        format!("transit_gateway_id = \"{tgw}\""),
        format!("resource_share_arn = \"{share}\""),
        "name = \"migration-hub\"".to_string(),
    ] {
        let plan = world
            .tf
            .plan(&format!("{config}{}", data(&lookup)))
            .await
            .unwrap();
        let value = read(&plan).clone();
        assert_eq!(text(&value, &["transit_gateway_id"]), tgw, "{lookup}");
        assert_eq!(text(&value, &["resource_share_arn"]), share, "{lookup}");
        assert_eq!(text(&value, &["name"]), "migration-hub", "{lookup}");
        answers.push(value);
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "every lookup answers the same: {answers:#?}"
    );
    let value = &answers[0];
    assert_eq!(text(value, &["owner_account_id"]), OWNER);
    assert!(text(value, &["transit_gateway_arn"]).ends_with(&format!("transit-gateway/{tgw}")));
    assert!(text(value, &["route_table_id"]).starts_with("tgw-rtb-"));
    assert_eq!(strings(get(value, &["shared_with"])), [SPOKE]);
    let networks = get(value, &["networks"]).as_map().expect("a map");
    assert_eq!(networks.keys().collect::<Vec<_>>(), ["staging", "target"]);
    assert_eq!(text(value, &["networks", "target", "vpc_id"]), target.vpc);
    assert!(text(value, &["networks", "staging", "attachment_id"]).starts_with("tgw-attach-"));
    assert_eq!(
        strings(get(value, &["networks", "target", "cidr_blocks"])),
        ["10.102.0.0/16", "10.2.0.0/16"]
    );
    assert_eq!(
        strings(get(value, &["data_center_cidr_blocks"])),
        ["172.16.0.0/12", "192.168.0.0/16"]
    );
    assert_eq!(
        strings(get(value, &["cidr_blocks"])),
        [
            "10.1.0.0/16",
            "10.102.0.0/16",
            "10.2.0.0/16",
            "172.16.0.0/12",
            "192.168.0.0/16"
        ]
    );

    // A name nobody carries: the error lists the hubs there are.
    let plan = world
        .tf
        .plan(&format!("{config}{}", data("name = \"migration-hubb\"")))
        .await
        .unwrap();
    let (attribute, summary, detail) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("name", "Hub not found")
    );
    assert!(
        detail.contains(&format!("The hubs there are: {tgw} \"migration-hub\"")),
        "{detail}"
    );

    // A share this account does not own.
    let missing = share.replace(share.rsplit('/').next().unwrap(), "0000-missing");
    let plan = world
        .tf
        .plan(&format!(
            "{config}{}",
            data(&format!("resource_share_arn = \"{missing}\""))
        ))
        .await
        .unwrap();
    let (attribute, summary, _) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("resource_share_arn", "Resource share not found")
    );

    // A second gateway made by hand with the same Name: the lookup by name names both.
    let other = world
        .aws
        .ec2
        .create_transit_gateway()
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::TransitGateway)
                .tags(Tag::builder().key("Name").value("migration-hub").build())
                .build(),
        )
        .send()
        .await
        .unwrap()
        .transit_gateway()
        .unwrap()
        .transit_gateway_id()
        .unwrap()
        .to_string();
    let plan = world
        .tf
        .plan(&format!("{config}{}", data("name = \"migration-hub\"")))
        .await
        .unwrap();
    let (attribute, summary, detail) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("name", "Several hubs have this name")
    );
    for id in [&tgw, &other] {
        assert!(detail.contains(id.as_str()), "{detail}");
    }
    // The id still names the hub alone.
    let plan = world
        .tf
        .plan(&format!(
            "{config}{}",
            data(&format!("transit_gateway_id = \"{tgw}\""))
        ))
        .await
        .unwrap();
    assert_eq!(read(&plan), value);
}

#[tokio::test]
async fn no_lookup_or_several_are_errors_naming_the_arguments() {
    let world = World::start().await;
    let provider = world.emulator.provider_block("");
    let mut tf = world.tf;
    let plan = tf.plan(&format!("{provider}{}", data(""))).await.unwrap();
    let (attribute, summary, detail) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("", "No hub to look up")
    );
    assert!(
        detail.contains("Set exactly one of transit_gateway_id"),
        "{detail}"
    );

    let plan = tf
        .plan(&format!(
            "{provider}{}",
            data("transit_gateway_id = \"tgw-0a1b\"\n  name = \"migration-hub\"")
        ))
        .await
        .unwrap();
    let (attribute, summary, detail) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("name", "Several hub lookups")
    );
    assert!(
        detail.contains("Both transit_gateway_id and name are set"),
        "{detail}"
    );

    let plan = tf
        .plan(&format!(
            "{provider}{}",
            data("transit_gateway_id = \"tgw-0123456789abcdef0\"")
        ))
        .await
        .unwrap();
    let (attribute, summary, _) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("transit_gateway_id", "Transit Gateway not found")
    );
}

/// Waits until the spoke account's EC2 shows the hub's gateway.
async fn visible_to_the_spoke(world: &World, tgw: &str) {
    let spoke = world.emulator.clients(SPOKE).await.unwrap();
    let started = Instant::now();
    loop {
        let visible = spoke
            .ec2
            .describe_transit_gateways()
            .transit_gateway_ids(tgw)
            .send()
            .await
            .is_ok();
        if visible {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never shared");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_spoke_account_finds_the_shared_hub_and_is_told_where_the_networks_are() {
    let mut world = world().await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    let dx = world.direct_connect_gateway(65000).await;
    let config = world.config(&hub(&staging, &target, &dx));
    world.converge(&config).await;
    let tgw = text(&world.state(), &["id"]);

    // The gateway reaches the spoke account through the share.
    visible_to_the_spoke(&world, &tgw).await;

    let state = world.state();
    let share = text(&state, &["resource_share_arn"]);

    let mut tf = Terraform::new(LaunchOptions {
        env: world.emulator.provider_env(SPOKE),
        ..Default::default()
    });
    let provider = world.emulator.provider_block("");
    let mut answers = Vec::new();
    for (attribute, lookup) in [
        (
            "transit_gateway_id",
            format!("transit_gateway_id = \"{tgw}\""),
        ),
        (
            "resource_share_arn",
            format!("resource_share_arn = \"{share}\""),
        ),
        // The spoke sees no tag of the hub's gateway: the name is its share's.
        ("name", "name = \"migration-hub\"".to_string()),
    ] {
        let plan = tf
            .plan(&format!("{provider}{}", data(&lookup)))
            .await
            .unwrap();
        let value = read(&plan).clone();
        assert_eq!(text(&value, &["transit_gateway_id"]), tgw, "{lookup}");
        assert_eq!(text(&value, &["resource_share_arn"]), share, "{lookup}");
        assert_eq!(text(&value, &["name"]), "migration-hub", "{lookup}");
        assert_eq!(text(&value, &["owner_account_id"]), OWNER, "{lookup}");
        assert!(text(&value, &["route_table_id"]).starts_with("tgw-rtb-"));
        for hidden in [
            "networks",
            "cidr_blocks",
            "data_center_cidr_blocks",
            "shared_with",
        ] {
            assert!(get(&value, &[hidden]).is_null(), "{hidden}: {value:?}");
        }
        let warnings = plan.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        assert_eq!(
            warnings[0].attribute.as_ref().map(ToString::to_string),
            Some(attribute.to_string())
        );
        assert_eq!(
            warnings[0].summary,
            "The hub's networks are visible only to the hub account"
        );
        for part in [
            format!("{tgw} belongs to account {OWNER}"),
            format!("account {SPOKE}'s"),
            "read-only role".to_string(),
        ] {
            assert!(warnings[0].detail.contains(&part), "{}", warnings[0].detail);
        }
        answers.push(value);
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "every lookup answers the same: {answers:#?}"
    );

    // A name neither the spoke's gateways nor its shares carry: the error lists the hub the
    // spoke can see, by its share's name.
    let plan = tf
        .plan(&format!("{provider}{}", data("name = \"migration-hubb\"")))
        .await
        .unwrap();
    let (attribute, summary, detail) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("name", "Hub not found")
    );
    assert!(
        detail.contains(&format!(
            "The hubs there are: {tgw} \"migration-hub\" (account {OWNER}, shared with this \
             account)"
        )),
        "{detail}"
    );
}

#[tokio::test]
async fn a_spoke_the_share_has_not_reached_yet_is_told_so_and_finds_the_hub_once_it_accepts() {
    // No Organization: the spoke account is external and gets an invitation.
    let mut world = World::start().await;
    let mut delays = small_delays();
    delays["delays"]["ram_share.propagation"] = json!(0.3);
    world.emulator.configure(delays).await.unwrap();
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    let dx = world.direct_connect_gateway(65000).await;
    let config = world.config(&hub(&staging, &target, &dx));
    world.converge(&config).await;
    let state = world.state();
    let tgw = text(&state, &["id"]);
    let share = text(&state, &["resource_share_arn"]);

    let mut tf = Terraform::new(LaunchOptions {
        env: world.emulator.provider_env(SPOKE),
        ..Default::default()
    });
    let provider = world.emulator.provider_block("");
    let by_share = format!(
        "{provider}{}",
        data(&format!("resource_share_arn = \"{share}\""))
    );
    let plan = tf.plan(&by_share).await.unwrap();
    let (attribute, summary, detail) = only_error(&plan);
    assert_eq!(
        (attribute.as_str(), summary.as_str()),
        ("resource_share_arn", "Resource share not found")
    );
    for part in [
        format!("Account {SPOKE} neither owns nor receives"),
        "an invitation not accepted yet".to_string(),
    ] {
        assert!(detail.contains(&part), "{detail}");
    }

    // The spoke accepts the invitation (once RAM shows it): the same lookup finds the hub.
    let spoke = world.emulator.clients(SPOKE).await.unwrap();
    let started = Instant::now();
    let invitation = loop {
        let invitations = spoke
            .ram
            .get_resource_share_invitations()
            .send()
            .await
            .unwrap();
        if let Some(arn) = invitations
            .resource_share_invitations()
            .first()
            .and_then(|i| i.resource_share_invitation_arn())
        {
            break arn.to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never invited");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    spoke
        .ram
        .accept_resource_share_invitation()
        .resource_share_invitation_arn(invitation)
        .send()
        .await
        .unwrap();
    visible_to_the_spoke(&world, &tgw).await;
    let plan = tf.plan(&by_share).await.unwrap();
    let value = read(&plan);
    assert_eq!(text(value, &["transit_gateway_id"]), tgw);
    assert_eq!(text(value, &["resource_share_arn"]), share);
    assert_eq!(text(value, &["owner_account_id"]), OWNER);
    assert!(get(value, &["cidr_blocks"]).is_null(), "{value:?}");
    assert_eq!(plan.warnings().len(), 1, "{:#?}", plan.warnings());
}
