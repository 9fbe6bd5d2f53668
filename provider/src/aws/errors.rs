//! One error type for every AWS call, classified by what the caller should do about it.
//!
//! The SDK already retries throttling, 5xx and connection failures (up to `max_retries`); what
//! reaches this type has either exhausted those retries or is a domain condition the SDK cannot
//! know about, such as `IncorrectState` while a dependency settles, or `*.NotFound` right after
//! a create (eventual consistency).

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What an error means for the operation that got it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Rate limits: retry after backoff.
    Throttling,
    /// 5xx, timeouts, dropped connections: retry.
    Transient,
    /// The object is busy or a dependency is still settling (`IncorrectState`,
    /// `ConcurrentMutationLimitExceeded`, RAM propagation): retry.
    Busy,
    /// The object does not exist (or not yet, right after creation).
    NotFound,
    /// The object already exists (duplicate create).
    AlreadyExists,
    /// Missing IAM permission: never retried; the message names the permission.
    AccessDenied,
    /// Anything else: bad input, quota, conflict. Not retried.
    Fatal,
}

/// A failed AWS call, reduced to what the provider decides on (its class) and what the user reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The API action, e.g. `CreateRoute`.
    pub action: &'static str,
    /// AWS's error code, e.g. `RouteAlreadyExists`; empty when the call never got an answer.
    pub code: String,
    /// AWS's message, or what went wrong before an answer came.
    pub message: String,
    /// Whether it is retried, and how it is reported.
    pub class: ErrorClass,
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.code.is_empty() {
            write!(f, "{}: {}", self.action, self.message)
        } else {
            write!(f, "{}: {}: {}", self.action, self.code, self.message)?;
            if self.class == ErrorClass::AccessDenied {
                write!(
                    f,
                    " (grant the IAM permission {}:{} to the provider's credentials; \
                     docs/iam-policy.json lists every permission the provider needs)",
                    service_prefix(self.action),
                    self.action
                )?;
            }
            Ok(())
        }
    }
}

impl std::error::Error for AwsError {}

fn service_prefix(action: &str) -> &'static str {
    if action.contains("ResourceShare") || action.contains("Principal") {
        "ram"
    } else if action.contains("DirectConnect") {
        "directconnect"
    } else if action.contains("Group") && !action.contains("Security") {
        "ds-data"
    } else if action.contains("Director") {
        "ds"
    } else if action.contains("ReplicationConfigurationTemplate") || action == "InitializeService" {
        "mgn"
    } else if action.contains("CallerIdentity") {
        "sts"
    } else {
        "ec2"
    }
}

/// Classifies an AWS error code.
pub fn classify(code: &str, status: Option<u16>) -> ErrorClass {
    match code {
        "RequestLimitExceeded"
        | "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "TooManyRequestsException"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown"
        | "PriorRequestNotComplete" => ErrorClass::Throttling,
        "IncorrectState"
        | "IncorrectStateException"
        | "ConcurrentMutationLimitExceeded"
        | "OperationNotPermittedException"
        | "ResourceShareInvitationArnNotFoundException"
        | "InvalidStateTransitionException"
        | "DependencyViolation"
        | "InvalidClientVpnActiveAssociationNotFound" => ErrorClass::Busy,
        "InternalError"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "Unavailable"
        | "ServerInternalException"
        | "ServerException"
        | "DirectConnectServerException"
        | "ServiceUnavailableException"
        | "InternalServerException" => ErrorClass::Transient,
        "UnauthorizedOperation"
        | "AccessDenied"
        | "AccessDeniedException"
        | "AuthFailure"
        | "UnauthorizedException"
        | "InvalidClientTokenId"
        | "ExpiredToken" => ErrorClass::AccessDenied,
        "RouteAlreadyExists"
        | "DuplicateTransitGatewayAttachment"
        | "InvalidClientVpnDuplicateAuthorizationRule"
        | "InvalidClientVpnDuplicateRoute"
        | "TransitGatewayRouteTablePropagation.Duplicate"
        | "Resource.AlreadyAssociated"
        | "InvalidPermission.Duplicate"
        | "ResourceArnAlreadyAssociatedException" => ErrorClass::AlreadyExists,
        code if code.ends_with(".NotFound")
            || code.ends_with("NotFound")
            || code.ends_with("NotFoundException")
            || code == "UnknownResourceException" =>
        {
            ErrorClass::NotFound
        }
        _ if status.is_some_and(|s| s >= 500) => ErrorClass::Transient,
        _ => ErrorClass::Fatal,
    }
}

impl AwsError {
    /// Converts any SDK error, keeping AWS's code and message.
    pub fn from_sdk<E>(action: &'static str, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match &error {
            SdkError::ServiceError(service) => {
                let inner = service.err();
                let code = inner.code().unwrap_or("Unknown").to_string();
                let status = Some(service.raw().status().as_u16());
                Self {
                    action,
                    class: classify(&code, status),
                    message: inner
                        .message()
                        .map(str::to_string)
                        .unwrap_or_else(|| DisplayErrorContext(inner).to_string()),
                    code,
                }
            }
            SdkError::TimeoutError(_) => Self {
                action,
                code: String::new(),
                message: "the request timed out".into(),
                class: ErrorClass::Transient,
            },
            SdkError::DispatchFailure(_) if let Some(why) = credentials_failure(&error) => Self {
                action,
                code: String::new(),
                message: format!(
                    "no AWS credentials could be loaded ({why}); give the provider credentials \
                     (environment variables, a shared profile, `assume_role`, or \
                     `assume_role_with_web_identity`)"
                ),
                class: ErrorClass::AccessDenied,
            },
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => Self {
                action,
                code: String::new(),
                message: format!("could not reach AWS or read its answer: {}", causes(&error)),
                class: ErrorClass::Transient,
            },
            _ => Self {
                action,
                code: String::new(),
                message: causes(&error),
                class: ErrorClass::Fatal,
            },
        }
    }

    /// Whether another attempt may succeed (throttling, a transient failure, a busy object).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.class,
            ErrorClass::Throttling | ErrorClass::Transient | ErrorClass::Busy
        )
    }

    /// The call never reached AWS because no credentials could be loaded (for example a CI
    /// plan with `skip_credentials_validation` and no credentials at all).
    pub fn is_missing_credentials(&self) -> bool {
        self.class == ErrorClass::AccessDenied && self.code.is_empty()
    }

    /// The error of a call that was never sent: its pacing wait ended (stop or deadline)
    /// first.
    pub fn not_sent(why: &super::retry::OpError) -> AwsError {
        AwsError {
            action: "pacing",
            code: String::new(),
            message: format!("not sent: {why}"),
            class: ErrorClass::Fatal,
        }
    }

    /// Whether this is a [`not_sent`](Self::not_sent) error.
    pub fn is_not_sent(&self) -> bool {
        self.action == "pacing" && self.code.is_empty()
    }

    /// Whether the object the call named does not exist.
    pub fn is_not_found(&self) -> bool {
        self.class == ErrorClass::NotFound
    }

    /// Whether AWS answered with error code `code`.
    pub fn has_code(&self, code: &str) -> bool {
        self.code == code
    }
}

/// Why loading credentials failed, when that is what failed: retrying cannot help, and the
/// message should say so instead of blaming the network.
fn credentials_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(error);
    while let Some(current) = source {
        if current
            .downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some()
        {
            let mut reasons = Vec::new();
            let mut cause = Some(current);
            while let Some(reason) = cause {
                reasons.push(reason.to_string());
                cause = reason.source();
            }
            return Some(reasons.join(": "));
        }
        source = current.source();
    }
    None
}

/// An error and its causes on one line, `outer: inner: innermost`. Unlike the SDK's
/// `DisplayErrorContext` it leaves out the debug dump of the whole chain, which users cannot act
/// on, and a cause whose text its wrapper already contains.
pub fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        if !text.is_empty() && !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        current = error.source();
    }
    parts.join(": ")
}

/// The request never got an answer from AWS (no connection, a failed lookup, a timeout), for a
/// reason other than missing credentials: the endpoint or the network is what to check.
pub fn is_unreachable<E, R>(error: &SdkError<E, R>) -> bool
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    matches!(
        error,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    ) && credentials_failure(error).is_none()
}

/// A one-line description of any SDK error, for configuration-time messages.
pub fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match error {
        SdkError::ServiceError(service) => format!(
            "{}: {}",
            service.err().code().unwrap_or("Unknown"),
            service.err().message().unwrap_or_default()
        ),
        other => causes(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_as_the_reference_lists() {
        assert_eq!(
            classify("RequestLimitExceeded", Some(503)),
            ErrorClass::Throttling
        );
        assert_eq!(
            classify("ConcurrentMutationLimitExceeded", Some(400)),
            ErrorClass::Busy
        );
        assert_eq!(classify("IncorrectState", Some(400)), ErrorClass::Busy);
        assert_eq!(
            classify("InvalidTransitGatewayID.NotFound", Some(400)),
            ErrorClass::NotFound
        );
        assert_eq!(
            classify("RouteAlreadyExists", Some(400)),
            ErrorClass::AlreadyExists
        );
        assert_eq!(
            classify("UnauthorizedOperation", Some(403)),
            ErrorClass::AccessDenied
        );
        assert_eq!(classify("SomethingNew", Some(502)), ErrorClass::Transient);
        assert_eq!(
            classify("InvalidParameterValue", Some(400)),
            ErrorClass::Fatal
        );
    }

    #[test]
    fn missing_credentials_are_not_retried_and_say_so() {
        use aws_credential_types::provider::error::CredentialsError;
        use aws_smithy_runtime_api::client::result::ConnectorError;
        type Failure = SdkError<
            aws_sdk_ec2::operation::describe_client_vpn_endpoints::DescribeClientVpnEndpointsError,
            HttpResponse,
        >;
        let failure: Failure = SdkError::dispatch_failure(ConnectorError::other(
            Box::new(CredentialsError::not_loaded("no providers in chain")),
            None,
        ));
        let error = AwsError::from_sdk("DescribeClientVpnEndpoints", failure);
        assert!(error.is_missing_credentials());
        assert!(!error.is_retryable());
        assert!(
            error.message.contains("no AWS credentials"),
            "{}",
            error.message
        );
        let network: Failure = SdkError::dispatch_failure(ConnectorError::io(Box::new(
            std::io::Error::other("connection reset"),
        )));
        let error = AwsError::from_sdk("DescribeClientVpnEndpoints", network);
        assert!(error.is_retryable() && !error.is_missing_credentials());
    }

    /// An EC2 client whose DescribeVpcs answers with this HTTP status and body, through the
    /// real SDK deserializer (no network, no retries).
    fn ec2_answering(status: u16, body: String) -> aws_sdk_ec2::Client {
        use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
        let rule = aws_smithy_mocks::mock!(aws_sdk_ec2::Client::describe_vpcs).then_http_response(
            move || {
                aws_smithy_runtime_api::http::Response::new(
                    aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
                    aws_smithy_types::body::SdkBody::from(body.clone()),
                )
            },
        );
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(aws_smithy_mocks::MockResponseInterceptor::new().with_rule(&rule))
            .retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_ec2::Client::from_conf(config)
    }

    fn ec2_error(code: &str, message: &str) -> String {
        format!(
            "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>r-1</RequestID></Response>"
        )
    }

    #[tokio::test]
    async fn sdk_errors_keep_aws_code_message_and_class() {
        let cases: [(u16, &str, ErrorClass); 5] = [
            (503, "RequestLimitExceeded", ErrorClass::Throttling),
            (400, "InvalidVpcID.NotFound", ErrorClass::NotFound),
            (403, "UnauthorizedOperation", ErrorClass::AccessDenied),
            (400, "IncorrectState", ErrorClass::Busy),
            // A code this provider does not know, on a 5xx: temporary.
            (502, "BrandNewFailure", ErrorClass::Transient),
        ];
        for (status, code, class) in cases {
            let error = ec2_answering(status, ec2_error(code, "explained"))
                .describe_vpcs()
                .send()
                .await
                .expect_err("the mock answers with an error");
            let error = AwsError::from_sdk("DescribeVpcs", error);
            assert_eq!(error.code, code);
            assert_eq!(error.message, "explained");
            assert_eq!(error.class, class, "{code}");
        }
        let unknown_fatal = AwsError::from_sdk(
            "DescribeVpcs",
            ec2_answering(400, ec2_error("InvalidParameterValue", "bad"))
                .describe_vpcs()
                .send()
                .await
                .unwrap_err(),
        );
        assert_eq!(unknown_fatal.class, ErrorClass::Fatal);
        assert!(!unknown_fatal.is_retryable());
    }

    #[test]
    fn access_denied_names_the_permission() {
        let error = AwsError {
            action: "CreateTransitGateway",
            code: "UnauthorizedOperation".into(),
            message: "You are not authorized".into(),
            class: ErrorClass::AccessDenied,
        };
        let text = error.to_string();
        assert!(text.contains("ec2:CreateTransitGateway"), "{text}");
        assert!(!error.is_retryable());
    }
}
