//! One set of AWS clients per configured provider, built from the settings and the standard AWS
//! credential chain (environment, shared files, SSO, container and instance roles).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{
    ProvideCredentials, SharedCredentialsProvider, error::CredentialsError, future,
};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::SdkConfig;
use aws_types::region::Region;

use super::settings::{RetryMode, Settings, WebIdentity, WebIdentityToken};

/// The AWS side of a configured provider.
#[derive(Clone, Debug)]
pub struct AwsClients {
    /// EC2: Transit Gateways, VPC attachments, routes, Client VPN.
    pub ec2: aws_sdk_ec2::Client,
    /// RAM: sharing the Transit Gateway.
    pub ram: aws_sdk_ram::Client,
    /// Directory Service: the Active Directory behind Client VPN.
    pub directory: aws_sdk_directory::Client,
    /// Directory Service Data: AD groups and their SIDs.
    pub directory_data: aws_sdk_directoryservicedata::Client,
    /// Direct Connect: gateways associated with the hub.
    pub direct_connect: aws_sdk_directconnect::Client,
    /// Application Migration Service: the replication configuration template of a staging
    /// area.
    pub mgn: aws_sdk_mgn::Client,
    /// STS: the caller's identity.
    pub sts: aws_sdk_sts::Client,
    /// The region every client calls.
    pub region: String,
    /// Known when credentials were validated (or account restrictions checked).
    pub account_id: Option<String>,
    /// The account STS named when it was first needed, if `account_id` was not known at
    /// configure (`skip_credentials_validation`): resource identities hold it.
    pub looked_up_account: std::sync::OnceLock<String>,
    /// The provider's `default_tags`.
    pub default_tags: BTreeMap<String, String>,
    /// Attempts per AWS call before it fails.
    pub max_retries: u32,
    /// Client-side pacing shared by every resource of this configured provider.
    pub governor: std::sync::Arc<crate::aws::governor::Governor>,
}

/// A service client from the shared configuration, plus the provider's own retry rule: a host
/// name that does not exist fails at once instead of after `max_retries` attempts.
macro_rules! client {
    ($sdk:ident, $config:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .retry_classifier(crate::aws::unknown_host::UnknownHostIsFinal)
                .build(),
        )
    };
}

/// Why clients could not be built; the message says what to change.
#[derive(Debug)]
pub struct ConfigureError(pub String);

/// Builds the shared SDK configuration, then one client per service with its endpoint override.
pub async fn build(settings: &Settings) -> Result<AwsClients, ConfigureError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if !settings.shared_config_files.is_empty() || !settings.shared_credentials_files.is_empty() {
        let mut files = EnvConfigFiles::builder();
        if !settings.shared_config_files.is_empty() {
            files = files.include_default_config_file(false);
        }
        if !settings.shared_credentials_files.is_empty() {
            files = files.include_default_credentials_file(false);
        }
        for path in &settings.shared_config_files {
            files = files.with_file(EnvConfigFileKind::Config, expand_home(path));
        }
        for path in &settings.shared_credentials_files {
            files = files.with_file(EnvConfigFileKind::Credentials, expand_home(path));
        }
        loader = loader.profile_files(files.build());
    }
    if let Some(keys) = &settings.static_credentials {
        loader = loader.credentials_provider(Credentials::new(
            keys.access_key.clone(),
            keys.secret_key.clone(),
            keys.token.clone(),
            None,
            "provider-block",
        ));
    }
    let retry = match settings.retry_mode {
        RetryMode::Standard => RetryConfig::standard(),
        RetryMode::Adaptive => RetryConfig::adaptive(),
    }
    .with_max_attempts(settings.max_retries.saturating_add(1))
    .with_max_backoff(Duration::from_secs(20));
    loader = loader.retry_config(retry);
    let base = loader.load().await;
    let Some(region) = base.region().map(|r| r.to_string()) else {
        return Err(ConfigureError(
            "No AWS Region is configured: set `region` in the provider block, or AWS_REGION, \
             or a region in the shared config profile."
                .to_string(),
        ));
    };

    let sts_config = with_endpoint(&base, settings.endpoints.get("sts"));
    let shared = if let Some(role) = &settings.assume_role {
        let mut provider = aws_config::sts::AssumeRoleProvider::builder(role.role_arn.clone())
            .session_name(role.session_name.clone())
            .configure(&sts_config);
        if let Some(external_id) = &role.external_id {
            provider = provider.external_id(external_id.clone());
        }
        if let Some(duration) = role.duration {
            provider = provider.session_length(duration);
        }
        base.to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider.build().await))
            .build()
    } else if let Some(web) = &settings.web_identity {
        let sts = client!(aws_sdk_sts, &sts_config);
        base.to_builder()
            .credentials_provider(SharedCredentialsProvider::new(WebIdentityCredentials {
                sts,
                identity: web.clone(),
            }))
            .build()
    } else {
        base
    };

    let endpoint = |service: &str| settings.endpoints.get(service);
    let sts = client!(aws_sdk_sts, &with_endpoint(&shared, endpoint("sts")));
    let mut clients = AwsClients {
        ec2: client!(aws_sdk_ec2, &with_endpoint(&shared, endpoint("ec2"))),
        ram: client!(aws_sdk_ram, &with_endpoint(&shared, endpoint("ram"))),
        directory: client!(
            aws_sdk_directory,
            &with_endpoint(&shared, endpoint("directory"))
        ),
        directory_data: client!(
            aws_sdk_directoryservicedata,
            &with_endpoint(&shared, endpoint("directoryservicedata"))
        ),
        direct_connect: client!(
            aws_sdk_directconnect,
            &with_endpoint(&shared, endpoint("directconnect"))
        ),
        mgn: client!(aws_sdk_mgn, &with_endpoint(&shared, endpoint("mgn"))),
        sts,
        region,
        account_id: None,
        looked_up_account: Default::default(),
        default_tags: settings.default_tags.clone(),
        max_retries: settings.max_retries,
        governor: std::sync::Arc::new(crate::aws::governor::Governor::new(settings.rate_limits)),
    };

    let restricted =
        !settings.allowed_account_ids.is_empty() || !settings.forbidden_account_ids.is_empty();
    if restricted || !settings.skip_credentials_validation {
        let identity = clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| {
                ConfigureError(credential_check_failure(
                    &e,
                    settings.endpoints.get("sts"),
                    &clients.region,
                ))
            })?;
        let account = identity.account().unwrap_or_default().to_string();
        if !settings.allowed_account_ids.is_empty()
            && !settings.allowed_account_ids.contains(&account)
        {
            return Err(ConfigureError(format!(
                "The credentials belong to account {account}, which is not in \
                 allowed_account_ids; use credentials for one of {:?}.",
                settings.allowed_account_ids
            )));
        }
        if settings.forbidden_account_ids.contains(&account) {
            return Err(ConfigureError(format!(
                "The credentials belong to account {account}, which is listed in \
                 forbidden_account_ids; use credentials for another account."
            )));
        }
        clients.account_id = Some(account);
    }
    Ok(clients)
}

/// What to tell the user when GetCallerIdentity fails: an endpoint that cannot be reached is a
/// matter of `endpoints`, `region` or the network, not of credentials.
fn credential_check_failure<R>(
    error: &aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError,
        R,
    >,
    endpoint: Option<&String>,
    region: &str,
) -> String
where
    R: std::fmt::Debug + 'static,
{
    use crate::aws::errors::{describe, is_unreachable};
    const OFFLINE: &str = "or set skip_credentials_validation = true to plan without AWS access.";
    if !is_unreachable(error) {
        return format!(
            "Cannot validate the AWS credentials with STS GetCallerIdentity: {}. Check the \
             credentials (environment, profile, assume_role), {OFFLINE}",
            describe(error)
        );
    }
    let at = match endpoint {
        Some(url) => format!("{url} (`endpoints.sts`)"),
        None => format!("its endpoint for Region {region}"),
    };
    let what_to_check = if crate::aws::unknown_host::is_unknown_host(error) {
        "The host name does not exist: check `endpoints` and `region` for a typo"
    } else {
        "Check `endpoints` and `region`, and that this machine can reach AWS (set HTTPS_PROXY \
         if it needs a proxy)"
    };
    format!(
        "Cannot reach STS at {at} to validate the credentials: {}. {what_to_check}, {OFFLINE}",
        describe(error)
    )
}

fn with_endpoint(config: &SdkConfig, endpoint: Option<&String>) -> SdkConfig {
    match endpoint {
        Some(url) => config.to_builder().endpoint_url(url.clone()).build(),
        None => config.clone(),
    }
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

/// Credentials from STS AssumeRoleWithWebIdentity with a token given by value or file.
///
/// aws-config's own web identity provider only reads a file; Terraform Cloud's dynamic
/// credentials hand the provider the token itself. The SDK caches the result until it expires.
#[derive(Debug)]
struct WebIdentityCredentials {
    sts: aws_sdk_sts::Client,
    identity: WebIdentity,
}

impl WebIdentityCredentials {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token = match &self.identity.token {
            WebIdentityToken::Value(token) => token.clone(),
            WebIdentityToken::File(path) => std::fs::read_to_string(path)
                .map_err(|e| {
                    CredentialsError::invalid_configuration(format!(
                        "cannot read web_identity_token_file {path}: {e}"
                    ))
                })?
                .trim()
                .to_string(),
        };
        let output = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&self.identity.role_arn)
            .role_session_name(&self.identity.session_name)
            .web_identity_token(token)
            .send()
            .await
            .map_err(CredentialsError::provider_error)?;
        let credentials = output.credentials().ok_or_else(|| {
            CredentialsError::unhandled("AssumeRoleWithWebIdentity returned no credentials")
        })?;
        let expires = SystemTime::try_from(*credentials.expiration()).ok();
        Ok(Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_string()),
            expires,
            "assume-role-with-web-identity",
        ))
    }
}

impl ProvideCredentials for WebIdentityCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.fetch())
    }
}
