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
