//! List resources (`terraform query`, Terraform ≥ 1.14): what a resource author writes to make
//! its objects listable ([`Listed`]: a `config` block schema, a typed filter and one `find`)
//! and the lifecycle that serves `list` blocks ([`ListLifecycle`], written once for all).
//!
//! A list result is an identity (the resource's own, from
//! [`ManagedResource::IDENTITY`]), a display name and, when Terraform asks for it
//! (`include_resource = true`, and always for `-generate-config-out`), the resource object. The
//! object is what an import of that identity gives: the lifecycle runs the resource's own
//! import and the read Terraform does right after it
//! ([`ResourceLifecycle::import_and_read`]), so the configuration Terraform generates from it
//! plans no change once imported. A list changes nothing in AWS: that read leaves the
//! unconfirmed marker of an interrupted create in place.
//!
//! The lifecycle owns what every list does alike: the configured provider (an error naming
//! what to do when it is not, or its configuration is unknown), a budget of
//! [`READ_TIMEOUT`](ManagedResource::READ_TIMEOUT) for the search, StopProvider (the list
//! reports it at its next step, and one that has not ended [`STOP_GRACE`] later is dropped
//! with its AWS calls), `limit`
//! (nothing is read past it, and a stream Terraform stops reading ends the list), results in
//! the order of their ids, failures as diagnostics, and the identity of each result checked to
//! be wholly known, as Terraform requires.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc::Sender;

use super::context::{Configured, Ctx, ProviderState};
use super::failures::report_read;
use super::identity::Place;
use super::resource::{ManagedResource, ResourceLifecycle};
use super::typed::FromValue;
use crate::aws::retry::{Budget, OpError};
use crate::protocol::cty::Value;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::resource::{ListEvent, ListRequest, ListResource};
use crate::protocol::schema::Schema;

/// One object a search found: the id its resource imports it by, and what Terraform shows
/// beside its identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub import_id: String,
    pub display_name: String,
}

/// What a result's display name says of an object still carrying the unconfirmed marker: no
/// Terraform state has read it yet, either because it was created moments ago or because the
/// create that made it was cut short before Terraform saved it.
pub(crate) const UNCONFIRMED_NOTE: &str = "unconfirmed: no Terraform state has read it yet (an \
    apply just made it, or one was cut short); import it to keep it, or to destroy it";

/// What a managed resource adds to be listed by `terraform query`.
#[async_trait]
pub(crate) trait Listed: ManagedResource {
    /// The list block's `config` block, typed (its attributes null when the block is left
    /// out).
    type Filter: FromValue + Send + Sync;

    /// The schema of the `config` block: the filters a `list` block may set.
    fn list_schema(&self) -> Schema;

    /// Checks of a filter that need no AWS access.
    fn validate_filter(&self, _filter: &Self::Filter) -> Diagnostics {
        Diagnostics::new()
    }

    /// The objects of this type in `place` (the provider's account and Region) that this
    /// provider manages and `filter` selects, through the shared finders of `aws/`. Its own
    /// rule for "ours" (ownership tags, the rules it manages) is the resource's, as in observe.
    async fn find(
        &self,
        ctx: &Ctx,
        place: &Place,
        filter: &Self::Filter,
    ) -> Result<Vec<Found>, OpError>;
}

/// Serves the `list` blocks of one [`Listed`] resource type.
pub(crate) struct ListLifecycle<R: Listed> {
    resource: Arc<ResourceLifecycle<R>>,
    schema: Schema,
    provider: Arc<ProviderState>,
}

impl<R: Listed> ListLifecycle<R> {
    /// The list of the resource `resource` manages (the same lifecycle the provider serves, so
    /// a result's object is what its import gives).
    pub(crate) fn new(resource: Arc<ResourceLifecycle<R>>, provider: Arc<ProviderState>) -> Self {
        let schema = resource.hooks().list_schema();
        Self {
            resource,
            schema,
            provider,
        }
    }

    /// The filter of a `config` block; a left-out block (null) filters nothing.
    fn filter(&self, config: &Value, diagnostics: &mut Diagnostics) -> Option<R::Filter> {
        let config = if config.is_null() {
            Value::object(
                self.schema
                    .block
                    .attributes
                    .iter()
                    .map(|a| (a.name.as_str(), Value::Null)),
            )
        } else {
            config.clone()
        };
        match R::Filter::from_value(&config) {
            Ok(filter) => Some(filter),
            Err(mismatch) => {
                diagnostics.error(
                    "Invalid list configuration",
                    format!(
                        "The config block of this list of {} cannot be read: {mismatch}. This is \
                         a bug in the provider or an incompatible Terraform version; please \
                         report it.",
                        R::TYPE_NAME
                    ),
                );
                None
            }
        }
    }

    /// The configured provider with a budget for the search, or the error saying why not.
    fn ctx(&self, request: &ListRequest, diagnostics: &mut Diagnostics) -> Option<Ctx> {
        match self.provider.configured() {
            Configured::Ready(clients) => {
                let budget =
                    Budget::new(R::READ_TIMEOUT, request.cancel.clone(), clients.max_retries);
                Some(Ctx::new(clients, budget))
            }
            Configured::Deferred => {
                diagnostics.error(
                    "Provider configuration unknown",
                    format!(
                        "Listing {} reads AWS, which needs a provider block whose values are \
                         all known. Set the provider block's arguments to known values in the \
                         query's configuration (values from resources are not available to \
                         `terraform query`).",
                        R::TYPE_NAME
                    ),
                );
                None
            }
            Configured::NotYet => {
                diagnostics.error(
                    "Provider not configured",
                    "The provider was asked to list before ConfigureProvider; this is a bug in \
                     the caller (Terraform always configures first).",
                );
                None
            }
        }
    }

    /// The results of one list request, each sent as soon as it is ready; `false` once
    /// Terraform stopped reading.
    async fn run(&self, request: &ListRequest, sink: &Sender<ListEvent>) -> bool {
        let mut diagnostics = Diagnostics::new();
        let Some(filter) = self.filter(&request.config, &mut diagnostics) else {
            return send_diagnostics(sink, diagnostics).await;
        };
        diagnostics.extend(self.resource.hooks().validate_filter(&filter));
        if diagnostics.has_errors() {
            return send_diagnostics(sink, diagnostics).await;
        }
        let Some(ctx) = self.ctx(request, &mut diagnostics) else {
            return send_diagnostics(sink, diagnostics).await;
        };
        let found = async {
            let place = Place::of(&ctx).await?;
            let found = self.resource.hooks().find(&ctx, &place, &filter).await?;
            Ok::<_, OpError>((place, found))
        };
        let (place, mut found) = match found.await {
            Ok(found) => found,
            Err(error) => {
                report_read(
                    &mut diagnostics,
                    &format!("Cannot list {}", R::TYPE_NAME),
                    &error,
                    R::READ_TIMEOUT,
                );
                return send_diagnostics(sink, diagnostics).await;
            }
        };
        found.sort_by(|a, b| a.import_id.cmp(&b.import_id));
        found.dedup_by(|a, b| a.import_id == b.import_id);
        let limit = usize::try_from(request.limit.max(0)).unwrap_or(usize::MAX);
        tracing::info!(
            resource = R::TYPE_NAME,
            found = found.len(),
            limit,
            include_resource = request.include_resource,
            "listing"
        );
        let Some(identity) = R::IDENTITY else {
            diagnostics.error(
                "List without identity",
                format!(
                    "{} has no resource identity, which every list result needs. This is a \
                     bug in the provider; please report it.",
                    R::TYPE_NAME
                ),
            );
            return send_diagnostics(sink, diagnostics).await;
        };
        for one in found.into_iter().take(limit) {
            if request.cancel.is_cancelled() {
                return send_diagnostics(sink, stopped(R::TYPE_NAME, R::READ_TIMEOUT)).await;
            }
            let mut event = ListEvent {
                identity: identity.of_id(&one.import_id, &place),
                display_name: one.display_name,
                resource_object: None,
                diagnostics: std::mem::take(&mut diagnostics),
            };
            if request.include_resource {
                let read = self
                    .resource
                    .import_and_read(&one.import_id, request.cancel.clone())
                    .await;
                if request.cancel.is_cancelled() {
                    // The read's own error would give an apply's advice.
                    return send_diagnostics(sink, stopped(R::TYPE_NAME, R::READ_TIMEOUT)).await;
                }
                event.diagnostics.extend(read.diagnostics);
                if !event.diagnostics.has_errors() {
                    if read.identity != event.identity {
                        event.diagnostics.error(
                            "List result of another identity",
                            format!(
                                "Importing {} {} gave the identity {}, not the listed {}. This \
                                 is a bug in the provider; please report it.",
                                R::TYPE_NAME,
                                one.import_id,
                                super::identity::describe(&read.identity),
                                super::identity::describe(&event.identity)
                            ),
                        );
                    }
                    event.resource_object = read.state;
                }
                if event.resource_object.is_none() && !event.diagnostics.has_errors() {
                    // Gone between the search and its import: not a result.
                    tracing::info!(
                        resource = R::TYPE_NAME,
                        id = one.import_id.as_str(),
                        "listed object gone before its read"
                    );
                    continue;
                }
            }
            if event.diagnostics.has_errors() {
                event.identity = Value::Null;
                event.resource_object = None;
            }
            let failed = event.diagnostics.has_errors();
            if sink.send(event).await.is_err() || failed {
                return false;
            }
        }
        if !diagnostics.is_empty() {
            return send_diagnostics(sink, diagnostics).await;
        }
        true
    }
}

/// How long a list may take to end by itself once Terraform asked the provider to stop (its
/// AWS calls watch the token and end at once); after that it is dropped.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The error of a list that StopProvider ended.
fn stopped(type_name: &str, limit: Duration) -> Diagnostics {
    let mut stopped = Diagnostics::new();
    report_read(
        &mut stopped,
        &format!("Listing {type_name} stopped"),
        &OpError::Cancelled,
        limit,
    );
    stopped
}

/// Sends an event carrying only diagnostics; `false` when Terraform stopped reading.
async fn send_diagnostics(sink: &Sender<ListEvent>, diagnostics: Diagnostics) -> bool {
    if diagnostics.is_empty() {
        return true;
    }
    let event = ListEvent {
        identity: Value::Null,
        display_name: String::new(),
        resource_object: None,
        diagnostics,
    };
    sink.send(event).await.is_ok()
}

#[async_trait]
impl<R: Listed> ListResource for ListLifecycle<R> {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(filter) = self.filter(config, &mut diagnostics) {
            diagnostics.extend(self.resource.hooks().validate_filter(&filter));
        }
        diagnostics
    }

    async fn list(&self, request: ListRequest, sink: Sender<ListEvent>) {
        let cancel = request.cancel.clone();
        let stopped_for_good = async {
            cancel.cancelled().await;
            tokio::time::sleep(STOP_GRACE).await;
        };
        tokio::select! {
            _ = self.run(&request, &sink) => {}
            () = stopped_for_good => {
                // The run did not end by itself (a call that does not watch the token, or a
                // result Terraform does not read): dropped here with its AWS calls, so
                // StopProvider ends every list within seconds.
                tracing::warn!(
                    resource = R::TYPE_NAME,
                    "list dropped: not ended 2 s after StopProvider or the end of the stream"
                );
                let _ = tokio::time::timeout(
                    STOP_GRACE,
                    send_diagnostics(&sink, stopped(R::TYPE_NAME, R::READ_TIMEOUT)),
                )
                .await;
            }
        }
    }
}
