//! `data "migration_directory_groups"` through Terraform's plan and apply against the emulator:
//! names read as SIDs that a group access then uses, and the errors a user meets (a missing
//! name, a directory type without Directory Service Data, data access disabled).

use terraform_provider_migration::protocol::cty::Value;

use crate::client_vpn_fixture::{DirectoryKind, Site, rule_entries, site, site_with};

const DATA: &str = "data.migration_directory_groups.ad";

/// The provider block, the data source reading `names` from the site's directory, and `rest`.
fn config(site: &Site, names: &str, rest: &str) -> String {
    format!(
        "{}\ndata \"migration_directory_groups\" \"ad\" {{\n  directory_id = \"{}\"\n  \
         names = [{names}]\n}}\n{rest}",
        site.emulator.provider_block(""),
        site.directory_id,
    )
}

/// Every error of a plan as `summary: detail`.
fn error_texts(plan: &harness::terraform::Plan) -> Vec<String> {
    plan.errors()
        .iter()
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[tokio::test]
async fn names_read_as_sids_that_a_group_access_applies_with() {
    let site = site(&["Migration Engineers", "InternalIT"]).await;
    let mut tf = site.terraform();
    let access = format!(
        r#"
resource "migration_client_vpn_group_access" "access" {{
  client_vpn_endpoint_id = "{}"
  groups = {{
    engineers = {{
      sid      = data.migration_directory_groups.ad.sids["migration engineers"]
      networks = ["10.10.0.0/16"]
    }}
    it = {{
      sid      = data.migration_directory_groups.ad.groups["InternalIT"].sid
      networks = ["192.168.0.0/16"]
    }}
  }}
}}
"#,
        site.endpoint_id
    );
    let text = config(&site, r#""migration engineers", "InternalIT""#, &access);
    site.emulator.clear_calls().await.unwrap();
    let plan = tf.plan(&text).await.unwrap();
    assert!(!plan.has_errors(), "{:?}", error_texts(&plan));
    let read = &plan.data[DATA];
    let sids = read.attr("sids").and_then(Value::as_map).expect("sids");
    assert_eq!(
        sids["migration engineers"].as_str(),
        Some(site.sid("Migration Engineers"))
    );
    assert_eq!(sids["InternalIT"].as_str(), Some(site.sid("InternalIT")));
    let engineers = &read.attr("groups").and_then(Value::as_map).unwrap()["migration engineers"];
    assert_eq!(
        engineers.attr("name").and_then(Value::as_str),
        Some("Migration Engineers"),
        "the directory's spelling"
    );
    assert_eq!(
        engineers.attr("distinguished_name").and_then(Value::as_str),
        Some("CN=Migration Engineers,OU=Users,OU=CORP,DC=corp,DC=example,DC=com")
    );
    // One lookup per name, and no listing when every name exists.
    assert_eq!(site.calls_of("DescribeGroup").await.len(), 2);
    assert!(site.calls_of("ListGroups").await.is_empty());

    let applied = tf.apply(&text).await.unwrap();
    assert!(!applied.has_errors(), "{:?}", applied.errors());
    let state = tf.state_value(crate::client_vpn_fixture::ADDRESS).unwrap();
    let groups: Vec<(String, String)> = rule_entries(&state)
        .into_iter()
        .map(|(group, cidr, ..)| (group, cidr))
        .collect();
    assert_eq!(
        groups,
        [
            ("engineers".to_string(), "10.10.0.0/16".to_string()),
            ("it".to_string(), "192.168.0.0/16".to_string()),
        ]
    );
    let mut on_aws: Vec<(String, String)> = site
        .rules()
        .await
        .into_iter()
        .map(|(sid, cidr, ..)| (sid, cidr))
        .collect();
    on_aws.sort();
    let mut expected = vec![
        (
            site.sid("Migration Engineers").to_string(),
            "10.10.0.0/16".to_string(),
        ),
        (
            site.sid("InternalIT").to_string(),
            "192.168.0.0/16".to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(on_aws, expected);
    assert!(tf.plan(&text).await.unwrap().is_empty(), "converged");
}

#[tokio::test]
async fn a_missing_name_is_an_error_naming_it_and_the_closest_names_from_every_page() {
    let site = site(&["Migration Engineers", "InternalIT"]).await;
    site.emulator
        .configure(serde_json::json!({"page_size": 1}))
        .await
        .unwrap();
    site.emulator.clear_calls().await.unwrap();
    let mut tf = site.terraform();
    let plan = tf
        .plan(&config(&site, r#""InternalIT", "Migration Engineer""#, ""))
        .await
        .unwrap();
    let errors = error_texts(&plan);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Group not found: There is no group named \"Migration Engineer\""),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("The closest existing names: \"Migration Engineers\"."),
        "{errors:?}"
    );
    // The emulator's directory starts with 4 groups; with 2 more, 6 pages of one.
    assert_eq!(site.calls_of("ListGroups").await.len(), 6);
}

#[tokio::test]
async fn simple_ad_and_ad_connector_say_names_are_not_available() {
    for (kind, label) in [
        (DirectoryKind::SimpleAd, "a Simple AD"),
        (DirectoryKind::AdConnector, "an AD Connector"),
    ] {
        let site = site_with(kind, &[]).await;
        let mut tf = site.terraform();
        let plan = tf.plan(&config(&site, r#""Engineers""#, "")).await.unwrap();
        let errors = error_texts(&plan);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("Group names are not available for this directory type"),
            "{errors:?}"
        );
        assert!(errors[0].contains(label), "{errors:?}");
        assert!(errors[0].contains("Get-ADGroup -Identity"), "{errors:?}");
        assert!(site.calls_of("DescribeGroup").await.is_empty());
    }
}

#[tokio::test]
async fn data_access_disabled_says_how_to_enable_it_and_reads_once_enabled() {
    let site = site(&["Engineers"]).await;
    site.set_data_access(false).await;
    let mut tf = site.terraform();
    let text = config(&site, r#""Engineers""#, "");
    let plan = tf.plan(&text).await.unwrap();
    let errors = error_texts(&plan);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Directory Service Data is not enabled"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains(&format!(
            "aws ds enable-directory-data-access --directory-id {}",
            site.directory_id
        )),
        "{errors:?}"
    );

    site.set_data_access(true).await;
    let plan = tf.plan(&text).await.unwrap();
    assert!(!plan.has_errors(), "{:?}", error_texts(&plan));
    let sids = plan.data[DATA]
        .attr("sids")
        .and_then(Value::as_map)
        .unwrap();
    assert_eq!(sids["Engineers"].as_str(), Some(site.sid("Engineers")));
}
