//! The provider process against go-plugin's and Terraform's rules: handshake, mutual TLS,
//! services, signals, StopProvider, Shutdown, logs.

use std::time::{Duration, Instant};

use harness::Terraform;
use harness::process::{ClientIdentity, LaunchOptions, ProviderProcess, parse_handshake};
use plugin_proto::health::HealthCheckRequest;
use plugin_proto::tfplugin6;
use terraform_provider_migration::protocol::diagnostics::Severity;

async fn launch() -> ProviderProcess {
    ProviderProcess::launch(LaunchOptions::default())
        .await
        .expect("provider starts")
}

#[tokio::test]
async fn handshake_services_and_prompt_shutdown() {
    let mut process = launch().await;
    assert_eq!(process.handshake.network, "unix");
    assert!(
        process.handshake.server_certificate.is_some(),
        "TLS certificate in the handshake line"
    );

    let health = process
        .health
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status, 1, "plugin service SERVING");

    let metadata = process
        .provider
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(
        metadata
            .server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );

    let schema = process
        .provider
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let provider = terraform_provider_migration::protocol::schema::Schema::from_proto(
        schema.provider.as_ref().unwrap(),
    )
    .unwrap();
    assert!(provider.sanity_errors().is_empty());
    for name in [
        "region",
        "profile",
        "shared_config_files",
        "shared_credentials_files",
        "access_key",
        "secret_key",
        "token",
        "max_retries",
        "retry_mode",
        "allowed_account_ids",
        "forbidden_account_ids",
        "skip_credentials_validation",
    ] {
        assert!(
            provider.block.attribute(name).is_some(),
            "provider argument {name}"
        );
    }
    for block in [
        "assume_role",
        "assume_role_with_web_identity",
        "endpoints",
        "default_tags",
    ] {
        assert!(
            provider.block.block(block).is_some(),
            "provider block {block}"
        );
    }

    let started = Instant::now();
    let status = process
        .shutdown()
        .await
        .expect("exits within 2 s of Shutdown");
    assert!(status.success(), "{status}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn unsupported_rpcs_answer_unimplemented() {
    let mut process = launch().await;
    let ephemeral = process
        .provider
        .open_ephemeral_resource(tfplugin6::open_ephemeral_resource::Request::default())
        .await
        .unwrap_err();
    assert_eq!(ephemeral.code(), tonic::Code::Unimplemented);
    let moved = process
        .provider
        .move_resource_state(tfplugin6::move_resource_state::Request::default())
        .await
        .unwrap_err();
    assert_eq!(moved.code(), tonic::Code::Unimplemented);
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn only_terraforms_certificate_is_accepted() {
    let mut process = launch().await;
    let stranger = ClientIdentity::terraform_like();
    for identity in [Some(&stranger), None] {
        let refused = match process.connect_as(identity).await {
            Err(_) => true,
            Ok(channel) => tfplugin6::provider_client::ProviderClient::new(channel)
                .get_metadata(tfplugin6::get_metadata::Request {})
                .await
                .is_err(),
        };
        assert!(
            refused,
            "a client without the pinned certificate must be refused"
        );
    }
    // Terraform's own connection is unaffected.
    process
        .provider
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .unwrap();
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn sigint_is_ignored() {
    let mut process = launch().await;
    process.signal(2).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        process.try_exit_status().is_none(),
        "provider died on SIGINT"
    );
    process
        .provider
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .unwrap();
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn concurrent_rpcs_are_served() {
    let process = launch().await;
    let calls = (0..10).map(|_| {
        let mut client = process.provider.clone();
        async move {
            client
                .get_provider_schema(tfplugin6::get_provider_schema::Request {})
                .await
        }
    });
    for result in futures_join(calls).await {
        result.unwrap();
    }
    process.shutdown().await.unwrap();
}

async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

/// A TCP endpoint that accepts connections and never answers: an AWS API that hangs.
async fn black_hole() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

#[tokio::test]
async fn stop_provider_interrupts_a_hanging_call_and_keeps_serving() {
    let (url, _server) = black_hole().await;
    let tf = Terraform::new(LaunchOptions {
        env: vec![
            ("AWS_ACCESS_KEY_ID".into(), "AKIAEXAMPLE".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "secret".into()),
        ],
        ..Default::default()
    });
    let mut process = tf.launch().await.unwrap();
    let config = format!(
        r#"provider "migration" {{
             region = "eu-west-1"
             endpoints {{ sts = "{url}" }}
           }}"#
    );
    let parsed = tf.parse(&config).unwrap();
    let schema = process
        .provider
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let provider_schema = terraform_provider_migration::protocol::schema::Schema::from_proto(
        schema.provider.as_ref().unwrap(),
    )
    .unwrap();
    let value = parsed.provider_value(&provider_schema.block).unwrap();
    let encoded = terraform_provider_migration::protocol::cty::to_msgpack(
        &value,
        &provider_schema.implied_type(),
    )
    .unwrap();
    let mut client = process.provider.clone();
    let configure = tokio::spawn(async move {
        client
            .configure_provider(tfplugin6::configure_provider::Request {
                terraform_version: "1.15.0".into(),
                config: Some(tfplugin6::DynamicValue {
                    msgpack: encoded,
                    json: vec![],
                }),
                client_capabilities: None,
            })
            .await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !configure.is_finished(),
        "the call should be hanging on the black-hole endpoint"
    );
    let stopped_at = Instant::now();
    let stop = process
        .provider
        .stop_provider(tfplugin6::stop_provider::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stop.error, "");
    let response = tokio::time::timeout(Duration::from_secs(5), configure)
        .await
        .expect("the interrupted call returns within 5 s")
        .unwrap()
        .unwrap()
        .into_inner();
    assert!(stopped_at.elapsed() < Duration::from_secs(5));
    assert!(
        response
            .diagnostics
            .iter()
            .any(|d| d.severity == tfplugin6::diagnostic::Severity::Error as i32),
        "a stopped operation reports an error"
    );
    // StopProvider is not a shutdown.
    process
        .provider
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .unwrap();
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn logs_are_terraform_json_lines_without_secrets() {
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz-secret";
    let tf = Terraform::new(LaunchOptions {
        env: vec![("TF_LOG_PROVIDER".into(), "TRACE".into())],
        ..Default::default()
    });
    let config = format!(
        r#"provider "migration" {{
             region     = "eu-west-1"
             access_key = "AKIAEXAMPLE"
             secret_key = "{SECRET}"
             token      = "{SECRET}-token"
             skip_credentials_validation = true
           }}"#
    );
    let mut process = tf.launch().await.unwrap();
    let parsed = tf.parse(&config).unwrap();
    let schema = process
        .provider
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let provider_schema = terraform_provider_migration::protocol::schema::Schema::from_proto(
        schema.provider.as_ref().unwrap(),
    )
    .unwrap();
    let value = parsed.provider_value(&provider_schema.block).unwrap();
    let encoded = terraform_provider_migration::protocol::cty::to_msgpack(
        &value,
        &provider_schema.implied_type(),
    )
    .unwrap();
    let response = process
        .provider
        .configure_provider(tfplugin6::configure_provider::Request {
            terraform_version: "1.15.0".into(),
            config: Some(tfplugin6::DynamicValue {
                msgpack: encoded,
                json: vec![],
            }),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    let stderr_lines = process.stderr();
    process.shutdown().await.unwrap();
    assert!(!stderr_lines.is_empty(), "TRACE logging produces lines");
    for line in &stderr_lines {
        assert!(!line.contains(SECRET), "secret leaked into logs: {line}");
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let level = parsed["@level"].as_str().unwrap();
        assert!(
            ["trace", "debug", "info", "warn", "error"].contains(&level),
            "{line}"
        );
        assert!(parsed["@message"].is_string(), "{line}");
        let timestamp = parsed["@timestamp"].as_str().unwrap();
        let bytes = timestamp.as_bytes();
        assert_eq!(
            bytes.len(),
            27,
            "2006-01-02T15:04:05.000000Z layout: {timestamp}"
        );
        assert_eq!(
            (bytes[4], bytes[10], bytes[19], bytes[26]),
            (b'-', b'T', b'.', b'Z'),
            "{timestamp}"
        );
        assert!(
            timestamp[20..26].bytes().all(|b| b.is_ascii_digit()),
            "{timestamp}"
        );
    }
}

#[tokio::test]
async fn plaintext_only_when_plugin_tls_is_disabled() {
    let mut process = ProviderProcess::launch(LaunchOptions {
        tls: false,
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(process.handshake.server_certificate.is_none());
    process
        .provider
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .unwrap();
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn debug_mode_prints_reattach_line_and_serves_plaintext() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(harness::process::provider_binary())
        .arg("--debug")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let reattach = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(value) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS=") {
                return value.trim_matches('\'').to_string();
            }
        }
        panic!("no TF_REATTACH_PROVIDERS line");
    })
    .await
    .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let (address, entry) = parsed.as_object().unwrap().iter().next().unwrap();
    assert!(
        address.starts_with("registry.terraform.io/") && address.ends_with("/migration"),
        "{address}"
    );
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], child.id().unwrap());
    let handshake = parse_handshake(&format!(
        "1|6|{}|{}|grpc|",
        entry["Addr"]["Network"].as_str().unwrap(),
        entry["Addr"]["String"].as_str().unwrap()
    ))
    .unwrap();
    assert_eq!(handshake.network, "unix");
    let channel = harness::process::connect(&handshake, None).await.unwrap();
    tfplugin6::provider_client::ProviderClient::new(channel)
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .expect("debug mode serves plaintext");
    // Debug mode ends on Ctrl-C, unlike a managed provider.
    std::process::Command::new("kill")
        .arg("-2")
        .arg(child.id().unwrap().to_string())
        .status()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn provider_configuration_errors_name_the_argument() {
    let mut tf = Terraform::new(LaunchOptions::default());
    let diagnostics = tf
        .validate(
            r#"provider "migration" {
                 region     = "eu-west-1"
                 retry_mode = "fast"
                 assume_role {
                   role_arn = "arn:aws:iam::123456789012:user/not-a-role"
                 }
               }"#,
        )
        .await
        .unwrap();
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|(_, d)| d.severity == Severity::Error)
        .collect();
    let paths: Vec<String> = errors
        .iter()
        .map(|(_, d)| {
            d.attribute
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    assert!(paths.contains(&"retry_mode".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"assume_role.role_arn".to_string()),
        "{paths:?}"
    );
}

#[tokio::test]
async fn unknown_provider_configuration_does_not_fail_the_plan() {
    let mut tf = Terraform::new(LaunchOptions::default());
    let plan = tf
        .plan(
            r#"provider "migration" {
                 region = unknown()
                 assume_role {
                   role_arn = unknown()
                 }
               }"#,
        )
        .await
        .unwrap();
    assert!(!plan.has_errors(), "{:?}", plan.diagnostics);
}
