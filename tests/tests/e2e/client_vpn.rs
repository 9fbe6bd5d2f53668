//! `migration_client_vpn_group_access` through Terraform's lifecycle against the emulator:
//! create, no-op, every kind of update (each changing only its delta), destroy, drift, import.

use harness::Action;

use crate::client_vpn_fixture::{ADDRESS, OWNER, Site, route_entries, rule_entries, site, strings};

/// Mutating calls recorded since the last `clear_calls`, per action.
async fn mutations(site: &Site) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for call in site.emulator.calls(OWNER).await.unwrap() {
        if [
            "AuthorizeClientVpnIngress",
            "RevokeClientVpnIngress",
            "CreateClientVpnRoute",
            "DeleteClientVpnRoute",
        ]
        .contains(&call.action.as_str())
        {
            *counts.entry(call.action).or_insert(0) += 1;
        }
    }
    counts
}

fn counts(pairs: &[(&str, usize)]) -> std::collections::BTreeMap<String, usize> {
    pairs.iter().map(|(a, n)| (a.to_string(), *n)).collect()
}

#[tokio::test]
async fn create_then_each_kind_of_update_changes_only_its_delta_then_destroy() {
    let site = site(&["MigrationEngineers", "InternalIT"]).await;
    let [a, b, _] = site.subnets.clone();
    let eng = site.sid("MigrationEngineers").to_string();
    let it = site.sid("InternalIT").to_string();
    let mut tf = site.terraform();
    let config = |eng_description: &str, it_networks: &str, extra: &str| {
        site.config(&format!(
            r#"
  groups = {{
    migration_engineers = {{
      sid         = "{eng}"
      networks    = ["10.10.0.0/16", "192.168.0.0/16"]
      description = "{eng_description}"
    }}
    {it_networks}
  }}
  {extra}"#
        ))
    };
    let it_group = |networks: &str| {
        format!(r#"internal_it = {{ name = "InternalIT", networks = [{networks}] }}"#)
    };

    // Create.
    let created = config(
        "CloudEndure staging + source DC",
        &it_group(r#""192.168.0.0/16", "10.20.0.0/16""#),
        "",
    );
    let applied = tf.apply(&created).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(applied.plan.change(ADDRESS).unwrap().action, Action::Create);
    let eng_rule = Some("migration_engineers: CloudEndure staging + source DC".to_string());
    let it_rule = Some("internal_it".to_string());
    let active = "active".to_string();
    let mut expected_rules = vec![
        (
            eng.clone(),
            "10.10.0.0/16".to_string(),
            eng_rule.clone(),
            active.clone(),
        ),
        (
            eng.clone(),
            "192.168.0.0/16".to_string(),
            eng_rule.clone(),
            active.clone(),
        ),
        (
            it.clone(),
            "10.20.0.0/16".to_string(),
            it_rule.clone(),
            active.clone(),
        ),
        (
            it.clone(),
            "192.168.0.0/16".to_string(),
            it_rule.clone(),
            active.clone(),
        ),
    ];
    expected_rules.sort();
    assert_eq!(site.rules().await, expected_rules);
    let route = |d: &str, s: &str, o: &str| (d.to_string(), s.to_string(), o.to_string());
    let sorted = |mut routes: Vec<(String, String, String)>| {
        routes.sort();
        routes
    };
    assert_eq!(
        site.routes().await,
        sorted(vec![
            route("10.10.0.0/16", &a, "associate"),
            route("10.10.0.0/16", &b, "associate"),
            route("10.20.0.0/16", &a, "add-route"),
            route("10.20.0.0/16", &b, "add-route"),
            route("192.168.0.0/16", &a, "add-route"),
            route("192.168.0.0/16", &b, "add-route"),
        ]),
        "the routes AWS added on association are used, not created again"
    );
    let calls = site.emulator.calls(OWNER).await.unwrap();
    let authorizations: Vec<_> = calls
        .iter()
        .filter(|c| c.action == "AuthorizeClientVpnIngress")
        .collect();
    assert_eq!(authorizations.len(), 4);
    assert!(authorizations.iter().all(|c| {
        c.params.get("ClientToken").is_some() && c.params.get("AuthorizeAllGroups").is_none()
    }));
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.action == "CreateClientVpnRoute")
            .count(),
        4
    );
    let state = tf.state_value(ADDRESS).unwrap();
    assert_eq!(strings(&state, "route_subnet_ids"), {
        let mut s = vec![a.clone(), b.clone()];
        s.sort();
        s
    });
    let groups = state.attr("groups").unwrap().as_map().unwrap();
    assert_eq!(
        groups["internal_it"].attr("sid").and_then(|v| v.as_str()),
        Some(it.as_str()),
        "the name was resolved to its SID"
    );
    assert_eq!(
        state.attr("client_cidr_block").and_then(|v| v.as_str()),
        Some("172.16.0.0/22")
    );
    let rules = rule_entries(&state);
    assert_eq!(rules.len(), 4);
    assert_eq!(
        rules[0].0, "internal_it",
        "ordered by group key, then network"
    );
    assert_eq!(rules[0].1, "10.20.0.0/16");
    assert!(rules.iter().all(|r| r.3 == "active"));
    assert_eq!(route_entries(&state).len(), 6);

    // No-op.
    let plan = tf.plan(&created).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(!plan.has_errors());

    // A network added to a group: one rule and its two routes.
    site.emulator.clear_calls().await.unwrap();
    let more = config(
        "CloudEndure staging + source DC",
        &it_group(r#""192.168.0.0/16", "10.20.0.0/16", "10.30.0.0/16""#),
        "",
    );
    let applied = tf.apply(&more).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(
        mutations(&site).await,
        counts(&[
            ("AuthorizeClientVpnIngress", 1),
            ("CreateClientVpnRoute", 2)
        ])
    );
    assert!(tf.plan(&more).await.unwrap().is_empty());

    // A new description: that group's rules are revoked and authorized again, one by one.
    site.emulator.clear_calls().await.unwrap();
    let described = config(
        "staging and data center",
        &it_group(r#""192.168.0.0/16", "10.20.0.0/16", "10.30.0.0/16""#),
        "",
    );
    let applied = tf.apply(&described).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(
        mutations(&site).await,
        counts(&[
            ("AuthorizeClientVpnIngress", 2),
            ("RevokeClientVpnIngress", 2)
        ])
    );
    let revoked: Vec<String> = site
        .calls_of("RevokeClientVpnIngress")
        .await
        .iter()
        .map(|c| c.params["AccessGroupId"].as_str().unwrap().to_string())
        .collect();
    assert!(revoked.iter().all(|sid| *sid == eng), "{revoked:?}");
    assert!(
        site.rules()
            .await
            .iter()
            .filter(|r| r.0 == eng)
            .all(|r| r.2.as_deref() == Some("migration_engineers: staging and data center"))
    );

    // Routes through one subnet only: the routes through the other are deleted, except the one
    // AWS added on association.
    site.emulator.clear_calls().await.unwrap();
    let one_subnet = config(
        "staging and data center",
        &it_group(r#""192.168.0.0/16", "10.20.0.0/16", "10.30.0.0/16""#),
        &format!(r#"route_subnet_ids = ["{a}"]"#),
    );
    let applied = tf.apply(&one_subnet).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert!(
        applied
            .plan
            .warnings()
            .iter()
            .any(|w| w.summary == "Routes without redundancy"),
        "{:#?}",
        applied.plan.warnings()
    );
    assert_eq!(
        mutations(&site).await,
        counts(&[("DeleteClientVpnRoute", 3)])
    );
    assert!(
        site.routes()
            .await
            .contains(&route("10.10.0.0/16", &b, "associate"))
    );
    assert!(tf.plan(&one_subnet).await.unwrap().is_empty());

    // A group removed: its rules are revoked; the routes only it needed are deleted.
    site.emulator.clear_calls().await.unwrap();
    let fewer = config(
        "staging and data center",
        "",
        &format!(r#"route_subnet_ids = ["{a}"]"#),
    );
    let applied = tf.apply(&fewer).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(
        mutations(&site).await,
        counts(&[("DeleteClientVpnRoute", 2), ("RevokeClientVpnIngress", 3)])
    );
    assert!(site.rules().await.iter().all(|r| r.0 == eng));
    assert!(tf.plan(&fewer).await.unwrap().is_empty());

    // Destroy: every rule and route made is gone; AWS's association routes stay.
    site.emulator.clear_calls().await.unwrap();
    let destroyed = tf.destroy(&fewer).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert!(tf.state.is_empty());
    assert_eq!(site.rules().await, vec![]);
    assert_eq!(
        site.routes().await,
        sorted(vec![
            route("10.10.0.0/16", &a, "associate"),
            route("10.10.0.0/16", &b, "associate"),
        ])
    );
    assert_eq!(
        mutations(&site).await,
        counts(&[("DeleteClientVpnRoute", 1), ("RevokeClientVpnIngress", 2)])
    );
}

#[tokio::test]
async fn out_of_band_changes_appear_in_the_next_plan_and_are_repaired() {
    let site = site(&["Ops"]).await;
    let [a, b, _] = site.subnets.clone();
    let ops = site.sid("Ops").to_string();
    let mut tf = site.terraform();
    let config = site.config(&format!(
        r#"
  groups = {{ ops = {{ sid = "{ops}", networks = ["10.40.0.0/16", "10.41.0.0/16"] }} }}
  route_subnet_ids = ["{a}", "{b}"]"#
    ));
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);

    // Someone revokes one rule, adds another for the same group, and deletes a route.
    let ec2 = &site.aws.ec2;
    ec2.revoke_client_vpn_ingress()
        .client_vpn_endpoint_id(&site.endpoint_id)
        .target_network_cidr("10.41.0.0/16")
        .access_group_id(&ops)
        .send()
        .await
        .unwrap();
    ec2.authorize_client_vpn_ingress()
        .client_vpn_endpoint_id(&site.endpoint_id)
        .target_network_cidr("172.31.0.0/16")
        .access_group_id(&ops)
        .description("added by hand")
        .send()
        .await
        .unwrap();
    ec2.delete_client_vpn_route()
        .client_vpn_endpoint_id(&site.endpoint_id)
        .destination_cidr_block("10.40.0.0/16")
        .target_vpc_subnet_id(&b)
        .send()
        .await
        .unwrap();

    let plan = tf.plan(&config).await.unwrap();
    let change = plan.change(ADDRESS).unwrap();
    assert_eq!(change.action, Action::Update);
    let networks = |value: &terraform_provider_migration::protocol::cty::Value| {
        strings(
            &value.attr("groups").unwrap().as_map().unwrap()["ops"],
            "networks",
        )
    };
    assert_eq!(networks(&change.prior), ["10.40.0.0/16", "172.31.0.0/16"]);
    assert_eq!(networks(&change.planned), ["10.40.0.0/16", "10.41.0.0/16"]);
    assert_eq!(
        route_entries(&change.prior).len(),
        3,
        "the deleted route is gone"
    );
    assert_eq!(route_entries(&change.planned).len(), 4);

    site.emulator.clear_calls().await.unwrap();
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(
        mutations(&site).await,
        counts(&[
            ("AuthorizeClientVpnIngress", 1),
            ("CreateClientVpnRoute", 1),
            ("RevokeClientVpnIngress", 1),
        ])
    );
    let rules: Vec<String> = site.rules().await.into_iter().map(|r| r.1).collect();
    assert_eq!(rules, ["10.40.0.0/16", "10.41.0.0/16"]);
    assert!(tf.plan(&config).await.unwrap().is_empty());
}

#[tokio::test]
async fn import_rebuilds_the_groups_so_the_next_plan_is_empty() {
    let site = site(&["MigrationEngineers", "InternalIT", "Ops"]).await;
    let eng = site.sid("MigrationEngineers").to_string();
    let it = site.sid("InternalIT").to_string();
    let ops = site.sid("Ops").to_string();
    let mut tf = site.terraform();
    let config = site.config(&format!(
        r#"
  groups = {{
    migration_engineers = {{ sid = "{eng}", networks = ["10.10.0.0/16", "192.168.0.0/16"], description = "staging + dc" }}
    internal_it         = {{ sid = "{it}", networks = ["192.168.0.0/16"] }}
  }}"#
    ));
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let before = tf.state_value(ADDRESS).unwrap();

    // State lost: import brings back the same state.
    assert!(tf.forget(ADDRESS));
    let diagnostics = tf
        .import(&config, ADDRESS, &site.endpoint_id)
        .await
        .unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let imported = tf.state_value(ADDRESS).unwrap();
    assert_eq!(rule_entries(&imported), rule_entries(&before));
    assert_eq!(route_entries(&imported), route_entries(&before));
    let plan = tf.plan(&config).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);

    // Rules made outside Terraform, described "<key>: <description>", import the same way.
    let ec2 = &site.aws.ec2;
    for cidr in ["10.50.0.0/16", "10.51.0.0/16"] {
        ec2.authorize_client_vpn_ingress()
            .client_vpn_endpoint_id(&site.endpoint_id)
            .target_network_cidr(cidr)
            .access_group_id(&ops)
            .description("ops: run books")
            .send()
            .await
            .unwrap();
        for subnet in &site.subnets[..2] {
            ec2.create_client_vpn_route()
                .client_vpn_endpoint_id(&site.endpoint_id)
                .destination_cidr_block(cidr)
                .target_vpc_subnet_id(subnet)
                .send()
                .await
                .unwrap();
        }
    }
    assert!(tf.forget(ADDRESS));
    let with_ops = site.config(&format!(
        r#"
  groups = {{
    migration_engineers = {{ sid = "{eng}", networks = ["10.10.0.0/16", "192.168.0.0/16"], description = "staging + dc" }}
    internal_it         = {{ sid = "{it}", networks = ["192.168.0.0/16"] }}
    ops                 = {{ sid = "{ops}", networks = ["10.50.0.0/16", "10.51.0.0/16"], description = "run books" }}
  }}"#
    ));
    let diagnostics = tf
        .import(&with_ops, ADDRESS, &site.endpoint_id)
        .await
        .unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let plan = tf.plan(&with_ops).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);

    // An ID that is not an endpoint's is refused with the expected form.
    tf.forget(ADDRESS);
    let diagnostics = tf.import(&with_ops, ADDRESS, "vpc-123").await.unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|(_, d)| d.summary == "Invalid import ID" && d.detail.contains("cvpn-endpoint-")),
        "{diagnostics:#?}"
    );
}

/// With the emulator answering one item per page, every read (rules, routes, target networks)
/// must follow `NextToken`: a read that stopped at the first page would plan to create rules
/// and routes that exist, or import only one of them.
#[tokio::test]
async fn one_item_pages_are_read_to_the_end() {
    let site = site(&["MigrationEngineers", "InternalIT"]).await;
    let eng = site.sid("MigrationEngineers").to_string();
    let it = site.sid("InternalIT").to_string();
    site.emulator
        .configure(serde_json::json!({"page_size": 1}))
        .await
        .unwrap();
    let mut tf = site.terraform();
    let config = site.config(&format!(
        r#"
  groups = {{
    migration_engineers = {{ sid = "{eng}", networks = ["10.10.0.0/16", "192.168.0.0/16"] }}
    internal_it         = {{ sid = "{it}", networks = ["192.168.0.0/16", "10.20.0.0/16"] }}
  }}"#
    ));
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let plan = tf.plan(&config).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    let before = tf.state_value(ADDRESS).unwrap();
    assert_eq!(rule_entries(&before).len(), 4);

    assert!(tf.forget(ADDRESS));
    let diagnostics = tf
        .import(&config, ADDRESS, &site.endpoint_id)
        .await
        .unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let imported = tf.state_value(ADDRESS).unwrap();
    assert_eq!(rule_entries(&imported), rule_entries(&before));
    assert_eq!(route_entries(&imported), route_entries(&before));
    let plan = tf.plan(&config).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);

    let calls = site.emulator.calls(OWNER).await.unwrap();
    for action in [
        "DescribeClientVpnAuthorizationRules",
        "DescribeClientVpnRoutes",
        "DescribeClientVpnTargetNetworks",
    ] {
        assert!(
            calls
                .iter()
                .any(|c| c.action == action && !c.params["NextToken"].is_null()),
            "{action} was never asked for a second page"
        );
    }
    let destroyed = tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert!(site.rules().await.is_empty());
}
