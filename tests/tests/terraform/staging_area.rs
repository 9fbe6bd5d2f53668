//! `migration_replication_staging_area` on real Terraform, `tests/terraform/cases/
//! replication_staging_area/`: a NAT-mode staging area on a seeded staging VPC is applied, the
//! next plan is empty, and a destroy leaves nothing of it; a source network the staging subnet
//! does not route back is an `Error:` on the line of `source_cidr_blocks`.

use harness::cli::{Cli, Severity, case_line, diagnostics};
use harness::seed::{self, StagingVpc};
use serde_json::json;

use crate::scenario;
use crate::world::{World, assert_no_changes, text};

const CASE: &str = "replication_staging_area";
const STAGING: &str = "migration_replication_staging_area.staging";
const DATA_CENTER: &str = "192.168.0.0/16";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(nat_staging_area_applies_replans_empty_and_destroys_to_nothing),
        scenario!(an_unrouted_source_network_is_an_error_on_its_argument),
        scenario!(replace_without_create_before_destroy_rebuilds_the_staging_area),
        scenario!(create_before_destroy_replacement_is_refused_before_anything_is_created),
    ]
}

/// A world with MGN initialized and a staging VPC whose staging subnet routes `routed`.
async fn staging_world(cli: &Cli, routed: &[&str]) -> (World, StagingVpc) {
    let world = World::start(cli, CASE).await;
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
