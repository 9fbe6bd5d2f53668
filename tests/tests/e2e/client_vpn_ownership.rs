//! Two `migration_client_vpn_group_access` instances on one endpoint (two workspaces, two copies
//! of a module, or a replacement's new and old instance): who owns a group's rules is recorded
//! on the endpoint, a second instance refuses another's group unless told to take it, and a
//! destroy leaves what the other instance owns.

use std::collections::BTreeMap;

use terraform_provider_migration::protocol::diagnostics::Diagnostic;

use crate::client_vpn_fixture::{ADDRESS, Site, rule_entries, site};

const OWNER_TAG_PREFIX: &str = "migration:group-owner:";

/// The endpoint's ownership tags: SID → token (the value's first word).
async fn owners(site: &Site) -> BTreeMap<String, String> {
    let answer = site
        .aws
        .ec2
        .describe_client_vpn_endpoints()
        .client_vpn_endpoint_ids(&site.endpoint_id)
        .send()
        .await
        .unwrap();
    answer.client_vpn_endpoints()[0]
        .tags()
        .iter()
        .filter_map(|tag| {
            let sid = tag.key()?.strip_prefix(OWNER_TAG_PREFIX)?;
            let token = tag.value()?.split_whitespace().next()?;
            Some((sid.to_string(), token.to_string()))
        })
        .collect()
}

fn summaries(diagnostics: &[&Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| d.summary.clone()).collect()
}

fn networks(rules: &[(String, String, Option<String>, String)], sid: &str) -> Vec<String> {
    rules
        .iter()
        .filter(|(group, _, _, status)| group == sid && status == "active")
        .map(|(_, cidr, _, _)| cidr.clone())
        .collect()
}

#[tokio::test]
async fn a_second_instance_refuses_a_group_it_does_not_own_unless_told_to_take_it_over() {
    let site = site(&["MigrationEngineers"]).await;
    let eng = site.sid("MigrationEngineers").to_string();
    let group = |networks: &str, extra: &str| {
        site.config(&format!(
            r#"
  groups = {{
    staff = {{ sid = "{eng}", networks = [{networks}] }}
  }}
  {extra}"#
        ))
    };
    let first_config = group(r#""10.10.0.0/16", "192.168.0.0/16""#, "");
    let mut first = site.terraform();
    let applied = first.apply(&first_config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let first_owner = owners(&site).await;
    assert_eq!(
        first_owner.keys().collect::<Vec<_>>(),
        vec![&eng],
        "the first apply claims its SID"
    );

    // A second instance (another workspace) wants the group for other networks: taking it over
    // would revoke one of the first instance's rules.
    let second_config = |extra: &str| group(r#""10.10.0.0/16", "10.30.0.0/16""#, extra);
    let mut second = site.terraform();
    let refused = second.plan(&second_config("")).await.unwrap();
    let errors = refused.errors();
    assert_eq!(
        summaries(&errors),
        ["Group's rules owned by another instance"]
    );
    assert_eq!(
        errors[0].attribute.as_ref().unwrap().to_string(),
        r#"groups["staff"]"#
    );
    for expected in [
        eng.as_str(),
        "10.10.0.0/16",
        "192.168.0.0/16",
        "take_over = true",
        "Remove group \"staff\"",
    ] {
        assert!(
            errors[0].detail.contains(expected),
            "{expected:?} in {}",
            errors[0].detail
        );
    }

    // Told to take it over, it does: its networks, and the tag names the second instance.
    let applied = second
        .apply(&second_config("take_over = true"))
        .await
        .unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    // Besides: the first instance's routes to the data center lose their rule.
    assert_eq!(
        summaries(&applied.plan.warnings()),
        [
            "Routes without authorization",
            "Taking over a group's rules from another instance"
        ]
    );
    let second_owner = owners(&site).await;
    assert_ne!(second_owner[&eng], first_owner[&eng]);
    assert_eq!(
        networks(&site.rules().await, &eng),
        ["10.10.0.0/16", "10.30.0.0/16"]
    );
    let routes_before = site.routes().await;
    site.emulator.clear_calls().await.unwrap();

    // The first instance leaves the group it lost, with a warning on it: its plans, applies
    // and destroy still run (the refresh before a destroy is a plan), and none of them touches
    // the group's rules or its tag.
    let held = first.plan(&first_config).await.unwrap();
    assert!(!held.has_errors(), "{:#?}", held.diagnostics);
    let warnings = held.warnings();
    assert_eq!(
        summaries(&warnings),
        ["Group's rules held by another instance"],
        "{warnings:#?}"
    );
    assert_eq!(
        warnings[0].attribute.as_ref().unwrap().to_string(),
        r#"groups["staff"]"#
    );
    for expected in [eng.as_str(), "10.30.0.0/16", "take_over = true"] {
        assert!(
            warnings[0].detail.contains(expected),
            "{expected:?} in {}",
            warnings[0].detail
        );
    }
    // Its apply only lets the rules and the routes only they need leave its state.
    let applied = first.apply(&first_config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    for call in [
        "RevokeClientVpnIngress",
        "AuthorizeClientVpnIngress",
        "CreateTags",
        "DeleteTags",
        "CreateClientVpnRoute",
    ] {
        assert!(site.calls_of(call).await.is_empty(), "{call}");
    }
    assert_eq!(owners(&site).await, second_owner);
    let state = first.state_value(ADDRESS).unwrap();
    assert!(
        rule_entries(&state).is_empty(),
        "the held group's rules left the state: {:?}",
        rule_entries(&state)
    );
    let again = first.plan(&first_config).await.unwrap();
    assert!(again.is_empty(), "{:#?}", again.changes);
    assert!(!again.has_errors(), "{:#?}", again.diagnostics);
    let destroyed = first.destroy(&first_config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    let left: Vec<_> = destroyed
        .diagnostics
        .iter()
        .filter(|(_, d)| d.summary == "Left to another instance")
        .collect();
    assert_eq!(left.len(), 1, "{:#?}", destroyed.diagnostics);
    assert!(left[0].1.detail.contains(&eng));
    assert!(site.calls_of("RevokeClientVpnIngress").await.is_empty());
    assert_eq!(
        networks(&site.rules().await, &eng),
        ["10.10.0.0/16", "10.30.0.0/16"]
    );
    // The first instance's routes to the data center, which no rule needs any more, go; those
    // to the networks the second instance's rules authorize stay.
    assert_eq!(site.calls_of("DeleteClientVpnRoute").await.len(), 2);
    let kept: Vec<_> = routes_before
        .iter()
        .filter(|(destination, _, _)| destination != "192.168.0.0/16")
        .cloned()
        .collect();
    assert_eq!(site.routes().await, kept);
    assert_eq!(owners(&site).await, second_owner);

    // The owner's next plan is empty; its destroy removes everything, its tag too.
    let plan = second
        .plan(&second_config("take_over = true"))
        .await
        .unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    let destroyed = second
        .destroy(&second_config("take_over = true"))
        .await
        .unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert!(networks(&site.rules().await, &eng).is_empty());
    assert!(owners(&site).await.is_empty());
}

#[tokio::test]
async fn a_new_instance_wanting_the_same_rules_takes_them_over_and_the_old_destroy_leaves_them() {
    let site = site(&["MigrationEngineers", "InternalIT"]).await;
    let eng = site.sid("MigrationEngineers").to_string();
    let it = site.sid("InternalIT").to_string();
    let config = site.config(&format!(
        r#"
  groups = {{
    staff = {{ sid = "{eng}", networks = ["10.10.0.0/16", "192.168.0.0/16"] }}
    it    = {{ sid = "{it}", networks = ["10.20.0.0/16"], description = "IT" }}
  }}"#
    ));
    let mut old = site.terraform();
    assert!(!old.apply(&config).await.unwrap().has_errors());
    let rules = site.rules().await;
    let routes = site.routes().await;
    site.emulator.clear_calls().await.unwrap();

    // What `create_before_destroy` does on `-replace`: a new instance of the same configuration
    // is created (taking the rules over), then the old one is destroyed.
    let mut new = site.terraform();
    let applied = new.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let warnings = applied.plan.warnings();
    assert_eq!(warnings.len(), 2, "one per group: {warnings:#?}");
    assert!(warnings.iter().all(|w| w.summary
        == "Taking over a group's rules from another instance"
        && w.detail.contains("create_before_destroy")));
    assert!(site.calls_of("AuthorizeClientVpnIngress").await.is_empty());
    assert_eq!(site.calls_of("CreateTags").await.len(), 1, "one claim");
    let destroyed = old.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert!(site.calls_of("RevokeClientVpnIngress").await.is_empty());
    assert!(site.calls_of("DeleteClientVpnRoute").await.is_empty());
    assert!(site.calls_of("DeleteTags").await.is_empty());
    assert_eq!(site.rules().await, rules);
    assert_eq!(site.routes().await, routes);
    assert_eq!(owners(&site).await.len(), 2);
    let plan = new.plan(&config).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(new.state_value(ADDRESS).is_some());
}
