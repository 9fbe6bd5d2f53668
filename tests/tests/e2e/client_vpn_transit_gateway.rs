//! `migration_client_vpn_group_access` on an endpoint attached to a Transit Gateway
//! (`TransitGatewayConfiguration`, AWS 2026): no subnets, routes that name none and go through
//! the endpoint's `client-vpn` attachment, no Availability Zone redundancy to judge.

use crate::client_vpn_fixture::{ADDRESS, OWNER, route_entries, site_on_transit_gateway, strings};

#[tokio::test]
async fn an_endpoint_on_a_transit_gateway_gets_its_group_access_routed_through_the_attachment() {
    let site = site_on_transit_gateway(&["MigrationEngineers", "InternalIT"]).await;
    let eng = site.sid("MigrationEngineers").to_string();
    let it = site.sid("InternalIT").to_string();
    let attachment = site
        .aws
        .ec2
        .describe_client_vpn_endpoints()
        .client_vpn_endpoint_ids(&site.endpoint_id)
        .send()
        .await
        .unwrap()
        .client_vpn_endpoints()[0]
        .transit_gateway_configuration()
        .and_then(|t| t.transit_gateway_attachment_id())
        .unwrap()
        .to_string();
    let config = site.config(&format!(
        r#"
  groups = {{
    migration_engineers = {{ sid = "{eng}", networks = ["10.10.0.0/16", "192.168.0.0/16"] }}
    internal_it         = {{ sid = "{it}", networks = ["10.20.0.0/16"] }}
  }}"#
    ));
    let mut tf = site.terraform();
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    // Nothing to say about subnets or zones: the attachment spans the endpoint's zones.
    let warnings: Vec<&str> = applied
        .plan
        .warnings()
        .iter()
        .map(|d| d.summary.as_str())
        .collect();
    assert!(warnings.is_empty(), "{:#?}", applied.plan.warnings());

    let mut rules: Vec<(String, String)> = site
        .rules()
        .await
        .into_iter()
        .map(|(sid, cidr, _, status)| {
            assert_eq!(status, "active");
            (sid, cidr)
        })
        .collect();
    rules.sort();
    let mut expected = vec![
        (eng.clone(), "10.10.0.0/16".to_string()),
        (eng.clone(), "192.168.0.0/16".to_string()),
        (it.clone(), "10.20.0.0/16".to_string()),
    ];
    expected.sort();
    assert_eq!(rules, expected);
    let route = |d: &str| (d.to_string(), attachment.clone(), "add-route".to_string());
    assert_eq!(
        site.routes().await,
        vec![
            route("10.10.0.0/16"),
            route("10.20.0.0/16"),
            route("192.168.0.0/16")
        ],
        "one route per network, through the attachment"
    );
    let calls = site.emulator.calls(OWNER).await.unwrap();
    let created: Vec<_> = calls
        .iter()
        .filter(|c| c.action == "CreateClientVpnRoute")
        .collect();
    assert_eq!(created.len(), 3);
    assert!(
        created
            .iter()
            .all(|c| c.params.get("TargetVpcSubnetId").is_none()),
        "routes name no subnet: {created:#?}"
    );
    let state = tf.state_value(ADDRESS).unwrap();
    assert_eq!(
        strings(&state, "route_subnet_ids"),
        vec![attachment.clone()],
        "left unset, it follows the attachment"
    );
    assert_eq!(route_entries(&state).len(), 3);

    let plan = tf.plan(&config).await.unwrap();
    assert!(plan.is_empty(), "{:#?}", plan.changes);

    // Naming a subnet is an error on `route_subnet_ids`: the endpoint has none.
    let subnet = site.subnets[0].clone();
    let named = config.replace(
        "  groups = {",
        &format!("  route_subnet_ids = [\"{subnet}\"]\n  groups = {{"),
    );
    let refused = tf.plan(&named).await.unwrap();
    let errors = refused.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].summary, "Endpoint attached to a Transit Gateway");
    assert_eq!(
        errors[0].attribute.as_ref().unwrap().to_string(),
        "route_subnet_ids"
    );
    for needed in [subnet.as_str(), attachment.as_str(), "unset"] {
        assert!(errors[0].detail.contains(needed), "{needed}: {errors:#?}");
    }

    let destroyed = tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert!(site.rules().await.is_empty());
    assert!(site.routes().await.is_empty());
}
