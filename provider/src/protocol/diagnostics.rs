//! Diagnostics: what Terraform shows the user. Each carries the attribute path it is about, so
//! Terraform can point at the exact line of configuration.

use plugin_proto::tfplugin6;

use super::cty::{Path, PathStep};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One line saying what is wrong.
    pub summary: String,
    /// What exactly, and what to do about it.
    pub detail: String,
    pub attribute: Option<Path>,
}

/// An ordered collection of diagnostics; an operation fails when it holds any error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, None, summary, detail);
    }

    pub fn error_at(
        &mut self,
        attribute: Path,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Error, Some(attribute), summary, detail);
    }

    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, None, summary, detail);
    }

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

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn to_proto(&self) -> Vec<tfplugin6::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }

    pub fn from_proto(diagnostics: &[tfplugin6::Diagnostic]) -> Self {
        Self(diagnostics.iter().map(Diagnostic::from_proto).collect())
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

impl Diagnostic {
    pub fn to_proto(&self) -> tfplugin6::Diagnostic {
        tfplugin6::Diagnostic {
            severity: match self.severity {
                Severity::Error => tfplugin6::diagnostic::Severity::Error,
                Severity::Warning => tfplugin6::diagnostic::Severity::Warning,
            } as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.attribute.as_ref().map(path_to_proto),
        }
    }

    pub fn from_proto(diagnostic: &tfplugin6::Diagnostic) -> Self {
        Self {
            severity: if diagnostic.severity == tfplugin6::diagnostic::Severity::Warning as i32 {
                Severity::Warning
            } else {
                Severity::Error
            },
            summary: diagnostic.summary.clone(),
            detail: diagnostic.detail.clone(),
            attribute: diagnostic.attribute.as_ref().map(path_from_proto),
        }
    }
}

pub fn path_to_proto(path: &Path) -> tfplugin6::AttributePath {
    use tfplugin6::attribute_path::step::Selector;
    tfplugin6::AttributePath {
        steps: path
            .0
            .iter()
            .map(|step| tfplugin6::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attr(name) => Selector::AttributeName(name.clone()),
                    PathStep::Key(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::Index(index) => Selector::ElementKeyInt(*index),
                }),
            })
            .collect(),
    }
}

pub fn path_from_proto(path: &tfplugin6::AttributePath) -> Path {
    use tfplugin6::attribute_path::step::Selector;
    Path(
        path.steps
            .iter()
            .filter_map(|step| {
                Some(match step.selector.as_ref()? {
                    Selector::AttributeName(name) => PathStep::Attr(name.clone()),
                    Selector::ElementKeyString(key) => PathStep::Key(key.clone()),
                    Selector::ElementKeyInt(index) => PathStep::Index(*index),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_survive_the_wire() {
        let path = Path::root()
            .attr("vpc_attachments")
            .key("staging")
            .attr("subnet_ids")
            .index(1);
        let mut diagnostics = Diagnostics::new();
        diagnostics.error_at(path.clone(), "Overlapping networks", "Use another range.");
        diagnostics.warning("Heads up", "");
        assert!(diagnostics.has_errors());
        let wire = diagnostics.to_proto();
        assert_eq!(wire[0].attribute.as_ref().unwrap().steps.len(), 4);
        assert_eq!(Diagnostics::from_proto(&wire), diagnostics);
        assert_eq!(
            diagnostics.0[0].to_string(),
            "Error: Overlapping networks\n  with vpc_attachments[\"staging\"].subnet_ids[1]\n\nUse another range."
        );
    }
}
