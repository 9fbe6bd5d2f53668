//! Diagnostics and attribute paths on the wire (tfplugin6), kept apart so that the pure code
//! that produces diagnostics (validation, the resources' checks) does not depend on gRPC types.

use plugin_proto::tfplugin6;

use super::cty::{Path, PathStep};
use super::diagnostics::{Diagnostic, Diagnostics, Severity};

impl Diagnostics {
    /// The wire form every RPC answer carries.
    pub fn to_proto(&self) -> Vec<tfplugin6::Diagnostic> {
        self.iter().map(Diagnostic::to_proto).collect()
    }

    /// Reads the wire form back (the test harness plays Terraform).
    pub fn from_proto(diagnostics: &[tfplugin6::Diagnostic]) -> Self {
        Diagnostics(diagnostics.iter().map(Diagnostic::from_proto).collect())
    }
}

impl Diagnostic {
    /// The wire form of one diagnostic.
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

    /// Reads one diagnostic back from the wire form.
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

/// An attribute path as the wire carries it.
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

/// Reads an attribute path back from the wire form.
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
