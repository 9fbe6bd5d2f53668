//! Runs an ordered plan of operations: phases in order, the operations of one phase
//! concurrently (bounded), stopping after the first failing phase or on StopProvider.
//!
//! The plan is plain data produced by a resource's pure planner, so "what will be done in which
//! order" is unit-tested without AWS. The engine knows nothing of what an operation does: each
//! one records its own effect (an id created, a route deleted) into the resource's progress
//! record as soon as AWS confirms it, which is how a failed or stopped apply still returns
//! everything it created.

use std::future::Future;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::aws::retry::OpError;

/// Operations that may run concurrently; the phases of a plan run one after another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Phase<Op> {
    pub name: &'static str,
    pub operations: Vec<Op>,
}

/// An ordered plan of operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OperationPlan<Op> {
    pub phases: Vec<Phase<Op>>,
}

impl<Op> Default for OperationPlan<Op> {
    fn default() -> Self {
        Self { phases: Vec::new() }
    }
}

impl<Op> OperationPlan<Op> {
    /// Appends a phase; empty phases are dropped so the plan reads as what will happen.
    pub(crate) fn then(&mut self, name: &'static str, operations: Vec<Op>) {
        if !operations.is_empty() {
            self.phases.push(Phase { name, operations });
        }
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.phases.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.phases.iter().map(|p| p.operations.len()).sum()
    }

    pub(crate) fn operations(&self) -> impl Iterator<Item = &Op> {
        self.phases.iter().flat_map(|p| p.operations.iter())
    }
}

/// What running a plan came to.
#[derive(Debug)]
pub(crate) struct Report<Op> {
    pub completed: usize,
    /// Each failed operation with its error; empty on success.
    pub failures: Vec<(Op, OpError)>,
    /// Operations never started because an earlier phase failed or the apply was stopped.
    pub not_started: usize,
}

impl<Op> Report<Op> {
    #[cfg(test)]
    pub(crate) fn succeeded(&self) -> bool {
        self.failures.is_empty() && self.not_started == 0
    }
}

/// Runs `plan`, at most `concurrency` operations at once. A failure lets the operations already
/// running in its phase finish (they are independent) and starts nothing more.
pub(crate) async fn run<Op, F, Fut>(
    plan: OperationPlan<Op>,
    concurrency: usize,
    cancel: &CancellationToken,
    perform: F,
) -> Report<Op>
where
    Op: Clone + Send + 'static,
    F: Fn(Op) -> Fut,
    Fut: Future<Output = Result<(), OpError>> + Send + 'static,
{
    let total = plan.len();
    let mut report = Report {
        completed: 0,
        failures: Vec::new(),
        not_started: 0,
    };
    let mut started = 0;
    'phases: for phase in plan.phases {
        tracing::debug!(
            phase = phase.name,
            operations = phase.operations.len(),
            "phase starts"
        );
        let mut queue = phase.operations.into_iter();
        let mut running = JoinSet::new();
        let mut stop = false;
        loop {
            while !stop && running.len() < concurrency.max(1) {
                let Some(op) = queue.next() else { break };
                if cancel.is_cancelled() {
                    stop = true;
                    report.failures.push((op, OpError::Cancelled));
                    started += 1;
                    break;
                }
                started += 1;
                let future = perform(op.clone());
                running.spawn(async move { (op, future.await) });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            match joined {
                Ok((_, Ok(()))) => report.completed += 1,
                Ok((op, Err(error))) => {
                    stop = true;
                    report.failures.push((op, error));
                }
                Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
            }
        }
        if stop {
            break 'phases;
        }
    }
    report.not_started = total - started;
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    fn plan(phases: &[(&'static str, &[u32])]) -> OperationPlan<u32> {
        let mut plan = OperationPlan::default();
        for (name, ops) in phases {
            plan.then(name, ops.to_vec());
        }
        plan
    }

    #[tokio::test(start_paused = true)]
    async fn phases_run_in_order_and_operations_concurrently() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let report = run(
            plan(&[("a", &[1, 2, 3, 4]), ("empty", &[]), ("b", &[5])]),
            3,
            &CancellationToken::new(),
            |op| {
                let log = log.clone();
                let in_flight = in_flight.clone();
                let peak = peak.clone();
                async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    log.lock().unwrap().push(op);
                    Ok(())
                }
            },
        )
        .await;
        assert!(report.succeeded());
        assert_eq!(report.completed, 5);
        assert_eq!(peak.load(Ordering::SeqCst), 3, "bounded concurrency");
        let log = log.lock().unwrap();
        assert_eq!(
            log.last(),
            Some(&5),
            "phase b after all of phase a: {log:?}"
        );
        assert_eq!(log.len(), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_finishes_its_phase_and_starts_nothing_more() {
        let ran = Arc::new(Mutex::new(Vec::new()));
        let report = run(
            plan(&[("a", &[1, 2]), ("b", &[3, 4])]),
            10,
            &CancellationToken::new(),
            |op| {
                let ran = ran.clone();
                async move {
                    ran.lock().unwrap().push(op);
                    if op == 1 {
                        Err(OpError::Refused("boom".into()))
                    } else {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        Ok(())
                    }
                }
            },
        )
        .await;
        assert_eq!(report.completed, 1, "op 2 ran to completion");
        assert_eq!(report.failures.len(), 1);
        assert_eq!(report.failures[0].0, 1);
        assert_eq!(report.not_started, 2);
        assert!(!ran.lock().unwrap().contains(&3));
    }

    #[tokio::test(start_paused = true)]
    async fn stop_starts_nothing_new() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let report = run(plan(&[("a", &[1, 2])]), 1, &cancel, |_| async { Ok(()) }).await;
        assert_eq!(report.completed, 0);
        assert!(matches!(report.failures[0].1, OpError::Cancelled));
        assert_eq!(report.not_started, 1);
    }
}
