//! `migration_replication_staging_area` against the emulator: a staging VPC with a public
//! subnet (internet gateway) for the NAT gateway and a staging subnet routed to the data center
//! (192.168.0.0/16, through a virtual private gateway here). The staging area is created,
//! re-planned empty and destroyed to nothing; each plan-time check shows its error on its
//! attribute; a NAT gateway deleted out of band is put back; a lost apply is adopted and a
//! failed one saves what it made.

use harness::emulator::Emulator;
use harness::{LaunchOptions, Terraform, seed};
use serde_json::json;
use terraform_provider_migration::protocol::cty::Value;

use crate::hub_network_support::{assert_no_changes, get, text};

const ACCOUNT: &str = "111122223333";
const ADDRESS: &str = "migration_replication_staging_area.staging";
const DATA_CENTER: &str = "192.168.0.0/16";

struct Vpc {
    id: String,
    staging: String,
    public: String,
    staging_table: String,
}

struct World {
    emulator: Emulator,
    ec2: aws_sdk_ec2::Client,
    mgn: aws_sdk_mgn::Client,
    tf: Terraform,
}

impl World {
    async fn start(initialized: bool) -> World {
        let emulator = Emulator::start().await.expect("emulator starts");
        let initialized: Vec<&str> = if initialized { vec![ACCOUNT] } else { vec![] };
        emulator
            .configure(json!({
                "delays": {"nat_gateway.pending": 0.3, "nat_gateway.deleting": 0.3},
                "mgn_initialized": initialized,
            }))
            .await
            .unwrap();
        let clients = emulator.clients(ACCOUNT).await.unwrap();
        let tf = Terraform::new(LaunchOptions {
            env: emulator.provider_env(ACCOUNT),
            ..Default::default()
        });
        World {
            ec2: clients.ec2.clone(),
            mgn: clients.mgn.clone(),
            emulator,
            tf,
        }
    }

    /// The staging VPC 10.60.0.0/16: a public subnet whose table routes 0.0.0.0/0 to an
    /// internet gateway, and a staging subnet (`staging_cidr`) whose own table routes the data
    /// center to a virtual private gateway when `routed`.
    async fn vpc(&self, staging_cidr: &str, routed: bool) -> Vpc {
        let routes: &[&str] = if routed { &[DATA_CENTER] } else { &[] };
        let made = seed::staging_vpc(
            &self.ec2,
            "10.60.0.0/16",
            "10.60.200.0/24",
            staging_cidr,
            routes,
        )
        .await
        .unwrap();
        Vpc {
            id: made.vpc_id,
            staging: made.staging_subnet_id,
            public: made.public_subnet_id,
            staging_table: made.staging_table_id,
        }
    }

    fn config(&self, vpc: &Vpc, extra: &str) -> String {
        format!(
            "{}\nresource \"migration_replication_staging_area\" \"staging\" {{\n  vpc_id = \"{}\"\n  staging_subnet_id = \"{}\"\n  nat_subnet_id = \"{}\"\n  source_cidr_blocks = [\"{DATA_CENTER}\"]\n{extra}\n}}\n",
            self.emulator.provider_block(""),
            vpc.id,
            vpc.staging,
            vpc.public,
        )
    }

    /// The staging subnet table's routes as (destination, target).
    async fn routes(&self, table: &str) -> Vec<(String, String)> {
        let tables = self
            .ec2
            .describe_route_tables()
            .route_table_ids(table)
            .send()
            .await
            .unwrap();
        tables.route_tables()[0]
            .routes()
            .iter()
            .filter_map(|r| {
                Some((
                    r.destination_cidr_block()?.to_string(),
                    r.nat_gateway_id()
                        .or(r.gateway_id())
                        .unwrap_or_default()
                        .to_string(),
                ))
            })
            .collect()
    }

    /// Every object of the account tagged as this staging area's, by kind.
    async fn ours(&self, vpc: &str) -> (usize, usize, usize, usize) {
        let by_owner = aws_sdk_ec2::types::Filter::builder()
            .name("tag:migration:owner")
            .values(vpc)
            .build();
        let groups = self
            .ec2
            .describe_security_groups()
            .filters(by_owner.clone())
            .send()
            .await
            .unwrap()
            .security_groups()
            .len();
        let addresses = self
            .ec2
            .describe_addresses()
            .filters(by_owner.clone())
            .send()
            .await
            .unwrap()
            .addresses()
            .len();
        let nats = self
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
        let templates = self
            .mgn
            .describe_replication_configuration_templates()
            .send()
            .await
            .unwrap()
            .items()
            .len();
        (groups, addresses, nats, templates)
    }

    fn state(&self) -> Value {
        self.tf
            .state_value(ADDRESS)
            .expect("the staging area is in state")
    }

    /// The one error of a plan of `config`: (attribute, summary, detail).
    async fn plan_error(&mut self, config: &str) -> (Option<String>, String, String) {
        let plan = self.tf.plan(config).await.unwrap();
        let errors = plan.errors();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        (
            errors[0].attribute.as_ref().map(ToString::to_string),
            errors[0].summary.clone(),
            errors[0].detail.clone(),
        )
    }
}

#[tokio::test]
async fn creates_the_nat_staging_area_replans_empty_and_destroys_to_nothing() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let config = world.config(
        &vpc,
        "  bandwidth_throttling = 100\n  staging_area_tags = { purpose = \"replication\" }\n  tags = { team = \"migration\" }",
    );
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let again = world.tf.plan(&config).await.unwrap();
    assert!(!again.has_errors(), "{:#?}", again.errors());
    assert_no_changes(&again);

    let state = world.state();
    let template = text(&state, &["id"]);
    assert!(template.starts_with("rct-"), "{template}");
    let nat = text(&state, &["nat_gateway_id"]);
    let group = text(&state, &["security_group_id"]);
    assert_eq!(text(&state, &["route_table_id"]), vpc.staging_table);
    assert_eq!(text(&state, &["data_plane_routing"]), "PRIVATE_IP");
    assert_eq!(
        text(&state, &["replication_server_instance_type"]),
        "t3.small"
    );
    // In AWS: the staging subnet leaves through the NAT gateway; the group lets the data
    // center in on 1500 and lets only 443 out; the template puts the servers there.
    let routes = world.routes(&vpc.staging_table).await;
    assert!(
        routes.contains(&("0.0.0.0/0".to_string(), nat.clone())),
        "{routes:?}"
    );
    let described = world
        .ec2
        .describe_security_groups()
        .group_ids(&group)
        .send()
        .await
        .unwrap();
    let sg = &described.security_groups()[0];
    let ingress: Vec<(Option<i32>, Vec<&str>)> = sg
        .ip_permissions()
        .iter()
        .map(|p| {
            (
                p.from_port(),
                p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).collect(),
            )
        })
        .collect();
    assert_eq!(ingress, vec![(Some(1500), vec![DATA_CENTER])]);
    let egress: Vec<(Option<&str>, Option<i32>)> = sg
        .ip_permissions_egress()
        .iter()
        .map(|p| (p.ip_protocol(), p.from_port()))
        .collect();
    assert_eq!(egress, vec![(Some("tcp"), Some(443))]);
    let templates = world
        .mgn
        .describe_replication_configuration_templates()
        .send()
        .await
        .unwrap();
    let t = &templates.items()[0];
    assert_eq!(t.staging_area_subnet_id(), Some(vpc.staging.as_str()));
    assert_eq!(
        t.replication_servers_security_groups_ids(),
        std::slice::from_ref(&group)
    );
    assert_eq!(t.bandwidth_throttling(), 100);
    assert_eq!(t.associate_default_security_group(), Some(false));
    assert_eq!(
        t.staging_area_tags()
            .and_then(|tags| tags.get("purpose"))
            .map(String::as_str),
        Some("replication")
    );
    let tags = t.tags().unwrap();
    assert_eq!(tags.get("migration:owner"), Some(&vpc.id));
    assert_eq!(tags.get("team").map(String::as_str), Some("migration"));
    assert_eq!(world.ours(&vpc.id).await, (1, 1, 1, 1));

    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0));
    let routes = world.routes(&vpc.staging_table).await;
    assert!(
        routes
            .iter()
            .all(|(destination, _)| destination != "0.0.0.0/0"),
        "{routes:?}"
    );
}

#[tokio::test]
async fn a_nat_gateway_deleted_out_of_band_is_planned_and_put_back() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let config = world.config(&vpc, "");
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let nat = text(&world.state(), &["nat_gateway_id"]);
    world
        .ec2
        .delete_nat_gateway()
        .nat_gateway_id(&nat)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;

    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert!(!plan.is_empty(), "the missing NAT gateway is a change");
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let replaced = text(&world.state(), &["nat_gateway_id"]);
    assert_ne!(replaced, nat);
    let routes = world.routes(&vpc.staging_table).await;
    assert!(
        routes.contains(&("0.0.0.0/0".to_string(), replaced)),
        "{routes:?}"
    );
    assert_no_changes(&world.tf.plan(&config).await.unwrap());
}

#[tokio::test]
async fn plan_time_checks_name_their_attribute() {
    // MGN not initialized: the message says how to initialize it.
    let mut world = World::start(false).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let (attribute, summary, detail) = world.plan_error(&world.config(&vpc, "")).await;
    assert_eq!(attribute, None);
    assert_eq!(summary, "Application Migration Service is not initialized");
    assert!(detail.contains("aws mgn initialize-service"), "{detail}");
    world
        .emulator
        .configure(json!({"mgn_initialized": [ACCOUNT]}))
        .await
        .unwrap();

    // Public IP routing without public IPs.
    let (attribute, summary, _) = world
        .plan_error(&world.config(&vpc, "  data_plane_routing = \"PUBLIC_IP\""))
        .await;
    assert_eq!(attribute.as_deref(), Some("data_plane_routing"));
    assert_eq!(summary, "Public IP routing without a public IP");

    // The source network is not routed back from the staging subnet.
    let unrouted = world.vpc("10.60.1.0/24", false).await;
    let (attribute, summary, detail) = world.plan_error(&world.config(&unrouted, "")).await;
    assert_eq!(attribute.as_deref(), Some("source_cidr_blocks"));
    assert_eq!(summary, "Source network not routed back");
    assert!(detail.contains(DATA_CENTER), "{detail}");

    // A /28 staging subnet (11 free addresses) cannot hold 2 replication servers and 20
    // conversion servers.
    let small = world.vpc("10.60.2.0/28", true).await;
    let (attribute, summary, _) = world
        .plan_error(&world.config(&small, "  concurrent_source_servers = 20"))
        .await;
    assert_eq!(attribute.as_deref(), Some("staging_subnet_id"));
    assert_eq!(summary, "Staging subnet too small");
    assert_eq!(
        world.ours(&vpc.id).await,
        (0, 0, 0, 0),
        "plans create nothing"
    );
}

#[tokio::test]
async fn a_retry_adopts_the_lost_staging_area_and_another_state_is_refused() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let config = world.config(&vpc, "");

    // An apply whose answer Terraform never saved: everything exists, the security group still
    // unconfirmed (no read of a saved state has confirmed it), and the state has nothing.
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let first = text(&world.state(), &["id"]);
    assert!(world.tf.forget(ADDRESS));
    let retry = world.tf.apply(&config).await.unwrap();
    assert!(!retry.has_errors(), "{:#?}", retry.errors());
    assert!(
        retry
            .plan
            .warnings()
            .iter()
            .any(|w| w.summary == "Adopting what an interrupted apply made"),
        "{:#?}",
        retry.plan.warnings()
    );
    assert_eq!(
        text(&world.state(), &["id"]),
        first,
        "adopted, not duplicated"
    );
    assert_eq!(world.ours(&vpc.id).await, (1, 1, 1, 1));

    // The refresh confirms it: from now on another state's create is refused, naming it.
    assert_no_changes(&world.tf.plan(&config).await.unwrap());
    assert!(world.tf.forget(ADDRESS));
    let other = world.tf.apply(&config).await.unwrap();
    let errors = other.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].detail.contains(&vpc.id)
            && errors[0]
                .detail
                .contains("another migration_replication_staging_area"),
        "{}",
        errors[0].detail
    );
    assert_eq!(
        world.ours(&vpc.id).await,
        (1, 1, 1, 1),
        "nothing duplicated"
    );

    // Import by template id gives back the same staging area: the plan after it is empty.
    let imported = world.tf.import(&config, ADDRESS, &first).await.unwrap();
    assert!(
        imported.iter().all(|(_, d)| d.severity
            != terraform_provider_migration::protocol::diagnostics::Severity::Error),
        "{imported:#?}"
    );
    let state = world.state();
    assert_eq!(text(&state, &["vpc_id"]), vpc.id);
    assert_eq!(text(&state, &["nat_subnet_id"]), vpc.public);
    assert_no_changes(&world.tf.plan(&config).await.unwrap());
}

#[tokio::test]
async fn a_failed_create_saves_what_it_made_and_the_next_apply_leaves_no_orphans() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let config = world.config(&vpc, "");
    world
        .emulator
        .configure(json!({"faults": [{
            "action": "CreateReplicationConfigurationTemplate",
            "error": "ValidationException",
            "status": 400,
            "message": "injected failure",
            "count": 1
        }]}))
        .await
        .unwrap();
    let applied = world.tf.apply(&config).await.unwrap();
    let errors = applied.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].summary,
        "Creating the replication configuration template failed"
    );
    assert!(errors[0].detail.contains("injected failure"), "{errors:#?}");
    // What it made is in the state: the group, the address, the NAT gateway; no template.
    let partial = world.state();
    assert!(get(&partial, &["id"]).is_null());
    assert!(text(&partial, &["security_group_id"]).starts_with("sg-"));
    assert!(text(&partial, &["nat_gateway_id"]).starts_with("nat-"));
    assert_eq!(world.ours(&vpc.id).await, (1, 1, 1, 0));

    world
        .emulator
        .configure(json!({"faults": []}))
        .await
        .unwrap();
    let again = world.tf.apply(&config).await.unwrap();
    assert!(!again.has_errors(), "{:#?}", again.errors());
    assert!(text(&world.state(), &["id"]).starts_with("rct-"));
    assert_eq!(world.ours(&vpc.id).await, (1, 1, 1, 1), "no orphans");
    assert_no_changes(&world.tf.plan(&config).await.unwrap());
}

#[tokio::test]
async fn private_mode_reaches_the_services_through_endpoints_and_destroys_to_nothing() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let config = format!(
        "{}\nresource \"migration_replication_staging_area\" \"staging\" {{\n  network_mode = \"PRIVATE\"\n  vpc_id = \"{}\"\n  staging_subnet_id = \"{}\"\n  source_cidr_blocks = [\"{DATA_CENTER}\"]\n}}\n",
        world.emulator.provider_block(""),
        vpc.id,
        vpc.staging,
    );
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_no_changes(&world.tf.plan(&config).await.unwrap());

    let state = world.state();
    assert!(get(&state, &["nat_gateway_id"]).is_null());
    let endpoints = get(&state, &["vpc_endpoint_ids"]);
    let Value::Map(endpoints) = endpoints else {
        panic!("{endpoints:?}");
    };
    assert_eq!(
        endpoints.keys().map(String::as_str).collect::<Vec<_>>(),
        vec!["ec2", "mgn", "s3", "s3-gateway"]
    );
    // No NAT gateway, no address, no default route; the S3 gateway endpoint's prefix-list
    // route in the staging table; the group lets the VPC reach the endpoints on 443.
    assert_eq!(world.ours(&vpc.id).await, (1, 0, 0, 1));
    let routes = world.routes(&vpc.staging_table).await;
    assert!(
        routes
            .iter()
            .all(|(destination, _)| destination != "0.0.0.0/0"),
        "{routes:?}"
    );
    let group = text(&state, &["security_group_id"]);
    let described = world
        .ec2
        .describe_security_groups()
        .group_ids(&group)
        .send()
        .await
        .unwrap();
    let ingress: Vec<(Option<i32>, Vec<&str>)> = described.security_groups()[0]
        .ip_permissions()
        .iter()
        .map(|p| {
            (
                p.from_port(),
                p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).collect(),
            )
        })
        .collect();
    assert!(
        ingress.contains(&(Some(443), vec!["10.60.0.0/16"])),
        "{ingress:?}"
    );

    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0));
    let left = world
        .ec2
        .describe_vpc_endpoints()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(&vpc.id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(
        left.vpc_endpoints().iter().all(|e| e
            .state()
            .is_some_and(|s| s.as_str().eq_ignore_ascii_case("deleted"))),
        "{:#?}",
        left.vpc_endpoints()
    );
}

/// The NAT gateways of the staging area of `vpc` not deleted, as (id, subnet, allocation).
async fn nat_gateways(world: &World, vpc: &str) -> Vec<(String, String, String)> {
    let by_owner = aws_sdk_ec2::types::Filter::builder()
        .name("tag:migration:owner")
        .values(vpc)
        .build();
    let mut found: Vec<(String, String, String)> = world
        .ec2
        .describe_nat_gateways()
        .filter(by_owner)
        .send()
        .await
        .unwrap()
        .nat_gateways()
        .iter()
        .filter(|n| n.state().is_some_and(|s| s.as_str() != "deleted"))
        .map(|n| {
            (
                n.nat_gateway_id().unwrap_or_default().to_string(),
                n.subnet_id().unwrap_or_default().to_string(),
                n.nat_gateway_addresses()
                    .first()
                    .and_then(|a| a.allocation_id())
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// A map attribute of the state as (key, value) pairs.
fn pairs(state: &Value, name: &str) -> Vec<(String, String)> {
    let Value::Map(map) = get(state, &[name]) else {
        panic!("{name} is not a map: {:?}", get(state, &[name]));
    };
    map.iter()
        .map(|(k, v)| {
            let Value::String(v) = v else { panic!("{v:?}") };
            (k.clone(), v.clone())
        })
        .collect()
}

#[tokio::test]
async fn a_nat_gateway_per_zone_routes_each_staging_subnet_to_its_own_and_repairs_one_zone() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let b = seed::staging_zone(
        &world.ec2,
        &vpc.id,
        "b",
        "10.60.201.0/24",
        "10.60.1.0/24",
        &[DATA_CENTER],
    )
    .await
    .unwrap();
    let config = format!(
        "{}\nresource \"migration_replication_staging_area\" \"staging\" {{\n  vpc_id = \"{}\"\n  staging_subnet_id = \"{}\"\n  additional_staging_subnet_ids = [\"{}\"]\n  nat_subnet_ids = [\"{}\", \"{}\"]\n  source_cidr_blocks = [\"{DATA_CENTER}\"]\n}}\n",
        world.emulator.provider_block(""),
        vpc.id,
        vpc.staging,
        b.staging_subnet_id,
        vpc.public,
        b.public_subnet_id,
    );
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_no_changes(&world.tf.plan(&config).await.unwrap());

    // A NAT gateway with an Elastic IP of its own in each public subnet; each staging subnet
    // leaves through its zone's.
    let nats = nat_gateways(&world, &vpc.id).await;
    assert_eq!(nats.len(), 2, "{nats:?}");
    assert_ne!(nats[0].2, nats[1].2, "one Elastic IP each");
    let nat_in = |subnet: &str| {
        nats.iter()
            .find(|(_, s, _)| s == subnet)
            .map(|(id, _, _)| id.clone())
            .unwrap()
    };
    let (nat_a, nat_b) = (nat_in(&vpc.public), nat_in(&b.public_subnet_id));
    let default_route = |routes: Vec<(String, String)>| {
        routes
            .into_iter()
            .find(|(destination, _)| destination == "0.0.0.0/0")
            .map(|(_, target)| target)
    };
    assert_eq!(
        default_route(world.routes(&vpc.staging_table).await),
        Some(nat_a.clone())
    );
    assert_eq!(
        default_route(world.routes(&b.staging_table_id).await),
        Some(nat_b.clone())
    );
    let state = world.state();
    let mut by_subnet = vec![
        (vpc.public.clone(), nat_a.clone()),
        (b.public_subnet_id.clone(), nat_b.clone()),
    ];
    by_subnet.sort();
    assert_eq!(pairs(&state, "nat_gateway_ids"), by_subnet);
    assert_eq!(pairs(&state, "nat_public_ips").len(), 2);
    assert_eq!(text(&state, &["nat_gateway_id"]), nat_a);
    assert!(get(&state, &["nat_subnet_id"]).is_null());
    let mut tables = vec![
        (vpc.staging.clone(), vpc.staging_table.clone()),
        (b.staging_subnet_id.clone(), b.staging_table_id.clone()),
    ];
    tables.sort();
    assert_eq!(pairs(&state, "route_table_ids"), tables);
    assert_eq!(world.ours(&vpc.id).await, (1, 2, 2, 1));

    // Zone b's NAT gateway deleted out of band: the plan shows it, the apply makes zone b's
    // again with the same Elastic IP and moves zone b's route; zone a is untouched.
    let public_ips = pairs(&state, "nat_public_ips");
    world
        .ec2
        .delete_nat_gateway()
        .nat_gateway_id(&nat_b)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert!(!plan.is_empty(), "the missing NAT gateway is a change");
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let state = world.state();
    let nat_ids = pairs(&state, "nat_gateway_ids");
    let new_b = nat_ids
        .iter()
        .find(|(s, _)| s == &b.public_subnet_id)
        .map(|(_, id)| id.clone())
        .unwrap();
    assert_ne!(new_b, nat_b);
    assert!(nat_ids.contains(&(vpc.public.clone(), nat_a.clone())));
    assert_eq!(
        pairs(&state, "nat_public_ips"),
        public_ips,
        "same addresses"
    );
    assert_eq!(
        default_route(world.routes(&b.staging_table_id).await),
        Some(new_b.clone())
    );
    assert_eq!(
        default_route(world.routes(&vpc.staging_table).await),
        Some(nat_a.clone())
    );
    assert_eq!(world.ours(&vpc.id).await, (1, 2, 2, 1), "no extra address");
    assert_no_changes(&world.tf.plan(&config).await.unwrap());

    // Zone a's default route deleted out of band: planned, and put back to zone a's.
    world
        .ec2
        .delete_route()
        .route_table_id(&vpc.staging_table)
        .destination_cidr_block("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert!(!plan.is_empty(), "the missing route is a change");
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_eq!(
        default_route(world.routes(&vpc.staging_table).await),
        Some(nat_a.clone())
    );
    assert_no_changes(&world.tf.plan(&config).await.unwrap());

    // Zone b's default route moved out of band to zone a's NAT gateway: planned, and moved
    // back to zone b's.
    world
        .ec2
        .replace_route()
        .route_table_id(&b.staging_table_id)
        .destination_cidr_block("0.0.0.0/0")
        .nat_gateway_id(&nat_a)
        .send()
        .await
        .unwrap();
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert!(!plan.is_empty(), "the crossed route is a change");
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_eq!(
        default_route(world.routes(&b.staging_table_id).await),
        Some(new_b.clone())
    );
    assert_no_changes(&world.tf.plan(&config).await.unwrap());

    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0));
    for table in [&vpc.staging_table, &b.staging_table_id] {
        assert_eq!(default_route(world.routes(table).await), None);
    }
}

#[tokio::test]
async fn a_staging_zone_without_a_nat_subnet_is_an_error_on_nat_subnet_ids() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let b = seed::staging_zone(
        &world.ec2,
        &vpc.id,
        "b",
        "10.60.201.0/24",
        "10.60.1.0/24",
        &[DATA_CENTER],
    )
    .await
    .unwrap();
    let config = format!(
        "{}\nresource \"migration_replication_staging_area\" \"staging\" {{\n  vpc_id = \"{}\"\n  staging_subnet_id = \"{}\"\n  additional_staging_subnet_ids = [\"{}\"]\n  nat_subnet_ids = [\"{}\"]\n  source_cidr_blocks = [\"{DATA_CENTER}\"]\n}}\n",
        world.emulator.provider_block(""),
        vpc.id,
        vpc.staging,
        b.staging_subnet_id,
        vpc.public,
    );
    let (attribute, summary, detail) = world.plan_error(&config).await;
    assert_eq!(attribute.as_deref(), Some("nat_subnet_ids"));
    assert_eq!(summary, "Staging zone without a NAT subnet");
    assert!(detail.contains(&b.staging_subnet_id), "{detail}");
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0), "nothing created");
}

/// A NAT-mode staging area on `vpc` with `additional` staging subnets and `nat`.
fn zoned_config(world: &World, vpc: &Vpc, additional: &[&str], nat: &str) -> String {
    let list = |ids: &[&str]| {
        ids.iter()
            .map(|id| format!("\"{id}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{}\nresource \"migration_replication_staging_area\" \"staging\" {{\n  vpc_id = \"{}\"\n  staging_subnet_id = \"{}\"\n  additional_staging_subnet_ids = [{}]\n  {nat}\n  source_cidr_blocks = [\"{DATA_CENTER}\"]\n}}\n",
        world.emulator.provider_block(""),
        vpc.id,
        vpc.staging,
        list(additional),
    )
}

/// The target of the default route of `table`, if it has one.
async fn default_target(world: &World, table: &str) -> Option<String> {
    world
        .routes(table)
        .await
        .into_iter()
        .find(|(destination, _)| destination == "0.0.0.0/0")
        .map(|(_, target)| target)
}

#[tokio::test]
async fn a_staging_subnet_added_or_removed_in_nat_mode_changes_its_route_in_place() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let b = seed::staging_zone(
        &world.ec2,
        &vpc.id,
        "b",
        "10.60.201.0/24",
        "10.60.1.0/24",
        &[DATA_CENTER],
    )
    .await
    .unwrap();
    let shared = format!("nat_subnet_id = \"{}\"", vpc.public);
    let one = zoned_config(&world, &vpc, &[], &shared);
    let applied = world.tf.apply(&one).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let nat = text(&world.state(), &["nat_gateway_id"]);
    let template = text(&world.state(), &["id"]);

    // Added: an in-place update that routes the new subnet's table to the shared NAT gateway.
    let two = zoned_config(&world, &vpc, &[&b.staging_subnet_id], &shared);
    let plan = world.tf.plan(&two).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let change = plan.change(ADDRESS).expect("a change");
    assert_eq!(change.action, harness::Action::Update, "{change:#?}");
    let applied = world.tf.apply(&two).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_eq!(
        default_target(&world, &b.staging_table_id).await,
        Some(nat.clone())
    );
    assert_eq!(
        default_target(&world, &vpc.staging_table).await,
        Some(nat.clone())
    );
    assert_eq!(
        text(&world.state(), &["id"]),
        template,
        "the same staging area"
    );
    assert_no_changes(&world.tf.plan(&two).await.unwrap());

    // Removed: its default route goes, the template subnet's stays.
    let applied = world.tf.apply(&one).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_eq!(default_target(&world, &b.staging_table_id).await, None);
    assert_eq!(default_target(&world, &vpc.staging_table).await, Some(nat));
    assert_no_changes(&world.tf.plan(&one).await.unwrap());
    assert_eq!(world.ours(&vpc.id).await, (1, 1, 1, 1));

    let destroyed = world.tf.destroy(&one).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0));
}

#[tokio::test]
async fn an_imported_per_zone_staging_area_finds_its_nat_subnets() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let b = seed::staging_zone(
        &world.ec2,
        &vpc.id,
        "b",
        "10.60.201.0/24",
        "10.60.1.0/24",
        &[DATA_CENTER],
    )
    .await
    .unwrap();
    let per_zone = format!(
        "nat_subnet_ids = [\"{}\", \"{}\"]",
        vpc.public, b.public_subnet_id
    );
    let config = zoned_config(&world, &vpc, &[&b.staging_subnet_id], &per_zone);
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let template = text(&world.state(), &["id"]);
    assert!(world.tf.forget(ADDRESS));

    let imported = world.tf.import(&config, ADDRESS, &template).await.unwrap();
    assert!(
        imported.iter().all(|(_, d)| d.severity
            != terraform_provider_migration::protocol::diagnostics::Severity::Error),
        "{imported:#?}"
    );
    let state = world.state();
    assert!(get(&state, &["nat_subnet_id"]).is_null());
    assert_eq!(pairs(&state, "nat_gateway_ids").len(), 2);
    // The additional staging subnets come from the configuration, in place.
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    if let Some(change) = plan.change(ADDRESS) {
        assert_ne!(change.action, harness::Action::Replace, "{change:#?}");
    }
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_no_changes(&world.tf.plan(&config).await.unwrap());
    assert_eq!(
        world.ours(&vpc.id).await,
        (1, 2, 2, 1),
        "nothing duplicated"
    );

    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0));
}

#[tokio::test]
async fn private_mode_puts_the_endpoints_in_each_staging_zone() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", true).await;
    let b = seed::staging_zone(
        &world.ec2,
        &vpc.id,
        "b",
        "10.60.201.0/24",
        "10.60.1.0/24",
        &[DATA_CENTER],
    )
    .await
    .unwrap();
    let config = zoned_config(
        &world,
        &vpc,
        &[&b.staging_subnet_id],
        "network_mode = \"PRIVATE\"",
    );
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_no_changes(&world.tf.plan(&config).await.unwrap());
    let state = world.state();
    let mut tables = vec![
        (vpc.staging.clone(), vpc.staging_table.clone()),
        (b.staging_subnet_id.clone(), b.staging_table_id.clone()),
    ];
    tables.sort();
    assert_eq!(pairs(&state, "route_table_ids"), tables);
    let endpoints = world
        .ec2
        .describe_vpc_endpoints()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(&vpc.id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut want_subnets = vec![vpc.staging.clone(), b.staging_subnet_id.clone()];
    want_subnets.sort();
    let mut want_tables = vec![vpc.staging_table.clone(), b.staging_table_id.clone()];
    want_tables.sort();
    for endpoint in endpoints.vpc_endpoints() {
        let interface = endpoint
            .vpc_endpoint_type()
            .is_some_and(|t| t.as_str() == "Interface");
        let mut found: Vec<String> = if interface {
            endpoint.subnet_ids().to_vec()
        } else {
            endpoint.route_table_ids().to_vec()
        };
        found.sort();
        assert_eq!(
            found,
            if interface {
                &want_subnets
            } else {
                &want_tables
            }
            .clone(),
            "{endpoint:#?}"
        );
    }
    assert_eq!(endpoints.vpc_endpoints().len(), 4);
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0));
}

/// PRIVATE_IP through a hub: the staging VPC and the data center (Direct Connect) on a
/// `migration_hub_network`, whose mesh routes the data center from the staging subnet to the
/// Transit Gateway. The staging area's check then walks the gateway's route tables both ways
/// (and what Direct Connect advertises), finds the round trip complete and applies; a
/// blackhole static route to the staging VPC in the hub route table, put there out of band, is
/// then an error on `source_cidr_blocks` naming the table.
#[tokio::test]
async fn private_ip_through_a_hub_is_walked_through_the_transit_gateway() {
    let mut world = World::start(true).await;
    let vpc = world.vpc("10.60.0.0/24", false).await;
    let clients = world.emulator.clients(ACCOUNT).await.unwrap();
    let dx = seed::direct_connect_gateway(&clients.direct_connect, "data-center", 65010)
        .await
        .unwrap();
    let hub = format!(
        r#"
resource "migration_hub_network" "hub" {{
  name = "migration-hub"
  vpc_attachments = {{
    staging = {{
      vpc_id          = "{}"
      subnet_ids      = ["{}"]
      route_table_ids = ["{}"]
    }}
  }}
  data_center = {{
    cidr_blocks               = ["{DATA_CENTER}"]
    direct_connect_gateway_id = "{dx}"
  }}
}}
"#,
        vpc.id, vpc.staging, vpc.staging_table
    );
    // The hub first: before its routes exist the staging subnet does not route the data
    // center anywhere, which the plan refuses.
    let hub_only = format!("{}\n{hub}", world.emulator.provider_block(""));
    let applied = world.tf.apply(&hub_only).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let both = format!("{}\n{hub}", world.config(&vpc, ""));
    let applied = world.tf.apply(&both).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert_eq!(text(&world.state(), &["data_plane_routing"]), "PRIVATE_IP");
    assert_no_changes(&world.tf.plan(&both).await.unwrap());

    let hub_state = world
        .tf
        .state_value("migration_hub_network.hub")
        .expect("the hub in state");
    let hub_table = text(&hub_state, &["route_table_id"]);
    world
        .ec2
        .create_transit_gateway_route()
        .transit_gateway_route_table_id(&hub_table)
        .destination_cidr_block("10.60.0.0/16")
        .blackhole(true)
        .send()
        .await
        .unwrap();
    let (attribute, summary, detail) = world.plan_error(&both).await;
    assert_eq!(attribute.as_deref(), Some("source_cidr_blocks"));
    assert_eq!(summary, "Source network not reachable through the hub");
    assert!(
        detail.contains(&hub_table) && detail.contains("10.60.0.0/16"),
        "{detail}"
    );

    world
        .ec2
        .delete_transit_gateway_route()
        .transit_gateway_route_table_id(&hub_table)
        .destination_cidr_block("10.60.0.0/16")
        .send()
        .await
        .unwrap();
    let destroyed = world.tf.destroy(&both).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_eq!(world.ours(&vpc.id).await, (0, 0, 0, 0));
}
