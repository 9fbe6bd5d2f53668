//! Operation errors as the diagnostics a user reads: what failed, AWS's code and message, and
//! what to do. A stop or timeout is reported once, other failures each, up to a few. A read
//! (a data source) changed nothing, so its advice differs from an apply's.

use std::time::Duration;

use crate::aws::retry::OpError;
use crate::protocol::diagnostics::Diagnostics;

/// How many failed operations an apply reports one by one; the rest are counted.
pub(crate) const SHOWN: usize = 5;

/// One operation error as a diagnostic.
pub(crate) fn report(diagnostics: &mut Diagnostics, summary: &str, error: &OpError) {
    let advice = match error {
        OpError::Cancelled => {
            "Everything created so far is saved in state; apply again to continue."
        }
        OpError::Timeout(_) => {
            "Everything created so far is saved in state. Apply again to continue waiting, or \
             raise `timeouts`."
        }
        OpError::Aws(aws) if aws.is_retryable() => {
            "AWS kept answering with a temporary error. Everything created so far is saved in \
             state; apply again to continue."
        }
        _ => "Everything created so far is saved in state; fix the cause and apply again.",
    };
    diagnostics.error(summary, format!("{error}.\n\n{advice}"));
}

/// A failed read as a diagnostic: nothing was changed, so the advice is about the cause.
/// `limit` is the read's time budget.
pub(crate) fn report_read(
    diagnostics: &mut Diagnostics,
    summary: &str,
    error: &OpError,
    limit: Duration,
) {
    let detail = match error {
        OpError::Cancelled => {
            "Terraform asked the provider to stop before the read finished.".to_string()
        }
        OpError::Timeout(what) => format!(
            "The read did not finish within {} ({what}). AWS may be slow or throttling this \
             account; run the command again.",
            go_duration(limit)
        ),
        OpError::Aws(aws) if aws.is_retryable() => {
            format!("{aws}.\n\nAWS kept answering with a temporary error; run the command again.")
        }
        other => format!("{other}."),
    };
    diagnostics.error(summary, detail);
}

/// A duration as Go writes it (`5m0s`, `300ms`), the form `timeouts` take.
fn go_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        return format!("{millis}ms");
    }
    let seconds = duration.as_secs();
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, _) => format!("{minutes}m{seconds}s"),
        _ => format!("{hours}h{minutes}m{seconds}s"),
    }
}

/// The failures of an apply, each summarized by `describe`: a stop or timeout once (every
/// operation it interrupted failed the same way), other errors each up to [`SHOWN`].
pub(crate) fn report_failures<Op>(
    diagnostics: &mut Diagnostics,
    failures: &[(Op, OpError)],
    describe: impl Fn(&Op) -> String,
) {
    if let Some((_, error)) = failures
        .iter()
        .find(|(_, e)| matches!(e, OpError::Cancelled | OpError::Timeout(_)))
    {
        let summary = match error {
            OpError::Cancelled => "Apply stopped",
            _ => "Apply timed out",
        };
        report(diagnostics, summary, error);
    }
    let others: Vec<&(Op, OpError)> = failures
        .iter()
        .filter(|(_, e)| !matches!(e, OpError::Cancelled | OpError::Timeout(_)))
        .collect();
    for (op, error) in others.iter().take(SHOWN) {
        report(diagnostics, &describe(op), error);
    }
    if others.len() > SHOWN {
        diagnostics.error(
            "More operations failed",
            format!(
                "{} more operations failed the same way or were stopped; see the errors above.",
                others.len() - SHOWN
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::errors::{AwsError, ErrorClass};

    fn failure(n: usize) -> (usize, OpError) {
        (
            n,
            OpError::Aws(AwsError {
                action: "CreateRoute",
                code: "InvalidRouteTableID.NotFound".into(),
                message: format!("table {n}"),
                class: ErrorClass::Fatal,
            }),
        )
    }

    #[test]
    fn a_failed_read_says_why_without_apply_advice() {
        let mut diagnostics = Diagnostics::new();
        let limit = Duration::from_secs(300);
        report_read(&mut diagnostics, "Cannot read", &failure(0).1, limit);
        report_read(
            &mut diagnostics,
            "Cannot read",
            &OpError::Timeout("reading".into()),
            limit,
        );
        report_read(&mut diagnostics, "Cannot read", &OpError::Cancelled, limit);
        let details: Vec<&str> = diagnostics.0.iter().map(|d| d.detail.as_str()).collect();
        assert!(details[0].contains("table 0"), "{}", details[0]);
        assert!(
            details[1].contains("within 5m0s (reading)"),
            "{}",
            details[1]
        );
        assert!(
            details[2].contains("asked the provider to stop"),
            "{}",
            details[2]
        );
        assert!(details.iter().all(|d| !d.contains("saved in state")));
        assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(go_duration(Duration::from_secs(3725)), "1h2m5s");
        assert_eq!(go_duration(Duration::from_secs(7)), "7s");
    }

    #[test]
    fn a_stop_is_reported_once_and_other_failures_are_capped() {
        let mut failures: Vec<(usize, OpError)> = (0..8).map(failure).collect();
        failures.push((8, OpError::Cancelled));
        failures.push((9, OpError::Cancelled));
        let mut diagnostics = Diagnostics::new();
        report_failures(&mut diagnostics, &failures, |n| format!("operation {n}"));
        let summaries: Vec<&str> = diagnostics.0.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Apply stopped",
                "operation 0",
                "operation 1",
                "operation 2",
                "operation 3",
                "operation 4",
                "More operations failed"
            ]
        );
        assert!(diagnostics.0[6].detail.starts_with("3 more"));
    }
}
