//! `migration_replication_staging_area` on real Terraform, `tests/terraform/cases/
//! replication_staging_area/`: a NAT-mode staging area on a seeded staging VPC is applied, the
//! next plan is empty, and a destroy leaves nothing of it; a source network the staging subnet
//! does not route back is an `Error:` on the line of `source_cidr_blocks`. The private-mode
//! example, `examples/replication-staging-private/`, is applied on a VPC without an internet
//! gateway: its interface endpoints (`mgn`, `ec2`, `s3`) and S3 gateway endpoint exist, the next
//! plan is empty, and a destroy leaves nothing of it. Without `source_cidr_blocks`, a staging
//! area on a VPC that a hub made in the same apply attaches lets the hub's data center in.

use std::collections::{BTreeMap, BTreeSet};

use harness::cli::{Cli, Severity, case_line, diagnostics};
use harness::docs::repository_root;
use harness::emulator::REGION;
use harness::seed::{self, StagingVpc};
use serde_json::json;

use crate::scenario;
use crate::world::{World, assert_no_changes, objects, text};

const CASE: &str = "replication_staging_area";
const STAGING: &str = "migration_replication_staging_area.staging";
const DATA_CENTER: &str = "192.168.0.0/16";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(nat_staging_area_applies_replans_empty_and_destroys_to_nothing),
        scenario!(per_zone_nat_staging_area_applies_replans_empty_and_destroys_to_nothing),
        scenario!(an_unrouted_source_network_is_an_error_on_its_argument),
        scenario!(private_example_applies_replans_empty_and_destroys_to_nothing),
        scenario!(without_source_networks_the_hubs_data_center_is_let_in),
        scenario!(replace_without_create_before_destroy_rebuilds_the_staging_area),
        scenario!(create_before_destroy_replacement_is_refused_before_anything_is_created),
        scenario!(plan_time_checks_point_at_their_argument),
        scenario!(uninitialized_mgn_is_an_error_saying_how_to_initialize),
    ]
}

/// A world of `case` with MGN initialized and a staging VPC (10.60.0.0/16) whose staging
/// subnet routes `routed`.
async fn mgn_world(cli: &Cli, case: &str, routed: &[&str]) -> (World, StagingVpc) {
    let world = World::start(cli, case).await;
    world
        .emulator
        .configure(json!({
            "delays": {"nat_gateway.pending": 0.3, "nat_gateway.deleting": 0.3},
            "mgn_initialized": [crate::world::ACCOUNT],
        }))
        .await
        .unwrap();
    let vpc = seed::staging_vpc(
        &world.aws.ec2,
        "10.60.0.0/16",
        "10.60.200.0/24",
        "10.60.0.0/24",
        routed,
    )
    .await
    .unwrap();
    (world, vpc)
}

/// The NAT-mode case's world, its staging subnet routing `routed`, the data center its source.
async fn staging_world(cli: &Cli, routed: &[&str]) -> (World, StagingVpc) {
    let (world, vpc) = mgn_world(cli, CASE, routed).await;
    world.ws.set_vars(&json!({
        "staging": {
            "vpc_id": vpc.vpc_id,
            "staging_subnet_id": vpc.staging_subnet_id,
            "nat_subnet_id": vpc.public_subnet_id,
        },
        "source_cidr_blocks": [DATA_CENTER],
    }));
    world.ws.init().await;
    (world, vpc)
}

/// What AWS holds of the staging area: (security groups, NAT gateways not deleted, MGN
/// templates) carrying its owner tag.
async fn held(world: &World, vpc: &str) -> (usize, usize, usize) {
    let by_owner = aws_sdk_ec2::types::Filter::builder()
        .name("tag:migration:owner")
        .values(vpc)
        .build();
    let groups = world
        .aws
        .ec2
        .describe_security_groups()
        .filters(by_owner.clone())
        .send()
        .await
        .unwrap()
        .security_groups()
        .len();
    let nats = world
        .aws
        .ec2
        .describe_nat_gateways()
        .filter(by_owner)
        .send()
        .await
        .unwrap()
        .nat_gateways()
        .iter()
        .filter(|n| n.state().is_some_and(|s| s.as_str() != "deleted"))
        .count();
    let templates = world
        .aws
        .mgn
        .describe_replication_configuration_templates()
        .send()
        .await
        .unwrap()
        .items()
        .iter()
        .filter(|t| t.tags().and_then(|tags| tags.get("migration:owner")) == Some(&vpc.to_string()))
        .count();
    (groups, nats, templates)
}

async fn nat_staging_area_applies_replans_empty_and_destroys_to_nothing(cli: Cli) {
    let (world, vpc) = staging_world(&cli, &[DATA_CENTER]).await;
    let applied = world.ws.apply(&[]).await;
    assert!(applied.success(), "{}", applied.report("apply"));
    assert_no_changes(&world.ws, "the apply").await;
    let values = world.ws.resource(STAGING).await.unwrap();
    assert!(text(&values, "id").starts_with("rct-"), "{values:#}");
    assert_eq!(text(&values, "route_table_id"), vpc.staging_table_id);
    assert_eq!(text(&values, "data_plane_routing"), "PRIVATE_IP");
    assert_eq!(held(&world, &vpc.vpc_id).await, (1, 1, 1));

    let destroyed = world.ws.destroy(&[]).await;
    assert!(destroyed.success(), "{}", destroyed.report("destroy"));
    assert_eq!(held(&world, &vpc.vpc_id).await, (0, 0, 0));
}

/// The NAT gateways, Elastic IPs and default routes to NAT gateways of `vpc` in the
/// inventory: (NAT subnet → (NAT gateway, allocation)), allocations, (table, NAT gateway).
#[allow(clippy::type_complexity)]
async fn way_out(
    world: &World,
    vpc: &str,
) -> (
    BTreeMap<String, (String, String)>,
    BTreeSet<String>,
    BTreeSet<(String, String)>,
) {
    let inventory = world.inventory().await;
    let nats: BTreeMap<String, (String, String)> = objects(&inventory, "nat_gateways")
        .into_iter()
        .filter(|n| n["vpc_id"] == vpc)
        .map(|n| {
            (
                text(n, "subnet_id"),
                (
                    text(n, "id"),
                    n["allocation_ids"][0]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ),
            )
        })
        .collect();
    let addresses = objects(&inventory, "elastic_ips")
        .into_iter()
        .filter(|a| a["tags"]["migration:owner"] == vpc)
        .map(|a| text(a, "allocation_id"))
        .collect();
    let routes = objects(&inventory, "vpc_routes_to_nat_gateways")
        .into_iter()
        .filter(|r| r["vpc_id"] == vpc && r["destination"] == "0.0.0.0/0")
        .map(|r| (text(r, "route_table_id"), text(r, "nat_gateway_id")))
        .collect();
    (nats, addresses, routes)
}

/// A second staging zone (`b`) in the staging VPC: a public subnet 10.60.201.0/24 and a staging
/// subnet 10.60.1.0/24 routed to the data center.
async fn zone_b(world: &World, vpc: &StagingVpc) -> seed::StagingZone {
    seed::staging_zone(
        &world.aws.ec2,
        &vpc.vpc_id,
        "b",
        "10.60.201.0/24",
        "10.60.1.0/24",
        &[DATA_CENTER],
    )
    .await
    .unwrap()
}

/// The case's variables for staging subnets in zone a and `b`, NAT gateways in `nats`.
fn two_zones(vpc: &StagingVpc, b: &seed::StagingZone, nats: &[&String]) -> serde_json::Value {
    json!({
        "staging": {
            "vpc_id": vpc.vpc_id,
            "staging_subnet_id": vpc.staging_subnet_id,
            "additional_staging_subnet_ids": [b.staging_subnet_id],
            "nat_subnet_ids": nats,
        },
        "source_cidr_blocks": [DATA_CENTER],
    })
}

/// Staging subnets in two zones, each leaving through a NAT gateway of its own zone: one apply
/// makes a NAT gateway and an Elastic IP per zone and routes each staging subnet's table to its
/// zone's, the next plan is empty, and a destroy leaves nothing of it.
async fn per_zone_nat_staging_area_applies_replans_empty_and_destroys_to_nothing(cli: Cli) {
    let (world, vpc) = mgn_world(&cli, CASE, &[DATA_CENTER]).await;
    let b = zone_b(&world, &vpc).await;
    world.ws.set_vars(&two_zones(
        &vpc,
        &b,
        &[&vpc.public_subnet_id, &b.public_subnet_id],
    ));
    world.ws.init().await;
    let applied = world.ws.apply(&[]).await;
    assert!(applied.success(), "{}", applied.report("apply"));
    assert_no_changes(&world.ws, "the apply").await;

    let (nats, addresses, routes) = way_out(&world, &vpc.vpc_id).await;
    assert_eq!(
        nats.keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from([vpc.public_subnet_id.clone(), b.public_subnet_id.clone()]),
        "{nats:#?}"
    );
    let holding: BTreeSet<String> = nats.values().map(|(_, a)| a.clone()).collect();
    assert_eq!(holding.len(), 2, "an Elastic IP each: {nats:#?}");
    assert_eq!(addresses, holding, "every address held, none extra");
    let nat_a = nats[&vpc.public_subnet_id].0.clone();
    let nat_b = nats[&b.public_subnet_id].0.clone();
    assert_eq!(
        routes,
        BTreeSet::from([
            (vpc.staging_table_id.clone(), nat_a.clone()),
            (b.staging_table_id.clone(), nat_b.clone()),
        ])
    );
    let values = world.ws.resource(STAGING).await.unwrap();
    assert_eq!(values["nat_gateway_ids"][&vpc.public_subnet_id], nat_a);
    assert_eq!(values["nat_gateway_ids"][&b.public_subnet_id], nat_b);
    assert_eq!(text(&values, "nat_gateway_id"), nat_a);
    assert_eq!(
        values["route_table_ids"][&b.staging_subnet_id],
        b.staging_table_id.as_str()
    );
    assert_eq!(
        values["nat_public_ips"].as_object().map(|ips| ips.len()),
        Some(2),
        "{values:#}"
    );
    assert_eq!(held(&world, &vpc.vpc_id).await, (1, 2, 1));

    let destroyed = world.ws.destroy(&[]).await;
    assert!(destroyed.success(), "{}", destroyed.report("destroy"));
    assert_eq!(
        way_out(&world, &vpc.vpc_id).await,
        (BTreeMap::new(), BTreeSet::new(), BTreeSet::new())
    );
    assert_eq!(held(&world, &vpc.vpc_id).await, (0, 0, 0));
}

async fn an_unrouted_source_network_is_an_error_on_its_argument(cli: Cli) {
    let (world, vpc) = staging_world(&cli, &[]).await;
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(1), "{}", plan.report("fails"));
    let found = diagnostics(&plan.output());
    let diagnostic = found
        .iter()
        .find(|d| d.severity == Severity::Error && d.summary == "Source network not routed back")
        .unwrap_or_else(|| {
            panic!(
                "no Error: Source network not routed back\n{}",
                plan.report("plan")
            )
        });
    assert_eq!(
        diagnostic.address.as_deref(),
        Some(STAGING),
        "{diagnostic:#?}"
    );
    let line = case_line(
        CASE,
        "main.tf",
        "source_cidr_blocks = var.source_cidr_blocks",
    );
    assert_eq!(
        diagnostic.location(),
        Some(format!("main.tf:{line}")),
        "{diagnostic:#?}"
    );
    assert!(diagnostic.body.contains(DATA_CENTER), "{diagnostic:#?}");
    assert!(
        diagnostic.body.contains(&vpc.staging_table_id),
        "{diagnostic:#?}"
    );
    assert_eq!(
        held(&world, &vpc.vpc_id).await,
        (0, 0, 0),
        "nothing created"
    );
}

/// The VPC endpoints of `vpc` in the inventory as (type, service, subnets, route tables, state),
/// sorted.
async fn endpoints(
    world: &World,
    vpc: &str,
) -> Vec<(String, String, Vec<String>, Vec<String>, String)> {
    let inventory = world.inventory().await;
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let mut found: Vec<_> = objects(&inventory, "vpc_endpoints")
        .into_iter()
        .filter(|e| e["vpc_id"] == vpc)
        .map(|e| {
            (
                text(e, "type"),
                text(e, "service_name"),
                strings(&e["subnet_ids"]),
                strings(&e["route_table_ids"]),
                text(e, "state"),
            )
        })
        .collect();
    found.sort();
    found
}

async fn private_example_applies_replans_empty_and_destroys_to_nothing(cli: Cli) {
    let world = World::empty(&cli, "replication-staging-private").await;
    world
        .emulator
        .configure(json!({
            "delays": {"vpc_endpoint.pending": 0.3, "vpc_endpoint.deleting": 0.3},
            "mgn_initialized": [crate::world::ACCOUNT],
        }))
        .await
        .unwrap();
    world
        .ws
        .use_dir(&repository_root().join("examples/replication-staging-private"));
    let (vpc, subnet, table) = seed::private_staging_vpc(
        &world.aws.ec2,
        "10.70.0.0/16",
        "10.70.0.0/24",
        &[DATA_CENTER],
    )
    .await
    .unwrap();
    world.ws.set_vars(&json!({
        "vpc_id": vpc,
        "staging_subnet_id": subnet,
        "data_center_cidrs": [DATA_CENTER],
    }));
    world.ws.init().await;

    let applied = world.ws.apply(&[]).await;
    assert!(applied.success(), "{}", applied.report("apply"));
    assert!(
        applied
            .stdout
            .contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed."),
        "{}",
        applied.report("applies the staging area")
    );
    assert_no_changes(&world.ws, "the apply").await;
    let values = world
        .ws
        .resource("migration_replication_staging_area.private")
        .await
        .unwrap();
    assert!(values["nat_gateway_id"].is_null(), "{values:#}");
    assert_eq!(text(&values, "data_plane_routing"), "PRIVATE_IP");
    // The interface endpoints in the staging subnet, the S3 gateway endpoint on its table, all
    // available; no NAT gateway, no Elastic IP.
    let service = |name: &str| format!("com.amazonaws.{REGION}.{name}");
    let interface = |name: &str| {
        (
            "Interface".to_string(),
            service(name),
            vec![subnet.clone()],
            Vec::new(),
            "available".to_string(),
        )
    };
    let mut expected = vec![
        interface("ec2"),
        interface("mgn"),
        interface("s3"),
        (
            "Gateway".to_string(),
            service("s3"),
            Vec::new(),
            vec![table.clone()],
            "available".to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(endpoints(&world, &vpc).await, expected);
    let ids = values["vpc_endpoint_ids"]
        .as_object()
        .expect("endpoint ids");
    assert_eq!(
        ids.keys().map(String::as_str).collect::<Vec<_>>(),
        ["ec2", "mgn", "s3", "s3-gateway"]
    );
    assert_eq!(held(&world, &vpc).await, (1, 0, 1));
    let inventory = world.inventory().await;
    assert!(
        objects(&inventory, "elastic_ips").is_empty(),
        "{:#}",
        inventory["elastic_ips"]
    );

    let destroyed = world.ws.destroy(&[]).await;
    assert!(destroyed.success(), "{}", destroyed.report("destroy"));
    assert_eq!(endpoints(&world, &vpc).await, Vec::new());
    assert_eq!(held(&world, &vpc).await, (0, 0, 0));
}

async fn without_source_networks_the_hubs_data_center_is_let_in(cli: Cli) {
    const OTHER_DATA_CENTER: &str = "172.16.0.0/12";
    // The hub routes the data center to the staging subnet's table: nothing routes it before.
    let (world, vpc) = mgn_world(&cli, "replication_staging_area_hub", &[]).await;
    let dx = world.direct_connect_gateway(65010).await;
    world.ws.set_vars(&json!({
        "staging": {
            "vpc_id": vpc.vpc_id,
            "staging_subnet_id": vpc.staging_subnet_id,
            "nat_subnet_id": vpc.public_subnet_id,
            "route_table_id": vpc.staging_table_id,
        },
        "direct_connect_gateway_id": dx,
        "data_center_cidrs": [DATA_CENTER, OTHER_DATA_CENTER],
    }));
    world.ws.init().await;

    // The first plan cannot know the sources (no hub attaches the VPC yet) and checks nothing
    // about them; the apply reads them once the hub is there.
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans both"));
    assert!(
        plan.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.report("plans the hub and the staging area")
    );
    let applied = world.ws.apply(&[]).await;
    assert!(applied.success(), "{}", applied.report("apply"));
    assert_no_changes(&world.ws, "the apply").await;
    let values = world.ws.resource(STAGING).await.unwrap();
    assert_eq!(
        values["source_cidr_blocks"],
        json!([OTHER_DATA_CENTER, DATA_CENTER]),
        "{values:#}"
    );
    let inventory = world.inventory().await;
    let group = objects(&inventory, "security_groups")
        .into_iter()
        .find(|g| g["id"] == values["security_group_id"])
        .expect("the replication servers' group");
    let mut ingress: Vec<(i64, String)> = group["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| (r["from_port"].as_i64().unwrap_or(-1), text(r, "cidr")))
        .collect();
    ingress.sort();
    assert_eq!(
        ingress,
        [
            (1500, OTHER_DATA_CENTER.to_string()),
            (1500, DATA_CENTER.to_string())
        ],
        "{group:#}"
    );
    assert_eq!(held(&world, &vpc.vpc_id).await, (1, 1, 1));

    // PRIVATE_IP through this hub is walked through its route table: a blackhole route to
    // the staging VPC put there out of band is the staging area's one error, on the resource
    // (`source_cidr_blocks` is not in the configuration), naming the table.
    let hub = world
        .ws
        .resource("migration_hub_network.hub")
        .await
        .unwrap();
    let hub_table = text(&hub, "route_table_id");
    let ec2 = &world.aws.ec2;
    ec2.create_transit_gateway_route()
        .transit_gateway_route_table_id(&hub_table)
        .destination_cidr_block("10.60.0.0/16")
        .blackhole(true)
        .send()
        .await
        .unwrap();
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(1), "{}", plan.report("the walk refuses"));
    let errors: Vec<_> = diagnostics(&plan.output())
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].summary,
        "Source network not reachable through the hub"
    );
    assert_eq!(
        errors[0].address.as_deref(),
        Some(STAGING),
        "{:#?}",
        errors[0]
    );
    let resource_line = case_line(
        "replication_staging_area_hub",
        "main.tf",
        "resource \"migration_replication_staging_area\" \"staging\" {",
    );
    assert_eq!(
        errors[0].location(),
        Some(format!("main.tf:{resource_line}")),
        "{:#?}",
        errors[0]
    );
    assert!(errors[0].body.contains(&hub_table), "{:#?}", errors[0]);
    ec2.delete_transit_gateway_route()
        .transit_gateway_route_table_id(&hub_table)
        .destination_cidr_block("10.60.0.0/16")
        .send()
        .await
        .unwrap();
    assert_no_changes(&world.ws, "the blackhole removed").await;

    let destroyed = world.ws.destroy(&[]).await;
    assert!(destroyed.success(), "{}", destroyed.report("destroy"));
    assert_eq!(held(&world, &vpc.vpc_id).await, (0, 0, 0));
}

/// The ids of the staging area's objects in its state: (security group, NAT gateway, template).
async fn object_ids(world: &World) -> (String, String, String) {
    let values = world.ws.resource(STAGING).await.unwrap();
    (
        text(&values, "security_group_id"),
        text(&values, "nat_gateway_id"),
        text(&values, "id"),
    )
}

/// `terraform apply -replace` without `create_before_destroy`: the old staging area is
/// destroyed first, then a new one is built (new security group, NAT gateway and template),
/// nothing of the old one is left, the next plan is empty and a destroy leaves nothing.
async fn replace_without_create_before_destroy_rebuilds_the_staging_area(cli: Cli) {
    let (world, vpc) = staging_world(&cli, &[DATA_CENTER]).await;
    world.ws.apply(&[]).await.ok();
    let before = object_ids(&world).await;
    let replaced = world.ws.apply(&[&format!("-replace={STAGING}")]).await;
    assert!(replaced.success(), "{}", replaced.report("replace"));
    let after = object_ids(&world).await;
    assert_ne!(after.0, before.0, "a new security group");
    assert_ne!(after.1, before.1, "a new NAT gateway");
    assert_ne!(after.2, before.2, "a new template");
    assert_eq!(
        held(&world, &vpc.vpc_id).await,
        (1, 1, 1),
        "nothing of the old staging area is left"
    );
    assert_no_changes(&world.ws, "the replacement").await;
    world.ws.destroy(&[]).await.ok();
    assert_eq!(held(&world, &vpc.vpc_id).await, (0, 0, 0));
}

/// `lifecycle { create_before_destroy = true }` and `terraform apply -replace`: a VPC has one
/// staging area (its staging subnet's default route leads to one NAT gateway), so the new
/// instance cannot be built beside the old one. Terraform does not tell a provider whether a
/// replacement is create-before-destroy, so the plan cannot refuse it (that would also refuse a
/// plain `-replace`): the create refuses it, before creating anything, with an error naming
/// `create_before_destroy` and what to do. The old staging area stays, untouched, in AWS and in
/// the state, and the next plan is empty.
async fn create_before_destroy_replacement_is_refused_before_anything_is_created(cli: Cli) {
    let (world, vpc) = staging_world(&cli, &[DATA_CENTER]).await;
    world.ws.apply(&[]).await.ok();
    // The first read after the create confirms the security group (DeleteTags of its marker).
    assert_no_changes(&world.ws, "the apply").await;
    let before = object_ids(&world).await;
    world.ws.write(
        "replace_override.tf",
        "resource \"migration_replication_staging_area\" \"staging\" {\n  lifecycle {\n    \
         create_before_destroy = true\n  }\n}\n",
    );
    world.emulator.clear_calls().await.unwrap();
    let refused = world
        .ws
        .apply(&[&format!("-replace={STAGING}")])
        .await
        .failed();
    let found = diagnostics(&refused.output());
    let error = found
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap_or_else(|| panic!("no error\n{}", refused.report("replace")));
    let body = error.body.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in [
        vpc.vpc_id.as_str(),
        before.0.as_str(),
        "one per VPC",
        "create_before_destroy",
    ] {
        assert!(body.contains(needed), "{needed}: {error:#?}");
    }
    let calls = world.emulator.all_calls().await.unwrap();
    let mutations: Vec<&str> = calls
        .iter()
        .map(|call| call.action.as_str())
        .filter(|action| {
            [
                "Create",
                "Delete",
                "Allocate",
                "Release",
                "Authorize",
                "Revoke",
                "Replace",
            ]
            .iter()
            .any(|verb| action.starts_with(verb))
        })
        .collect();
    assert!(
        mutations.is_empty(),
        "nothing changed in AWS: {mutations:?}"
    );
    assert_eq!(object_ids(&world).await, before, "the old instance is kept");
    assert_eq!(held(&world, &vpc.vpc_id).await, (1, 1, 1));
    std::fs::remove_file(world.ws.dir.join("replace_override.tf")).unwrap();
    assert_no_changes(&world.ws, "the refused replacement").await;
    world.ws.destroy(&[]).await.ok();
    assert_eq!(held(&world, &vpc.vpc_id).await, (0, 0, 0));
}

/// The only error of a failed plan, checked for its summary and its place in the
/// configuration (`file:line`); nothing was created.
async fn refused_with(world: &World, vpc: &str, summary: &str, location: &str) -> String {
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(1), "{}", plan.report(summary));
    let found = diagnostics(&plan.output());
    let errors: Vec<_> = found
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{summary}: {errors:#?}");
    assert_eq!(errors[0].summary, summary, "{errors:#?}");
    assert_eq!(
        errors[0].address.as_deref(),
        Some(STAGING),
        "{:#?}",
        errors[0]
    );
    assert_eq!(
        errors[0].location().as_deref(),
        Some(location),
        "{:#?}",
        errors[0]
    );
    // Without MGN, its templates cannot be listed; that test checks after initializing it.
    if summary != "Application Migration Service is not initialized" {
        assert_eq!(held(world, vpc).await, (0, 0, 0), "nothing created");
    }
    errors[0]
        .body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each plan-time check of the network around the staging area, as Terraform renders it: an
/// `Error:` on the line of the argument to change, before anything is created. (An argument
/// set in an override file is rendered on the resource's first line instead, by Terraform,
/// which is why the case takes these arguments as variables.)
async fn plan_time_checks_point_at_their_argument(cli: Cli) {
    let (world, vpc) = staging_world(&cli, &[DATA_CENTER]).await;
    let line = |text: &str| format!("main.tf:{}", case_line(CASE, "main.tf", text));
    let vars = |staging: &str, nat: &str| {
        json!({
            "staging": {
                "vpc_id": vpc.vpc_id,
                "staging_subnet_id": staging,
                "nat_subnet_id": nat,
            },
            "source_cidr_blocks": [DATA_CENTER],
        })
    };

    // A staging subnet that does not exist.
    world
        .ws
        .set_vars(&vars("subnet-0123456789abcdef0", &vpc.public_subnet_id));
    let body = refused_with(
        &world,
        &vpc.vpc_id,
        "Subnet not found",
        &line("staging_subnet_id  = var.staging.staging_subnet_id"),
    )
    .await;
    assert!(body.contains("subnet-0123456789abcdef0"), "{body}");

    // A NAT subnet whose route table has no route to an internet gateway.
    let ec2 = &world.aws.ec2;
    let private = seed::subnet(ec2, &vpc.vpc_id, "10.60.50.0/24", "a")
        .await
        .unwrap();
    let table = seed::route_table(ec2, &vpc.vpc_id).await.unwrap();
    ec2.associate_route_table()
        .route_table_id(&table)
        .subnet_id(&private)
        .send()
        .await
        .unwrap();
    world.ws.set_vars(&vars(&vpc.staging_subnet_id, &private));
    let body = refused_with(
        &world,
        &vpc.vpc_id,
        "NAT subnet is not public",
        &line("nat_subnet_id      = var.staging.nat_subnet_id"),
    )
    .await;
    assert!(body.contains(&private) && body.contains(&table), "{body}");
    world
        .ws
        .set_vars(&vars(&vpc.staging_subnet_id, &vpc.public_subnet_id));

    // More replication servers than the staging subnet has addresses for.
    let mut too_many = vars(&vpc.staging_subnet_id, &vpc.public_subnet_id);
    too_many["concurrent_source_servers"] = json!(5000);
    world.ws.set_vars(&too_many);
    let body = refused_with(
        &world,
        &vpc.vpc_id,
        "Staging subnet too small",
        &line("staging_subnet_id  = var.staging.staging_subnet_id"),
    )
    .await;
    assert!(body.contains("5000"), "{body}");

    // PUBLIC_IP data plane routing without public IPs: on the routing's line.
    let mut public = vars(&vpc.staging_subnet_id, &vpc.public_subnet_id);
    public["create_public_ip"] = json!(false);
    public["data_plane_routing"] = json!("PUBLIC_IP");
    world.ws.set_vars(&public);
    let body = refused_with(
        &world,
        &vpc.vpc_id,
        "Public IP routing without a public IP",
        &line("data_plane_routing        = var.data_plane_routing"),
    )
    .await;
    assert!(body.contains("create_public_ip"), "{body}");

    // Staging subnets in two zones, a NAT gateway per zone asked for, but only zone a's
    // public subnet given: on nat_subnet_ids, naming the zone left without a way out.
    let b = zone_b(&world, &vpc).await;
    world
        .ws
        .set_vars(&two_zones(&vpc, &b, &[&vpc.public_subnet_id]));
    let body = refused_with(
        &world,
        &vpc.vpc_id,
        "Staging zone without a NAT subnet",
        &line("nat_subnet_ids                = var.staging.nat_subnet_ids"),
    )
    .await;
    assert!(body.contains(&b.staging_subnet_id), "{body}");

    // Fixed, the same configuration applies.
    world
        .ws
        .set_vars(&vars(&vpc.staging_subnet_id, &vpc.public_subnet_id));
    world.ws.apply(&[]).await.ok();
    assert_eq!(held(&world, &vpc.vpc_id).await, (1, 1, 1));
    world.ws.destroy(&[]).await.ok();
}

/// MGN not initialized in the Region: an error on the resource that says how to initialize
/// it, before anything is created.
async fn uninitialized_mgn_is_an_error_saying_how_to_initialize(cli: Cli) {
    let (world, vpc) = staging_world(&cli, &[DATA_CENTER]).await;
    world
        .emulator
        .configure(json!({"mgn_initialized": []}))
        .await
        .unwrap();
    let body = refused_with(
        &world,
        &vpc.vpc_id,
        "Application Migration Service is not initialized",
        &format!(
            "main.tf:{}",
            case_line(
                CASE,
                "main.tf",
                "resource \"migration_replication_staging_area\" \"staging\" {"
            )
        ),
    )
    .await;
    for needed in ["aws mgn initialize-service", "Set up service"] {
        assert!(body.contains(needed), "{needed}: {body}");
    }
    // Initialized, as the message says: nothing was made, and the apply makes the area.
    world
        .emulator
        .configure(json!({"mgn_initialized": [crate::world::ACCOUNT]}))
        .await
        .unwrap();
    assert_eq!(
        held(&world, &vpc.vpc_id).await,
        (0, 0, 0),
        "nothing created"
    );
    world.ws.apply(&[]).await.ok();
    assert_eq!(held(&world, &vpc.vpc_id).await, (1, 1, 1));
    world.ws.destroy(&[]).await.ok();
}
