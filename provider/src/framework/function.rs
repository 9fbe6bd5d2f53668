//! Provider-defined functions: what an author writes ([`Function`]: a typed definition and one
//! pure `call`) and the adapter that serves it to Terraform ([`FunctionAdapter`]).
//!
//! The adapter holds Terraform's promises to the function even when a caller breaks them
//! (Terraform itself never does): a call with the wrong number of arguments is an error, an
//! argument that is not wholly known makes the result unknown without calling the function
//! (unless its parameter allows unknown values), and a null argument is an error on that
//! argument (unless its parameter allows null). [`Arguments`] turns each argument into a Rust
//! type, and any value that does not fit into a [`FunctionError`] on that argument naming
//! where and what; the result is checked against the declared return type. Functions never
//! see the provider's configuration: Terraform calls them on a provider it may not have
//! configured.

use std::sync::Arc;

use super::typed::{FromValue, Mismatch, MismatchKind, ToValue};
use crate::protocol::cty::{Path, PathStep, Value};
use crate::protocol::function::{Definition, FunctionError};
use crate::protocol::resource::ProviderFunction;

/// One provider-defined function: `provider::migration::<NAME>(...)`.
pub(crate) trait Function: Send + Sync + Sized + 'static {
    /// The name after `provider::migration::`.
    const NAME: &'static str;

    /// The result, typed (a [`Value`] is fine too); it must fit the definition's return type.
    type Output: ToValue;

    /// Parameters, return type and documentation (the docs page is generated from it).
    fn definition(&self) -> Definition;

    /// One call. The arguments are known, and not null where their parameters do not allow it.
    fn call(&self, arguments: &Arguments<'_>) -> Result<Self::Output, FunctionError>;
}

/// The arguments of one call, with their parameters.
pub(crate) struct Arguments<'a> {
    definition: &'a Definition,
    values: &'a [Value],
}

impl<'a> Arguments<'a> {
    /// For tests of a function's logic: `values` bound to `definition`'s parameters.
    pub(crate) fn new(definition: &'a Definition, values: &'a [Value]) -> Self {
        Self { definition, values }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The name of the parameter argument `index` binds to.
    pub(crate) fn name(&self, index: usize) -> &str {
        self.definition
            .parameter_for(index)
            .map_or("argument", |p| p.name.as_str())
    }

    /// Argument `index` as it came.
    pub(crate) fn value(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&Value::Null)
    }

    /// Argument `index` as `T`; a value that does not fit is an error on that argument naming
    /// the place (`cidrs[2] is null`).
    pub(crate) fn get<T: FromValue>(&self, index: usize) -> Result<T, FunctionError> {
        T::from_value(self.value(index)).map_err(|mismatch| self.mismatch(index, &mismatch))
    }

    /// The variadic arguments, each as `T`.
    #[cfg(test)]
    pub(crate) fn rest<T: FromValue>(&self) -> Result<Vec<T>, FunctionError> {
        (self.definition.parameters.len()..self.values.len())
            .map(|index| self.get(index))
            .collect()
    }

    /// An error on argument `index`.
    pub(crate) fn error(&self, index: usize, text: impl Into<String>) -> FunctionError {
        FunctionError::at(index, text)
    }

    fn mismatch(&self, index: usize, mismatch: &Mismatch) -> FunctionError {
        let mut steps = vec![PathStep::Attr(self.name(index).to_string())];
        steps.extend(mismatch.path.0.iter().cloned());
        let place = Path(steps);
        let text = match &mismatch.kind {
            MismatchKind::Unknown => format!("{place} is not known yet"),
            MismatchKind::Null => format!("{place} is null"),
            MismatchKind::Wrong { expected } => format!("{place} is not {expected}"),
        };
        FunctionError::at(index, text)
    }
}

/// Serves a [`Function`] to Terraform.
pub(crate) struct FunctionAdapter<F: Function> {
    function: F,
    definition: Definition,
}

impl<F: Function> FunctionAdapter<F> {
    pub(crate) fn new(function: F) -> Self {
        let definition = function.definition();
        debug_assert!(
            definition.sanity_errors(F::NAME).is_empty(),
            "{:?}",
            definition.sanity_errors(F::NAME)
        );
        Self {
            function,
            definition,
        }
    }

    /// As a protocol trait object.
    pub(crate) fn boxed(function: F) -> Arc<dyn ProviderFunction> {
        Arc::new(Self::new(function))
    }
}

impl<F: Function> ProviderFunction for FunctionAdapter<F> {
    fn name(&self) -> &'static str {
        F::NAME
    }

    fn definition(&self) -> &Definition {
        &self.definition
    }

    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError> {
        let definition = &self.definition;
        if let Some(problem) = definition.arity_error(F::NAME, arguments.len()) {
            return Err(FunctionError::new(problem));
        }
        for (index, argument) in arguments.iter().enumerate() {
            let Some(parameter) = definition.parameter_for(index) else {
                return Err(FunctionError::at(
                    index,
                    "there is no parameter for this argument",
                ));
            };
            if !parameter.allow_unknown && !argument.is_wholly_known() {
                // What Terraform answers itself without calling: the result is unknown too.
                return Ok(Value::unknown());
            }
            if !parameter.allow_null && argument.is_null() {
                return Err(FunctionError::at(
                    index,
                    format!("{} must not be null", parameter.name),
                ));
            }
        }
        let output = self
            .function
            .call(&Arguments::new(definition, &arguments))?
            .to_value();
        if !output.conforms(&definition.return_type) {
            tracing::error!(
                function = F::NAME,
                ?output,
                "result does not fit the return type"
            );
            return Err(FunctionError::new(format!(
                "{} produced a result that is not a {}; this is a bug in the provider, please \
                 report it",
                F::NAME,
                definition.return_type
            )));
        }
        Ok(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::cty::Type;
    use crate::protocol::function::Parameter;

    /// Joins its arguments: `join(sep, parts...)`, with a typed list as the first variadic.
    struct Join;

    impl Function for Join {
        const NAME: &'static str = "join";
        type Output = String;

        fn definition(&self) -> Definition {
            Definition::new(Type::String)
                .parameter(Parameter::new("separator", Type::String).describe("Between parts."))
                .variadic(Parameter::new("parts", Type::list(Type::String)).allow_null())
                .summary("Joins lists of strings")
        }

        fn call(&self, arguments: &Arguments<'_>) -> Result<String, FunctionError> {
            let separator: String = arguments.get(0)?;
            let lists: Vec<Option<Vec<String>>> = arguments.rest()?;
            let parts: Vec<String> = lists.into_iter().flatten().flatten().collect();
            if parts.iter().any(String::is_empty) {
                let index = arguments.len() - 1;
                return Err(arguments.error(index, "an empty part"));
            }
            Ok(parts.join(&separator))
        }
    }

    /// Claims a string, returns a number: a provider bug the adapter must catch.
    struct Liar;

    impl Function for Liar {
        const NAME: &'static str = "liar";
        type Output = Value;

        fn definition(&self) -> Definition {
            Definition::new(Type::String).summary("Lies")
        }

        fn call(&self, _: &Arguments<'_>) -> Result<Value, FunctionError> {
            Ok(Value::number(1))
        }
    }

    fn strings(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::string(*s)).collect())
    }

    #[test]
    fn typed_arguments_and_results() {
        let join = FunctionAdapter::new(Join);
        assert_eq!(join.name(), "join");
        let result = join
            .call(vec![
                Value::string("-"),
                strings(&["a", "b"]),
                Value::Null,
                strings(&["c"]),
            ])
            .unwrap();
        assert_eq!(result, Value::string("a-b-c"));
        assert_eq!(
            join.call(vec![Value::string("+")]).unwrap(),
            Value::string("")
        );
    }

    #[test]
    fn a_value_that_does_not_fit_is_an_error_on_its_argument() {
        let join = FunctionAdapter::new(Join);
        let error = join
            .call(vec![
                Value::string("-"),
                strings(&["a"]),
                Value::List(vec![Value::string("b"), Value::Null]),
            ])
            .unwrap_err();
        assert_eq!(error, FunctionError::at(2, "parts[1] is null"));
        let error = join
            .call(vec![Value::string("-"), Value::Bool(true)])
            .unwrap_err();
        assert_eq!(error, FunctionError::at(1, "parts is not a list or set"));
        let error = join
            .call(vec![Value::string("-"), strings(&["a", ""])])
            .unwrap_err();
        assert_eq!(error, FunctionError::at(1, "an empty part"));
    }

    #[test]
    fn terraforms_rules_hold_even_when_a_caller_breaks_them() {
        let join = FunctionAdapter::new(Join);
        // Not wholly known: unknown result, the function is not called.
        let result = join
            .call(vec![
                Value::string("-"),
                Value::List(vec![Value::unknown()]),
            ])
            .unwrap();
        assert!(result.is_unknown());
        assert_eq!(
            join.call(vec![Value::Null]).unwrap_err(),
            FunctionError::at(0, "separator must not be null")
        );
        assert_eq!(
            join.call(Vec::new()).unwrap_err(),
            FunctionError::new("join takes at least 1 argument, but the call has 0")
        );
    }

    #[test]
    fn a_result_of_the_wrong_type_is_caught() {
        let error = FunctionAdapter::new(Liar).call(Vec::new()).unwrap_err();
        assert!(error.argument.is_none());
        assert!(error.text.contains("not a string"), "{error}");
    }
}
