//! Data sources: what an author writes ([`DataSource`]: a schema, a typed configuration, offline
//! checks and one `read`) and the lifecycle that serves it to Terraform
//! ([`DataSourceLifecycle`], written once for all data sources). It mirrors
//! [`ManagedResource`](super::resource::ManagedResource) for what only reads.
//!
//! The lifecycle owns what every data source does alike:
//!
//! * **validate**: the configuration typed (a value that does not fit is a provider bug, said
//!   so), then the author's offline checks. The configuration may hold unknown values.
//! * **read**: Terraform reads during plan when the configuration is wholly known, otherwise
//!   during apply, so a read always has a known configuration (one that does not is refused).
//!   The offline checks run again (errors only: Terraform has just shown their warnings). The
//!   read gets the configured provider's clients and a budget of
//!   [`READ_TIMEOUT`](DataSource::READ_TIMEOUT), ended early by StopProvider; a failure is
//!   reported through [`failures::report_read`](super::failures::report_read). The state it
//!   returns is checked against Terraform's own rules (of the schema's type, wholly known, not
//!   null), so a mistake is reported as the provider's bug rather than as Terraform's
//!   "Provider produced invalid object".
//!
//! **Unknown provider configuration.** When the provider block has values that are unknown
//! during plan (a role ARN from a resource not yet created), the provider cannot reach AWS, and
//! a data source cannot answer with an unknown value: Terraform rejects a read that is not
//! wholly known. Terraform ≥ 1.9 can postpone such a read when it runs with deferred actions
//! enabled (an experiment, announced as `deferral_allowed`); the lifecycle then defers it with
//! the reason "provider configuration unknown", as terraform-plugin-framework does. Every
//! released Terraform (1.6–1.15, and 1.9+ without the experiment) gets an error diagnostic
//! instead, saying that the provider configuration must be known and how to get there: apply
//! what the provider block depends on first (`-target`), then plan again.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::context::{Configured, Ctx, ProviderState};
use super::failures::report_read;
use super::typed::{FromValue, ToValue};
use crate::aws::errors::AwsError;
use crate::aws::retry::{Budget, OpError};
use crate::protocol::cty::Value;
use crate::protocol::diagnostics::{Diagnostics, Severity};
use crate::protocol::resource::{DataReadRequest, DataReadResponse, DataResource, Deferral};
use crate::protocol::schema::Schema;

/// What a read found, with any warnings to show beside it.
pub(crate) struct Read<S> {
    pub state: S,
    pub warnings: Diagnostics,
}

impl<S> From<S> for Read<S> {
    fn from(state: S) -> Self {
        Read {
            state,
            warnings: Diagnostics::new(),
        }
    }
}

/// Why a read produced nothing.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// An AWS call failed, timed out or was stopped.
    Failed(OpError),
    /// What was found does not answer the configuration (error diagnostics, with paths).
    Invalid(Diagnostics),
}

impl From<OpError> for ReadError {
    fn from(error: OpError) -> Self {
        ReadError::Failed(error)
    }
}

impl From<AwsError> for ReadError {
    fn from(error: AwsError) -> Self {
        ReadError::Failed(OpError::Aws(error))
    }
}

impl From<Diagnostics> for ReadError {
    fn from(diagnostics: Diagnostics) -> Self {
        ReadError::Invalid(diagnostics)
    }
}

/// One data source type: its schema and its own logic. Everything else is
/// [`DataSourceLifecycle`]'s.
#[async_trait]
pub(crate) trait DataSource: Send + Sync + Sized + 'static {
    /// Terraform's name for the type (`migration_…`).
    const TYPE_NAME: &'static str;
    /// How long one read may take.
    const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);

    /// The configuration, typed; values unknown at validation are kept as such
    /// ([`Maybe`](super::typed::Maybe)); a read's configuration is always known.
    type Config: FromValue + Send + Sync;
    /// The state a read produces: a typed struct, or a [`Value`] built by hand. It carries the
    /// configured arguments too (Terraform's data source object is the whole schema).
    type State: ToValue + Send;

    fn schema(&self) -> Schema;

    /// Checks that need nothing but the configuration (which may hold unknown values).
    fn validate(&self, _config: &Self::Config, _config_value: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads AWS.
    async fn read(
        &self,
        ctx: &Ctx,
        config: &Self::Config,
        config_value: &Value,
    ) -> Result<Read<Self::State>, ReadError>;
}

/// Runs a [`DataSource`]'s hooks for every RPC Terraform sends about it.
pub(crate) struct DataSourceLifecycle<D: DataSource> {
    source: D,
    schema: Schema,
    provider: Arc<ProviderState>,
}

impl<D: DataSource> DataSourceLifecycle<D> {
    pub(crate) fn new(source: D, provider: Arc<ProviderState>) -> Self {
        let schema = source.schema();
        Self {
            source,
            schema,
            provider,
        }
    }

    fn parse(value: &Value, diagnostics: &mut Diagnostics) -> Option<D::Config> {
        match D::Config::from_value(value) {
            Ok(typed) => Some(typed),
            Err(mismatch) => {
                diagnostics.error(
                    "Invalid configuration",
                    format!(
                        "The configuration of this {} cannot be read: {mismatch}. This is a bug \
                         in the provider or an incompatible Terraform version; please report it.",
                        D::TYPE_NAME
                    ),
                );
                None
            }
        }
    }

    /// Why a read's state breaks Terraform's rules, if it does.
    fn invalid_state(&self, state: &Value) -> Option<&'static str> {
        if state.is_null() {
            Some("is null")
        } else if !state.conforms(&self.schema.implied_type()) {
            Some("does not fit the schema")
        } else if !state.is_wholly_known() {
            Some("has unknown values")
        } else {
            None
        }
    }
}

fn answer(state: Value, deferred: Option<Deferral>, diagnostics: Diagnostics) -> DataReadResponse {
    DataReadResponse {
        state,
        deferred,
        diagnostics,
    }
}

#[async_trait]
impl<D: DataSource> DataResource for DataSourceLifecycle<D> {
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(typed) = Self::parse(config, &mut diagnostics) {
            diagnostics.extend(self.source.validate(&typed, config));
        }
        diagnostics
    }

    async fn read(&self, request: DataReadRequest) -> DataReadResponse {
        let mut diagnostics = Diagnostics::new();
        let failed = |diagnostics| answer(Value::Null, None, diagnostics);
        let deferred = |reason| answer(Value::unknown(), Some(reason), Diagnostics::new());
        if !request.config.is_wholly_known() {
            if request.deferral_allowed {
                return deferred(Deferral::ConfigUnknown);
            }
            diagnostics.error(
                "Configuration unknown",
                format!(
                    "This {} was asked to read with a configuration that is not wholly known; \
                     Terraform reads only known configurations, so this is a bug in the caller.",
                    D::TYPE_NAME
                ),
            );
            return failed(diagnostics);
        }
        let Some(config) = Self::parse(&request.config, &mut diagnostics) else {
            return failed(diagnostics);
        };
        // Terraform validated just before and showed the warnings; only errors matter here.
        let checks = self.source.validate(&config, &request.config);
        if checks.has_errors() {
            diagnostics.0.extend(
                checks
                    .0
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error),
            );
            return failed(diagnostics);
        }
        let clients = match self.provider.configured() {
            Configured::Ready(clients) => clients,
            Configured::Deferred if request.deferral_allowed => {
                return deferred(Deferral::ProviderConfigUnknown);
            }
            Configured::Deferred => {
                diagnostics.error(
                    "Provider configuration must be known",
                    format!(
                        "The {} data source reads AWS while Terraform plans, but the \
                         `provider \"migration\"` block has values that are not known until \
                         apply (for example an attribute of a resource not yet created). Apply \
                         what the provider block depends on first (`terraform apply \
                         -target=...`), or set those values directly, then plan again.",
                        D::TYPE_NAME
                    ),
                );
                return failed(diagnostics);
            }
            Configured::NotYet => {
                diagnostics.error(
                    "Provider not configured",
                    "The provider was asked to read a data source before ConfigureProvider; this \
                     is a bug in the caller (Terraform always configures first).",
                );
                return failed(diagnostics);
            }
        };
        let budget = Budget::new(D::READ_TIMEOUT, request.cancel.clone(), clients.max_retries);
        let ctx = Ctx::new(clients, budget.clone());
        let read = tokio::select! {
            read = self.source.read(&ctx, &config, &request.config) => read,
            _ = tokio::time::sleep_until(budget.deadline) => Err(ReadError::Failed(
                OpError::Timeout(format!("reading this {}", D::TYPE_NAME)),
            )),
            _ = request.cancel.cancelled() => Err(ReadError::Failed(OpError::Cancelled)),
        };
        match read {
            Ok(read) => {
                let state = read.state.to_value();
                if let Some(problem) = self.invalid_state(&state) {
                    tracing::error!(data_source = D::TYPE_NAME, ?state, problem, "invalid read");
                    diagnostics.error(
                        "Invalid data source result",
                        format!(
                            "The {} read produced an object that {problem}. This is a bug in \
                             the provider; please report it.",
                            D::TYPE_NAME
                        ),
                    );
                    return failed(diagnostics);
                }
                diagnostics.extend(read.warnings);
                answer(state, None, diagnostics)
            }
            Err(ReadError::Failed(error)) => {
                report_read(
                    &mut diagnostics,
                    &format!("Cannot read {}", D::TYPE_NAME),
                    &error,
                    D::READ_TIMEOUT,
                );
                failed(diagnostics)
            }
            Err(ReadError::Invalid(errors)) => {
                diagnostics.extend(errors);
                if !diagnostics.has_errors() {
                    diagnostics.error(
                        format!("Cannot read {}", D::TYPE_NAME),
                        "The read failed without saying why; this is a bug in the provider.",
                    );
                }
                failed(diagnostics)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::clients;
    use crate::config::settings::{Settings, StaticCredentials};
    use crate::protocol::cty::{Path, Type};
    use crate::protocol::schema::{Attribute, Block};
    use crate::typed_object;
    use tokio_util::sync::CancellationToken;

    typed_object! {
        struct EchoConfig {
            name: crate::framework::typed::Maybe<String>,
            delay_ms: Option<i64>,
        }
    }

    typed_object! {
        struct EchoState {
            name: String,
            delay_ms: Option<i64>,
            region: String,
        }
    }

    /// Echoes its name with the configured Region, after an optional delay.
    struct Echo;

    #[async_trait]
    impl DataSource for Echo {
        const TYPE_NAME: &'static str = "migration_echo";
        const READ_TIMEOUT: Duration = Duration::from_millis(300);
        type Config = EchoConfig;
        type State = EchoState;

        fn schema(&self) -> Schema {
            Schema {
                version: 0,
                block: Block {
                    attributes: vec![
                        Attribute::required("name", Type::String),
                        Attribute::optional("delay_ms", Type::Number),
                        Attribute::computed("region", Type::String),
                    ],
                    ..Default::default()
                },
            }
        }

        fn validate(&self, config: &EchoConfig, _: &Value) -> Diagnostics {
            let mut diagnostics = Diagnostics::new();
            if config.name.known().is_some_and(|n| n.is_empty()) {
                diagnostics.error_at(Path::root().attr("name"), "Empty name", "Name it.");
            }
            if config.name.known().is_some_and(|n| n == "loud") {
                diagnostics.warning("Loud", "Shown once, by validate.");
            }
            diagnostics
        }

        async fn read(
            &self,
            ctx: &Ctx,
            config: &EchoConfig,
            _: &Value,
        ) -> Result<Read<EchoState>, ReadError> {
            let name = config.name.known().cloned().unwrap_or_default();
            if let Some(ms) = config.delay_ms {
                tokio::time::sleep(Duration::from_millis(ms as u64)).await;
            }
            match name.as_str() {
                "missing" => {
                    let mut errors = Diagnostics::new();
                    errors.error_at(Path::root().attr("name"), "Not found", "No such thing.");
                    Err(errors.into())
                }
                "refused" => Err(OpError::Refused("owned by someone else".into()).into()),
                _ => {
                    let mut read: Read<EchoState> = EchoState {
                        name,
                        delay_ms: config.delay_ms,
                        region: ctx.region().to_string(),
                    }
                    .into();
                    read.warnings.warning("Echoed", "As asked.");
                    Ok(read)
                }
            }
        }
    }

    /// Answers a state whose computed value is unknown, which Terraform rejects.
    struct Buggy;

    #[async_trait]
    impl DataSource for Buggy {
        const TYPE_NAME: &'static str = "migration_buggy";
        type Config = Value;
        type State = Value;

        fn schema(&self) -> Schema {
            Echo.schema()
        }

        async fn read(&self, _: &Ctx, config: &Value, _: &Value) -> Result<Read<Value>, ReadError> {
            let mut state = config.clone();
            if let Value::Object(attributes) = &mut state {
                attributes.insert("region".into(), Value::unknown());
            }
            Ok(state.into())
        }
    }

    async fn ready() -> Arc<ProviderState> {
        let settings = Settings {
            region: Some("eu-west-1".into()),
            static_credentials: Some(StaticCredentials {
                access_key: "AKIAEXAMPLE".into(),
                secret_key: "secret".into(),
                token: None,
            }),
            skip_credentials_validation: true,
            ..Default::default()
        };
        let state = ProviderState::new();
        let clients = clients::build(&settings).await.expect("offline clients");
        state.set(Configured::Ready(Arc::new(clients)));
        state
    }

    fn config(name: Value, delay_ms: Option<i64>) -> Value {
        Value::object([
            ("name", name),
            ("delay_ms", delay_ms.map_or(Value::Null, Value::number)),
            ("region", Value::Null),
        ])
    }

    fn request(config: Value, deferral_allowed: bool) -> DataReadRequest {
        DataReadRequest {
            config,
            deferral_allowed,
            cancel: CancellationToken::new(),
        }
    }

    fn summaries(diagnostics: &Diagnostics) -> Vec<&str> {
        diagnostics.iter().map(|d| d.summary.as_str()).collect()
    }

    #[tokio::test]
    async fn a_read_returns_the_typed_state_and_its_warnings() {
        let echo = DataSourceLifecycle::new(Echo, ready().await);
        let read = echo
            .read(request(config(Value::string("loud"), None), false))
            .await;
        assert_eq!(
            summaries(&read.diagnostics),
            ["Echoed"],
            "validate's warning not repeated"
        );
        assert_eq!(read.deferred, None);
        assert_eq!(
            read.state,
            Value::object([
                ("name", Value::string("loud")),
                ("delay_ms", Value::Null),
                ("region", Value::string("eu-west-1")),
            ])
        );
    }

    #[tokio::test]
    async fn validate_types_the_configuration_and_keeps_unknowns() {
        let echo = DataSourceLifecycle::new(Echo, ProviderState::new());
        assert!(echo.validate(&config(Value::unknown(), None)).is_empty());
        let empty = echo.validate(&config(Value::string(""), None));
        assert_eq!(summaries(&empty), ["Empty name"]);
        let wrong = echo.validate(&Value::object([("name", Value::Bool(true))]));
        assert_eq!(summaries(&wrong), ["Invalid configuration"]);
        assert!(wrong.0[0].detail.contains("name is not a string"));
        // A read re-checks: errors stop it before AWS.
        let read = echo
            .read(request(config(Value::string(""), None), false))
            .await;
        assert_eq!(summaries(&read.diagnostics), ["Empty name"]);
    }

    #[tokio::test]
    async fn an_unknown_provider_configuration_is_an_error_unless_deferral_is_allowed() {
        let state = ProviderState::new();
        state.set(Configured::Deferred);
        let echo = DataSourceLifecycle::new(Echo, state);
        let read = echo
            .read(request(config(Value::string("a"), None), false))
            .await;
        assert_eq!(
            summaries(&read.diagnostics),
            ["Provider configuration must be known"]
        );
        assert!(read.diagnostics.0[0].detail.contains("-target"));
        assert!(read.state.is_null() && read.deferred.is_none());

        let read = echo
            .read(request(config(Value::string("a"), None), true))
            .await;
        assert!(read.diagnostics.is_empty());
        assert_eq!(read.deferred, Some(Deferral::ProviderConfigUnknown));
        assert!(read.state.is_unknown());

        let read = echo
            .read(request(config(Value::unknown(), None), true))
            .await;
        assert_eq!(read.deferred, Some(Deferral::ConfigUnknown));
        let read = echo
            .read(request(config(Value::unknown(), None), false))
            .await;
        assert_eq!(summaries(&read.diagnostics), ["Configuration unknown"]);

        let unconfigured = DataSourceLifecycle::new(Echo, ProviderState::new());
        let read = unconfigured
            .read(request(config(Value::string("a"), None), true))
            .await;
        assert_eq!(summaries(&read.diagnostics), ["Provider not configured"]);
    }

    #[tokio::test]
    async fn failures_are_reported_once_with_their_paths() {
        let echo = DataSourceLifecycle::new(Echo, ready().await);
        let read = echo
            .read(request(config(Value::string("missing"), None), false))
            .await;
        assert_eq!(summaries(&read.diagnostics), ["Not found"]);
        assert_eq!(
            read.diagnostics.0[0].attribute,
            Some(Path::root().attr("name"))
        );
        assert!(read.state.is_null());
        let read = echo
            .read(request(config(Value::string("refused"), None), false))
            .await;
        assert_eq!(summaries(&read.diagnostics), ["Cannot read migration_echo"]);
        assert!(
            read.diagnostics.0[0]
                .detail
                .contains("owned by someone else")
        );
    }

    #[tokio::test]
    async fn the_read_timeout_and_stop_provider_end_a_read() {
        let echo = DataSourceLifecycle::new(Echo, ready().await);
        let started = std::time::Instant::now();
        let read = echo
            .read(request(config(Value::string("slow"), Some(60_000)), false))
            .await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(summaries(&read.diagnostics), ["Cannot read migration_echo"]);
        assert!(
            read.diagnostics.0[0]
                .detail
                .contains("did not finish within 300ms"),
            "{}",
            read.diagnostics.0[0].detail
        );

        let stop = CancellationToken::new();
        let mut slow = request(config(Value::string("slow"), Some(60_000)), false);
        slow.cancel = stop.clone();
        let reading = tokio::spawn(async move { echo.read(slow).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        stop.cancel();
        let read = reading.await.unwrap();
        assert!(
            read.diagnostics.0[0]
                .detail
                .contains("asked the provider to stop"),
            "{}",
            read.diagnostics.0[0].detail
        );
    }

    #[tokio::test]
    async fn a_state_terraform_would_reject_is_reported_as_the_providers_bug() {
        let buggy = DataSourceLifecycle::new(Buggy, ready().await);
        let read = buggy
            .read(request(config(Value::string("a"), None), false))
            .await;
        assert_eq!(summaries(&read.diagnostics), ["Invalid data source result"]);
        assert!(read.diagnostics.0[0].detail.contains("has unknown values"));
        assert!(read.state.is_null());
    }
}
