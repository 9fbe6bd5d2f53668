//! Operation errors as the diagnostics a user reads: what failed, AWS's code and message, and
//! what to do. A stop or timeout is reported once, other failures each, up to a few.

use crate::aws::retry::OpError;
use crate::protocol::diagnostics::Diagnostics;

/// How many failed operations an apply reports one by one; the rest are counted.
pub const SHOWN: usize = 5;

/// One operation error as a diagnostic.
pub fn report(diagnostics: &mut Diagnostics, summary: &str, error: &OpError) {
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

/// The failures of an apply, each summarized by `describe`: a stop or timeout once (every
/// operation it interrupted failed the same way), other errors each up to [`SHOWN`].
pub fn report_failures<Op>(
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
