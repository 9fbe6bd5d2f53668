//! Logs in the form Terraform reads from a provider's stderr: one JSON object per line with
//! `@level`, `@message`, `@timestamp` (exactly six fractional digits) and the event's fields.
//!
//! Terraform never shows provider stderr on the console; it copies these lines into its own log
//! at the level chosen by `TF_LOG_PROVIDER` (else `TF_LOG`), so the provider honours the same
//! variables and does not format anything Terraform would discard.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// The level Terraform's variables ask for; `None` means logging is off.
pub fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let chosen = tf_log_provider
        .filter(|v| !v.trim().is_empty())
        .or(tf_log.filter(|v| !v.trim().is_empty()));
    match chosen.map(|v| v.trim().to_ascii_uppercase()).as_deref() {
        Some("TRACE") | Some("JSON") => LevelFilter::TRACE,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some("INFO") => LevelFilter::INFO,
        Some("WARN") => LevelFilter::WARN,
        Some("ERROR") => LevelFilter::ERROR,
        Some("OFF") => LevelFilter::OFF,
        // Unset or unrecognised: Terraform is not collecting logs, keep only problems.
        _ => LevelFilter::WARN,
    }
}

/// The variable that lowers the AWS SDK's own events below the provider's level, for instance
/// `MIGRATION_LOG_AWS_SDK=WARN` beside `TF_LOG_PROVIDER=DEBUG`: the provider's debug lines (one per
/// RPC with its duration, see [`super::timing`]) without the SDK's several lines per AWS call.
pub const AWS_SDK_LEVEL_VARIABLE: &str = "MIGRATION_LOG_AWS_SDK";

/// The level of the AWS SDK's own events: the provider's level, lowered by
/// [`AWS_SDK_LEVEL_VARIABLE`] when it names a level, and never above DEBUG (at TRACE the SDK
/// dumps wire-level detail that is noisy and may include request payloads; credentials are
/// redacted by the SDK at every level).
pub fn aws_sdk_level(level: LevelFilter, aws_sdk: Option<&str>) -> LevelFilter {
    let chosen = match aws_sdk.map(|v| v.trim().to_ascii_uppercase()).as_deref() {
        Some("TRACE") => LevelFilter::TRACE,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some("INFO") => LevelFilter::INFO,
        Some("WARN") => LevelFilter::WARN,
        Some("ERROR") => LevelFilter::ERROR,
        Some("OFF") => LevelFilter::OFF,
        _ => level,
    };
    chosen.min(level).min(LevelFilter::DEBUG)
}

/// Installs the stderr JSON logger for the provider process, the AWS SDK's events at
/// [`aws_sdk_level`] with no [`AWS_SDK_LEVEL_VARIABLE`].
pub fn install(level: LevelFilter) {
    install_with(level, aws_sdk_level(level, None));
}

/// Installs the stderr JSON logger, the AWS SDK's own events at `sdk_level`.
pub fn install_with(level: LevelFilter, sdk_level: LevelFilter) {
    let filter = Targets::new()
        .with_default(level)
        // Prefixes: every crate of the SDK (`aws_smithy_runtime`, `aws_smithy_http_client`, …,
        // `aws_runtime`'s configuration file lookups, the clients of `aws_sdk_*`).
        .with_target("aws_smithy_", sdk_level)
        .with_target("aws_config", sdk_level)
        .with_target("aws_runtime", sdk_level)
        .with_target("aws_sigv4", sdk_level)
        .with_target("aws_types", sdk_level)
        .with_target("aws_credential_types", sdk_level)
        .with_target("aws_sdk_", sdk_level)
        .with_target("h2", LevelFilter::INFO.min(level))
        .with_target("hyper", LevelFilter::INFO.min(level))
        .with_target("tower", LevelFilter::INFO.min(level))
        .with_target("rustls", LevelFilter::INFO.min(level));
    let subscriber = tracing_subscriber::registry().with(TerraformJsonLayer.with_filter(filter));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Formats events as Terraform's hclog JSON lines.
struct TerraformJsonLayer;

impl<S: Subscriber> Layer<S> for TerraformJsonLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = format_event(event, &timestamp_now());
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(line.as_bytes());
    }
}

/// `2006-01-02T15:04:05.000000Z07:00` in UTC, the layout hclog writes and Terraform parses.
pub fn timestamp_now() -> String {
    format_timestamp(time::OffsetDateTime::now_utc())
}

fn format_timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

fn format_event(event: &Event<'_>, timestamp: &str) -> String {
    let mut fields = FieldCollector::default();
    event.record(&mut fields);
    let mut object = serde_json::Map::new();
    object.insert("@level".into(), level_name(event.metadata().level()).into());
    object.insert("@message".into(), fields.message.into());
    object.insert("@module".into(), "provider.migration".into());
    object.insert("@timestamp".into(), timestamp.into());
    object.insert("target".into(), event.metadata().target().into());
    for (key, value) in fields.fields {
        object.entry(key).or_insert(value);
    }
    let mut line = serde_json::Value::Object(object).to_string();
    line.push('\n');
    line
}

#[derive(Default)]
struct FieldCollector {
    message: String,
    fields: Vec<(String, serde_json::Value)>,
}

impl Visit for FieldCollector {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields.push((field.name().into(), value.into()));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.push((field.name().into(), value.into()));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.push((field.name().into(), value.into()));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.push((field.name().into(), value.into()));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields.push((field.name().into(), value.into()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        if field.name() == "message" {
            self.message.push_str(&text);
        } else {
            self.fields.push((field.name().into(), text.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn tf_log_provider_wins_over_tf_log() {
        assert_eq!(
            level_from_env(Some("debug"), Some("ERROR")),
            LevelFilter::DEBUG
        );
        assert_eq!(level_from_env(None, Some("TRACE")), LevelFilter::TRACE);
        assert_eq!(level_from_env(Some(""), Some("INFO")), LevelFilter::INFO);
        assert_eq!(level_from_env(None, Some("json")), LevelFilter::TRACE);
        assert_eq!(level_from_env(None, Some("off")), LevelFilter::OFF);
        assert_eq!(level_from_env(None, None), LevelFilter::WARN);
    }

    #[test]
    fn the_aws_sdk_level_is_lowered_never_raised() {
        use LevelFilter as L;
        assert_eq!(aws_sdk_level(L::DEBUG, None), L::DEBUG);
        assert_eq!(aws_sdk_level(L::TRACE, None), L::DEBUG);
        assert_eq!(aws_sdk_level(L::DEBUG, Some("warn")), L::WARN);
        assert_eq!(aws_sdk_level(L::DEBUG, Some("OFF")), L::OFF);
        assert_eq!(aws_sdk_level(L::INFO, Some("TRACE")), L::INFO);
        assert_eq!(aws_sdk_level(L::DEBUG, Some("nonsense")), L::DEBUG);
    }

    #[test]
    fn timestamp_has_six_fractional_digits_and_zulu() {
        let at =
            time::OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(format_timestamp(at), "2023-11-14T22:13:20.123456Z");
        let whole = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(format_timestamp(whole), "2023-11-14T22:13:20.000000Z");
    }

    /// Captures formatted lines instead of writing them to stderr.
    struct Capture(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            self.0
                .lock()
                .unwrap()
                .push(format_event(event, "2023-11-14T22:13:20.000001Z"));
        }
    }

    #[test]
    fn events_become_terraform_json_lines() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                attachment = "tgw-attach-1",
                waited_s = 3u64,
                "still pending"
            );
        });
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with('\n'));
        let parsed: serde_json::Value = serde_json::from_str(lines[0].trim_end()).unwrap();
        assert_eq!(parsed["@level"], "info");
        assert_eq!(parsed["@message"], "still pending");
        assert_eq!(parsed["@timestamp"], "2023-11-14T22:13:20.000001Z");
        assert_eq!(parsed["attachment"], "tgw-attach-1");
        assert_eq!(parsed["waited_s"], 3);
    }
}
