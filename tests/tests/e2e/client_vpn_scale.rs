//! 200 rules, the per-endpoint quota, against an emulator that enforces Client VPN's limits:
//! 10 concurrent mutations per endpoint (`ConcurrentMutationLimitExceeded`) and 5 burst / 2 per
//! second for the rule and route actions (`RequestLimitExceeded`). Reports calls and wall time
//! against the least that rate allows, (200 − 5) / 2 = 97.5 s.

use serde_json::json;

use crate::client_vpn_fixture::{ADDRESS, OWNER, rule_entries, site};

const GROUPS: usize = 20;
const NETWORKS: usize = 10;
/// Seconds a rule stays `authorizing`: long enough that 10 in flight is reached.
const AUTHORIZING: f64 = 4.0;

#[tokio::test]
async fn two_hundred_rules_within_every_limit() {
    let site = site(&[]).await;
    let groups: Vec<String> = (0..GROUPS)
        .map(|g| {
            let networks: Vec<String> = (0..NETWORKS)
                .map(|n| format!("\"10.{g}.{n}.0/24\""))
                .collect();
            format!(
                "    group_{g:02} = {{ sid = \"S-1-5-21-1-2-3-{}\", networks = [{}] }}",
                2000 + g,
                networks.join(", ")
            )
        })
        .collect();
    let config = site.config(&format!(
        "  groups = {{\n{}\n  }}\n  manage_routes = false",
        groups.join("\n")
    ));
    site.emulator
        .configure(json!({
            "throttle": {"enabled": true},
            "concurrent_mutation_limit": 10,
            "delays": {"client_vpn_rule.authorizing": AUTHORIZING}
        }))
        .await
        .unwrap();
    site.emulator.clear_calls().await.unwrap();
    let mut tf = site.terraform();
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let wall = applied.durations[ADDRESS].as_secs_f64();

    let calls = site.emulator.calls(OWNER).await.unwrap();
    let authorize: Vec<_> = calls
        .iter()
        .filter(|c| c.action == "AuthorizeClientVpnIngress")
        .collect();
    let refused = |code: &str| {
        authorize
            .iter()
            .filter(|c| c.error.as_deref() == Some(code))
            .count()
    };
    let accepted: Vec<_> = authorize.iter().filter(|c| c.error.is_none()).collect();
    // Mutations in flight at each accepted call: calls whose rule is still authorizing.
    let peak = accepted
        .iter()
        .map(|c| {
            accepted
                .iter()
                .filter(|o| o.start <= c.start && c.start < o.end + AUTHORIZING)
                .count()
        })
        .max()
        .unwrap_or(0);
    let describes = calls
        .iter()
        .filter(|c| c.action.starts_with("Describe"))
        .count();
    let minimum = (200.0 - 5.0) / 2.0;
    eprintln!(
        "client_vpn 200 rules: apply {wall:.1} s (minimum {minimum} s, +{:.1}%), {} \
         AuthorizeClientVpnIngress ({} accepted, {} ConcurrentMutationLimitExceeded, {} \
         RequestLimitExceeded), {describes} describe calls (plan and apply), peak {peak} in flight",
        (wall / minimum - 1.0) * 100.0,
        authorize.len(),
        accepted.len(),
        refused("ConcurrentMutationLimitExceeded"),
        refused("RequestLimitExceeded"),
    );
    assert_eq!(refused("ConcurrentMutationLimitExceeded"), 0);
    assert_eq!(accepted.len(), 200);
    assert!(peak <= 10, "peak {peak}");
    assert!(wall >= minimum, "faster than the rate limit allows: {wall}");
    assert!(wall < minimum + 30.0, "{wall} s");
    let state = tf.state_value(ADDRESS).unwrap();
    let rules = rule_entries(&state);
    assert_eq!(rules.len(), 200);
    assert!(rules.iter().all(|r| r.3 == "active"));
}
