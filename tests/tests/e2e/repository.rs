//! Checks that keep the repository's user-facing files true to the code: the generated docs and
//! every example configuration.

use std::path::{Path, PathBuf};

use harness::config;
use harness::docs;
use terraform_provider_migration::protocol::resource::Provider;
use terraform_provider_migration::provider::MigrationProvider;

#[test]
fn committed_docs_match_what_the_schemas_generate() {
    let root = docs::repository_root();
    let mut stale = Vec::new();
    for (path, generated) in docs::generate().expect("docs generate") {
        let committed = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
        if committed != generated {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (run `make docs` and commit): {stale:?}"
    );
}

fn terraform_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            terraform_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "tf") {
            found.push(path);
        }
    }
}

#[test]
fn every_example_fits_the_schema() {
    let root = docs::repository_root();
    let mut files = Vec::new();
    terraform_files(&root.join("examples"), &mut files);
    assert!(!files.is_empty());
    // A directory is one Terraform module: its files share variables.
    let mut modules: std::collections::BTreeMap<PathBuf, String> = Default::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let module = modules
            .entry(file.parent().unwrap().to_path_buf())
            .or_default();
        module.push_str(&text);
        module.push('\n');
    }
    let provider = MigrationProvider::new();
    let mut problems = Vec::new();
    let mut resources_seen = 0;
    for (directory, text) in &modules {
        let name = directory.strip_prefix(&root).unwrap().display().to_string();
        let parsed = match config::parse_for_validation(text) {
            Ok(parsed) => parsed,
            Err(error) => {
                problems.push(format!("{name}: {error}"));
                continue;
            }
        };
        if let Err(errors) = parsed.provider_value(&provider.schema().block) {
            problems.push(format!("{name}: provider block: {errors:?}"));
        }
        for resource in &parsed.resources {
            resources_seen += 1;
            match provider.resource(&resource.type_name) {
                None => problems.push(format!(
                    "{name}: unknown resource type {}",
                    resource.type_name
                )),
                Some(schema_owner) => {
                    if let Err(errors) =
                        parsed.resource_value(resource, &schema_owner.schema().block)
                    {
                        problems.push(format!("{name}: {}: {errors:?}", resource.address()));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // Each resource type has its own example.
    for resource in provider.resources() {
        let example = root.join(format!(
            "examples/resources/{}/resource.tf",
            resource.type_name()
        ));
        assert!(example.exists(), "missing {}", example.display());
    }
    let _ = resources_seen;
}

/// The parser really rejects what Terraform would: otherwise the check above proves nothing.
#[test]
fn the_example_check_catches_unknown_arguments() {
    let provider = MigrationProvider::new();
    let parsed =
        config::parse_for_validation(r#"provider "migration" { regoin = "eu-west-1" }"#).unwrap();
    let errors = parsed.provider_value(&provider.schema().block).unwrap_err();
    assert!(errors.iter().any(|e| e.contains("regoin")), "{errors:?}");
    let parsed =
        config::parse_for_validation(r#"provider "migration" { max_retries = "many" }"#).unwrap();
    assert!(parsed.provider_value(&provider.schema().block).is_err());
}
