//! Diagnostics: what Terraform shows the user. Each carries the attribute path it is about, so
//! Terraform can point at the exact line of configuration.

use super::cty::Path;

/// Whether a diagnostic fails the operation or is only shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The operation fails.
    Error,
    /// Shown; the operation goes on.
    Warning,
}

/// One message for the user, optionally about one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it fails the operation.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub summary: String,
    /// What exactly, and what to do about it.
    pub detail: String,
    /// The attribute it is about, so Terraform can point at its line.
    pub attribute: Option<Path>,
}

/// An ordered collection of diagnostics; an operation fails when it holds any error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an error about the whole object.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, None, summary, detail);
    }

    /// Adds an error about `attribute`.
    pub fn error_at(
        &mut self,
        attribute: Path,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Error, Some(attribute), summary, detail);
    }

    /// Adds a warning about the whole object.
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, None, summary, detail);
    }

    /// Adds a warning about `attribute`.
    pub fn warning_at(
        &mut self,
        attribute: Path,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Warning, Some(attribute), summary, detail);
    }

    fn push(
        &mut self,
        severity: Severity,
        attribute: Option<Path>,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0.push(Diagnostic {
            severity,
            summary: summary.into(),
            detail: detail.into(),
            attribute,
        });
    }

    /// Appends `other`'s diagnostics.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether the operation fails.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The diagnostics in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        write!(f, "{label}: {}", self.summary)?;
        if let Some(path) = &self.attribute {
            write!(f, "\n  with {path}")?;
        }
        if !self.detail.is_empty() {
            write!(f, "\n\n{}", self.detail)?;
        }
        Ok(())
    }
}
