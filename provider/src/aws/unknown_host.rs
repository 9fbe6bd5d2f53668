//! A host name that does not exist is not retried.
//!
//! The SDK treats every connection failure as temporary, so an endpoint with a typo in its host
//! name (or a Region that does not exist) was retried `max_retries` times with backoff: minutes
//! of waiting before the user saw the error. A resolver that answers "no such name" will
//! answer the same again. This mirrors the AWS SDK for Go, which hashicorp/aws uses: it does not
//! retry a DNS "not found" answer, and it does retry a resolver that could not be reached.

use std::error::Error;

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};

/// What getaddrinfo says when the name does not exist, in glibc, musl, macOS and Windows
/// wording. "Temporary failure in name resolution" (resolver unreachable) is not among them.
const NOT_FOUND: [&str; 5] = [
    "Name or service not known",
    "No address associated with hostname",
    "nodename nor servname provided",
    "Name does not resolve",
    "No such host is known",
];

/// Whether an error, or anything it wraps, says the host name does not exist.
pub(crate) fn is_unknown_host(error: &(dyn Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        if NOT_FOUND.iter().any(|phrase| text.contains(phrase)) {
            return true;
        }
        current = error.source();
    }
    false
}

/// Forbids retrying a request whose host name does not exist. It runs after the SDK's
/// transient-error classifier, so it overrides that classifier's "retry" for this one case.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct UnknownHostIsFinal;

impl ClassifyRetry for UnknownHostIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(error))
                if error
                    .as_connector_error()
                    .is_some_and(|e| is_unknown_host(e)) =>
            {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "unknown host is final"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

    use super::*;

    /// A connection that always fails the way hyper reports a failed lookup.
    #[derive(Debug, Clone)]
    struct FailingLookup {
        message: &'static str,
        attempts: Arc<AtomicUsize>,
    }

    impl HttpConnector for FailingLookup {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            self.attempts.fetch_add(1, Ordering::SeqCst);
            let cause = io::Error::other(format!(
                "failed to lookup address information: {}",
                self.message
            ));
            HttpConnectorFuture::ready(Err(ConnectorError::io(Box::new(cause))))
        }
    }

    impl HttpClient for FailingLookup {
        fn http_connector(
            &self,
            _settings: &HttpConnectorSettings,
            _components: &RuntimeComponents,
        ) -> SharedHttpConnector {
            SharedHttpConnector::new(self.clone())
        }
    }

    /// How many attempts one DescribeVpcs makes, with up to 4 allowed, when every lookup fails
    /// with `message`.
    async fn attempts_when_lookup_says(message: &'static str) -> usize {
        use aws_sdk_ec2::config::retry::RetryConfig;
        use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
        let attempts = Arc::new(AtomicUsize::new(0));
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
            .http_client(FailingLookup {
                message,
                attempts: attempts.clone(),
            })
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(4)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(2)),
            )
            .retry_classifier(UnknownHostIsFinal)
            .build();
        let error = aws_sdk_ec2::Client::from_conf(config)
            .describe_vpcs()
            .send()
            .await
            .expect_err("every attempt fails");
        assert!(
            matches!(error, aws_sdk_ec2::error::SdkError::DispatchFailure(_)),
            "{error:?}"
        );
        attempts.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn a_name_that_does_not_exist_is_tried_once() {
        assert_eq!(
            attempts_when_lookup_says("Name or service not known").await,
            1
        );
    }

    #[tokio::test]
    async fn a_resolver_that_cannot_be_reached_is_retried() {
        assert_eq!(
            attempts_when_lookup_says("Temporary failure in name resolution").await,
            4
        );
    }

    #[test]
    fn not_found_is_recognised_anywhere_in_the_chain() {
        #[derive(Debug)]
        struct Wrapper(io::Error);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("client error (Connect)")
            }
        }
        impl Error for Wrapper {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let wrapped = Wrapper(io::Error::other(
            "failed to lookup address information: No address associated with hostname",
        ));
        assert!(is_unknown_host(&wrapped));
        let refused = Wrapper(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert!(!is_unknown_host(&refused));
        let temporary = io::Error::other(
            "failed to lookup address information: Temporary failure in name resolution",
        );
        assert!(!is_unknown_host(&temporary));
    }
}
