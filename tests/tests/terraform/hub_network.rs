//! `migration_hub_network` on real Terraform, as a user sees it: the configuration is
//! `tests/terraform/cases/hub_network/` (every argument an input variable; the scenarios only
//! rewrite `terraform.tfvars.json`), what Terraform prints and saves is Terraform's own, and
//! what AWS holds is read back from the emulator.

use std::time::{Duration, Instant};

use harness::cli::{Cli, Run, Severity, actions, diagnostics, plan_body};
use serde_json::{Value as Json, json};

use crate::scenario;
use crate::shapes::{HubTable, hub_route_triples, hub_routes};
use crate::world::{
    ACCOUNT, Net, World, assert_no_changes, assert_nothing_left, assert_refresh_only_empty,
    created_counts, delays_with, expected_line, generate_config_fails, import_changes_nothing,
    mesh, misplaced_identity_is_refused, objects, ours, saved_identity, small_delays, step, text,
    vpc_routes, with,
};
use harness::emulator::REGION;

pub(crate) const HUB: &str = "migration_hub_network.hub";
const DATA_CENTER: &str = "192.168.0.0/16";
const SHARED_ACCOUNT: &str = "222233334444";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(create_plan_empty_and_destroy),
        scenario!(transit_gateway_arguments_update_in_place),
        scenario!(sharing_updates_in_place),
        scenario!(vpc_attachments_update_in_place),
        scenario!(data_center_and_routing_update_in_place),
        scenario!(a_new_vpc_id_replaces_only_its_attachment),
        scenario!(drift_shows_in_the_plan_and_apply_repairs_it),
        scenario!(import_block_then_empty_plan, needs "1.6"),
        scenario!(import_command_then_empty_plan),
        scenario!(generated_configuration_plans_only_the_import, needs "1.6"),
        scenario!(identity_is_saved_and_imports_the_hub, needs "1.12"),
        scenario!(an_identity_of_another_account_is_refused, needs "1.12"),
        scenario!(unknown_inputs_plan_and_converge, needs "1.4"),
        scenario!(plan_time_errors_point_at_the_argument),
        scenario!(interrupted_apply_keeps_what_was_created),
        scenario!(interrupt_during_a_create_call_loses_nothing),
        scenario!(state_routes_are_a_map_per_route_table),
        scenario!(create_before_destroy_replacement_keeps_every_route),
        scenario!(replacement_without_create_before_destroy_recreates_the_routes),
        scenario!(create_before_destroy_moves_the_direct_connect_link),
        scenario!(a_client_vpn_endpoint_on_the_gateway_joins_as_a_spoke),
        scenario!(one_drifted_route_in_a_100_vpc_mesh_is_a_short_plan, newest),
    ]
}

/// A world with the hub's configuration and the VPCs it connects: staging (10.1.0.0/16) and
/// target (10.2.0.0/16), each with subnets in two zones and one route table, and a Direct
/// Connect gateway (ASN 65010) for the data center.
pub(crate) struct Hub {
    pub(crate) world: World,
    staging: Net,
    target: Net,
    dx: String,
}

impl Hub {
    pub(crate) async fn seed(cli: &Cli) -> Hub {
        let world = World::start(cli, "hub_network").await;
        let staging = world.vpc(1, 2, 1).await;
        let target = world.vpc(2, 2, 1).await;
        let dx = world.direct_connect_gateway(65010).await;
        world.ws.init().await;
        Hub {
            world,
            staging,
            target,
            dx,
        }
    }

    /// The hub of the blueprint: both VPCs, the data center over Direct Connect, shared with
    /// one account, tagged.
    pub(crate) fn vars(&self) -> Json {
        json!({
            "name": "migration-hub",
            "share_with": [SHARED_ACCOUNT],
            "vpc_attachments": {
                "staging": self.staging.attachment(),
                "target": self.target.attachment(),
            },
            "data_center": {
                "cidr_blocks": [DATA_CENTER],
                "direct_connect_gateway_id": self.dx,
            },
            "tags": {"Project": "datacenter-exit"},
        })
    }

    /// Applies `vars` (which must succeed) and returns the hub's values in state.
    async fn create(&self, vars: &Json) -> Json {
        self.world.ws.set_vars(vars);
        let applied = self.world.ws.apply(&[]).await.ok();
        assert!(
            applied.stdout.contains("Resources: 1 added"),
            "{}",
            applied.report("creates the hub")
        );
        self.state().await
    }

    async fn state(&self) -> Json {
        self.world.ws.resource(HUB).await.expect("the hub in state")
    }
}

fn attachment_id(values: &Json, key: &str) -> String {
    values["vpc_attachments"][key]["attachment_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn tag<'a>(tags: &'a [aws_sdk_ec2::types::Tag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.key() == Some(key))
        .and_then(|t| t.value())
}

/// Create from nothing: the plan adds one resource; after apply a plan with
/// `-detailed-exitcode` and a `-refresh-only` plan both find nothing to do; the emulator holds
/// exactly the hub's objects (one gateway, two VPC attachments and the Direct Connect one, the
/// hub route table, the mesh of VPC routes, the share with its principal, the Direct Connect
/// association advertising both VPCs); destroy leaves nothing of ours.
async fn create_plan_empty_and_destroy(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let ws = &hub.world.ws;
    ws.set_vars(&hub.vars());
    let plan = ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans the hub"));
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.report("plans one resource")
    );
    let state = hub.create(&hub.vars()).await;
    let tgw = text(&state, "id");
    assert!(tgw.starts_with("tgw-"), "{state:#}");
    assert_no_changes(ws, "create").await;
    assert_refresh_only_empty(ws, "create").await;

    let inventory = hub.world.inventory().await;
    let counts = created_counts(&inventory);
    let expected: Vec<(String, usize)> = [
        ("transit_gateways", 1),
        ("transit_gateway_attachments", 3),
        ("transit_gateway_route_tables", 1),
        ("vpc_routes_to_transit_gateways", 4),
        ("ram_resource_shares", 1),
        ("dx_gateway_associations", 1),
        ("client_vpn_authorization_rules", 0),
    ]
    .iter()
    .map(|(k, n)| (k.to_string(), *n))
    .collect();
    assert_eq!(counts, expected, "{inventory:#}");
    for kind in [
        "transit_gateways",
        "transit_gateway_attachments",
        "transit_gateway_route_tables",
    ] {
        assert_eq!(
            ours(&inventory, kind, &tgw).len(),
            objects(&inventory, kind).len(),
            "every {kind} is the hub's"
        );
    }
    assert_eq!(
        vpc_routes(&inventory, &tgw),
        mesh(&[&hub.staging, &hub.target], &[DATA_CENTER])
    );
    let share = &objects(&inventory, "ram_resource_shares")[0];
    assert_eq!(share["name"], "migration-hub");
    assert!(
        share["associations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["entity"] == SHARED_ACCOUNT),
        "{share:#}"
    );
    let association = &objects(&inventory, "dx_gateway_associations")[0];
    assert_eq!(association["transit_gateway_id"], tgw.as_str());
    let mut prefixes: Vec<&str> = association["allowed_prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    prefixes.sort();
    assert_eq!(prefixes, ["10.1.0.0/16", "10.2.0.0/16"]);
    let tables = ours(&inventory, "transit_gateway_route_tables", &tgw);
    let mut propagated: Vec<&str> = tables[0]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "propagated")
        .filter_map(|r| r["destination"].as_str())
        .collect();
    propagated.sort();
    assert_eq!(propagated, ["10.1.0.0/16", "10.2.0.0/16"]);

    let destroyed = ws.destroy(&[]).await.ok();
    assert!(
        destroyed.stdout.contains("Resources: 1 destroyed"),
        "{}",
        destroyed.report("destroys the hub")
    );
    assert_nothing_left(&hub.world.inventory().await);
}

/// A Client VPN endpoint of the hub's account, attached to its Transit Gateway, joins as a
/// spoke (`client_vpn_endpoint_id`, no `account_id`): declaring it changes the hub in place,
/// every VPC route table and the Direct Connect association's default prefixes then reach its
/// client CIDR (the clients keep their addresses), the state shows it `propagated`, and the next
/// plan is empty. A client CIDR inside a VPC is a plan error on the spokes. Deleting the
/// endpoint (which deletes its attachment) lets the hub be destroyed to nothing.
async fn a_client_vpn_endpoint_on_the_gateway_joins_as_a_spoke(cli: Cli) {
    const CLIENTS: &str = "172.20.0.0/22";
    const TGW_BLOCK: &str = "10.99.0.0/24";
    let hub = Hub::seed(&cli).await;
    let ws = &hub.world.ws;
    let vars = with(
        &hub.vars(),
        json!({"transit_gateway_cidr_blocks": [TGW_BLOCK]}),
    );
    let tgw = text(&hub.create(&vars).await, "id");
    let endpoint = hub.world.client_vpn_endpoint_on(&tgw, CLIENTS, 30).await;

    let overlapping = with(
        &vars,
        json!({"spokes": {"staff": {"client_vpn_endpoint_id": endpoint, "cidr_blocks": ["10.1.8.0/22"]}}}),
    );
    ws.set_vars(&overlapping);
    let refused = ws.plan(&[]).await;
    assert_eq!(
        refused.code,
        Some(1),
        "{}",
        refused.report("overlap refused")
    );
    let errors: Vec<_> = diagnostics(&refused.output())
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{}", refused.report("one error"));
    assert!(
        errors[0].body.contains("10.1.8.0/22") && errors[0].body.contains(r#"spokes["staff"]"#),
        "{}",
        refused.report("the overlap names the spoke")
    );

    let declared = with(
        &vars,
        json!({"spokes": {"staff": {"client_vpn_endpoint_id": endpoint, "cidr_blocks": [CLIENTS]}}}),
    );
    ws.set_vars(&declared);
    let applied = ws.apply(&[]).await.ok();
    assert!(
        applied
            .stdout
            .contains("Resources: 0 added, 1 changed, 0 destroyed"),
        "{}",
        applied.report("declaring the endpoint updates the hub in place")
    );
    assert_no_changes(ws, "declaring the endpoint").await;
    let state = hub.state().await;
    assert_eq!(
        state["spokes"]["staff"]["status"], "propagated",
        "{state:#}"
    );
    assert_eq!(
        state["spokes"]["staff"]["attachment_ids"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{state:#}"
    );
    let inventory = hub.world.inventory().await;
    assert_eq!(
        vpc_routes(&inventory, &tgw),
        mesh(
            &[&hub.staging, &hub.target],
            &[DATA_CENTER, TGW_BLOCK, CLIENTS]
        )
    );
    let association = &objects(&inventory, "dx_gateway_associations")[0];
    assert!(
        association["allowed_prefixes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == CLIENTS),
        "the data center is told the way back to the clients: {association:#}"
    );

    hub.world
        .aws
        .ec2
        .delete_client_vpn_endpoint()
        .client_vpn_endpoint_id(&endpoint)
        .send()
        .await
        .unwrap();
    let destroyed = ws.destroy(&[]).await.ok();
    assert!(
        destroyed.stdout.contains("Resources: 1 destroyed"),
        "{}",
        destroyed.report("destroys the hub once the endpoint is gone")
    );
    assert_nothing_left(&hub.world.inventory().await);
}

/// Every Transit Gateway argument changes in place, one step each (no data center attached,
/// so the ASN may change): the saved plan's action is `["update"]`, apply succeeds, the next
/// plan is empty, the gateway keeps its id and AWS reports the new value.
async fn transit_gateway_arguments_update_in_place(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    let ws = &world.ws;
    let mut vars = with(&hub.vars(), json!({"data_center": null}));
    let tgw = text(&hub.create(&vars).await, "id");

    vars = with(&vars, json!({"name": "renamed-hub"}));
    step(ws, &vars, HUB, &["update"], "name").await;
    let gateway = world.transit_gateway(&tgw).await;
    assert_eq!(tag(gateway.tags(), "Name"), Some("renamed-hub"));
    let inventory = world.inventory().await;
    assert_eq!(
        objects(&inventory, "ram_resource_shares")[0]["name"],
        "renamed-hub"
    );
    for attachment in ours(&inventory, "transit_gateway_attachments", &tgw) {
        let name = attachment["tags"]["Name"].as_str().unwrap_or_default();
        assert!(name.starts_with("renamed-hub-"), "{attachment:#}");
    }

    vars = with(&vars, json!({"description": "Data center exit"}));
    step(ws, &vars, HUB, &["update"], "description").await;
    assert_eq!(
        world.transit_gateway(&tgw).await.description(),
        Some("Data center exit")
    );

    vars = with(&vars, json!({"amazon_side_asn": 65100}));
    step(ws, &vars, HUB, &["update"], "amazon_side_asn").await;
    let options = world
        .transit_gateway(&tgw)
        .await
        .options()
        .cloned()
        .unwrap();
    assert_eq!(options.amazon_side_asn(), Some(65100));

    vars = with(&vars, json!({"auto_accept_shared_attachments": false}));
    step(
        ws,
        &vars,
        HUB,
        &["update"],
        "auto_accept_shared_attachments",
    )
    .await;
    let options = world
        .transit_gateway(&tgw)
        .await
        .options()
        .cloned()
        .unwrap();
    assert_eq!(
        options.auto_accept_shared_attachments().map(|v| v.as_str()),
        Some("disable")
    );

    vars = with(&vars, json!({"dns_support": false}));
    step(ws, &vars, HUB, &["update"], "dns_support").await;
    let options = world
        .transit_gateway(&tgw)
        .await
        .options()
        .cloned()
        .unwrap();
    assert_eq!(options.dns_support().map(|v| v.as_str()), Some("disable"));

    vars = with(&vars, json!({"vpn_ecmp_support": false}));
    step(ws, &vars, HUB, &["update"], "vpn_ecmp_support").await;
    let options = world
        .transit_gateway(&tgw)
        .await
        .options()
        .cloned()
        .unwrap();
    assert_eq!(
        options.vpn_ecmp_support().map(|v| v.as_str()),
        Some("disable")
    );

    vars = with(
        &vars,
        json!({"transit_gateway_cidr_blocks": ["10.99.0.0/24"]}),
    );
    step(ws, &vars, HUB, &["update"], "transit_gateway_cidr_blocks").await;
    let options = world
        .transit_gateway(&tgw)
        .await
        .options()
        .cloned()
        .unwrap();
    assert_eq!(options.transit_gateway_cidr_blocks(), ["10.99.0.0/24"]);
    assert_eq!(
        vpc_routes(&world.inventory().await, &tgw),
        mesh(&[&hub.staging, &hub.target], &["10.99.0.0/24"]),
        "every table reaches the gateway's CIDR block"
    );

    vars = with(&vars, json!({"tags": {"Owner": "platform"}}));
    step(ws, &vars, HUB, &["update"], "tags").await;
    let inventory = world.inventory().await;
    for kind in ["transit_gateways", "transit_gateway_attachments"] {
        for object in ours(&inventory, kind, &tgw) {
            assert_eq!(object["tags"]["Owner"], "platform", "{object:#}");
            assert!(object["tags"].get("Project").is_none(), "{object:#}");
        }
    }
    assert_eq!(text(&hub.state().await, "id"), tgw, "the same gateway");
}

/// The RAM share changes in place: a principal added, one removed (principals are keyed by
/// value, the share stays), external principals disallowed.
async fn sharing_updates_in_place(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    let ws = &world.ws;
    let mut vars = with(&hub.vars(), json!({"data_center": null}));
    let created = hub.create(&vars).await;
    let share_arn = text(&created, "resource_share_arn");
    let principals = |inventory: &Json| -> Vec<String> {
        let mut found: Vec<String> = objects(inventory, "ram_resource_shares")[0]["associations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"] == "PRINCIPAL")
            .filter_map(|a| a["entity"].as_str().map(str::to_string))
            .collect();
        found.sort();
        found
    };

    vars = with(
        &vars,
        json!({"share_with": [SHARED_ACCOUNT, "333344445555"]}),
    );
    step(ws, &vars, HUB, &["update"], "a principal added").await;
    assert_eq!(
        principals(&world.inventory().await),
        [SHARED_ACCOUNT, "333344445555"]
    );

    vars = with(&vars, json!({"share_with": ["333344445555"]}));
    step(ws, &vars, HUB, &["update"], "a principal removed").await;
    assert_eq!(principals(&world.inventory().await), ["333344445555"]);

    // A declared spoke's account is a principal too; `share_with` keeps showing only what it
    // names, and the spoke's entry shows its status (no one attached).
    vars = with(
        &vars,
        json!({"spokes": {"branch": {"account_id": "444455556666", "cidr_blocks": ["10.50.0.0/16"]}}}),
    );
    step(ws, &vars, HUB, &["update"], "a spoke declared").await;
    assert_eq!(
        principals(&world.inventory().await),
        ["333344445555", "444455556666"]
    );
    let state = hub.state().await;
    assert_eq!(state["share_with"], json!(["333344445555"]));
    assert_eq!(
        state["spokes"]["branch"],
        json!({
            "account_id": "444455556666",
            "cidr_blocks": ["10.50.0.0/16"],
            "client_vpn_endpoint_id": null,
            "attachment_ids": [],
            "status": "not attached",
        })
    );
    vars = with(&vars, json!({"spokes": null}));
    step(ws, &vars, HUB, &["update"], "the spoke removed").await;
    assert_eq!(principals(&world.inventory().await), ["333344445555"]);

    vars = with(&vars, json!({"allow_external_principals": false}));
    step(ws, &vars, HUB, &["update"], "allow_external_principals").await;
    let shares = world
        .aws
        .ram
        .get_resource_shares()
        .resource_owner(aws_sdk_ram::types::ResourceOwner::SelfValue)
        .resource_share_arns(&share_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        shares.resource_shares()[0].allow_external_principals(),
        Some(false)
    );
    assert_eq!(
        text(&hub.state().await, "resource_share_arn"),
        share_arn,
        "the same share"
    );
}

/// The VPC attachments change in place: a VPC added and removed (its attachment and every
/// route to or from it), a subnet and a route table added, appliance mode and DNS support of
/// one attachment switched. The other attachments keep their ids.
async fn vpc_attachments_update_in_place(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    let ws = &world.ws;
    let dev = world.vpc(3, 1, 1).await;
    let second_table = world.route_table(&hub.target.vpc).await;
    let target_one_subnet = json!({
        "vpc_id": hub.target.vpc,
        "subnet_ids": [hub.target.subnets[0]],
        "route_table_ids": hub.target.tables,
    });
    let mut vars = with(
        &hub.vars(),
        json!({
            "data_center": null,
            "vpc_attachments": {"staging": hub.staging.attachment(), "target": target_one_subnet},
        }),
    );
    let created = hub.create(&vars).await;
    let tgw = text(&created, "id");
    let staging_attachment = attachment_id(&created, "staging");
    let target_attachment = attachment_id(&created, "target");

    vars["vpc_attachments"]["dev"] = dev.attachment();
    step(ws, &vars, HUB, &["update"], "a VPC added").await;
    let inventory = world.inventory().await;
    assert_eq!(
        ours(&inventory, "transit_gateway_attachments", &tgw).len(),
        3
    );
    assert_eq!(
        vpc_routes(&inventory, &tgw),
        mesh(&[&hub.staging, &hub.target, &dev], &[])
    );

    vars["vpc_attachments"]["target"]["subnet_ids"] = json!(hub.target.subnets);
    step(ws, &vars, HUB, &["update"], "a subnet added").await;
    let attachment = world.vpc_attachment(&target_attachment).await;
    let mut subnets = attachment.subnet_ids().to_vec();
    subnets.sort();
    let mut expected = hub.target.subnets.clone();
    expected.sort();
    assert_eq!(subnets, expected);

    let mut target_tables = hub.target.tables.clone();
    target_tables.push(second_table.clone());
    vars["vpc_attachments"]["target"]["route_table_ids"] = json!(target_tables);
    step(ws, &vars, HUB, &["update"], "a route table added").await;
    let routes = vpc_routes(&world.inventory().await, &tgw);
    for other in [&hub.staging.cidr, &dev.cidr] {
        assert!(
            routes.contains(&(second_table.clone(), other.clone())),
            "{second_table} routes {other}: {routes:?}"
        );
    }

    vars["vpc_attachments"]["target"]["appliance_mode_support"] = json!(true);
    step(ws, &vars, HUB, &["update"], "appliance_mode_support").await;
    let options = world
        .vpc_attachment(&target_attachment)
        .await
        .options()
        .cloned()
        .unwrap();
    assert_eq!(
        options.appliance_mode_support().map(|v| v.as_str()),
        Some("enable")
    );

    vars["vpc_attachments"]["target"]["dns_support"] = json!(false);
    step(ws, &vars, HUB, &["update"], "an attachment's dns_support").await;
    let options = world
        .vpc_attachment(&target_attachment)
        .await
        .options()
        .cloned()
        .unwrap();
    assert_eq!(options.dns_support().map(|v| v.as_str()), Some("disable"));

    vars["vpc_attachments"]
        .as_object_mut()
        .unwrap()
        .remove("dev");
    step(ws, &vars, HUB, &["update"], "a VPC removed").await;
    let inventory = world.inventory().await;
    let attachments: Vec<&str> = ours(&inventory, "transit_gateway_attachments", &tgw)
        .iter()
        .filter_map(|a| a["resource_id"].as_str())
        .collect();
    assert!(!attachments.contains(&dev.vpc.as_str()), "{attachments:?}");
    let routes = vpc_routes(&inventory, &tgw);
    assert!(
        routes
            .iter()
            .all(|(table, cidr)| *cidr != dev.cidr && !dev.tables.contains(table)),
        "no route to or from dev: {routes:?}"
    );
    let state = hub.state().await;
    assert_eq!(text(&state, "id"), tgw);
    assert_eq!(attachment_id(&state, "staging"), staging_attachment);
    assert_eq!(attachment_id(&state, "target"), target_attachment);
}

/// The data center and the routing switches change in place: a data-center CIDR added (every
/// table routes it), Direct Connect allowed prefixes set (the association is updated, not
/// replaced), propagation off and on, the mesh off and on.
async fn data_center_and_routing_update_in_place(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    let ws = &world.ws;
    let mut vars = hub.vars();
    let tgw = text(&hub.create(&vars).await, "id");
    let association = |inventory: &Json| objects(inventory, "dx_gateway_associations")[0].clone();
    let association_id = association(&world.inventory().await)["id"].clone();

    vars["data_center"]["cidr_blocks"] = json!([DATA_CENTER, "172.16.0.0/16"]);
    step(ws, &vars, HUB, &["update"], "a data-center CIDR added").await;
    assert_eq!(
        vpc_routes(&world.inventory().await, &tgw),
        mesh(
            &[&hub.staging, &hub.target],
            &[DATA_CENTER, "172.16.0.0/16"]
        )
    );

    vars["data_center"]["allowed_prefixes"] = json!(["10.0.0.0/8"]);
    step(ws, &vars, HUB, &["update"], "allowed_prefixes").await;
    let now = association(&world.inventory().await);
    assert_eq!(now["allowed_prefixes"], json!(["10.0.0.0/8"]));
    assert_eq!(now["id"], association_id, "the same association");

    let propagated = |inventory: &Json| -> usize {
        ours(inventory, "transit_gateway_route_tables", &tgw)[0]["routes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["type"] == "propagated")
            .count()
    };
    vars = with(&vars, json!({"route_propagation": false}));
    step(ws, &vars, HUB, &["update"], "route_propagation off").await;
    assert_eq!(propagated(&world.inventory().await), 0);
    vars = with(&vars, json!({"route_propagation": true}));
    step(ws, &vars, HUB, &["update"], "route_propagation on").await;
    assert_eq!(propagated(&world.inventory().await), 2);

    vars = with(&vars, json!({"mesh_routes": false}));
    step(ws, &vars, HUB, &["update"], "mesh_routes off").await;
    assert_eq!(vpc_routes(&world.inventory().await, &tgw), []);
    vars = with(&vars, json!({"mesh_routes": true}));
    step(ws, &vars, HUB, &["update"], "mesh_routes on").await;
    assert_eq!(vpc_routes(&world.inventory().await, &tgw).len(), 6);
}

/// Nothing in the hub's schema forces replacement (the provider never returns
/// `requires_replace`). What the documentation says instead: another `vpc_id` under the same
/// key replaces only that attachment. Terraform plans `["update"]`; the gateway and the other
/// attachment stay; the old attachment is gone and routes follow the new VPC.
async fn a_new_vpc_id_replaces_only_its_attachment(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    let other = world.vpc(4, 1, 1).await;
    let mut vars = with(&hub.vars(), json!({"data_center": null}));
    let created = hub.create(&vars).await;
    let tgw = text(&created, "id");
    let old_target = attachment_id(&created, "target");

    vars["vpc_attachments"]["target"] = other.attachment();
    step(&world.ws, &vars, HUB, &["update"], "target's vpc_id").await;
    let state = hub.state().await;
    assert_eq!(text(&state, "id"), tgw, "the same gateway");
    assert_eq!(
        attachment_id(&state, "staging"),
        attachment_id(&created, "staging")
    );
    let new_target = attachment_id(&state, "target");
    assert_ne!(new_target, old_target, "a new attachment for the new VPC");
    let inventory = world.inventory().await;
    let attachments: Vec<&str> = ours(&inventory, "transit_gateway_attachments", &tgw)
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(
        !attachments.contains(&old_target.as_str()),
        "{attachments:?}"
    );
    assert_eq!(
        vpc_routes(&inventory, &tgw),
        mesh(&[&hub.staging, &other], &[])
    );
}

/// A VPC route deleted behind Terraform's back: a `-refresh-only` plan reports it under
/// "Objects have changed outside of Terraform"; a normal plan shows the hub to update (exit 2);
/// applying puts exactly that route back; the plan after is empty.
async fn drift_shows_in_the_plan_and_apply_repairs_it(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    let ws = &world.ws;
    let tgw = text(&hub.create(&hub.vars()).await, "id");
    let table = hub.staging.tables[0].clone();
    world
        .aws
        .ec2
        .delete_route()
        .route_table_id(&table)
        .destination_cidr_block(&hub.target.cidr)
        .send()
        .await
        .unwrap();

    let refresh_only = ws.plan(&["-refresh-only"]).await;
    assert_eq!(
        refresh_only.code,
        Some(2),
        "{}",
        refresh_only.report("refresh-only shows the drift")
    );
    assert!(
        refresh_only
            .stdout
            .contains("Objects have changed outside of Terraform"),
        "{}",
        refresh_only.report("names the drift")
    );
    assert!(
        refresh_only.stdout.contains(&format!("{HUB} has changed")),
        "{}",
        refresh_only.report("names the hub")
    );

    let plan = ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans the repair"));
    assert!(
        plan.stdout.contains(&hub.target.cidr),
        "{}",
        plan.report("shows the missing destination")
    );
    let (_, shown) = ws.plan_json(&[]).await;
    assert_eq!(actions(&shown, HUB), ["update"]);
    let from = world.calls().await.len();
    ws.run(&["apply", "tfplan"]).await.ok();
    let created: Vec<_> = world.calls().await[from..]
        .iter()
        .filter(|c| c.action == "CreateRoute" && c.error.is_none())
        .map(|c| c.params.clone())
        .collect();
    assert_eq!(created.len(), 1, "only the missing route: {created:#?}");
    assert_eq!(
        vpc_routes(&world.inventory().await, &tgw),
        mesh(&[&hub.staging, &hub.target], &[DATA_CENTER])
    );
    assert_no_changes(ws, "the repair").await;
}

/// Creates the blueprint hub from the main working directory, then hands its id to a fresh
/// one (no state) holding `cases`.
async fn created_then_fresh(cli: &Cli, cases: &[&str]) -> (Hub, harness::cli::Workspace, String) {
    let hub = Hub::seed(cli).await;
    let tgw = text(&hub.create(&hub.vars()).await, "id");
    let fresh = hub.world.workspace("hub-import");
    fresh.use_cases(cases);
    (hub, fresh, tgw)
}

/// An `import {}` block in a fresh working directory with the same configuration: the plan
/// imports and changes nothing, the apply imports, the next plan is empty.
async fn import_block_then_empty_plan(cli: Cli) {
    let (hub, fresh, tgw) = created_then_fresh(&cli, &["hub_network", "hub_network_import"]).await;
    fresh.set_vars(&with(&hub.vars(), json!({"import_id": tgw})));
    fresh.init().await;
    import_changes_nothing(&fresh).await;
}

/// `terraform import` in a fresh working directory with the same configuration, then an empty
/// plan.
async fn import_command_then_empty_plan(cli: Cli) {
    let (hub, fresh, tgw) = created_then_fresh(&cli, &["hub_network"]).await;
    fresh.set_vars(&hub.vars());
    fresh.init().await;
    let imported = fresh.run(&["import", HUB, &tgw]).await;
    assert!(
        imported.success() && imported.stdout.contains("Import successful!"),
        "{}",
        imported.report("imports")
    );
    assert_no_changes(&fresh, "terraform import").await;
}

/// With only an import block, `plan -generate-config-out` writes the hub's configuration;
/// planning with it imports and changes nothing, and after the apply the plan is empty.
///
/// Terraform 1.6 and 1.8 fail generating it instead (see [`generate_config_fails`]).
async fn generated_configuration_plans_only_the_import(cli: Cli) {
    let (_hub, fresh, tgw) = created_then_fresh(&cli, &["provider", "hub_network_import"]).await;
    fresh.set_vars(&json!({"import_id": tgw}));
    fresh.init().await;
    let generated = fresh
        .run(&["plan", "-generate-config-out=generated.tf"])
        .await;
    if generate_config_fails(&cli, &generated, true) {
        return;
    }
    assert!(
        generated.success(),
        "{}",
        generated.report("generates configuration")
    );
    let config = fresh.read("generated.tf");
    assert!(
        config.contains("resource \"migration_hub_network\" \"hub\""),
        "{config}"
    );
    let plan = fresh.plan(&[]).await;
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}\n--- generated.tf\n{config}",
        plan.report("imports without a change")
    );
    fresh.apply(&[]).await.ok();
    assert_no_changes(&fresh, "importing with the generated configuration").await;
}

/// Terraform ≥ 1.12 saves the hub's identity (the account and Region of the provider, the
/// Transit Gateway id) after the apply; in a fresh working directory an `import` block with
/// only `identity = { id = … }` imports it with no change, and the imported state carries the
/// same identity.
async fn identity_is_saved_and_imports_the_hub(cli: Cli) {
    let (hub, fresh, tgw) =
        created_then_fresh(&cli, &["hub_network", "hub_network_import_identity"]).await;
    let expected = json!({"account_id": ACCOUNT, "region": REGION, "id": tgw});
    assert_eq!(saved_identity(&hub.world.ws, HUB).await, expected);
    fresh.set_vars(&with(&hub.vars(), json!({"import_id": tgw})));
    fresh.init().await;
    import_changes_nothing(&fresh).await;
    assert_eq!(saved_identity(&fresh, HUB).await, expected);
}

/// An `import` block whose identity names another account is refused at plan, with an error
/// naming `account_id` and what to do.
async fn an_identity_of_another_account_is_refused(cli: Cli) {
    let (hub, fresh, tgw) =
        created_then_fresh(&cli, &["hub_network", "hub_network_import_identity"]).await;
    fresh.set_vars(&with(
        &hub.vars(),
        json!({"import_id": tgw, "import_account_id": "444455556666"}),
    ));
    fresh.init().await;
    misplaced_identity_is_refused(&fresh, "account_id", "Identity of another account").await;
    assert!(fresh.resource(HUB).await.is_none(), "nothing imported");
}

/// Every id of the hub comes from `terraform_data.ids.output`, unknown at plan time: the plan
/// succeeds (the hub's VPC-dependent values unknown), the apply converges, the next plan is
/// empty.
async fn unknown_inputs_plan_and_converge(cli: Cli) {
    let world = World::start(&cli, "hub_network_unknown").await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    let dx = world.direct_connect_gateway(65010).await;
    world.ws.set_vars(&json!({"ids": {
        "staging": staging.attachment(),
        "target": target.attachment(),
        "direct_connect_gateway_id": dx,
    }}));
    world.ws.init().await;
    let (run, plan) = world.ws.plan_json(&[]).await;
    assert!(
        run.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        run.report("plans both resources")
    );
    assert_eq!(actions(&plan, HUB), ["create"]);
    let unknown = &harness::cli::resource_change(&plan, HUB).unwrap()["change"]["after_unknown"];
    assert_eq!(
        (
            &unknown["vpc_attachments"]["staging"]["vpc_id"],
            &unknown["routes"]
        ),
        (&json!(true), &json!(true)),
        "the VPC ids, and so the routes, are unknown: {unknown:#}"
    );
    world.ws.run(&["apply", "tfplan"]).await.ok();
    assert_no_changes(&world.ws, "applying unknown inputs").await;
    let tgw = text(&world.ws.resource(HUB).await.unwrap(), "id");
    assert_eq!(
        vpc_routes(&world.inventory().await, &tgw),
        mesh(&[&staging, &target], &[DATA_CENTER])
    );
}

/// Three mistakes found at plan time, each an `Error:` with the provider's summary, on the
/// line of the argument at fault in the case's main.tf: a VPC overlapping another, a subnet of
/// another VPC, a route table that already routes a hub destination elsewhere. Nothing is
/// created.
async fn plan_time_errors_point_at_the_argument(cli: Cli) {
    const CASE: &str = "hub_network_invalid";
    let world = World::start(&cli, CASE).await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 1, 1).await;
    let overlap = world.vpc_with_cidr("10.1.0.0/24", 1, 0).await;
    let igw = world
        .route_in_the_way(&staging.vpc, &staging.tables[0], &target.cidr)
        .await;
    world.ws.set_vars(&json!({
        "staging": staging.attachment(),
        "target": {
            "vpc_id": target.vpc,
            "subnet_ids": [target.subnets[0], staging.subnets[1]],
            "route_table_ids": target.tables,
        },
        "overlap": {"vpc_id": overlap.vpc, "subnet_ids": overlap.subnets},
    }));
    world.ws.init().await;
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(1), "{}", plan.report("fails"));
    let found = diagnostics(&plan.output());
    let header = "resource \"migration_hub_network\" \"hub\"";
    for (summary, needle, mentions) in [
        (
            "Overlapping networks",
            "vpc_id     = var.overlap.vpc_id",
            vec![overlap.vpc.clone(), staging.vpc.clone()],
        ),
        (
            "Subnet of another VPC",
            "subnet_ids      = var.target.subnet_ids",
            vec![staging.subnets[1].clone()],
        ),
        (
            "Route in the way",
            "route_table_ids = var.staging.route_table_ids",
            vec![igw.clone(), target.cidr.clone()],
        ),
    ] {
        let diagnostic = found
            .iter()
            .find(|d| d.severity == Severity::Error && d.summary == summary)
            .unwrap_or_else(|| panic!("no Error: {summary}\n{}", plan.report("plan")));
        assert_eq!(diagnostic.address.as_deref(), Some(HUB), "{diagnostic:#?}");
        let line = expected_line(&cli, CASE, needle, header);
        assert_eq!(
            diagnostic.location(),
            Some(format!("main.tf:{line}")),
            "{summary} on the line of `{needle}`: {diagnostic:#?}"
        );
        for mention in mentions {
            assert!(diagnostic.body.contains(&mention), "{diagnostic:#?}");
        }
    }
    assert_eq!(
        objects(&world.inventory().await, "transit_gateways").len(),
        0,
        "nothing created"
    );
}

/// The VPC attachments of the hub `tgw` that exist in AWS but are not in the state's
/// `vpc_attachments`: created, then lost (orphaned) by an interrupted apply.
async fn attachments_not_in_state(world: &World, tgw: &str) -> Vec<String> {
    let state = world.ws.state().await;
    let resource = state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == HUB)
        .cloned()
        .unwrap_or_default();
    let in_state: Vec<&str> = resource["values"]["vpc_attachments"]
        .as_object()
        .map(|m| {
            m.values()
                .filter_map(|a| a["attachment_id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    ours(&world.inventory().await, "transit_gateway_attachments", tgw)
        .iter()
        .filter(|a| a["resource_type"] == "vpc")
        .filter_map(|a| a["id"].as_str())
        .filter(|id| !in_state.contains(id))
        .map(str::to_string)
        .collect()
}

/// The interrupted create in state (`terraform state list`, `show -json`): its gateway id and
/// whether Terraform tainted it.
async fn partial_hub(world: &World) -> (String, bool) {
    let listed = world.ws.run(&["state", "list"]).await.ok();
    assert!(
        listed.stdout.lines().any(|l| l.trim() == HUB),
        "{}",
        listed.report("the partial hub is in state")
    );
    let state = world.ws.state().await;
    let resource = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == HUB)
        .unwrap()
        .clone();
    let tgw = text(&resource["values"], "id");
    assert!(tgw.starts_with("tgw-"), "{resource:#}");
    assert_eq!(
        objects(&world.inventory().await, "transit_gateways").len(),
        1,
        "one gateway, and it is in state"
    );
    (tgw, resource["tainted"] == true)
}

/// After an interrupted create: a second apply without the slow transitions converges
/// (replacing the tainted partial hub, or continuing it), the next plan is empty, destroy
/// leaves nothing.
async fn recovers_and_destroys(world: &World) {
    world.emulator.configure(small_delays()).await.unwrap();
    world
        .emulator
        .configure(json!({"latency_ms": 0}))
        .await
        .unwrap();
    world.ws.apply(&[]).await.ok();
    assert_no_changes(&world.ws, "the second apply").await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
}

/// Ctrl-C while the provider waits for the VPC attachments to become available (20 s
/// pending), once both creates were answered: Terraform returns within seconds (measured),
/// with the partial hub (gateway and both attachments) in state, tainted, so nothing is
/// orphaned; a second apply converges, the next plan is empty, destroy leaves nothing.
async fn interrupted_apply_keeps_what_was_created(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world
        .ws
        .set_vars(&with(&hub.vars(), json!({"data_center": null})));
    world
        .emulator
        .configure(delays_with(&[("vpc_attachment.pending", 20.0)]))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    world
        .wait_for_answers("CreateTransitGatewayVpcAttachment", 2)
        .await;
    world
        .interrupt(running, "hub, waiting for attachments")
        .await;
    let (tgw, tainted) = partial_hub(world).await;
    eprintln!(
        "[{}] hub: the interrupted create is tainted: {tainted}",
        cli.version
    );
    let lost = attachments_not_in_state(world, &tgw).await;
    assert!(lost.is_empty(), "created but not in state: {lost:?}");
    recovers_and_destroys(world).await;
}

/// Ctrl-C while a CreateTransitGatewayVpcAttachment call is in flight (every AWS call takes
/// 1 s): AWS creates the attachment whether or not the provider waits for the answer, so the
/// documentation's promise ("the resource returns everything created so far") needs the
/// provider to keep it. Terraform must still return within seconds, and the attachment must be
/// in state once AWS has answered. Whatever the outcome, the second apply must converge and
/// destroy leave nothing (the attachment carries the hub's owner tag).
async fn interrupt_during_a_create_call_loses_nothing(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world
        .ws
        .set_vars(&with(&hub.vars(), json!({"data_center": null})));
    world
        .emulator
        .configure(json!({"latency_ms": 1000}))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    world
        .wait_for_call("CreateTransitGatewayVpcAttachment")
        .await;
    world.interrupt(running, "hub, during a create call").await;
    world.wait_until_quiet().await;
    let (tgw, _) = partial_hub(world).await;
    let lost = attachments_not_in_state(world, &tgw).await;
    recovers_and_destroys(world).await;
    assert!(
        lost.is_empty(),
        "attachments AWS created for a call in flight at Ctrl-C are not in state: {lost:?}"
    );
}

/// The state's `routes` is a map keyed by route table id (the list→map change): each VPC
/// table names its `vpc_attachments` key and maps every destination to its network. A route
/// deleted out of band is one missing destination in the refreshed state, and the plan adds
/// back exactly that one.
async fn state_routes_are_a_map_per_route_table(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    let state = hub.create(&hub.vars()).await;
    let routes = hub_routes(&state);
    let table = |vpc: &str, destinations: &[(&str, &str)]| HubTable {
        vpc: Some(vpc.to_string()),
        destinations: destinations
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
    };
    assert_eq!(
        routes.get(&hub.staging.tables[0]),
        Some(&table(
            "staging",
            &[("10.2.0.0/16", "target"), (DATA_CENTER, "data_center")]
        ))
    );
    assert_eq!(
        routes.get(&hub.target.tables[0]),
        Some(&table(
            "target",
            &[("10.1.0.0/16", "staging"), (DATA_CENTER, "data_center")]
        ))
    );
    assert!(
        routes
            .iter()
            .filter(|(id, _)| id.starts_with("rtb-"))
            .count()
            == 2,
        "{routes:#?}"
    );

    world
        .aws
        .ec2
        .delete_route()
        .route_table_id(&hub.staging.tables[0])
        .destination_cidr_block(&hub.target.cidr)
        .send()
        .await
        .unwrap();
    let (_, plan) = world.ws.plan_json(&[]).await;
    let change = &harness::cli::resource_change(&plan, HUB).unwrap()["change"];
    let before = hub_route_triples(&change["before"]);
    let after = hub_route_triples(&change["after"]);
    let added: Vec<_> = after.iter().filter(|r| !before.contains(r)).collect();
    let removed: Vec<_> = before.iter().filter(|r| !after.contains(r)).collect();
    assert_eq!(
        added,
        [&(
            hub.staging.tables[0].clone(),
            hub.target.cidr.clone(),
            "target".to_string()
        )],
        "one route to add back"
    );
    assert!(removed.is_empty(), "{removed:?}");
}

/// A hub of 100 VPCs in full mesh (one route table each: 9,900 routes), created with the EC2
/// rate limits raised (`hub_network_scale` replaces the provider block); ONE route deleted out
/// of band; `terraform plan` must print a short plan body for the hub (a few dozen lines)
/// naming exactly that route. With `routes` a list this is ~27,000 lines; the list→map change
/// makes it one map element. Timings and the line count are printed (`--nocapture`).
async fn one_drifted_route_in_a_100_vpc_mesh_is_a_short_plan(cli: Cli) {
    const VPCS: usize = 100;
    let mut world = World::empty(&cli, "hub-scale").await;
    world.ws.use_cases(&["hub_network", "hub_network_scale"]);
    world.ws.set_time_limit(Duration::from_secs(40 * 60));
    world
        .emulator
        .configure(json!({"delays": {}}))
        .await
        .unwrap();
    let seeding = Instant::now();
    let mut nets = Vec::with_capacity(VPCS);
    for i in 0..VPCS {
        let cidr = format!("10.{}.{}.0/24", i / 200, i % 200);
        nets.push(world.vpc_with_cidr(&cidr, 1, 1).await);
    }
    let seeded = seeding.elapsed();
    let attachments: serde_json::Map<String, Json> = nets
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("vpc{i:03}"), n.attachment()))
        .collect();
    world.ws.set_vars(&json!({
        "name": "scale-hub",
        "vpc_attachments": attachments,
    }));
    world.ws.init().await;
    let applied = world.ws.apply(&[]).await.ok();
    let tgw = text(&world.ws.resource(HUB).await.unwrap(), "id");
    let created = vpc_routes(&world.inventory().await, &tgw).len();
    assert_eq!(created, VPCS * (VPCS - 1));
    let no_op = world.ws.plan(&[]).await;
    assert_eq!(no_op.code, Some(0), "{}", no_op.report("converged"));

    let (table, destination) = (nets[17].tables[0].clone(), nets[42].cidr.clone());
    world
        .aws
        .ec2
        .delete_route()
        .route_table_id(&table)
        .destination_cidr_block(&destination)
        .send()
        .await
        .unwrap();
    let plan = world.ws.plan(&[]).await;
    let body = plan_body(&plan.stdout);
    eprintln!(
        "[{}] scale: {VPCS} VPCs, {created} routes; seeding {:.1} s, apply {:.1} s, \
         no-op plan {:.1} s, drift plan {:.1} s printing {} lines of plan body \
         ({} bytes of stdout)",
        cli.version,
        seeded.as_secs_f64(),
        applied.elapsed.as_secs_f64(),
        no_op.elapsed.as_secs_f64(),
        plan.elapsed.as_secs_f64(),
        body.len(),
        plan.stdout.len(),
    );
    assert_eq!(plan.code, Some(2), "{}", plan.report("shows the drift"));
    let excerpt: String = body.iter().take(80).copied().collect::<Vec<_>>().join("\n");
    assert!(
        body.len() <= 60,
        "the plan body is {} lines, not a few dozen; its start:\n{excerpt}",
        body.len()
    );
    let text = body.join("\n");
    assert!(
        text.contains(&table) && text.contains(&destination),
        "the plan names {table} → {destination}:\n{text}"
    );
    let other_destinations = nets
        .iter()
        .filter(|n| n.cidr != destination)
        .filter(|n| text.contains(&format!("\"{}\"", n.cidr)))
        .count();
    assert_eq!(
        other_destinations, 0,
        "no other destination is named:\n{text}"
    );
}

/// The `lifecycle` block of a replacement, merged into the hub as written (an override file).
fn create_before_destroy(ws: &harness::cli::Workspace, on: bool) {
    ws.write(
        "replace_override.tf",
        &format!(
            "resource \"migration_hub_network\" \"hub\" {{\n  lifecycle {{\n    \
             create_before_destroy = {on}\n  }}\n}}\n"
        ),
    );
}

/// Runs `-replace` of the hub while a watcher polls the VPC routes to Transit Gateways every
/// 100 ms; returns the run, the number of polls and the total time during which fewer than
/// `routes` routes delivered (an outage of some network).
async fn replace_watching_routes(hub: &Hub, routes: usize) -> (Run, usize, Duration) {
    let done = std::sync::atomic::AtomicBool::new(false);
    let watch = async {
        let (mut polls, mut short) = (0, Duration::ZERO);
        let mut last = Instant::now();
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let inventory = hub.world.inventory().await;
            // A route delivers while its VPC has an available attachment to the route's
            // gateway (on AWS a route to a gateway the VPC is not attached to is a blackhole).
            let attached: Vec<(&Json, &Json)> = objects(&inventory, "transit_gateway_attachments")
                .iter()
                .filter(|a| a["state"] == "available")
                .map(|a| (&a["resource_id"], &a["transit_gateway_id"]))
                .collect();
            let present = objects(&inventory, "vpc_routes_to_transit_gateways")
                .iter()
                .filter(|r| attached.contains(&(&r["vpc_id"], &r["transit_gateway_id"])))
                .count();
            let now = Instant::now();
            if present < routes {
                short += now - last;
            }
            last = now;
            polls += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (polls, short)
    };
    let replace = async {
        let run = hub.world.ws.apply(&[&format!("-replace={HUB}")]).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        run
    };
    let (run, (polls, short)) = tokio::join!(replace, watch);
    (run, polls, short)
}

/// `lifecycle { create_before_destroy = true }` and `terraform apply -replace` of a hub without
/// a data center: the new hub comes up beside the old one and re-targets every VPC route in
/// place (a warning says so), the old hub's destroy leaves them; a watcher polling the routes
/// all through the apply never sees one missing. After: every route points at the new hub,
/// nothing of the old one is left, the plan is empty. (Issue 18: the new hub used to skip the
/// routes and Terraform stopped on "inconsistent result after apply".)
async fn create_before_destroy_replacement_keeps_every_route(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let ws = &hub.world.ws;
    create_before_destroy(ws, true);
    let vars = with(&hub.vars(), json!({"data_center": null}));
    let old = hub.create(&vars).await;
    let old_tgw = text(&old, "id");
    let expected = mesh(&[&hub.staging, &hub.target], &[]);
    assert_eq!(vpc_routes(&hub.world.inventory().await, &old_tgw), expected);

    let (run, polls, short) = replace_watching_routes(&hub, expected.len()).await;
    let run = run.ok();
    assert!(
        run.stdout
            .contains("Resources: 1 added, 0 changed, 1 destroyed"),
        "{}",
        run.report("replaces the hub")
    );
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("Taking over routes from another hub"),
        "{}",
        run.report("the new hub says it takes the routes over")
    );
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("Left to another hub"),
        "{}",
        run.report("the old hub says what it left")
    );
    assert!(polls > 1, "the watcher polled during the apply ({polls})");
    assert_eq!(
        short,
        Duration::ZERO,
        "some route was missing for {short:?}"
    );
    let new = hub.state().await;
    let new_tgw = text(&new, "id");
    assert_ne!(new_tgw, old_tgw);
    let inventory = hub.world.inventory().await;
    assert_eq!(vpc_routes(&inventory, &new_tgw), expected);
    for kind in [
        "transit_gateways",
        "transit_gateway_attachments",
        "ram_resource_shares",
    ] {
        assert!(
            ours(&inventory, kind, &old_tgw).is_empty(),
            "{kind} of the old hub left: {inventory:#}"
        );
    }
    let calls: Vec<String> = hub
        .world
        .calls()
        .await
        .iter()
        .map(|c| c.action.clone())
        .collect();
    assert!(calls.iter().any(|a| a == "ReplaceRoute"));
    assert_no_changes(ws, "the replacement").await;
    ws.destroy(&[]).await.ok();
    assert_nothing_left(&hub.world.inventory().await);
}

/// `-replace` without `create_before_destroy`: the old hub goes first (its routes and its
/// Direct Connect association with it), then the new one creates everything again. The routes
/// are missing in between (the outage `create_before_destroy` avoids); afterwards every route
/// points at the new hub, the data center is associated with it and the plan is empty.
async fn replacement_without_create_before_destroy_recreates_the_routes(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let ws = &hub.world.ws;
    create_before_destroy(ws, false);
    let old = hub
        .create(&with(&hub.vars(), json!({"take_over": true})))
        .await;
    let old_tgw = text(&old, "id");
    let expected = mesh(&[&hub.staging, &hub.target], &[DATA_CENTER]);

    let (run, _, short) = replace_watching_routes(&hub, expected.len()).await;
    let run = run.ok();
    assert!(
        run.stdout
            .contains("Resources: 1 added, 0 changed, 1 destroyed"),
        "{}",
        run.report("replaces the hub")
    );
    assert!(short > Duration::ZERO, "the routes went with the old hub");
    eprintln!("replacement without create_before_destroy: routes missing for {short:?}");
    let new_tgw = text(&hub.state().await, "id");
    assert_ne!(new_tgw, old_tgw);
    let inventory = hub.world.inventory().await;
    assert_eq!(vpc_routes(&inventory, &new_tgw), expected);
    assert!(ours(&inventory, "transit_gateways", &old_tgw).is_empty());
    assert_eq!(objects(&inventory, "dx_gateway_associations").len(), 1);
    assert_no_changes(ws, "the replacement").await;
}

/// `create_before_destroy` with the data center over Direct Connect: the gateway cannot
/// advertise the same prefixes through the old and the new hub, so the new hub (same name: the
/// replacement) deletes the old association right before making its own (the plan says so),
/// and re-targets the VPC routes in place, which a watcher sees never missing. Afterwards the
/// data center is associated with the new hub only and the plan is empty.
async fn create_before_destroy_moves_the_direct_connect_link(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let ws = &hub.world.ws;
    create_before_destroy(ws, true);
    hub.create(&hub.vars()).await;
    let expected = mesh(&[&hub.staging, &hub.target], &[DATA_CENTER]);
    let (run, polls, short) = replace_watching_routes(&hub, expected.len()).await;
    let run = run.ok();
    let output = format!("{}{}", run.stdout, run.stderr);
    assert!(
        output.contains("Moving the data center link from another Transit Gateway"),
        "{}",
        run.report("the plan says the link moves")
    );
    assert!(polls > 1);
    assert_eq!(
        short,
        Duration::ZERO,
        "some route was missing for {short:?}"
    );
    let new_tgw = text(&hub.state().await, "id");
    let inventory = hub.world.inventory().await;
    assert_eq!(vpc_routes(&inventory, &new_tgw), expected);
    let associated: Vec<&Json> = objects(&inventory, "dx_gateway_associations")
        .iter()
        .map(|a| &a["transit_gateway_id"])
        .collect();
    assert_eq!(associated, [&json!(new_tgw)]);
    assert_no_changes(ws, "the replacement").await;
}
