//! Provider-defined functions as Terraform sees them (protocol 6.5, Terraform ≥ 1.8, OpenTofu ≥
//! 1.7): a function's definition (positional parameters with cty type constraints, an optional
//! variadic parameter, the return type, its documentation) and the error a call answers with.
//!
//! Like [`schema`](super::schema), the model is written once: the protocol layer turns it into
//! the wire message, the test harness reads the wire message back, and the docs generator
//! renders the function's page from it.
//!
//! What Terraform does around a call, which the definition controls: it converts each argument
//! to its parameter's type, refuses a null argument itself unless the parameter allows null,
//! and does not call the provider at all while an argument is not wholly known unless the
//! parameter allows unknown values (the result is then unknown). A [`FunctionError`] that
//! names an argument is shown on that argument's expression in the configuration, as
//! `Invalid value for "<parameter>" parameter: <text>.`

use plugin_proto::tfplugin6;

use super::cty::Type;

/// One parameter of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Shown in errors and docs only: arguments are positional.
    pub name: String,
    /// The type Terraform converts the argument to before the call.
    pub ty: Type,
    /// Markdown.
    pub description: String,
    /// Whether a null argument reaches the function (otherwise Terraform refuses it).
    pub allow_null: bool,
    /// Whether an argument that is not wholly known reaches the function (otherwise Terraform
    /// answers an unknown result without calling the provider).
    pub allow_unknown: bool,
}

impl Parameter {
    /// A parameter of type `ty` that refuses null and unknown arguments.
    pub fn new(name: &str, ty: Type) -> Self {
        Self {
            name: name.to_string(),
            ty,
            description: String::new(),
            allow_null: false,
            allow_unknown: false,
        }
    }

    /// With `markdown` as its description.
    pub fn describe(mut self, markdown: &str) -> Self {
        self.description = markdown.to_string();
        self
    }

    /// Lets a null argument reach the function.
    pub fn allow_null(mut self) -> Self {
        self.allow_null = true;
        self
    }

    /// Lets an argument that is not wholly known reach the function.
    pub fn allow_unknown(mut self) -> Self {
        self.allow_unknown = true;
        self
    }

    fn to_proto(&self) -> tfplugin6::function::Parameter {
        tfplugin6::function::Parameter {
            name: self.name.clone(),
            r#type: self.ty.to_json(),
            allow_null_value: self.allow_null,
            allow_unknown_values: self.allow_unknown,
            description: self.description.clone(),
            description_kind: string_kind(&self.description),
        }
    }

    fn from_proto(parameter: &tfplugin6::function::Parameter) -> Result<Self, String> {
        Ok(Self {
            name: parameter.name.clone(),
            ty: Type::from_json(&parameter.r#type).map_err(|e| {
                format!("parameter {:?}: unparsable type JSON: {e}", parameter.name)
            })?,
            description: parameter.description.clone(),
            allow_null: parameter.allow_null_value,
            allow_unknown: parameter.allow_unknown_values,
        })
    }
}

/// What a function takes and returns, and its documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// The positional parameters, in order.
    pub parameters: Vec<Parameter>,
    /// A trailing parameter taking any number of arguments (each of its type).
    pub variadic: Option<Parameter>,
    /// The type every result has.
    pub return_type: Type,
    /// One line, plain text.
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Why the function is deprecated and what to use instead; empty when it is not.
    pub deprecation: String,
}

impl Definition {
    /// A function returning `return_type`, with no parameters yet.
    pub fn new(return_type: Type) -> Self {
        Self {
            parameters: Vec::new(),
            variadic: None,
            return_type,
            summary: String::new(),
            description: String::new(),
            deprecation: String::new(),
        }
    }

    /// With `parameter` appended to the positional parameters.
    pub fn parameter(mut self, parameter: Parameter) -> Self {
        self.parameters.push(parameter);
        self
    }

    /// With `parameter` as the trailing variadic parameter.
    pub fn variadic(mut self, parameter: Parameter) -> Self {
        self.variadic = Some(parameter);
        self
    }

    /// With `text` as its one-line summary.
    pub fn summary(mut self, text: &str) -> Self {
        self.summary = text.to_string();
        self
    }

    /// With `markdown` as its description.
    pub fn describe(mut self, markdown: &str) -> Self {
        self.description = markdown.to_string();
        self
    }

    /// Deprecated, `message` saying what to use instead.
    pub fn deprecated(mut self, message: &str) -> Self {
        self.deprecation = message.to_string();
        self
    }

    /// The parameter argument `index` binds to: positional, else the variadic one.
    pub fn parameter_for(&self, index: usize) -> Option<&Parameter> {
        self.parameters.get(index).or(self.variadic.as_ref())
    }

    /// Why `count` arguments cannot be a call of this function, if they cannot.
    pub fn arity_error(&self, name: &str, count: usize) -> Option<String> {
        let wanted = self.parameters.len();
        let takes = || match (&self.variadic, wanted) {
            (Some(_), 0) => "any number of arguments".to_string(),
            (Some(_), n) => format!("at least {n} argument{}", plural(n)),
            (None, n) => format!("exactly {n} argument{}", plural(n)),
        };
        if count < wanted || (self.variadic.is_none() && count > wanted) {
            Some(format!(
                "{name} takes {}, but the call has {count}",
                takes()
            ))
        } else {
            None
        }
    }

    /// The rules Terraform and this project hold every definition to: valid names (function
    /// and parameters), no parameter named twice, a summary for the docs.
    pub fn sanity_errors(&self, name: &str) -> Vec<String> {
        let mut errors = Vec::new();
        if !valid_name(name) {
            errors.push(format!(
                "{name}: a function name may contain only lowercase letters, digits and \
                 underscores, and starts with a letter"
            ));
        }
        if self.summary.trim().is_empty() {
            errors.push(format!("{name}: the summary is empty"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for parameter in self.parameters.iter().chain(&self.variadic) {
            if !valid_name(&parameter.name) {
                errors.push(format!(
                    "{name}: parameter {:?} is not a valid name",
                    parameter.name
                ));
            }
            if !seen.insert(&parameter.name) {
                errors.push(format!(
                    "{name}: parameter {:?} is defined more than once",
                    parameter.name
                ));
            }
        }
        errors
    }

    /// The wire form GetFunctions and GetProviderSchema send.
    pub fn to_proto(&self) -> tfplugin6::Function {
        tfplugin6::Function {
            parameters: self.parameters.iter().map(Parameter::to_proto).collect(),
            variadic_parameter: self.variadic.as_ref().map(Parameter::to_proto),
            r#return: Some(tfplugin6::function::Return {
                r#type: self.return_type.to_json(),
            }),
            summary: self.summary.clone(),
            description: self.description.clone(),
            description_kind: string_kind(&self.description),
            deprecation_message: self.deprecation.clone(),
        }
    }

    /// Reads a definition back from the wire (the harness only knows what the provider sent).
    pub fn from_proto(function: &tfplugin6::Function) -> Result<Self, String> {
        let return_type = function
            .r#return
            .as_ref()
            .ok_or("the function has no return type")?;
        Ok(Self {
            parameters: function
                .parameters
                .iter()
                .map(Parameter::from_proto)
                .collect::<Result<_, _>>()?,
            variadic: function
                .variadic_parameter
                .as_ref()
                .map(Parameter::from_proto)
                .transpose()?,
            return_type: Type::from_json(&return_type.r#type)
                .map_err(|e| format!("unparsable return type JSON: {e}"))?,
            summary: function.summary.clone(),
            description: function.description.clone(),
            deprecation: function.deprecation_message.clone(),
        })
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn string_kind(text: &str) -> i32 {
    if text.is_empty() {
        tfplugin6::StringKind::Plain as i32
    } else {
        tfplugin6::StringKind::Markdown as i32
    }
}

/// Why a call failed. Terraform shows `text` on the argument at `argument` (zero-based; the
/// variadic arguments continue the count) when there is one, else on the whole call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// Ends without a full stop: Terraform appends one.
    pub text: String,
    /// The argument the error is about, if any.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about the call as a whole.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: None,
        }
    }

    /// An error about argument `index`.
    pub fn at(index: usize, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: Some(index),
        }
    }

    /// The wire form CallFunction answers with.
    pub fn to_proto(&self) -> tfplugin6::FunctionError {
        tfplugin6::FunctionError {
            text: self.text.clone(),
            function_argument: self.argument.map(|i| i as i64),
        }
    }

    /// Reads the wire form back (the test harness plays Terraform).
    pub fn from_proto(error: &tfplugin6::FunctionError) -> Self {
        Self {
            text: error.text.clone(),
            argument: error
                .function_argument
                .and_then(|i| usize::try_from(i).ok()),
        }
    }
}

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.argument {
            Some(index) => write!(f, "argument {index}: {}", self.text),
            None => f.write_str(&self.text),
        }
    }
}

impl std::error::Error for FunctionError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Definition {
        Definition::new(Type::list(Type::object([
            ("a", Type::String),
            ("n", Type::Number),
        ])))
        .parameter(Parameter::new("cidrs", Type::list(Type::String)).describe("The `CIDRs`."))
        .variadic(
            Parameter::new("more", Type::Dynamic)
                .allow_null()
                .allow_unknown(),
        )
        .summary("Finds things")
        .describe("Finds *all* things.")
    }

    #[test]
    fn the_wire_form_carries_every_field_and_reads_back() {
        let definition = sample().deprecated("Use something else.");
        let wire = definition.to_proto();
        assert_eq!(wire.parameters[0].r#type, br#"["list","string"]"#.to_vec());
        assert_eq!(
            wire.parameters[0].description_kind,
            tfplugin6::StringKind::Markdown as i32
        );
        let variadic = wire.variadic_parameter.as_ref().unwrap();
        assert!(variadic.allow_null_value && variadic.allow_unknown_values);
        assert_eq!(
            wire.r#return.as_ref().unwrap().r#type,
            br#"["list",["object",{"a":"string","n":"number"}]]"#.to_vec()
        );
        assert_eq!(wire.deprecation_message, "Use something else.");
        assert_eq!(Definition::from_proto(&wire).unwrap(), definition);

        let mut broken = wire.clone();
        broken.r#return = None;
        assert!(Definition::from_proto(&broken).is_err());
        broken = wire;
        broken.parameters[0].r#type = b"[\"list\"".to_vec();
        assert!(
            Definition::from_proto(&broken)
                .unwrap_err()
                .contains("cidrs")
        );
    }

    #[test]
    fn arguments_bind_to_positional_then_variadic_parameters() {
        let definition = sample();
        assert_eq!(definition.parameter_for(0).unwrap().name, "cidrs");
        assert_eq!(definition.parameter_for(5).unwrap().name, "more");
        assert_eq!(definition.arity_error("f", 1), None);
        assert_eq!(definition.arity_error("f", 4), None);
        assert_eq!(
            definition.arity_error("f", 0).unwrap(),
            "f takes at least 1 argument, but the call has 0"
        );
        let fixed = Definition::new(Type::Bool)
            .parameter(Parameter::new("a", Type::String))
            .parameter(Parameter::new("b", Type::String));
        assert_eq!(fixed.parameter_for(2), None);
        assert_eq!(
            fixed.arity_error("g", 3).unwrap(),
            "g takes exactly 2 arguments, but the call has 3"
        );
    }

    #[test]
    fn sanity_rules() {
        assert!(sample().sanity_errors("cidr_overlaps").is_empty());
        let bad = Definition::new(Type::Bool)
            .parameter(Parameter::new("x", Type::String))
            .parameter(Parameter::new("x", Type::String))
            .parameter(Parameter::new("Bad", Type::String));
        let errors = bad.sanity_errors("2fast");
        assert_eq!(errors.len(), 4, "{errors:?}");
    }

    #[test]
    fn errors_keep_their_argument_on_the_wire() {
        let error = FunctionError::at(2, "cidrs[1] is null");
        let wire = error.to_proto();
        assert_eq!(wire.function_argument, Some(2));
        assert_eq!(FunctionError::from_proto(&wire), error);
        assert_eq!(error.to_string(), "argument 2: cidrs[1] is null");
        let whole = FunctionError::new("boom");
        assert_eq!(whole.to_proto().function_argument, None);
    }
}
