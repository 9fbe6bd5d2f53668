//! Interrupted applies of `migration_client_vpn_group_access`: a failure part way, and
//! StopProvider while rules are still `authorizing`. Every rule made is in the saved state, the
//! next apply resumes (untainted) or replaces (tainted), and nothing is left behind.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::Action;
use plugin_proto::tfplugin6;
use serde_json::json;

use crate::client_vpn_fixture::{ADDRESS, Site, rule_entries, site};

fn networks(count: usize) -> String {
    (0..count)
        .map(|i| format!("\"10.{}.0.0/16\"", 50 + i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ops_config(site: &Site, count: usize) -> String {
    site.config(&format!(
        r#"
  groups = {{ ops = {{ sid = "{}", networks = [{}] }} }}
  manage_routes = false"#,
        site.sid("Ops"),
        networks(count)
    ))
}

/// The CIDRs of the ops group's rules, on AWS and in the saved state.
async fn rules_on_aws_and_in_state(
    site: &Site,
    state: &terraform_provider_migration::protocol::cty::Value,
) -> (Vec<String>, Vec<String>) {
    let ops = site.sid("Ops");
    let on_aws: Vec<String> = site
        .rules()
        .await
        .into_iter()
        .filter(|r| r.0 == ops)
        .map(|r| r.1)
        .collect();
    let mut in_state: Vec<String> = rule_entries(state).into_iter().map(|r| r.1).collect();
    in_state.sort();
    (on_aws, in_state)
}

#[tokio::test]
async fn a_failed_create_saves_what_it_made_and_is_replaced_without_orphans() {
    let site = site(&["Ops"]).await;
    let mut tf = site.terraform();
    let config = ops_config(&site, 6);
    site.emulator
        .configure(json!({"faults": [{
            "action": "AuthorizeClientVpnIngress",
            "error": "InvalidParameterValue",
            "message": "injected failure",
            "after": 3,
            "count": 1
        }]}))
        .await
        .unwrap();
    let applied = tf.apply(&config).await.unwrap();
    let errors = applied.errors();
    assert!(
        errors.iter().any(|e| {
            e.summary.starts_with("Cannot authorize 10.")
                && e.summary.ends_with("for group \"ops\"")
                && e.detail.contains("injected failure")
        }),
        "{errors:#?}"
    );
    let entry = tf.state.get(ADDRESS).expect("partial state saved");
    assert!(entry.tainted, "a failed create is tainted");
    let state = tf.state_value(ADDRESS).unwrap();
    let (on_aws, in_state) = rules_on_aws_and_in_state(&site, &state).await;
    assert_eq!(
        on_aws.len(),
        5,
        "the rules already under way completed: {on_aws:?}"
    );
    assert_eq!(
        in_state, on_aws,
        "every rule made is in the state, nothing else"
    );

    // The tainted object is replaced: its rules are revoked, then all six authorized.
    site.emulator
        .configure(json!({"faults": []}))
        .await
        .unwrap();
    site.emulator.clear_calls().await.unwrap();
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(
        applied.plan.change(ADDRESS).unwrap().action,
        Action::Replace
    );
    assert_eq!(site.calls_of("RevokeClientVpnIngress").await.len(), 5);
    assert_eq!(site.calls_of("AuthorizeClientVpnIngress").await.len(), 6);
    let state = tf.state_value(ADDRESS).unwrap();
    let (on_aws, in_state) = rules_on_aws_and_in_state(&site, &state).await;
    assert_eq!(on_aws.len(), 6);
    assert_eq!(in_state, on_aws);
    assert!(tf.plan(&config).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_update_resumes_where_it_stopped() {
    let site = site(&["Ops"]).await;
    let mut tf = site.terraform();
    let applied = tf.apply(&ops_config(&site, 2)).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);

    // Temporary errors are retried with the same client token: no duplicate, no error.
    site.emulator
        .configure(json!({"faults": [
            {"action": "AuthorizeClientVpnIngress", "error": "InternalError", "count": 2}
        ]}))
        .await
        .unwrap();
    site.emulator.clear_calls().await.unwrap();
    let applied = tf.apply(&ops_config(&site, 4)).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let calls = site.calls_of("AuthorizeClientVpnIngress").await;
    let failed: Vec<&str> = calls
        .iter()
        .filter(|c| c.error.as_deref() == Some("InternalError"))
        .map(|c| c.params["ClientToken"].as_str().unwrap())
        .collect();
    assert_eq!(failed.len(), 2);
    for token in &failed {
        assert!(
            calls
                .iter()
                .any(|c| c.error.is_none() && c.params["ClientToken"].as_str() == Some(token)),
            "the retry of a failed call reuses its client token"
        );
    }
    assert_eq!(calls.len(), 4, "two calls and their two retries");

    // A refusal part way stops the apply with what was made so far.
    site.emulator
        .configure(json!({"faults": [
            {"action": "AuthorizeClientVpnIngress", "error": "ClientVpnAuthorizationRuleLimitExceeded",
             "message": "injected quota", "after": 2, "count": 1}
        ]}))
        .await
        .unwrap();
    let config = ops_config(&site, 8);
    let applied = tf.apply(&config).await.unwrap();
    assert!(applied.has_errors());
    assert!(
        applied
            .errors()
            .iter()
            .any(|e| e.detail.contains("injected quota")),
        "{:#?}",
        applied.errors()
    );
    let entry = tf.state.get(ADDRESS).unwrap();
    assert!(!entry.tainted, "an update is never tainted");
    let state = tf.state_value(ADDRESS).unwrap();
    let (on_aws, in_state) = rules_on_aws_and_in_state(&site, &state).await;
    assert_eq!(in_state, on_aws);
    assert!(on_aws.len() > 4 && on_aws.len() < 8, "{on_aws:?}");
    let missing = 8 - on_aws.len();

    // The next apply only authorizes what is missing.
    site.emulator
        .configure(json!({"faults": []}))
        .await
        .unwrap();
    site.emulator.clear_calls().await.unwrap();
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(
        site.calls_of("AuthorizeClientVpnIngress").await.len(),
        missing
    );
    assert!(site.calls_of("RevokeClientVpnIngress").await.is_empty());
    assert!(tf.plan(&config).await.unwrap().is_empty());
}

#[tokio::test]
async fn stop_during_authorizing_returns_partial_state_within_seconds() {
    let site = site(&["Ops"]).await;
    let mut tf = site.terraform();
    site.emulator
        .configure(json!({"delays": {"client_vpn_rule.authorizing": 8}}))
        .await
        .unwrap();
    let config = ops_config(&site, 3);
    let stopped: Arc<Mutex<Option<(Instant, f64)>>> = Arc::new(Mutex::new(None));
    let record = stopped.clone();
    let applied = tf
        .apply_with(&config, move |mut client| {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(2500)).await;
                let epoch = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs_f64();
                *record.lock().unwrap() = Some((Instant::now(), epoch));
                client
                    .stop_provider(tfplugin6::stop_provider::Request {})
                    .await
                    .unwrap();
            });
        })
        .await
        .unwrap();
    let returned = Instant::now();
    let (stopped_at, stopped_epoch) = stopped.lock().unwrap().expect("StopProvider was sent");
    eprintln!(
        "client_vpn stop: apply returned {:?} after StopProvider",
        returned.duration_since(stopped_at)
    );
    assert!(
        returned.duration_since(stopped_at) < Duration::from_secs(5),
        "returned {:?} after StopProvider",
        returned.duration_since(stopped_at)
    );
    let errors = applied.errors();
    assert!(
        errors.iter().any(|e| e.summary == "Apply stopped"),
        "{errors:#?}"
    );
    // Every rule was authorized before the stop and is still authorizing: all are in the state.
    let authorized = site.calls_of("AuthorizeClientVpnIngress").await;
    assert_eq!(authorized.len(), 3);
    assert!(authorized.iter().all(|c| c.end < stopped_epoch));
    let state = tf.state_value(ADDRESS).expect("partial state saved");
    let rules = rule_entries(&state);
    assert_eq!(rules.len(), 3);
    assert!(rules.iter().all(|r| r.3 == "authorizing"), "{rules:?}");

    // Untainted, the next apply adopts them and waits for them instead of authorizing again.
    assert!(tf.untaint(ADDRESS));
    site.emulator.clear_calls().await.unwrap();
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert!(site.calls_of("AuthorizeClientVpnIngress").await.is_empty());
    let state = tf.state_value(ADDRESS).unwrap();
    assert!(rule_entries(&state).iter().all(|r| r.3 == "active"));
    assert!(tf.plan(&config).await.unwrap().is_empty());
}
