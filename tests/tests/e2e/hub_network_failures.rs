//! `migration_hub_network` when AWS fails part way: the partial state is saved (never null
//! after creating something), an untainted or failed update resumes exactly the delta with
//! nothing duplicated or orphaned, a tainted hub is replaced without leaving the old one
//! behind, StopProvider returns within seconds with what exists, and a throttling storm
//! converges without the user seeing a single throttling error.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::Action;
use plugin_proto::tfplugin6;
use serde_json::json;

use crate::hub_network_support::*;

struct Hub {
    config: String,
    /// VPC routes of the full mesh.
    routes: usize,
}

/// Two VPCs (one route table each), a share and a Direct Connect data center.
async fn hub(world: &World) -> Hub {
    let a = world.vpc(1, 2, 1).await;
    let b = world.vpc(2, 1, 1).await;
    let dx = world.direct_connect_gateway(65010).await;
    let config = world.config(&format!(
        r#"
  name       = "hub"
  share_with = ["444455556666"]
  vpc_attachments = {{
    a = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
    b = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
  }}
  data_center = {{
    cidr_blocks               = ["192.168.0.0/16"]
    direct_connect_gateway_id = "{dx}"
  }}
"#,
        a.vpc,
        list(&a.subnets),
        list(&a.tables),
        b.vpc,
        list(&b.subnets),
        list(&b.tables),
    ));
    Hub { config, routes: 4 }
}

impl Hub {
    /// The same hub without auto-accept, so that the gateway has no default propagation and
    /// the hub enables each attachment's propagation itself (the calls these faults hit).
    fn propagating_explicitly(mut self) -> Hub {
        self.config = self.config.replace(
            r#"name       = "hub""#,
            "name       = \"hub\"\n  auto_accept_shared_attachments = false",
        );
        assert!(self.config.contains("auto_accept_shared_attachments"));
        self
    }
}

/// One fault that AWS does not retry, on `action`, after `after` calls succeed.
fn fault(action: &str, after: u32) -> serde_json::Value {
    json!({"faults": [{"action": action, "error": "InvalidParameterValue", "message": "injected fault", "after": after, "count": 1}]})
}

/// Everything of the hub exists exactly once.
async fn assert_whole_and_unique(world: &World, hub: &Hub) -> String {
    let tgw = text(&world.state(), &["id"]);
    let inventory = world.inventory().await;
    let gateways = inventory["transit_gateways"].as_array().unwrap();
    assert_eq!(
        gateways.len(),
        1,
        "one Transit Gateway in the account: {gateways:#?}"
    );
    assert_eq!(
        ours(&inventory, "transit_gateway_attachments", &tgw).len(),
        3
    );
    assert_eq!(
        ours(&inventory, "vpc_routes_to_transit_gateways", &tgw).len(),
        hub.routes
    );
    assert_eq!(ours(&inventory, "ram_resource_shares", &tgw).len(), 1);
    assert_eq!(ours(&inventory, "dx_gateway_associations", &tgw).len(), 1);
    let made = counts(&world.calls().await, 0);
    for (action, expected) in [
        ("CreateTransitGateway", 1),
        ("CreateTransitGatewayVpcAttachment", 2),
        ("CreateResourceShare", 1),
        ("CreateDirectConnectGatewayAssociation", 1),
        ("CreateRoute", hub.routes),
    ] {
        assert_eq!(
            made.get(action).copied().unwrap_or(0),
            expected,
            "{action} succeeded once per object: {made:#?}"
        );
    }
    tgw
}

/// A create fails in one phase; its partial state is saved, tainted; untainted, the next
/// apply finishes the job.
async fn fail_then_resume(action: &str, after: u32, created_before_failure: &[&str]) {
    let mut world = World::start().await;
    let hub = hub(&world).await;
    let hub = if action == "EnableTransitGatewayRouteTablePropagation" {
        hub.propagating_explicitly()
    } else {
        hub
    };
    world
        .emulator
        .configure(fault(action, after))
        .await
        .unwrap();
    let applied = world.tf.apply(&hub.config).await.unwrap();
    let errors = applied.errors();
    assert!(
        errors
            .iter()
            .any(|e| e.detail.contains("injected fault") && e.detail.contains("saved in state")),
        "{errors:#?}"
    );
    let entry = world
        .tf
        .state
        .get(ADDRESS)
        .expect("the partial state is saved")
        .clone();
    assert!(entry.tainted, "a failed create is tainted");
    let partial = world.state();
    assert!(text(&partial, &["id"]).starts_with("tgw-"));
    for path in created_before_failure {
        let steps: Vec<&str> = path.split('.').collect();
        assert!(
            !get(&partial, &steps).is_null(),
            "{path} is in the partial state: {partial:#?}"
        );
    }

    assert!(world.tf.untaint(ADDRESS));
    let plan = world.tf.plan(&hub.config).await.unwrap();
    assert_eq!(
        plan.change(ADDRESS).unwrap().action,
        Action::Update,
        "resumes in place"
    );
    world.converge(&hub.config).await;
    let tgw = assert_whole_and_unique(&world, &hub).await;
    let destroyed = world.tf.destroy(&hub.config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_nothing_left(&world.inventory().await, &tgw);
}

#[tokio::test]
async fn a_failed_attachment_resumes() {
    fail_then_resume("CreateTransitGatewayVpcAttachment", 1, &["route_table_id"]).await;
}

#[tokio::test]
async fn a_failed_share_resumes() {
    fail_then_resume("CreateResourceShare", 0, &["arn"]).await;
}

#[tokio::test]
async fn a_failed_data_center_resumes() {
    fail_then_resume(
        "CreateDirectConnectGatewayAssociation",
        0,
        &["vpc_attachments.a.attachment_id", "resource_share_arn"],
    )
    .await;
}

#[tokio::test]
async fn a_failed_propagation_resumes() {
    fail_then_resume(
        "EnableTransitGatewayRouteTablePropagation",
        1,
        &["data_center.association_id"],
    )
    .await;
}

#[tokio::test]
async fn a_failed_route_resumes() {
    fail_then_resume(
        "CreateRoute",
        2,
        &[
            "vpc_attachments.b.attachment_id",
            "data_center.attachment_id",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_tainted_hub_is_replaced_without_orphans() {
    let mut world = World::start().await;
    let hub = hub(&world).await;
    world
        .emulator
        .configure(fault("CreateRoute", 1))
        .await
        .unwrap();
    let applied = world.tf.apply(&hub.config).await.unwrap();
    assert!(applied.has_errors());
    let old = text(&world.state(), &["id"]);
    let plan = world.tf.plan(&hub.config).await.unwrap();
    assert_eq!(plan.change(ADDRESS).unwrap().action, Action::Replace);
    world.converge(&hub.config).await;
    let new = text(&world.state(), &["id"]);
    assert_ne!(old, new);
    let inventory = world.inventory().await;
    assert_nothing_left(&inventory, &old);
    assert_eq!(
        ours(&inventory, "vpc_routes_to_transit_gateways", &new).len(),
        hub.routes
    );
    assert_eq!(inventory["transit_gateways"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_update_resumes_the_delta() {
    let mut world = World::start().await;
    let hub = hub(&world).await;
    world.converge(&hub.config).await;
    let extra = world.vpc(3, 1, 1).await;
    let bigger = hub.config.replace(
        "  vpc_attachments = {\n",
        &format!(
            "  vpc_attachments = {{\n    c = {{\n      vpc_id = \"{}\"\n      subnet_ids = {}\n      route_table_ids = {}\n    }}\n",
            extra.vpc,
            list(&extra.subnets),
            list(&extra.tables)
        ),
    );
    let from = next_seq(&world.calls().await);
    world
        .emulator
        .configure(fault("CreateRoute", 2))
        .await
        .unwrap();
    let applied = world.tf.apply(&bigger).await.unwrap();
    assert!(applied.has_errors());
    let entry = world.tf.state.get(ADDRESS).unwrap();
    assert!(!entry.tainted, "a failed update is not tainted");
    assert!(
        !get(&world.state(), &["vpc_attachments", "c", "attachment_id"]).is_null(),
        "the new attachment is saved"
    );
    world.converge(&bigger).await;
    let made = counts(&world.calls().await, from);
    assert_eq!(
        made.get("CreateTransitGatewayVpcAttachment"),
        Some(&1),
        "{made:#?}"
    );
    // c's table: 2 VPCs + data center; a's and b's tables: c.
    assert_eq!(
        made.get("CreateRoute"),
        Some(&5),
        "each route created once: {made:#?}"
    );
}

#[tokio::test]
async fn stop_provider_during_the_attachment_wait_returns_partial_state() {
    let mut world = World::start().await;
    let hub = hub(&world).await;
    world
        .emulator
        .configure(json!({"delays": {"vpc_attachment.pending": 8.0}}))
        .await
        .unwrap();
    let stopped_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let record = stopped_at.clone();
    let ec2 = world.aws.ec2.clone();
    let started = Instant::now();
    let applied = world
        .tf
        .apply_with(&hub.config, move |mut client| {
            tokio::spawn(async move {
                // Stop once both attachments exist: the apply is then waiting on them.
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let seen = ec2
                        .describe_transit_gateway_vpc_attachments()
                        .send()
                        .await
                        .unwrap();
                    if seen.transit_gateway_vpc_attachments().len() == 2 {
                        break;
                    }
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
                *record.lock().unwrap() = Some(Instant::now());
                client
                    .stop_provider(tfplugin6::stop_provider::Request {})
                    .await
                    .unwrap();
            });
        })
        .await
        .unwrap();
    let stopped = stopped_at.lock().unwrap().expect("StopProvider was sent");
    let returned = Instant::now();
    assert!(
        returned.duration_since(stopped) < Duration::from_secs(5),
        "returned {:?} after StopProvider",
        returned.duration_since(stopped)
    );
    assert!(returned.duration_since(started) < Duration::from_secs(30));
    assert!(
        applied
            .errors()
            .iter()
            .any(|e| e.detail.contains("asked the provider to stop")),
        "{:#?}",
        applied.errors()
    );
    let partial = world.state();
    assert_eq!(
        text(&partial, &["vpc_attachments", "a", "state"]),
        "pending"
    );
    assert_eq!(
        text(&partial, &["vpc_attachments", "b", "state"]),
        "pending"
    );

    // Resumed: the same attachments become available, nothing is created twice.
    world.emulator.configure(small_delays()).await.unwrap();
    world
        .emulator
        .configure(json!({"delays": {"vpc_attachment.pending": 0.3}}))
        .await
        .unwrap();
    assert!(world.tf.untaint(ADDRESS));
    world.converge(&hub.config).await;
    assert_whole_and_unique(&world, &hub).await;
}

#[tokio::test]
async fn a_throttling_storm_converges_without_errors() {
    let mut world = World::start().await;
    let hub = hub(&world).await;
    world
        .emulator
        .configure(json!({"throttle": {"enabled": true, "buckets": {
            "describe": [6, 6], "mutating": [3, 3], "client_vpn": [5, 2], "tags": [3, 3]
        }}}))
        .await
        .unwrap();
    world.converge(&hub.config).await;
    let tgw = assert_whole_and_unique(&world, &hub).await;
    let destroyed = world.tf.destroy(&hub.config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_nothing_left(&world.inventory().await, &tgw);
    let throttled = world
        .calls()
        .await
        .iter()
        .filter(|c| c.error.as_deref() == Some("RequestLimitExceeded"))
        .count();
    assert!(throttled > 0, "the storm was real");
}

#[tokio::test]
async fn the_errors_the_reference_calls_temporary_are_retried() {
    let mut world = World::start().await;
    let hub = hub(&world).await.propagating_explicitly();
    world
        .emulator
        .configure(json!({"faults": [
            // RAM does not see the brand-new gateway yet.
            {"action": "CreateResourceShare", "error": "UnknownResourceException", "count": 1},
            // Propagation before the attachment settles.
            {"action": "EnableTransitGatewayRouteTablePropagation", "error": "IncorrectState", "count": 2},
            // EC2 does not know the freshly created/shared gateway yet.
            {"action": "CreateRoute", "error": "InvalidTransitGatewayID.NotFound", "count": 2},
            // An attachment still settling when the gateway goes.
            {"action": "DeleteTransitGateway", "error": "IncorrectState", "count": 1},
        ]}))
        .await
        .unwrap();
    world.converge(&hub.config).await;
    let tgw = assert_whole_and_unique(&world, &hub).await;
    let destroyed = world.tf.destroy(&hub.config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_nothing_left(&world.inventory().await, &tgw);
    let failed: Vec<String> = world
        .calls()
        .await
        .iter()
        .filter_map(|c| c.error.clone())
        .collect();
    assert_eq!(
        failed.len(),
        6,
        "every injected fault fired and was retried: {failed:?}"
    );
}

#[tokio::test]
async fn timeouts_bound_the_waits_and_keep_what_exists() {
    let mut world = World::start().await;
    let hub = hub(&world).await;
    world
        .emulator
        .configure(json!({"delays": {"vpc_attachment.pending": 6.0}}))
        .await
        .unwrap();
    let hurried = hub.config.replace(
        "  name       = \"hub\"",
        "  name       = \"hub\"\n  timeouts = { create = \"2s\" }",
    );
    let started = Instant::now();
    let applied = world.tf.apply(&hurried).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    let errors = applied.errors();
    assert!(
        errors
            .iter()
            .any(|e| e.detail.contains("timed out") && e.detail.contains("timeouts")),
        "{errors:#?}"
    );
    assert_eq!(
        text(&world.state(), &["vpc_attachments", "a", "state"]),
        "pending"
    );
    world.emulator.configure(small_delays()).await.unwrap();
    assert!(world.tf.untaint(ADDRESS));
    world.converge(&hub.config).await;
    assert_whole_and_unique(&world, &hub).await;
}
