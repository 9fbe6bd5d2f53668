//! `data "migration_directory_groups"` on real Terraform: the configuration
//! `tests/terraform/cases/directory_groups/` names its groups, reads their SIDs from the
//! directory and gives them to a `migration_client_vpn_group_access`.

use harness::cli::{Cli, Severity, case_line, diagnostics};
use serde_json::{Value as Json, json};

use crate::client_vpn::ACCESS;
use crate::scenario;
use crate::world::{Site, World, assert_no_changes, assert_refresh_only_empty};

const CASE: &str = "directory_groups";
const DATA: &str = "data.migration_directory_groups.ad";
const STAGING: &str = "10.10.0.0/16";
const DATA_CENTER: &str = "192.168.0.0/16";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(sids_read_by_name_feed_a_group_access),
        scenario!(a_missing_name_is_a_readable_error),
        scenario!(refresh_only_with_a_builtin_data_source_exits_2, needs "1.15"),
    ]
}

async fn seed(cli: &Cli) -> (World, Site) {
    let world = World::start(cli, CASE).await;
    let site = world
        .client_vpn_site(&["Migration Engineers", "Internal IT"])
        .await;
    world.ws.init().await;
    (world, site)
}

fn vars(site: &Site, engineers: &str) -> Json {
    json!({
        "client_vpn_endpoint_id": site.endpoint_id,
        "directory_id": site.directory_id,
        "groups": {
            "engineers": {"name": engineers, "networks": [STAGING, DATA_CENTER]},
            "it": {"name": "Internal IT", "networks": [DATA_CENTER]},
        },
    })
}

/// The configuration reads both SIDs by name during plan; the access applies with them, and
/// the next plan finds nothing to do.
async fn sids_read_by_name_feed_a_group_access(cli: Cli) {
    let (world, site) = seed(&cli).await;
    let ws = &world.ws;
    ws.set_vars(&vars(&site, "Migration Engineers"));
    let applied = ws.apply(&[]).await.ok();
    assert!(
        applied.stdout.contains("Resources: 1 added"),
        "{}",
        applied.report("creates the access")
    );
    assert!(
        applied.stdout.contains(
            "engineers_dn = \"CN=Migration Engineers,OU=Users,OU=CORP,DC=corp,DC=example,DC=com\""
        ),
        "{}",
        applied.report("outputs the distinguished name")
    );
    let read = ws.resource(DATA).await.expect("the data source in state");
    assert_eq!(
        read["sids"],
        json!({
            "Internal IT": site.sid("Internal IT"),
            "Migration Engineers": site.sid("Migration Engineers"),
        })
    );
    let mut rules: Vec<(String, String)> = world
        .rules(&site.endpoint_id)
        .await
        .into_iter()
        .map(|r| (r.group, r.cidr))
        .collect();
    rules.sort();
    let mut expected = vec![
        (
            site.sid("Migration Engineers").to_string(),
            STAGING.to_string(),
        ),
        (
            site.sid("Migration Engineers").to_string(),
            DATA_CENTER.to_string(),
        ),
        (site.sid("Internal IT").to_string(), DATA_CENTER.to_string()),
    ];
    expected.sort();
    assert_eq!(rules, expected);
    let state = ws.resource(ACCESS).await.expect("the access in state");
    assert_eq!(
        state["groups"]["engineers"]["sid"],
        site.sid("Migration Engineers")
    );
    assert_no_changes(ws, "apply").await;
    assert_refresh_only_empty(ws, "apply").await;
}

/// A Terraform fact [`assert_refresh_only_empty`] relies on: from 1.15 a `-refresh-only` plan
/// of a configuration that reads any data source exits 2 with `-detailed-exitcode` while
/// printing "No changes.", even with only the built-in `terraform_remote_state` (so it is not
/// this provider's doing).
async fn refresh_only_with_a_builtin_data_source_exits_2(cli: Cli) {
    let world = World::empty(&cli, "refresh_only_data").await;
    let ws = &world.ws;
    ws.write(
        "other.tfstate",
        r#"{"version":4,"terraform_version":"1.6.6","serial":1,"lineage":"4b1f2c3e-0000-4000-8000-000000000000","outputs":{},"resources":[]}"#,
    );
    ws.write(
        "main.tf",
        "data \"terraform_remote_state\" \"other\" {\n  backend = \"local\"\n  \
         config  = { path = \"other.tfstate\" }\n}\n",
    );
    ws.init().await;
    let applied = ws.apply(&[]).await.ok();
    assert!(
        applied.stdout.contains("Resources: 0 added"),
        "{}",
        applied.report("applies")
    );
    let run = ws.plan(&["-refresh-only"]).await;
    assert!(
        run.code == Some(2) && run.stdout.contains("No changes."),
        "{}",
        run.report("exits 2 with no changes")
    );
}

/// A name the directory does not have fails the plan with an error on the data source's
/// `names` that names it and the closest existing name; nothing is created.
async fn a_missing_name_is_a_readable_error(cli: Cli) {
    let (world, site) = seed(&cli).await;
    let ws = &world.ws;
    ws.set_vars(&vars(&site, "Migration Engineer"));
    let plan = ws.plan(&[]).await;
    assert_eq!(plan.code, Some(1), "{}", plan.report("fails"));
    let found = diagnostics(&plan.output());
    let errors: Vec<_> = found
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{}", plan.report("one error"));
    let error = errors[0];
    assert_eq!(error.summary, "Group not found", "{error:#?}");
    assert_eq!(error.address.as_deref(), Some(DATA), "{error:#?}");
    let line = case_line(CASE, "main.tf", "names        = [for group");
    assert_eq!(
        error.location(),
        Some(format!("main.tf:{line}")),
        "{error:#?}"
    );
    assert!(
        error.body.contains("no group named \"Migration Engineer\""),
        "{error:#?}"
    );
    assert!(
        error
            .body
            .contains("closest existing names: \"Migration Engineers\""),
        "{error:#?}"
    );
    assert!(world.rules(&site.endpoint_id).await.is_empty());
}
