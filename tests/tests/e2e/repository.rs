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

#[test]
fn no_page_documents_something_the_provider_does_not_have() {
    let root = docs::repository_root();
    let generated: std::collections::BTreeSet<PathBuf> = docs::generate()
        .expect("docs generate")
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert!(
        generated.contains(Path::new("docs/functions/cidr_overlaps.md")),
        "functions have pages: {generated:?}"
    );
    let mut orphans = Vec::new();
    for directory in docs::GENERATED_DIRECTORIES {
        let Ok(entries) = std::fs::read_dir(root.join(directory)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = Path::new(directory).join(entry.file_name());
            if !generated.contains(&path) {
                orphans.push(path.display().to_string());
            }
        }
    }
    assert!(
        orphans.is_empty(),
        "pages for nothing the provider has (delete them, or run `make docs`): {orphans:?}"
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
    // Every data block an example reads fits its data source's schema.
    for (directory, text) in &modules {
        let name = directory.strip_prefix(&root).unwrap().display().to_string();
        let Ok(parsed) = config::parse_for_validation(text) else {
            continue;
        };
        for block in &parsed.data {
            match provider
                .data_sources()
                .iter()
                .find(|d| d.type_name() == block.type_name)
            {
                None => problems.push(format!(
                    "{name}: unknown data source type {}",
                    block.type_name
                )),
                Some(source) => {
                    if let Err(errors) = parsed.resource_value(block, &source.schema().block) {
                        problems.push(format!("{name}: {}: {errors:?}", block.data_address()));
                    }
                }
            }
        }
    }
    // Every provider function an example calls exists.
    for (directory, text) in &modules {
        let name = directory.strip_prefix(&root).unwrap().display().to_string();
        for call in text.split("provider::migration::").skip(1) {
            let function: String = call
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if provider.function(&function).is_none() {
                problems.push(format!(
                    "{name}: unknown function provider::migration::{function}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // Each function has its own example, shown on its page.
    for function in provider.functions() {
        let example = root.join(format!(
            "examples/functions/{}/function.tf",
            function.name()
        ));
        assert!(example.exists(), "missing {}", example.display());
    }
    // Each resource type has its own example.
    for resource in provider.resources() {
        let example = root.join(format!(
            "examples/resources/{}/resource.tf",
            resource.type_name()
        ));
        assert!(example.exists(), "missing {}", example.display());
    }
    // Each data source type has its own example.
    for source in provider.data_sources() {
        let example = root.join(format!(
            "examples/data-sources/{}/data-source.tf",
            source.type_name()
        ));
        assert!(example.exists(), "missing {}", example.display());
    }
    let _ = resources_seen;
}

/// The `list` blocks of the examples' `.tfquery.hcl` files name list resources the provider
/// has, with `config` blocks that fit their schemas (and the built-in arguments Terraform
/// knows); each list resource type has its own example, shown on its page.
#[test]
fn every_list_example_fits_the_list_schema() {
    let root = docs::repository_root();
    let provider = MigrationProvider::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut pending = vec![root.join("examples")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if !path.to_string_lossy().ends_with(".tfquery.hcl") {
                continue;
            }
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            let body = match hcl::parse(&std::fs::read_to_string(&path).unwrap()) {
                Ok(body) => body,
                Err(error) => {
                    problems.push(format!("{name}: not HCL: {error}"));
                    continue;
                }
            };
            for block in body.blocks().filter(|b| b.identifier() == "list") {
                let type_name = block.labels().first().map_or("", |l| l.as_str());
                let Some(list) = provider.list_resource(type_name) else {
                    problems.push(format!("{name}: unknown list resource type {type_name:?}"));
                    continue;
                };
                seen.insert(type_name.to_string());
                for attribute in block.body().attributes() {
                    let known = ["provider", "count", "for_each", "include_resource", "limit"];
                    if !known.contains(&attribute.key()) {
                        problems.push(format!(
                            "{name}: {type_name}: unknown argument {:?}",
                            attribute.key()
                        ));
                    }
                }
                for config in block.body().blocks() {
                    if config.identifier() != "config" {
                        problems.push(format!(
                            "{name}: {type_name}: unknown block {:?}",
                            config.identifier()
                        ));
                        continue;
                    }
                    let ctx = hcl::eval::Context::new();
                    if let Err(errors) =
                        config::decode_body(config.body(), &list.schema().block, &ctx, "")
                    {
                        problems.push(format!("{name}: {type_name}: config: {errors:?}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    for list in provider.list_resources() {
        let example = root.join(format!(
            "examples/list-resources/{}/list-resource.tfquery.hcl",
            list.type_name()
        ));
        assert!(example.exists(), "missing {}", example.display());
        assert!(seen.contains(list.type_name()), "{}", list.type_name());
    }
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
    // A data block's arguments, and a resource reading a data source (unknown, as in
    // `terraform validate`) with an argument of the wrong type.
    let parsed = config::parse_for_validation(
        r#"
        data "migration_directory_groups" "ad" {
          directory_idd = "d-1234567890"
          names         = ["Engineers"]
        }
        resource "migration_client_vpn_group_access" "a" {
          client_vpn_endpoint_id = "cvpn-endpoint-0123456789abcdef0"
          groups = { e = { sid = data.migration_directory_groups.ad.sids["Engineers"], networks = "10.0.0.0/16" } }
        }
        "#,
    )
    .unwrap();
    let source = provider
        .data_sources()
        .iter()
        .find(|d| d.type_name() == "migration_directory_groups")
        .unwrap()
        .clone();
    let errors = parsed
        .resource_value(&parsed.data[0], &source.schema().block)
        .unwrap_err();
    assert!(
        errors.iter().any(|e| e.contains("directory_idd")),
        "{errors:?}"
    );
    let access = provider
        .resource("migration_client_vpn_group_access")
        .unwrap();
    let errors = parsed
        .resource_value(&parsed.resources[0], &access.schema().block)
        .unwrap_err();
    assert!(
        errors.iter().all(|e| !e.contains("no such key"))
            && errors.iter().any(|e| e.contains("networks")),
        "{errors:?}"
    );

    // Another account's aliased provider block is not the default one; `provider` and
    // `depends_on` are Terraform's, not the data source's; a resource reading the data source
    // and a data block reading a resource see unknowns.
    let parsed = config::parse_for_validation(
        r#"
        provider "migration" {
          alias  = "hub"
          region = "eu-west-1"
        }
        data "migration_hub_network" "hub" {
          provider   = migration.hub
          depends_on = [migration_hub_spoke.s]
          name       = migration_hub_spoke.s.id
        }
        resource "migration_hub_spoke" "s" {
          transit_gateway_id = data.migration_hub_network.hub.transit_gateway_id
          vpc_id             = "vpc-0123456789abcdef0"
          route_table_ids    = ["rtb-0123456789abcdef0"]
          hub_cidr_blocks    = data.migration_hub_network.hub.cidr_blocks
        }
        "#,
    )
    .unwrap();
    assert!(parsed.provider.is_none(), "{:?}", parsed.provider);
    let hub = provider
        .data_sources()
        .iter()
        .find(|d| d.type_name() == "migration_hub_network")
        .unwrap()
        .clone();
    parsed
        .resource_value(&parsed.data[0], &hub.schema().block)
        .unwrap();
    let spoke = provider.resource("migration_hub_spoke").unwrap();
    parsed
        .resource_value(&parsed.resources[0], &spoke.schema().block)
        .unwrap();
}

/// Permissions the code needs without naming them in an SDK call, each with its reason.
const IMPLIED_ACTIONS: &[(&str, &str)] = &[
    (
        "ds:AccessDSData",
        "AWS authorizes every Directory Service Data call with this action as well",
    ),
    (
        "iam:CreateServiceLinkedRole",
        "the first Transit Gateway VPC attachment of an account creates AWSServiceRoleForVPCTransitGateway",
    ),
];

/// The IAM service prefix of each SDK client field of `AwsClients`.
const CLIENTS: &[(&str, &str)] = &[
    ("ec2", "ec2"),
    ("ram", "ram"),
    ("directory", "ds"),
    ("directory_data", "ds-data"),
    ("direct_connect", "directconnect"),
    ("mgn", "mgn"),
    ("sts", "sts"),
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every `<client>.<operation>(` (also `<client>().<operation>(`, across line breaks) in the
/// source, as IAM actions: the SDK's fluent methods are the operations in snake case.
fn operations_called(source: &str) -> std::collections::BTreeSet<String> {
    let bytes = source.as_bytes();
    let mut found = std::collections::BTreeSet::new();
    // Local aliases such as `let dx = &self.clients.direct_connect;` call operations too.
    let mut names: Vec<(String, &str)> = CLIENTS.iter().map(|(c, p)| (c.to_string(), *p)).collect();
    for statement in source.split("let ").skip(1) {
        let Some((name, rest)) = statement.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_start_matches("mut ").trim();
        let value = rest
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches('&');
        let value = value.strip_suffix(".clone()").unwrap_or(value);
        if !name.bytes().all(is_identifier_byte) || name.is_empty() {
            continue;
        }
        for (client, prefix) in CLIENTS {
            if value == *client || value.ends_with(&format!(".{client}")) {
                names.push((name.to_string(), prefix));
            }
        }
    }
    for (client, prefix) in &names {
        let client = client.as_str();
        let mut from = 0;
        while let Some(offset) = source[from..].find(client) {
            let start = from + offset;
            let end = start + client.len();
            from = end;
            if (start > 0 && is_identifier_byte(bytes[start - 1]))
                || bytes.get(end).is_some_and(|b| is_identifier_byte(*b))
            {
                continue;
            }
            let mut i = end;
            if source[i..].starts_with("()") {
                i += 2;
            }
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'.') {
                continue;
            }
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let name_start = i;
            while bytes.get(i).is_some_and(|b| is_identifier_byte(*b)) {
                i += 1;
            }
            let method = &source[name_start..i];
            if method.is_empty()
                || bytes.get(i) != Some(&b'(')
                || ["clone", "config", "as_ref"].contains(&method)
            {
                continue;
            }
            let pascal: String = method
                .split('_')
                .map(|word| {
                    let mut chars = word.chars();
                    chars
                        .next()
                        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                        .unwrap_or_default()
                })
                .collect();
            found.insert(format!("{prefix}:{pascal}"));
        }
    }
    found
}

#[test]
fn the_iam_policy_lists_exactly_the_actions_the_code_can_call() {
    let root = docs::repository_root();
    let mut files = Vec::new();
    rust_files(&root.join("provider/src"), &mut files);
    let mut called = std::collections::BTreeSet::new();
    for file in &files {
        called.extend(operations_called(&std::fs::read_to_string(file).unwrap()));
    }
    // IAM action names are case-insensitive (CreateMicrosoftAD vs create_microsoft_ad).
    let mut expected: std::collections::BTreeSet<String> =
        called.iter().map(|a| a.to_ascii_lowercase()).collect();
    expected.extend(IMPLIED_ACTIONS.iter().map(|(a, _)| a.to_ascii_lowercase()));
    let policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("docs/iam-policy.json")).unwrap())
            .unwrap();
    let mut listed = std::collections::BTreeSet::new();
    for statement in policy["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_array().unwrap() {
            let action = action.as_str().unwrap();
            assert!(
                !action.contains('*'),
                "no wildcards in a least-privilege policy: {action}"
            );
            listed.insert(action.to_ascii_lowercase());
        }
    }
    let missing: Vec<_> = expected.difference(&listed).collect();
    let unused: Vec<_> = listed.difference(&expected).collect();
    assert!(
        missing.is_empty() && unused.is_empty(),
        "docs/iam-policy.json is out of step with the code.\nmissing: {missing:#?}\nnot called: {unused:#?}\ncalled: {called:#?}"
    );
}

#[test]
fn the_operation_scanner_sees_calls_across_lines_and_accessors() {
    let found = operations_called(
        "let x = clients.ec2\n    .describe_vpcs()\n; self.ec2()\n .create_route(); aws.ram.clone(); my_ec2.x(); clients.directory_data.list_groups();\nlet dx = &self.clients.direct_connect;\ndx.describe_direct_connect_gateways()",
    );
    let expected: std::collections::BTreeSet<String> = [
        "ec2:DescribeVpcs",
        "ec2:CreateRoute",
        "ds-data:ListGroups",
        "directconnect:DescribeDirectConnectGateways",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(found, expected);
}
