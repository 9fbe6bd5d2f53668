//! Facts about Terraform releases outside the supported range, checked rather than asserted in
//! prose. They run only when the release is installed and `MIGRATION_TERRAFORM_VERSIONS` names
//! it (or says `all`); otherwise they are listed as ignored.
//!
//! Terraform 1.0.3 speaks plugin protocol 6, so `init` and `validate` work, but its core
//! panics on the first plan of any resource whose schema has nested attributes: in
//! `objchange.proposedNewNestedType`, `cty.Value.GetAttr` on the null prior object
//! (hashicorp/terraform#29697, fixed by hashicorp/terraform#29701 in 1.0.9 and 1.1.0). Both
//! resources have them (`data_center`, `timeouts`, `groups`, …). No 1.0.9–1.5 release is
//! obtainable here, so the supported range is stated as `>= 1.6`: the blueprint's
//! `required_version` turns the crash into Terraform's own version error.

use harness::cli::Cli;
use harness::docs::repository_root;

use crate::scenario;
use crate::world::{World, objects};

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![scenario!(terraform_1_0_3_crashes_planning_nested_attributes, exactly "1.0.3")]
}

async fn terraform_1_0_3_crashes_planning_nested_attributes(cli: Cli) {
    let world = World::start(&cli, "terraform_1_0").await;
    world.ws.init().await;
    let validate = world.ws.run(&["validate"]).await;
    assert!(
        validate.success() && validate.stdout.contains("The configuration is valid"),
        "{}",
        validate.report("validates: the schema and protocol 6 are fine")
    );
    let plan = world.ws.plan(&[]).await;
    let output = plan.output();
    assert_eq!(plan.code, Some(2), "{}", plan.report("crashes"));
    for expected in [
        "panic: interface conversion: interface {} is nil, not map[string]interface {}",
        "github.com/zclconf/go-cty/cty.Value.GetAttr",
        "internal/plans/objchange.proposedNewNestedType",
        "internal/plans/objchange.ProposedNew",
        "TERRAFORM CRASH",
    ] {
        assert!(
            output.contains(expected),
            "{}",
            plan.report(&format!("should crash at {expected}"))
        );
    }
    assert_eq!(
        objects(&world.inventory().await, "transit_gateways").len(),
        0,
        "the crash comes before the provider plans anything"
    );

    // The blueprint says `>= 1.6`: Terraform 1.0.3 refuses it with its own message.
    world
        .ws
        .use_dir(&repository_root().join("examples/blueprint"));
    let init = world.ws.run(&["init"]).await;
    assert!(
        !init.success() && init.output().contains("Unsupported Terraform Core version"),
        "{}",
        init.report("refuses the blueprint")
    );
}
