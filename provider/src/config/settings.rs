//! The provider block as typed settings, with every check that needs no AWS call.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::duration::parse_go_duration;
use crate::protocol::object;

use super::schema::{DEFAULT_MAX_RETRIES, ENDPOINT_SERVICES, RATE_LIMIT_LANES};
use crate::aws::governor::{Lane, Rate, RateLimits};

/// Session name recorded in CloudTrail when the user gives none.
pub const DEFAULT_SESSION_NAME: &str = "terraform-provider-migration";

/// How the AWS SDK retries a throttled or failed call (`retry_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryMode {
    /// The SDK's standard retries (the default).
    Standard,
    /// Standard retries plus client-side rate limiting after throttling.
    Adaptive,
}

/// Keys given in the provider block (`access_key`, `secret_key`, `token`).
#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    /// The access key id.
    pub access_key: String,
    /// The secret access key; never printed.
    pub secret_key: String,
    /// The session token of temporary credentials; never printed.
    pub token: Option<String>,
}

impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

/// The `assume_role` block: a role to act as, assumed with the base credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRole {
    /// The role to assume.
    pub role_arn: String,
    /// Recorded in CloudTrail.
    pub session_name: String,
    /// Required by the role's trust policy, if it asks for one.
    pub external_id: Option<String>,
    /// How long the role credentials last; the SDK default when absent.
    pub duration: Option<Duration>,
}

/// Where the OIDC token of `assume_role_with_web_identity` comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum WebIdentityToken {
    /// A file read again whenever credentials are refreshed.
    File(String),
    /// The token itself; never printed.
    Value(String),
}

impl std::fmt::Debug for WebIdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebIdentityToken::File(path) => write!(f, "File({path:?})"),
            WebIdentityToken::Value(_) => f.write_str("Value(** redacted **)"),
        }
    }
}

/// The `assume_role_with_web_identity` block: a role assumed with an OIDC token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebIdentity {
    /// The role to assume.
    pub role_arn: String,
    /// Recorded in CloudTrail.
    pub session_name: String,
    /// The OIDC token's source.
    pub token: WebIdentityToken,
}

/// Everything the provider block says. `Debug` never prints secrets, so settings may be logged.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The region every client calls; from the environment when absent.
    pub region: Option<String>,
    /// The shared configuration profile to use.
    pub profile: Option<String>,
    /// Shared config files read instead of the default.
    pub shared_config_files: Vec<String>,
    /// Shared credentials files read instead of the default.
    pub shared_credentials_files: Vec<String>,
    /// Keys given in the block, if any.
    pub static_credentials: Option<StaticCredentials>,
    /// A role assumed on top of the base credentials.
    pub assume_role: Option<AssumeRole>,
    /// A role assumed with an OIDC token.
    pub web_identity: Option<WebIdentity>,
    /// Service name (as in the `endpoints` block) → URL.
    pub endpoints: BTreeMap<String, String>,
    /// Attempts per AWS call before it fails.
    pub max_retries: u32,
    /// How the SDK retries.
    pub retry_mode: RetryMode,
    /// Tags added to every object the provider creates.
    pub default_tags: BTreeMap<String, String>,
    /// The only accounts the provider may act in; empty for any.
    pub allowed_account_ids: Vec<String>,
    /// Accounts the provider refuses to act in.
    pub forbidden_account_ids: Vec<String>,
    /// Whether to skip checking the credentials with STS at configure time (account
    /// restrictions still check them).
    pub skip_credentials_validation: bool,
    /// The rates the governor paces EC2 calls at (`ec2_api_rate_limits`; AWS's by default).
    pub rate_limits: RateLimits,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: None,
            profile: None,
            shared_config_files: Vec::new(),
            shared_credentials_files: Vec::new(),
            static_credentials: None,
            assume_role: None,
            web_identity: None,
            endpoints: BTreeMap::new(),
            max_retries: DEFAULT_MAX_RETRIES,
            retry_mode: RetryMode::Standard,
            default_tags: BTreeMap::new(),
            allowed_account_ids: Vec::new(),
            forbidden_account_ids: Vec::new(),
            skip_credentials_validation: false,
            rate_limits: RateLimits::default(),
        }
    }
}

/// The largest burst or rate accepted: far above any limit AWS grants, low enough that a typo
/// (an extra digit or two) still stands out.
const MAX_RATE: f64 = 100_000.0;

/// Reads `ec2_api_rate_limits`: each lane keeps AWS's default for what is not set.
fn rate_limits(block: &Value, path: Path, diagnostics: &mut Diagnostics) -> RateLimits {
    let mut limits = RateLimits::default();
    for (prefix, _, lane) in RATE_LIMIT_LANES {
        let mut rate = limits.rate(lane);
        let burst_name = format!("{prefix}_burst");
        if let Some(number) = block.attr(&burst_name).and_then(Value::as_number) {
            match number.as_i64() {
                Some(n) if (1..=MAX_RATE as i64).contains(&n) => rate.burst = n as f64,
                _ => diagnostics.error_at(
                    path.attr(burst_name.as_str()),
                    "Invalid burst",
                    format!(
                        "{burst_name} must be a whole number of calls from 1 to {MAX_RATE}, got \
                         {number}. AWS's default is {}.",
                        ec2_rate_default(lane).burst
                    ),
                ),
            }
        }
        let rate_name = format!("{prefix}_per_second");
        if let Some(number) = block.attr(&rate_name).and_then(Value::as_number) {
            let value = number.as_f64();
            if value > 0.0 && value <= MAX_RATE {
                rate.per_second = value;
            } else {
                diagnostics.error_at(
                    path.attr(rate_name.as_str()),
                    "Invalid rate",
                    format!(
                        "{rate_name} must be more than 0 and at most {MAX_RATE} calls per second, \
                         got {number}. AWS's default is {}.",
                        ec2_rate_default(lane).per_second
                    ),
                );
            }
        }
        set_rate(&mut limits, lane, rate);
    }
    limits
}

fn ec2_rate_default(lane: Lane) -> Rate {
    RateLimits::default().rate(lane)
}

fn set_rate(limits: &mut RateLimits, lane: Lane, rate: Rate) {
    match lane {
        Lane::Describe => limits.describe = rate,
        Lane::Mutate => limits.mutate = rate,
        Lane::ClientVpnMutation => limits.client_vpn_mutation = rate,
        Lane::Tags => limits.tags = rate,
    }
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_role_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && is_account_id(parts[4])
        && parts[5].starts_with("role/")
}

fn role_block(
    block: &Value,
    path: Path,
    diagnostics: &mut Diagnostics,
) -> Option<(String, String)> {
    let role_arn = object::string(block, "role_arn");
    if let Some(arn) = &role_arn
        && !is_role_arn(arn)
    {
        diagnostics.error_at(
            path.attr("role_arn"),
            "Invalid role ARN",
            format!(
                "{arn:?} is not an IAM role ARN; expected arn:aws:iam::<12-digit account>:role/<name>."
            ),
        );
    }
    let session_name =
        object::string(block, "session_name").unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string());
    let valid_session = (2..=64).contains(&session_name.len())
        && session_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=,.@-_".contains(&b));
    if !valid_session {
        diagnostics.error_at(
            path.attr("session_name"),
            "Invalid session name",
            "A role session name has 2 to 64 characters: letters, digits and =,.@-_ only.",
        );
    }
    Some((role_arn?, session_name))
}

/// Reads and checks the provider block. Unknown values are skipped (they are checked again when
/// known); errors carry the attribute path.
pub fn parse(config: &Value) -> (Settings, Diagnostics) {
    let mut settings = Settings::default();
    let mut diagnostics = Diagnostics::new();
    let root = Path::root();
    if config.is_null() || config.is_unknown() {
        return (settings, diagnostics);
    }
    settings.region = object::string(config, "region");
    settings.profile = object::string(config, "profile");
    settings.shared_config_files = object::strings(config, "shared_config_files");
    settings.shared_credentials_files = object::strings(config, "shared_credentials_files");
    settings.skip_credentials_validation =
        object::bool(config, "skip_credentials_validation").unwrap_or(false);

    if let Some(region) = &settings.region {
        let valid = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            diagnostics.error_at(
                root.attr("region"),
                "Invalid region",
                format!("{region:?} is not an AWS Region name such as \"eu-west-1\"."),
            );
        }
    }

    let access_key = object::string(config, "access_key");
    let secret_key = object::string(config, "secret_key");
    match (access_key, secret_key) {
        (Some(access_key), Some(secret_key)) => {
            settings.static_credentials = Some(StaticCredentials {
                access_key,
                secret_key,
                token: object::string(config, "token"),
            })
        }
        (Some(_), None) if !attr_unknown(config, "secret_key") => diagnostics.error_at(
            root.attr("secret_key"),
            "Missing secret key",
            "access_key is set, so secret_key is required too.",
        ),
        (None, Some(_)) if !attr_unknown(config, "access_key") => diagnostics.error_at(
            root.attr("access_key"),
            "Missing access key",
            "secret_key is set, so access_key is required too.",
        ),
        _ => {}
    }

    if let Some(number) = config.attr("max_retries").and_then(Value::as_number) {
        match number.as_i64() {
            Some(n) if (0..=1000).contains(&n) => settings.max_retries = n as u32,
            _ => diagnostics.error_at(
                root.attr("max_retries"),
                "Invalid max_retries",
                format!("max_retries must be a whole number from 0 to 1000, got {number}."),
            ),
        }
    }
    if let Some(mode) = object::string(config, "retry_mode") {
        settings.retry_mode = match mode.as_str() {
            "standard" => RetryMode::Standard,
            "adaptive" => RetryMode::Adaptive,
            other => {
                diagnostics.error_at(
                    root.attr("retry_mode"),
                    "Invalid retry_mode",
                    format!("retry_mode must be \"standard\" or \"adaptive\", got {other:?}."),
                );
                RetryMode::Standard
            }
        };
    }

    for (name, target) in [
        ("allowed_account_ids", &mut settings.allowed_account_ids),
        ("forbidden_account_ids", &mut settings.forbidden_account_ids),
    ] {
        *target = object::strings(config, name);
        for id in target.iter() {
            if !is_account_id(id) {
                diagnostics.error_at(
                    root.attr(name),
                    "Invalid account ID",
                    format!("{id:?} is not a 12-digit AWS account ID."),
                );
            }
        }
    }
    if !settings.allowed_account_ids.is_empty() && !settings.forbidden_account_ids.is_empty() {
        diagnostics.error_at(
            root.attr("forbidden_account_ids"),
            "Conflicting account restrictions",
            "Set either allowed_account_ids or forbidden_account_ids, not both.",
        );
    }

    if let Some(block) = object::nested(config, "assume_role") {
        let path = root.attr("assume_role");
        let duration = match object::string(block, "duration") {
            Some(text) => match parse_go_duration(&text) {
                Ok(d) if (900..=43200).contains(&d.as_secs()) => Some(d),
                Ok(_) => {
                    diagnostics.error_at(
                        path.attr("duration"),
                        "Invalid session duration",
                        "STS accepts role sessions from 15m to 12h.",
                    );
                    None
                }
                Err(message) => {
                    diagnostics.error_at(path.attr("duration"), "Invalid duration", message);
                    None
                }
            },
            None => None,
        };
        if let Some((role_arn, session_name)) = role_block(block, path, &mut diagnostics) {
            settings.assume_role = Some(AssumeRole {
                role_arn,
                session_name,
                external_id: object::string(block, "external_id"),
                duration,
            });
        }
    }

    if let Some(block) = object::nested(config, "assume_role_with_web_identity") {
        let path = root.attr("assume_role_with_web_identity");
        let file = object::string(block, "web_identity_token_file");
        let value = object::string(block, "web_identity_token");
        let unknown_token = attr_unknown(block, "web_identity_token_file")
            || attr_unknown(block, "web_identity_token");
        let token = match (file, value) {
            (Some(file), None) => Some(WebIdentityToken::File(file)),
            (None, Some(value)) => Some(WebIdentityToken::Value(value)),
            (Some(_), Some(_)) => {
                diagnostics.error_at(
                    path.attr("web_identity_token"),
                    "Conflicting web identity token",
                    "Set web_identity_token or web_identity_token_file, not both.",
                );
                None
            }
            (None, None) if !unknown_token => {
                diagnostics.error_at(
                    path.clone(),
                    "Missing web identity token",
                    "Set web_identity_token (e.g. from Terraform Cloud's workload identity \
                     token) or web_identity_token_file.",
                );
                None
            }
            (None, None) => None,
        };
        if let (Some((role_arn, session_name)), Some(token)) =
            (role_block(block, path, &mut diagnostics), token)
        {
            settings.web_identity = Some(WebIdentity {
                role_arn,
                session_name,
                token,
            });
        }
    }
    if settings.assume_role.is_some() && settings.web_identity.is_some() {
        diagnostics.error_at(
            root.attr("assume_role_with_web_identity"),
            "Conflicting role assumption",
            "Use either assume_role or assume_role_with_web_identity.",
        );
    }

    if let Some(block) = object::nested(config, "endpoints") {
        for service in ENDPOINT_SERVICES {
            if let Some(url) = object::string(block, service) {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    diagnostics.error_at(
                        root.attr("endpoints").attr(service),
                        "Invalid endpoint URL",
                        format!(
                            "{url:?} is not a URL; give the scheme too, e.g. \"http://127.0.0.1:5000\"."
                        ),
                    );
                    continue;
                }
                settings.endpoints.insert(service.to_string(), url);
            }
        }
    }
    if let Some(block) = object::nested(config, "ec2_api_rate_limits") {
        settings.rate_limits =
            rate_limits(block, root.attr("ec2_api_rate_limits"), &mut diagnostics);
    }
    if let Some(block) = object::nested(config, "default_tags") {
        settings.default_tags = object::string_map(block, "tags");
        for key in settings.default_tags.keys() {
            if key.starts_with("aws:") {
                diagnostics.error_at(
                    root.attr("default_tags").attr("tags"),
                    "Reserved tag key",
                    format!("Tag keys starting with \"aws:\" are reserved by AWS: {key:?}."),
                );
            }
        }
    }
    (settings, diagnostics)
}

fn attr_unknown(object: &Value, name: &str) -> bool {
    object.attr(name).is_some_and(Value::is_unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::cty::Number;

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        let schema = super::super::schema::provider_schema();
        let crate::protocol::cty::Type::Object(fields) = schema.implied_type() else {
            unreachable!()
        };
        let mut object: BTreeMap<String, Value> =
            fields.keys().map(|k| (k.clone(), Value::Null)).collect();
        for (k, v) in pairs {
            object.insert(k.to_string(), v);
        }
        Value::Object(object)
    }

    fn paths(diagnostics: &Diagnostics) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn defaults_follow_hashicorp_aws() {
        let (settings, diagnostics) = parse(&config(vec![]));
        assert!(diagnostics.is_empty());
        assert_eq!(settings.max_retries, 25);
        assert_eq!(settings.retry_mode, RetryMode::Standard);
    }

    #[test]
    fn full_configuration_is_read() {
        let (settings, diagnostics) = parse(&config(vec![
            ("region", Value::string("eu-west-1")),
            ("access_key", Value::string("AKIAEXAMPLE")),
            ("secret_key", Value::string("very-secret")),
            ("max_retries", Value::number(3i64)),
            ("retry_mode", Value::string("adaptive")),
            (
                "assume_role",
                Value::object([
                    (
                        "role_arn",
                        Value::string("arn:aws:iam::123456789012:role/deploy"),
                    ),
                    ("session_name", Value::Null),
                    ("external_id", Value::string("ext")),
                    ("duration", Value::string("1h")),
                ]),
            ),
            (
                "endpoints",
                Value::object(ENDPOINT_SERVICES.map(|s| {
                    (
                        s,
                        if s == "ec2" {
                            Value::string("http://127.0.0.1:5000")
                        } else {
                            Value::Null
                        },
                    )
                })),
            ),
        ]));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(settings.region.as_deref(), Some("eu-west-1"));
        assert_eq!(settings.max_retries, 3);
        assert_eq!(settings.retry_mode, RetryMode::Adaptive);
        let role = settings.assume_role.unwrap();
        assert_eq!(role.session_name, DEFAULT_SESSION_NAME);
        assert_eq!(role.duration, Some(Duration::from_secs(3600)));
        assert_eq!(settings.endpoints["ec2"], "http://127.0.0.1:5000");
        let debug = format!("{:?}", settings.static_credentials);
        assert!(!debug.contains("very-secret"), "{debug}");
    }

    #[test]
    fn each_mistake_names_its_attribute() {
        let (_, diagnostics) = parse(&config(vec![
            ("region", Value::string("EU West")),
            ("access_key", Value::string("AKIA")),
            ("retry_mode", Value::string("fast")),
            ("max_retries", Value::number(-1i64)),
            (
                "allowed_account_ids",
                Value::Set(vec![Value::string("1234")]),
            ),
            (
                "assume_role",
                Value::object([
                    ("role_arn", Value::string("arn:aws:iam::123:user/x")),
                    ("session_name", Value::string("has space")),
                    ("external_id", Value::Null),
                    ("duration", Value::string("5m")),
                ]),
            ),
        ]));
        let paths = paths(&diagnostics);
        for expected in [
            "region",
            "secret_key",
            "retry_mode",
            "max_retries",
            "allowed_account_ids",
            "assume_role.role_arn",
            "assume_role.session_name",
            "assume_role.duration",
        ] {
            assert!(
                paths.contains(&expected.to_string()),
                "{expected} missing from {paths:?}"
            );
        }
        assert!(diagnostics.iter().all(|d| !d.detail.is_empty()));
    }

    fn rate_block(pairs: Vec<(&str, Value)>) -> Value {
        let mut object: BTreeMap<String, Value> = RATE_LIMIT_LANES
            .iter()
            .flat_map(|(p, _, _)| [format!("{p}_burst"), format!("{p}_per_second")])
            .map(|k| (k, Value::Null))
            .collect();
        for (k, v) in pairs {
            object.insert(k.to_string(), v);
        }
        Value::Object(object)
    }

    #[test]
    fn rate_limits_default_to_aws_and_can_be_raised_per_lane() {
        let (settings, diagnostics) = parse(&config(vec![]));
        assert!(diagnostics.is_empty());
        assert_eq!(settings.rate_limits, RateLimits::default());
        assert_eq!(settings.rate_limits.mutate.per_second, 5.0);

        let (settings, diagnostics) = parse(&config(vec![(
            "ec2_api_rate_limits",
            rate_block(vec![
                ("mutating_burst", Value::number(200i64)),
                ("mutating_per_second", Value::number(40i64)),
                (
                    "client_vpn_per_second",
                    Value::Number(Number::from_f64(0.5).unwrap()),
                ),
            ]),
        )]));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let limits = settings.rate_limits;
        assert_eq!(
            limits.mutate,
            Rate {
                burst: 200.0,
                per_second: 40.0
            }
        );
        // A lower rate leaves budget to other tools; the unset burst stays AWS's.
        assert_eq!(
            limits.client_vpn_mutation,
            Rate {
                burst: 5.0,
                per_second: 0.5
            }
        );
        assert_eq!(limits.describe, RateLimits::default().describe);
        assert_eq!(limits.tags, RateLimits::default().tags);
    }

    #[test]
    fn bad_rate_limits_name_their_argument() {
        let (settings, diagnostics) = parse(&config(vec![(
            "ec2_api_rate_limits",
            rate_block(vec![
                (
                    "describe_burst",
                    Value::Number(Number::from_f64(1.5).unwrap()),
                ),
                ("describe_per_second", Value::number(0i64)),
                ("tags_burst", Value::number(0i64)),
                ("mutating_per_second", Value::number(1_000_000i64)),
            ]),
        )]));
        let paths = paths(&diagnostics);
        assert_eq!(
            paths,
            vec![
                "ec2_api_rate_limits.describe_burst",
                "ec2_api_rate_limits.describe_per_second",
                "ec2_api_rate_limits.mutating_per_second",
                "ec2_api_rate_limits.tags_burst",
            ]
        );
        assert!(
            diagnostics
                .iter()
                .all(|d| d.detail.contains("AWS's default"))
        );
        // Nothing invalid is taken.
        assert_eq!(settings.rate_limits, RateLimits::default());
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let (settings, diagnostics) = parse(&config(vec![
            ("access_key", Value::string("AKIA")),
            ("secret_key", Value::unknown()),
            ("region", Value::unknown()),
        ]));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(settings.static_credentials, None);
        let whole = Value::unknown();
        assert!(parse(&whole).1.is_empty());
    }
}
