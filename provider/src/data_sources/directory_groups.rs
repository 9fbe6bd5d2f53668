//! `data "migration_directory_groups"`: Active Directory group names to SIDs (and their
//! distinguished names, types and scopes) through Directory Service Data, so that a
//! configuration names its groups instead of pasting SIDs.
//!
//! One DescribeDirectories tells the directory's type (only AWS Managed Microsoft AD offers
//! Directory Service Data), then one DescribeGroup per name: an exact lookup that Active
//! Directory matches without regard to case, and the only call that returns the distinguished
//! name. A name that is not found is an error naming it; only then are the directory's groups
//! listed (ListGroups, every page) to suggest the closest existing names.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::aws::directory::{Group, GroupLookup, MANAGED_AD, enable_data_access_hint};
use crate::framework::context::Ctx;
use crate::framework::data_source::{DataSource, Read, ReadError};
use crate::framework::typed::Maybe;
use crate::protocol::cty::{Path, Type, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{Attribute, Block, Nesting, Presence, Schema};
use crate::typed_object;

pub(crate) const TYPE_NAME: &str = "migration_directory_groups";

/// Characters Active Directory does not allow in a `sAMAccountName`.
const FORBIDDEN_IN_NAME: &[char] = &[
    '"', '/', '\\', '[', ']', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>',
];
/// How many existing names a "not found" error suggests at most.
const SUGGESTIONS: usize = 3;

typed_object! {
    pub(crate) struct Config {
        directory_id: Maybe<String>,
        names: Maybe<BTreeSet<String>>,
        realm: Maybe<Option<String>>,
    }
}

typed_object! {
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) struct GroupState {
        name: String,
        sid: String,
        distinguished_name: Option<String>,
        group_type: Option<String>,
        group_scope: Option<String>,
    }
}

typed_object! {
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) struct State {
        directory_id: String,
        names: BTreeSet<String>,
        realm: Option<String>,
        groups: BTreeMap<String, GroupState>,
        sids: BTreeMap<String, String>,
    }
}

impl From<Group> for GroupState {
    fn from(group: Group) -> Self {
        GroupState {
            name: group.name,
            sid: group.sid,
            distinguished_name: group.distinguished_name,
            group_type: group.group_type,
            group_scope: group.group_scope,
        }
    }
}

pub(crate) struct DirectoryGroups;

fn group_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("name", Type::String).describe(
            "The group's `sAMAccountName` as the directory spells it (the key is the name as \
             written in `names`, which may differ in case).",
        ),
        Attribute::computed("sid", Type::String)
            .describe("The group's security identifier (`S-1-5-21-…`)."),
        Attribute::computed("distinguished_name", Type::String)
            .describe("The group's distinguished name (`CN=…,OU=…,DC=…`)."),
        Attribute::computed("group_type", Type::String)
            .describe("`Security` or `Distribution`. Client VPN authorizes security groups."),
        Attribute::computed("group_scope", Type::String)
            .describe("`DomainLocal`, `Global`, `Universal` or `BuiltinLocal`."),
    ]
}

pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Looks Active Directory groups up by name in an AWS Managed Microsoft AD \
                          (Directory Service Data) and returns their SIDs, for \
                          `migration_client_vpn_group_access`."
                .to_string(),
            attributes: vec![
                Attribute::required("directory_id", Type::String).describe(
                    "The AWS Managed Microsoft AD to read (`d-` and 10 hexadecimal digits), in \
                     the provider's Region. Simple AD and AD Connector do not offer Directory \
                     Service Data: give SIDs for those.",
                ),
                Attribute::required("names", Type::set(Type::String)).describe(
                    "The groups to look up, by name (`sAMAccountName`, the pre-Windows 2000 \
                     name). Each must exist: a missing name is an error that names it and the \
                     closest existing names. Active Directory matches names without regard to \
                     case.",
                ),
                Attribute::optional("realm", Type::String).describe(
                    "The domain to look in, for groups of a trusted domain (for example \
                     `corp.example.com`). Default: the directory's own domain.",
                ),
                Attribute::nested(
                    "groups",
                    Nesting::Map,
                    Presence::Computed,
                    group_attributes(),
                )
                .describe("Each group found, keyed by its name as written in `names`."),
                Attribute::computed("sids", Type::map(Type::String)).describe(
                    "Each group's SID keyed by its name as written in `names`: \
                     `data.migration_directory_groups.<label>.sids[\"<name>\"]`.",
                ),
            ],
            ..Default::default()
        },
    }
}

/// Whether `id` has the form of a directory id (`d-` and 10 lowercase hexadecimal digits).
fn is_directory_id(id: &str) -> bool {
    id.strip_prefix("d-").is_some_and(|digits| {
        digits.len() == 10
            && digits
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// Why `name` cannot be a group's `sAMAccountName`, if it cannot.
fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("is empty".to_string());
    }
    if name.trim() != name {
        return Some("starts or ends with white space, which no group name does".to_string());
    }
    if let Some(c) = name.chars().find(|c| FORBIDDEN_IN_NAME.contains(c)) {
        return Some(format!(
            "contains {c:?}, which Active Directory does not allow in a group name \
             (sAMAccountName)"
        ));
    }
    None
}

/// What a directory of `kind` is called in a message.
fn kind_label(kind: &str) -> &str {
    match kind {
        "SimpleAD" => "a Simple AD",
        "ADConnector" => "an AD Connector (the groups live in your own domain)",
        "SharedMicrosoftAD" => "a Managed Microsoft AD shared from another account",
        _ => kind,
    }
}

/// The error for a directory that does not offer Directory Service Data.
fn unsupported(directory_id: &str, kind: &str, aws_says: Option<&str>) -> Diagnostics {
    let said = aws_says
        .filter(|m| !m.is_empty())
        .map(|m| format!(" (AWS: {m})"))
        .unwrap_or_default();
    let mut errors = Diagnostics::new();
    errors.error_at(
        Path::root().attr("directory_id"),
        "Group names are not available for this directory type",
        format!(
            "Directory {directory_id} is {}{said}. Only AWS Managed Microsoft AD offers \
             Directory Service Data, which looks groups up by name. Give the groups' SIDs \
             instead (`sid` in migration_client_vpn_group_access): on a domain-joined machine, \
             `Get-ADGroup -Identity \"<name>\" | Select SID` (PowerShell, ActiveDirectory \
             module), or the group's objectSid in Active Directory Users and Computers \
             (Attribute Editor).",
            kind_label(kind)
        ),
    );
    errors
}

/// Levenshtein distance between two names, ignoring case.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The existing names closest to `name`: those within a third of its length in edits, or that
/// contain it or are contained in it (ignoring case), nearest first.
fn closest<'a>(name: &str, existing: &'a [Group]) -> Vec<&'a str> {
    let wanted = name.to_lowercase();
    let near = (name.chars().count() / 3).max(2);
    let mut candidates: Vec<(usize, &str)> = existing
        .iter()
        .map(|g| (distance(name, &g.name), g.name.as_str()))
        .filter(|(d, existing)| {
            let lower = existing.to_lowercase();
            *d <= near || lower.contains(&wanted) || wanted.contains(&lower)
        })
        .collect();
    candidates.sort();
    candidates.dedup();
    candidates
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, n)| n)
        .collect()
}

fn not_found(directory_id: &str, realm: Option<&str>, name: &str, suggestions: &[&str]) -> String {
    let within = match realm {
        Some(realm) => format!("domain {realm} of directory {directory_id}"),
        None => format!("directory {directory_id}"),
    };
    let hint = match suggestions {
        [] => "Check the spelling: the name is the group's sAMAccountName (its \"pre-Windows \
               2000\" name), which may differ from its display name."
            .to_string(),
        names => format!(
            "The closest existing names: {}.",
            names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("There is no group named {name:?} in {within}. {hint}")
}

#[async_trait]
impl DataSource for DirectoryGroups {
    const TYPE_NAME: &'static str = TYPE_NAME;
    type Config = Config;
    type State = State;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Config, _: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(id) = config.directory_id.known()
            && !is_directory_id(id)
        {
            diagnostics.error_at(
                Path::root().attr("directory_id"),
                "Invalid directory id",
                format!(
                    "{id:?} is not a directory id: it is `d-` followed by 10 hexadecimal digits, \
                     as `aws ds describe-directories` lists them."
                ),
            );
        }
        for name in config.names.known().into_iter().flatten() {
            if let Some(problem) = name_problem(name) {
                diagnostics.error_at(
                    Path::root().attr("names"),
                    "Invalid group name",
                    format!("The group name {name:?} in `names` {problem}."),
                );
            }
        }
        if let Some(Some(realm)) = config.realm.known()
            && realm.trim().is_empty()
        {
            diagnostics.error_at(
                Path::root().attr("realm"),
                "Empty realm",
                "`realm` is a domain name such as `corp.example.com`; leave it out to look in \
                 the directory's own domain.",
            );
        }
        diagnostics
    }

    async fn read(&self, ctx: &Ctx, config: &Config, _: &Value) -> Result<Read<State>, ReadError> {
        let (Maybe::Known(directory_id), Maybe::Known(names), Maybe::Known(realm)) =
            (&config.directory_id, &config.names, &config.realm)
        else {
            // The lifecycle reads only known configurations.
            return Err(ReadError::Invalid(Diagnostics::new()));
        };
        let realm = realm.as_deref();
        let aws = ctx.aws();
        let Some(directory) = aws.directory(directory_id).await? else {
            let mut errors = Diagnostics::new();
            errors.error_at(
                Path::root().attr("directory_id"),
                "Directory not found",
                format!(
                    "Directory Service has no directory {directory_id} in Region {}. Check the \
                     id (`aws ds describe-directories`) and the provider's `region`.",
                    ctx.region()
                ),
            );
            return Err(errors.into());
        };
        if directory.kind != MANAGED_AD && directory.kind != "SharedMicrosoftAD" {
            return Err(unsupported(directory_id, &directory.kind, None).into());
        }
        let mut groups = BTreeMap::new();
        let mut missing = Vec::new();
        for name in names {
            match aws.group(directory_id, realm, name).await? {
                GroupLookup::Found(group) => {
                    groups.insert(name.clone(), GroupState::from(group));
                }
                GroupLookup::NotFound => missing.push(name.as_str()),
                GroupLookup::Unsupported(message) => {
                    return Err(unsupported(directory_id, &directory.kind, Some(&message)).into());
                }
                GroupLookup::DataAccessDisabled(message) => {
                    let mut errors = Diagnostics::new();
                    errors.error_at(
                        Path::root().attr("directory_id"),
                        "Directory Service Data is not enabled",
                        format!(
                            "Directory {directory_id} does not allow reading its users and \
                             groups through Directory Service Data (AWS: {message}). {}",
                            enable_data_access_hint(directory_id)
                        ),
                    );
                    return Err(errors.into());
                }
            }
        }
        if !missing.is_empty() {
            // The listing only improves the message: when it fails, the error says what is
            // missing without suggestions.
            let existing = aws.groups(directory_id, realm).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "listing groups for suggestions failed");
                Vec::new()
            });
            let mut errors = Diagnostics::new();
            for name in missing {
                errors.error_at(
                    Path::root().attr("names"),
                    "Group not found",
                    not_found(directory_id, realm, name, &closest(name, &existing)),
                );
            }
            return Err(errors.into());
        }
        let sids = groups
            .iter()
            .map(|(name, group)| (name.clone(), group.sid.clone()))
            .collect();
        Ok(State {
            directory_id: directory_id.clone(),
            names: names.clone(),
            realm: realm.map(str::to_string),
            groups,
            sids,
        }
        .into())
    }
}

#[cfg(test)]
mod tests;
