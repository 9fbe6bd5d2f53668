//! `examples/` checked by Terraform itself: every directory holding `.tf` files is formatted
//! as `terraform fmt` would write it, and initializes and validates (neither needs AWS). The
//! resource examples (Registry layout: a bare `resource` block, shown on its documentation
//! page) are validated together with `examples/provider/provider.tf`, which declares where the
//! provider comes from, as the documentation presents them. Function examples need Terraform
//! 1.8 and are skipped before it (`functions.rs` also plans the one of `cidr_overlaps`); the
//! list resources' `.tfquery.hcl` examples need 1.14 (`terraform validate -query`).

use std::path::{Path, PathBuf};

use harness::cli::Cli;
use harness::docs::repository_root;

use crate::scenario;
use crate::world::World;

/// The example of an `import` block with `identity` (Terraform ≥ 1.12) beside a resource's.
const IMPORT_BY_IDENTITY: &str = "import-by-identity.tf";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![scenario!(every_example_is_formatted_and_valid)]
}

/// A `.tfquery.hcl` file: `list` blocks for `terraform query` (Terraform ≥ 1.14).
fn is_query(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".tfquery.hcl"))
}

/// Whether `dir` holds `list` blocks.
fn has_queries(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .expect("example directory")
        .flatten()
        .any(|e| is_query(&e.path()))
}

/// Directories under `root` (itself included) that hold `.tf` or `.tfquery.hcl` files, sorted.
fn configuration_dirs(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let mut has_tf = false;
        for entry in std::fs::read_dir(&dir)
            .expect("examples directory")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "tf") || is_query(&path) {
                has_tf = true;
            }
        }
        if has_tf {
            found.push(dir);
        }
    }
    found.sort();
    found
}

fn declares_providers(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .expect("example directory")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
        .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("required_providers")))
}

async fn every_example_is_formatted_and_valid(cli: Cli) {
    let root = repository_root().join("examples");
    let provider = root.join("provider").join("provider.tf");
    let world = World::empty(&cli, "examples").await;
    let dirs = configuration_dirs(&root);
    assert!(dirs.len() >= 4, "examples found: {dirs:?}");
    let mut failures = Vec::new();
    for dir in &dirs {
        // Provider-defined functions need Terraform 1.8, which older releases cannot parse.
        if dir.starts_with(root.join("functions")) && !cli.version.at_least(1, 8) {
            continue;
        }
        // `list` blocks need Terraform 1.14 (`terraform query`, `validate -query`); older
        // releases neither format nor validate them.
        let queries = has_queries(dir);
        if queries && !cli.version.at_least(1, 14) {
            continue;
        }
        let name = dir.strip_prefix(&root).unwrap_or(dir).display().to_string();
        let target = dir.display().to_string();
        let fmt = world
            .ws
            .run(&["fmt", "-check", "-diff", "-recursive", &target])
            .await;
        if !fmt.success() {
            failures.push(fmt.report(&format!("found {name} badly formatted")));
        }
        let ws = world.workspace(&format!("example-{name}"));
        ws.use_dir(dir);
        // Import by identity needs Terraform 1.12; older releases validate the rest.
        if !cli.version.at_least(1, 12) && dir.join(IMPORT_BY_IDENTITY).exists() {
            ws.remove(IMPORT_BY_IDENTITY);
        }
        if !declares_providers(dir) {
            std::fs::copy(&provider, ws.dir.join("provider.tf")).expect("provider example");
        }
        let init = ws.run(&["init", "-backend=false"]).await;
        if !init.success() {
            failures.push(init.report(&format!("could not initialize {name}")));
            continue;
        }
        let validate = if queries {
            ws.run(&["validate", "-query"]).await
        } else {
            ws.run(&["validate"]).await
        };
        if !validate.success() || !validate.stdout.contains("The configuration is valid") {
            failures.push(validate.report(&format!("found {name} invalid")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
