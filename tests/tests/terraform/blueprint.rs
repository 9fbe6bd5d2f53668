//! `examples/blueprint/` as a user runs it, across its two accounts (the hub account, and the
//! spoke account through the provider alias that assumes a role in it): init, plan, one apply
//! that connects both sides (routes both ways, the spoke's attachment associated and propagated
//! in the hub route table), an empty plan, a refresh-only plan showing only the spoke joining
//! the hub, the spoke destroyed alone
//! leaving the hub as it was, then destroy leaving nothing of ours in either account; and its
//! reachability `check` blocks, passing, then failing with the missing hop when a group loses a
//! network and when a route is deleted behind Terraform's back. The replication staging area
//! (NAT mode, in the staging VPC, its source networks the data center as the hub routes it) is
//! applied with the rest: its NAT gateway, security group rule and MGN template exist after the
//! apply, and nothing of them after the destroy.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::Filter;
use harness::cli::Cli;
use harness::docs::repository_root;
use harness::seed::{self, BLUEPRINT_SPOKE_ACCOUNT, BLUEPRINT_SPOKE_CIDR};
use serde_json::Value as Json;
use terraform_provider_migration::config::clients::AwsClients;

use crate::scenario;
use crate::spoke::{spoke_routes, two_account_delays};
use crate::world::{
    ACCOUNT, World, assert_nothing_left, created_counts, objects, ours, vpc_routes,
};

const SPOKE: &str = "migration_hub_spoke.spoke";
const REPLICATION: &str = "migration_replication_staging_area.replication";
const DATA_CENTER: &str = "192.168.0.0/16";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(whole_cycle),
        scenario!(reachability_checks),
        scenario!(hub_replacement_keeps_the_hub_networks_connected),
    ]
}

/// The blueprint's working directory with what exists before it in both accounts (RAM's
/// invitation and the share's propagation taking a moment, as in AWS), initialised; the spoke
/// account's clients and the seeded variables.
async fn blueprint_world(cli: &Cli, name: &str) -> (World, AwsClients, Json) {
    let world = World::empty(cli, name).await;
    world
        .emulator
        .configure(two_account_delays(&[
            ("nat_gateway.pending", 0.3),
            ("nat_gateway.deleting", 0.3),
        ]))
        .await
        .unwrap();
    world
        .ws
        .use_dir(&repository_root().join("examples/blueprint"));
    let spoke_aws = world
        .emulator
        .clients(BLUEPRINT_SPOKE_ACCOUNT)
        .await
        .expect("spoke clients");
    let seeded = seed::blueprint(&world.aws, &spoke_aws, ACCOUNT)
        .await
        .expect("seed");
    let variables = Json::Object(seeded.variables);
    world.ws.set_vars(&variables);
    world.ws.init().await;
    (world, spoke_aws, variables)
}

async fn whole_cycle(cli: Cli) {
    let (world, spoke_aws, variables) = blueprint_world(&cli, "blueprint").await;
    let cidr = |name: &str| {
        variables[format!("{name}_cidr")]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = |name: &str| variables[name][0].as_str().unwrap().to_string();

    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("should plan changes"));
    assert!(
        plan.stdout
            .contains("Plan: 4 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.report("plans the hub, the Client VPN access, the staging area and the spoke")
    );

    // One apply builds both accounts: the hub shares its gateway, the spoke account (through
    // the alias's assumed role) accepts the invitation, waits for the gateway, attaches, routes.
    let applied = world.ws.apply(&[]).await.ok();
    assert!(
        applied
            .stdout
            .contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."),
        "{}",
        applied.report("applies four resources in one apply")
    );
    let hub = world
        .ws
        .resource("migration_hub_network.hub")
        .await
        .expect("hub in state");
    let tgw = hub["id"].as_str().unwrap().to_string();
    assert!(tgw.starts_with("tgw-"), "{hub:#}");
    let inventory = world.inventory().await;
    let counts = created_counts(&inventory);
    assert!(
        counts.iter().all(|(_, n)| *n > 0),
        "every kind of object exists in the hub account after apply: {counts:?}"
    );

    // The spoke, in the spoke account, on the hub account's gateway.
    let spoke = world.ws.resource(SPOKE).await.expect("spoke in state");
    assert_eq!(spoke["attachment_state"], "available", "{spoke:#}");
    assert_eq!(spoke["transit_gateway_owner_id"], ACCOUNT, "{spoke:#}");
    let spoke_vpc = variables["spoke_vpc_id"].as_str().unwrap().to_string();
    let spoke_attachments: Vec<_> = objects(
        &world
            .emulator
            .inventory(BLUEPRINT_SPOKE_ACCOUNT)
            .await
            .unwrap(),
        "transit_gateway_attachments",
    )
    .into_iter()
    .filter(|a| a["resource_id"] == spoke_vpc.as_str())
    .map(|a| a["id"].clone())
    .collect();
    assert_eq!(
        spoke_attachments,
        vec![spoke["id"].clone()],
        "the attachment belongs to the spoke account"
    );
    // The spoke's VPC reaches the hub's VPCs and the data center through the hub's gateway.
    let spoke_table = first("spoke_route_table_ids");
    assert_eq!(
        spoke_routes(&spoke_aws.ec2, &spoke_table, &tgw).await,
        BTreeSet::from([cidr("staging"), cidr("target"), DATA_CENTER.to_string()])
    );
    // The hub account sees the spoke's attachment on its gateway, available.
    let attachments: Vec<_> = objects(&inventory, "transit_gateway_attachments")
        .into_iter()
        .filter(|a| a["resource_id"] == spoke_vpc.as_str())
        .collect();
    assert_eq!(attachments.len(), 1, "{inventory:#}");
    assert_eq!(attachments[0]["state"], "available");
    // The hub's VPC route tables route the hub's networks to each other, the data center and
    // the declared spoke; the hub route table learned the spoke's CIDR from its attachment,
    // which AWS associated and propagated as it accepted it (no second apply).
    let hub_routes = vpc_routes(&inventory, &tgw);
    let staging_table = first("staging_route_table_ids");
    let target_table = first("target_route_table_ids");
    let mut mesh = vec![
        (staging_table.clone(), cidr("target")),
        (staging_table.clone(), DATA_CENTER.to_string()),
        (staging_table, BLUEPRINT_SPOKE_CIDR.to_string()),
        (target_table.clone(), cidr("staging")),
        (target_table.clone(), DATA_CENTER.to_string()),
        (target_table, BLUEPRINT_SPOKE_CIDR.to_string()),
    ];
    mesh.sort();
    assert_eq!(hub_routes, mesh);
    let hub_table = hub["route_table_id"].as_str().unwrap().to_string();
    let learned = world
        .aws
        .ec2
        .search_transit_gateway_routes()
        .transit_gateway_route_table_id(&hub_table)
        .filters(Filter::builder().name("type").values("propagated").build())
        .send()
        .await
        .expect("the hub route table's routes");
    let spoke_attachment = spoke["id"].as_str().unwrap();
    assert!(
        learned.routes().iter().any(|r| {
            r.destination_cidr_block() == Some(BLUEPRINT_SPOKE_CIDR)
                && r.transit_gateway_attachments()
                    .iter()
                    .any(|a| a.transit_gateway_attachment_id() == Some(spoke_attachment))
        }),
        "{learned:#?}"
    );

    // The replication staging area in the staging VPC, its source networks read from the
    // hub's routes: the data center in on TCP 1500, a NAT gateway with its Elastic IP and the
    // replication subnet's default route to it, and MGN's template putting the servers there.
    let staging_vpc = variables["staging_vpc_id"].as_str().unwrap().to_string();
    let replication = world
        .ws
        .resource(REPLICATION)
        .await
        .expect("staging area in state");
    assert_eq!(
        replication["source_cidr_blocks"],
        serde_json::json!([DATA_CENTER]),
        "{replication:#}"
    );
    let held = staging_area(&inventory, &staging_vpc);
    let one = |kind: &str| -> &Json {
        assert_eq!(held[kind].len(), 1, "one of {kind}: {held:#?}");
        held[kind][0]
    };
    let nat = one("nat_gateways");
    assert_eq!(nat["id"], replication["nat_gateway_id"], "{nat:#}");
    assert_eq!(
        nat["subnet_id"], variables["staging_nat_subnet_id"],
        "{nat:#}"
    );
    assert_eq!(nat["state"], "available", "{nat:#}");
    assert_eq!(
        nat["allocation_ids"],
        serde_json::json!([replication["elastic_ip_allocation_id"]]),
        "{nat:#}"
    );
    assert_eq!(
        one("elastic_ips")["allocation_id"],
        replication["elastic_ip_allocation_id"]
    );
    let default_route = one("vpc_routes_to_nat_gateways");
    assert_eq!(
        (
            &default_route["route_table_id"],
            &default_route["destination"],
            &default_route["nat_gateway_id"]
        ),
        (
            &variables["staging_route_table_ids"][0],
            &Json::from("0.0.0.0/0"),
            &nat["id"]
        ),
        "{default_route:#}"
    );
    let group = one("security_groups");
    assert_eq!(group["id"], replication["security_group_id"], "{group:#}");
    assert_eq!(
        rules(&group["ingress"]),
        [("tcp".to_string(), 1500, 1500, DATA_CENTER.to_string())],
        "TCP 1500 in from the data center, nothing else: {group:#}"
    );
    assert!(
        rules(&group["egress"])
            .iter()
            .all(|(protocol, from, to, _)| protocol == "tcp" && *from == 443 && *to == 443),
        "443 out only: {group:#}"
    );
    let template = one("mgn_replication_configuration_templates");
    assert_eq!(template["id"], replication["id"], "{template:#}");
    assert_eq!(
        template["staging_area_subnet_id"], variables["staging_replication_subnet_id"],
        "{template:#}"
    );
    assert_eq!(
        template["security_group_ids"],
        serde_json::json!([group["id"]]),
        "{template:#}"
    );
    assert_eq!(template["data_plane_routing"], "PRIVATE_IP", "{template:#}");

    world.ws.assert_no_changes().await;
    // A refresh-only plan finds one change: the hub's view of its spoke, which joined after
    // the hub had answered; it holds no resource change and only no-op outputs. (The exit code
    // is not asserted: with a data source in the configuration Terraform 1.15.5 exits 2 even
    // from a refresh-only plan that finds nothing, hashicorp/terraform#36403 and #37406.)
    let (refresh, plan) = world.ws.plan_json(&["-refresh-only"]).await;
    assert!(
        refresh
            .stdout
            .contains(r#"~ status         = "not attached" -> "propagated""#),
        "{}",
        refresh.report("refresh-only shows the spoke joining the hub, and only that")
    );
    let empty = |value: &Json| value.is_null() || value.as_array().is_some_and(Vec::is_empty);
    // The one thing that changed since the hub's apply is what the hub knows of its spoke: the
    // spoke joined after the hub had answered ("not attached" then, "propagated" now).
    let drift = plan["resource_drift"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(drift.len(), 1, "{drift:#?}");
    for drifted in &drift {
        assert_eq!(
            drifted["address"], "migration_hub_network.hub",
            "{drifted:#}"
        );
        let (before, after) = (&drifted["change"]["before"], &drifted["change"]["after"]);
        let changed: Vec<&String> = after
            .as_object()
            .expect("the hub's attributes")
            .iter()
            .filter(|(key, value)| before.get(key.as_str()) != Some(value))
            .map(|(key, _)| key)
            .collect();
        assert_eq!(changed, ["spokes"], "{drifted:#}");
        assert_eq!(
            after["spokes"]["spoke"]["status"], "propagated",
            "{drifted:#}"
        );
    }
    assert!(
        empty(&plan["resource_changes"]),
        "{:#}",
        plan["resource_changes"]
    );
    let outputs = plan["output_changes"].as_object().expect("output changes");
    assert!(
        outputs
            .values()
            .all(|o| o["actions"] == serde_json::json!(["no-op"])),
        "{outputs:#?}"
    );

    // Destroying the spoke alone leaves the hub as it was.
    let destroyed = world.ws.destroy(&[&format!("-target={SPOKE}")]).await;
    assert!(
        destroyed.success(),
        "{}",
        destroyed.report("destroying the spoke")
    );
    assert!(world.ws.resource(SPOKE).await.is_none());
    assert!(
        world
            .ws
            .resource("migration_hub_network.hub")
            .await
            .is_some()
    );
    assert!(
        spoke_routes(&spoke_aws.ec2, &spoke_table, &tgw)
            .await
            .is_empty()
    );
    let inventory = world.inventory().await;
    assert_eq!(vpc_routes(&inventory, &tgw), hub_routes);
    let gateways = ours(&inventory, "transit_gateways", &tgw);
    assert_eq!(gateways.len(), 1);
    assert_eq!(gateways[0]["state"], "available");
    assert_eq!(objects(&inventory, "ram_resource_shares").len(), 1);
    assert!(
        objects(&inventory, "transit_gateway_attachments")
            .iter()
            .all(|a| a["resource_id"] != spoke_vpc.as_str()),
        "the spoke's attachment is gone"
    );

    // Destroying everything leaves nothing in either account, of the staging area neither.
    world.ws.destroy(&[]).await.ok();
    let inventory = world.inventory().await;
    assert_nothing_left(&inventory);
    let left = staging_area(&inventory, &staging_vpc);
    assert!(
        left.values().all(Vec::is_empty),
        "the staging area leaves nothing: {left:#?}"
    );
    assert_nothing_left(
        &world
            .emulator
            .inventory(BLUEPRINT_SPOKE_ACCOUNT)
            .await
            .unwrap(),
    );
}

/// What `inventory` holds of the staging area in `vpc`, by kind: its NAT gateways, Elastic IPs,
/// security groups and MGN templates (by their owner tag, the VPC id), and the VPC's routes to
/// NAT gateways.
fn staging_area<'a>(
    inventory: &'a Json,
    vpc: &str,
) -> std::collections::BTreeMap<&'static str, Vec<&'a Json>> {
    let owned = |kind: &'static str| {
        let found = objects(inventory, kind)
            .into_iter()
            .filter(|o| o["tags"]["migration:owner"] == vpc)
            .collect();
        (kind, found)
    };
    let mut held: std::collections::BTreeMap<_, _> = [
        owned("nat_gateways"),
        owned("elastic_ips"),
        owned("security_groups"),
        owned("mgn_replication_configuration_templates"),
    ]
    .into_iter()
    .collect();
    held.insert(
        "vpc_routes_to_nat_gateways",
        objects(inventory, "vpc_routes_to_nat_gateways")
            .into_iter()
            .filter(|r| r["vpc_id"] == vpc)
            .collect(),
    );
    held
}

/// A security group's rules in the inventory as (protocol, from port, to port, CIDR), sorted.
fn rules(listed: &Json) -> Vec<(String, i64, i64, String)> {
    let text = |rule: &Json, key: &str| rule[key].as_str().unwrap_or_default().to_string();
    let mut rules: Vec<_> = listed
        .as_array()
        .into_iter()
        .flatten()
        .map(|rule| {
            (
                text(rule, "protocol"),
                rule["from_port"].as_i64().unwrap_or(-1),
                rule["to_port"].as_i64().unwrap_or(-1),
                text(rule, "cidr"),
            )
        })
        .collect();
    rules.sort();
    rules
}

const CHECK_FAILED: &str = "Check block assertion failed";

/// The blueprint's design with the engineers' data-center network taken away (an override of
/// the locals both the resources and the design's reachability read).
const DESIGN_WITHOUT_ENGINEERS_DATA_CENTER: &str = r#"
locals {
  group_networks = {
    migration_engineers = [var.staging_cidr]
    internal_it         = [var.data_center_cidr, var.target_cidr]
  }
}
"#;

/// The blueprint with the engineers' data-center network taken away on the resource alone (an
/// override file, as a change made to the resource but not to the design would be).
const ENGINEERS_WITHOUT_DATA_CENTER: &str = r#"
resource "migration_client_vpn_group_access" "staff" {
  groups = {
    migration_engineers = {
      sid         = data.migration_directory_groups.staff.sids[var.migration_engineers_group]
      networks    = [var.staging_cidr]
      description = "Migration engineers: staging and the source data center"
    }
    internal_it = {
      sid         = data.migration_directory_groups.staff.sids[var.internal_it_group]
      networks    = [var.data_center_cidr, var.target_cidr]
      description = "Internal IT: the source data center and the target VPC"
    }
  }
}
"#;

async fn reachability_checks(cli: Cli) {
    let (world, _, variables) = blueprint_world(&cli, "blueprint-reachability").await;

    // Before anything exists, the design is answered during plan, from the configuration alone:
    // a group whose networks leave out what it must reach fails its check in the first plan.
    world
        .ws
        .write("design_override.tf", DESIGN_WITHOUT_ENGINEERS_DATA_CENTER);
    let plan = world.ws.plan(&[]).await;
    let failed = failed_checks(&plan);
    assert!(
        failed.len() == 1
            && failed[0].contains(
                "by design, migration_engineers cannot reach data_center: no Client VPN \
                 authorization rule lets group migration_engineers reach 192.168.0.0/16 \
                 (data_center)"
            ),
        "{failed:#?}\n{}",
        plan.report("fails the design check, and only it, in the first plan")
    );
    let made: Vec<_> = created_counts(&world.inventory().await)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert!(made.is_empty(), "a plan creates nothing: {made:?}");
    std::fs::remove_file(world.ws.dir.join("design_override.tf")).expect("override");
    let plan = world.ws.plan(&[]).await;
    assert!(
        failed_checks(&plan).is_empty(),
        "{}",
        plan.report("the blueprint's design passes before anything is deployed")
    );

    // The first apply reads the matrix once both resources exist; the checks pass.
    let applied = world.ws.apply(&[]).await.ok();
    assert!(
        failed_checks(&applied).is_empty(),
        "{}",
        applied.report("passes the reachability checks")
    );
    let table = world.ws.run(&["output", "-raw", "reachability"]).await.ok();
    let rows: Vec<Vec<&str>> = table
        .stdout
        .lines()
        .map(|l| l.split_whitespace().take(3).collect())
        .collect();
    for (source, destination, reachable) in [
        ("migration_engineers", "staging", "yes"),
        ("migration_engineers", "data_center", "yes"),
        ("migration_engineers", "target", "no"),
        ("internal_it", "target", "yes"),
        ("internal_it", "staging", "no"),
        ("staging", "data_center", "yes"),
        ("target", "staging", "yes"),
        // The spoke joined in the same apply: every hop the hub account sees is there, its
        // VPC's own route tables are the spoke account's.
        ("spoke", "staging", "unverified"),
        ("data_center", "spoke", "unverified"),
        ("migration_engineers", "spoke", "no"),
    ] {
        assert!(
            rows.contains(&vec![source, destination, reachable]),
            "{source} -> {destination}: {reachable}\n{}",
            table.stdout
        );
    }
    // Known during plan now: an unchanged blueprint plans nothing and checks pass.
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(0), "{}", plan.report("plans nothing"));
    assert!(
        failed_checks(&plan).is_empty(),
        "{}",
        plan.report("checks pass")
    );

    // A group loses a network: the apply that takes it away fails the check, naming the rule.
    world
        .ws
        .write("engineers_override.tf", ENGINEERS_WITHOUT_DATA_CENTER);
    let applied = world.ws.apply(&[]).await.ok();
    let failed = failed_checks(&applied);
    assert!(
        failed.iter().any(|f| f.contains(
            "migration_engineers cannot reach data_center: no Client VPN authorization rule lets \
             group migration_engineers reach 192.168.0.0/16 (data_center)"
        )),
        "{failed:#?}\n{}",
        applied.report("fails the group check naming the missing rule")
    );
    assert_eq!(failed.len(), 1, "only the group check fails: {failed:#?}");
    std::fs::remove_file(world.ws.dir.join("engineers_override.tf")).expect("override");
    let applied = world.ws.apply(&[]).await.ok();
    assert!(
        failed_checks(&applied).is_empty(),
        "{}",
        applied.report("passes again once the network is back")
    );

    // A mesh route deleted behind Terraform's back: the next plan shows the repair, and a
    // refresh-only plan (nothing to change, so the matrix is read during plan) fails the checks
    // with the hop.
    let staging_table = variables["staging_route_table_ids"][0]
        .as_str()
        .expect("staging route table")
        .to_string();
    world
        .aws
        .ec2
        .delete_route()
        .route_table_id(&staging_table)
        .destination_cidr_block("192.168.0.0/16")
        .send()
        .await
        .expect("delete the route");
    let plan = world.ws.plan(&["-refresh-only"]).await;
    let failed = failed_checks(&plan);
    // The staging table's default route, to the staging area's NAT gateway, now catches the
    // data center's traffic: the hop names it.
    let nat = world
        .ws
        .resource(REPLICATION)
        .await
        .expect("staging area in state")["nat_gateway_id"]
        .as_str()
        .expect("NAT gateway")
        .to_string();
    let hop = format!(
        "route table {staging_table} of staging sends 0.0.0.0/0 (data_center) to {nat}, not to \
         the Transit Gateway"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains(&format!("staging -> data_center: {hop}"))),
        "{failed:#?}\n{}",
        plan.report("fails the mesh check naming the deleted route")
    );
    assert!(
        failed.iter().any(|f| f.contains(&format!(
            "migration_engineers cannot reach data_center: {hop}"
        ))),
        "{failed:#?}\n{}",
        plan.report("fails the group check: the engineers' traffic enters staging")
    );
    // An ordinary plan repairs the route first; the matrix waits for the apply.
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans the repair"));
    let applied = world.ws.apply(&[]).await.ok();
    assert!(
        failed_checks(&applied).is_empty(),
        "{}",
        applied.report("passes once the apply put the route back")
    );
}

/// The messages of the checks that failed, whitespace collapsed (Terraform may wrap them).
fn failed_checks(run: &harness::cli::Run) -> Vec<String> {
    harness::cli::diagnostics(&run.output())
        .into_iter()
        .filter(|d| d.summary == CHECK_FAILED)
        .map(|d| d.body.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Whether each ordered pair of the blueprint's networks (staging, target, spoke) can reach the
/// other right now: the source's route table routes the destination's CIDR to a Transit
/// Gateway both VPCs have an available attachment to. Read from both accounts' inventories.
async fn reachable_pairs(world: &World, variables: &Json) -> BTreeSet<(String, String)> {
    let hub = world.inventory().await;
    let spoke = world
        .emulator
        .inventory(BLUEPRINT_SPOKE_ACCOUNT)
        .await
        .unwrap();
    let attached: BTreeSet<(String, String)> = objects(&hub, "transit_gateway_attachments")
        .into_iter()
        .filter(|a| a["state"] == "available")
        .map(|a| {
            (
                a["resource_id"].as_str().unwrap_or_default().to_string(),
                a["transit_gateway_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let networks = ["staging", "target", "spoke"];
    let vpc = |name: &str| {
        variables[format!("{name}_vpc_id")]
            .as_str()
            .unwrap()
            .to_string()
    };
    let cidr = |name: &str| {
        variables[format!("{name}_cidr")]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut pairs = BTreeSet::new();
    for route in objects(&hub, "vpc_routes_to_transit_gateways")
        .into_iter()
        .chain(objects(&spoke, "vpc_routes_to_transit_gateways"))
    {
        let tgw = route["transit_gateway_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let Some(from) = networks.iter().find(|n| route["vpc_id"] == vpc(n).as_str()) else {
            continue;
        };
        let Some(to) = networks
            .iter()
            .find(|n| route["destination"] == cidr(n).as_str())
        else {
            continue;
        };
        if attached.contains(&(vpc(from), tgw.clone())) && attached.contains(&(vpc(to), tgw)) {
            pairs.insert((from.to_string(), to.to_string()));
        }
    }
    pairs
}

/// The blueprint's hub replaced with `lifecycle { create_before_destroy = true }` (an override
/// file in the workspace copy): `-replace` brings the new hub up beside the old one, moves the
/// Direct Connect association (a gateway cannot advertise the same prefixes through both) and
/// re-targets the hub VPCs' routes in place: staging and target never lose each other (a
/// watcher polls every pair of networks through the apply). The spoke, whose
/// `transit_gateway_id` changes, is replaced after the new hub exists; the time its pairs are
/// cut, and the time the data center has no association, are measured and printed. Afterwards
/// every pair is connected again and the plan is empty.
async fn hub_replacement_keeps_the_hub_networks_connected(cli: Cli) {
    let (world, _spoke_aws, variables) = blueprint_world(&cli, "blueprint-replace").await;
    world.ws.write(
        "replace_override.tf",
        "resource \"migration_hub_network\" \"hub\" {\n  lifecycle {\n    \
         create_before_destroy = true\n  }\n}\n",
    );
    world.ws.apply(&[]).await.ok();
    let hub_id = |hub: &Json| hub["id"].as_str().unwrap().to_string();
    let old = hub_id(
        &world
            .ws
            .resource("migration_hub_network.hub")
            .await
            .unwrap(),
    );
    let all = reachable_pairs(&world, &variables).await;
    assert_eq!(all.len(), 6, "every pair connected before: {all:?}");

    let done = std::sync::atomic::AtomicBool::new(false);
    let watch = async {
        let mut cut: std::collections::BTreeMap<(String, String), std::time::Duration> =
            Default::default();
        let (mut polls, mut any, mut no_link) =
            (0, std::time::Duration::ZERO, std::time::Duration::ZERO);
        let mut last = std::time::Instant::now();
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let now_reachable = reachable_pairs(&world, &variables).await;
            let linked = objects(&world.inventory().await, "dx_gateway_associations")
                .iter()
                .any(|a| a["state"] == "associated");
            let now = std::time::Instant::now();
            if !linked {
                no_link += now - last;
            }
            let missing: Vec<_> = all.difference(&now_reachable).cloned().collect();
            if !missing.is_empty() {
                any += now - last;
            }
            for pair in missing {
                *cut.entry(pair).or_default() += now - last;
            }
            last = now;
            polls += 1;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        (polls, any, cut, no_link)
    };
    let replace = async {
        let run = world
            .ws
            .apply(&["-replace=migration_hub_network.hub"])
            .await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        run
    };
    let (run, (polls, any, cut, no_link)) = tokio::join!(replace, watch);
    let run = run.ok();
    let output = format!("{}{}", run.stdout, run.stderr);
    assert!(
        output.contains("Taking over routes from another hub"),
        "{}",
        run.report("the new hub takes the routes over")
    );
    eprintln!(
        "blueprint hub replaced create-before-destroy: {polls} polls, some pair cut for {any:?}; per pair: {cut:?}; data center without an association for {no_link:?}"
    );
    assert!(polls > 1);
    for pair in [("staging", "target"), ("target", "staging")] {
        let pair = (pair.0.to_string(), pair.1.to_string());
        assert_eq!(cut.get(&pair), None, "{pair:?} was cut: {cut:?}");
    }
    let new = hub_id(
        &world
            .ws
            .resource("migration_hub_network.hub")
            .await
            .unwrap(),
    );
    assert_ne!(new, old);
    assert_eq!(reachable_pairs(&world, &variables).await, all);
    assert!(ours(&world.inventory().await, "transit_gateways", &old).is_empty());
    let plan = world.ws.plan(&["-detailed-exitcode"]).await;
    assert_eq!(
        plan.code,
        Some(0),
        "{}",
        plan.report("empty after the replacement")
    );
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
}
