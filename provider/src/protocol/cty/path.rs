//! Addresses inside a value, shown the way Terraform shows them to users.

use std::fmt;

/// Location of an attribute, map element or list element, so that an error can point at the
/// exact place in a configuration (`vpc_attachments["staging"].subnet_ids[0]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<PathStep>);

/// One step of a [`Path`]. Set elements have no stable key, so they are addressed by position.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute, by name.
    Attr(String),
    /// A map element, by key.
    Key(String),
    /// A list, tuple or set element, by position.
    Index(i64),
}

impl Path {
    /// The value itself, where every path starts.
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// This path followed by attribute `name`.
    pub fn attr(&self, name: impl Into<String>) -> Path {
        self.with(PathStep::Attr(name.into()))
    }

    /// This path followed by map key `key`.
    pub fn key(&self, key: impl Into<String>) -> Path {
        self.with(PathStep::Key(key.into()))
    }

    /// This path followed by element `index`.
    pub fn index(&self, index: i64) -> Path {
        self.with(PathStep::Index(index))
    }

    /// Whether the path points at the value itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    fn with(&self, step: PathStep) -> Path {
        let mut steps = self.0.clone();
        steps.push(step);
        Path(steps)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => f.write_str(name)?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => {
                    let mut quoted = String::new();
                    super::json_syntax::write_string(&mut quoted, key);
                    write!(f, "[{quoted}]")?;
                }
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A value that could not be encoded or decoded, with the place it happened so the user (or
/// the provider developer) can find the offending attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    /// Where in the value the problem is.
    pub path: Path,
    /// What is wrong there.
    pub message: String,
}

impl CodecError {
    /// An error at `path`.
    pub fn new(path: Path, message: impl Into<String>) -> CodecError {
        CodecError {
            path,
            message: message.into(),
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for CodecError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_terraform() {
        let path = Path::root()
            .attr("vpc_attachments")
            .key("staging")
            .attr("subnet_ids")
            .index(0);
        assert_eq!(
            path.to_string(),
            r#"vpc_attachments["staging"].subnet_ids[0]"#
        );
        assert_eq!(Path::root().key("a\"b").to_string(), r#"["a\"b"]"#);
        let err = CodecError::new(Path::root().attr("name"), "a string is required");
        assert_eq!(err.to_string(), "name: a string is required");
        assert_eq!(CodecError::new(Path::root(), "bad").to_string(), "bad");
    }
}
