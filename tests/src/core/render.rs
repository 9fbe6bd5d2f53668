//! How Terraform prints values and paths in its provider-bug diagnostics.
//!
//! Core writes values with go-cty's `GoString` (`cty.StringVal("x")`,
//! `cty.NullVal(cty.String)`, `cty.UnknownVal(cty.Number).RefineNotNull()`) and paths with
//! its `format.CtyPath` (`.vpc_attachments["staging"].vpc_id`, `.rules[0]`). Reproducing both
//! lets a harness failure read exactly like the error a user would paste from a real run.
//!
//! Our values carry no type for nulls and unknowns, so the typed renderer takes the type the
//! schema gives the position; [`render`] infers one from the value when there is no schema.

use terraform_provider_migration::protocol::cty::{Number, Refinements, Type, Value};

/// One step of a path inside a value, as core's `cty.Path` has it: set elements are indexed
/// by the element value itself, which is why an index carries a whole value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    Attr(String),
    Index(Value),
}

/// A location inside a value; empty at the object being checked.
pub(crate) type ValuePath = Vec<Step>;

pub(crate) fn with_attr(path: &[Step], name: &str) -> ValuePath {
    let mut next = path.to_vec();
    next.push(Step::Attr(name.to_owned()));
    next
}

pub(crate) fn with_index(path: &[Step], key: Value) -> ValuePath {
    let mut next = path.to_vec();
    next.push(Step::Index(key));
    next
}

/// `format.CtyPath`: `.name` per attribute, `["key"]` or `[0]` per index, `[...]` for a set
/// element that is not a string or number.
pub(crate) fn format_path(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Attr(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Index(key) => {
                out.push('[');
                out.push_str(&index_key(key));
                out.push(']');
            }
        }
    }
    out
}

fn index_key(key: &Value) -> String {
    match key {
        Value::Null => "null".to_owned(),
        Value::Unknown(_) => "(not yet known)".to_owned(),
        Value::Number(n) => go_g(n),
        Value::String(s) => go_quote(s),
        Value::Dynamic(_, inner) => index_key(inner),
        _ => "...".to_owned(),
    }
}

/// A value in go-cty's `GoString` form, with the type inferred from the value itself: a null
/// or unknown with nothing around it to say its type renders as `cty.DynamicPseudoType`.
/// Use [`render_typed`] when the schema says the type.
pub fn render(value: &Value) -> String {
    render_typed(value, &infer_type(value))
}

/// A value in go-cty's `GoString` form, as a value of type `ty`.
pub fn render_typed(value: &Value, ty: &Type) -> String {
    let mut out = String::new();
    write_value(&mut out, value, ty);
    out
}

/// A type in go-cty's `GoString` form (`cty.List(cty.String)`).
pub fn render_type(ty: &Type) -> String {
    let mut out = String::new();
    write_type(&mut out, ty);
    out
}

/// The type a value most plausibly has: elements are typed by the first element that says
/// more than null/unknown, and anything that cannot tell is `Dynamic`.
pub(crate) fn infer_type(value: &Value) -> Type {
    let first_known = |items: &mut dyn Iterator<Item = &Value>| {
        items
            .map(infer_type)
            .find(|t| *t != Type::Dynamic)
            .unwrap_or(Type::Dynamic)
    };
    match value {
        Value::Null | Value::Unknown(_) => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::list(first_known(&mut items.iter())),
        Value::Set(items) => Type::set(first_known(&mut items.iter())),
        Value::Map(items) => Type::map(first_known(&mut items.values())),
        Value::Object(attributes) => Type::Object(
            attributes
                .iter()
                .map(|(name, v)| (name.clone(), infer_type(v)))
                .collect(),
        ),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Dynamic(ty, _) => (**ty).clone(),
    }
}

fn write_type(out: &mut String, ty: &Type) {
    match ty {
        Type::Bool => out.push_str("cty.Bool"),
        Type::Number => out.push_str("cty.Number"),
        Type::String => out.push_str("cty.String"),
        Type::Dynamic => out.push_str("cty.DynamicPseudoType"),
        Type::List(et) | Type::Set(et) | Type::Map(et) => {
            out.push_str(match ty {
                Type::List(_) => "cty.List(",
                Type::Set(_) => "cty.Set(",
                _ => "cty.Map(",
            });
            write_type(out, et);
            out.push(')');
        }
        Type::Object(attributes) if attributes.is_empty() => out.push_str("cty.EmptyObject"),
        Type::Object(attributes) => {
            out.push_str("cty.Object(map[string]cty.Type{");
            for (i, (name, aty)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&go_quote(name));
                out.push(':');
                write_type(out, aty);
            }
            out.push_str("})");
        }
        Type::Tuple(elements) if elements.is_empty() => out.push_str("cty.EmptyTuple"),
        Type::Tuple(elements) => {
            out.push_str("cty.Tuple([]cty.Type{");
            for (i, ety) in elements.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_type(out, ety);
            }
            out.push_str("})");
        }
    }
}

fn write_value(out: &mut String, value: &Value, ty: &Type) {
    match (value, ty) {
        (Value::Dynamic(inner_ty, inner), _) => write_value(out, inner, inner_ty),
        (Value::Null, _) => {
            out.push_str("cty.NullVal(");
            write_type(out, ty);
            out.push(')');
        }
        (Value::Unknown(refinements), _) => write_unknown(out, refinements, ty),
        (Value::Bool(true), _) => out.push_str("cty.True"),
        (Value::Bool(false), _) => out.push_str("cty.False"),
        (Value::Number(n), _) => out.push_str(&render_number(n)),
        (Value::String(s), _) => {
            out.push_str("cty.StringVal(");
            out.push_str(&go_quote(s));
            out.push(')');
        }
        (Value::List(items), Type::List(et)) => write_sequence(out, "List", items, et),
        (Value::Set(items), Type::Set(et)) => write_sequence(out, "Set", items, et),
        (Value::Map(items), Type::Map(et)) if items.is_empty() => {
            out.push_str("cty.MapValEmpty(");
            write_type(out, et);
            out.push(')');
        }
        (Value::Map(items), Type::Map(et)) => {
            out.push_str("cty.MapVal(map[string]cty.Value{");
            write_entries(out, items.iter(), |_| et);
            out.push_str("})");
        }
        (Value::Object(_), Type::Object(types)) if types.is_empty() => {
            out.push_str("cty.EmptyObjectVal")
        }
        (Value::Object(attributes), Type::Object(types)) => {
            out.push_str("cty.ObjectVal(map[string]cty.Value{");
            let null = Value::Null;
            let entries = types
                .keys()
                .map(|name| (name, attributes.get(name).unwrap_or(&null)));
            write_entries(out, entries, |name| &types[name]);
            out.push_str("})");
        }
        (Value::Tuple(items), Type::Tuple(_)) if items.is_empty() => {
            out.push_str("cty.EmptyTupleVal")
        }
        (Value::Tuple(items), Type::Tuple(types)) => {
            out.push_str("cty.TupleVal([]cty.Value{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, types.get(i).unwrap_or(&Type::Dynamic));
            }
            out.push_str("})");
        }
        // A value that does not fit the type it was given (or sits at a dynamic position
        // without its type): say what it is rather than nothing.
        _ => write_value(out, value, &infer_type(value)),
    }
}

fn write_sequence(out: &mut String, kind: &str, items: &[Value], et: &Type) {
    if items.is_empty() {
        out.push_str(&format!("cty.{kind}ValEmpty("));
        write_type(out, et);
        out.push(')');
        return;
    }
    out.push_str(&format!("cty.{kind}Val([]cty.Value{{"));
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, item, et);
    }
    out.push_str("})");
}

fn write_entries<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    type_of: impl Fn(&str) -> &'a Type,
) {
    for (i, (key, item)) in entries.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&go_quote(key));
        out.push(':');
        write_value(out, item, type_of(key));
    }
}

/// go-cty prints an unknown with no refinements bare, one refined only as not-null with
/// `.RefineNotNull()`, and anything else through the refinement builder calls.
fn write_unknown(out: &mut String, refinements: &Refinements, ty: &Type) {
    if *ty == Type::Dynamic && *refinements == Refinements::default() {
        out.push_str("cty.DynamicVal");
        return;
    }
    out.push_str("cty.UnknownVal(");
    write_type(out, ty);
    out.push(')');
    let mut calls = String::new();
    if refinements.not_null {
        calls.push_str(".NotNull()");
    }
    match ty {
        Type::String => {
            if let Some(prefix) = refinements
                .string_prefix
                .as_deref()
                .filter(|p| !p.is_empty())
            {
                calls.push_str(&format!(".StringPrefixFull({})", go_quote(prefix)));
            }
        }
        Type::Number => {
            if let Some((bound, inclusive)) = &refinements.number_lower {
                calls.push_str(&format!(
                    ".NumberLowerBound({}, {inclusive})",
                    render_number(bound)
                ));
            }
            if let Some((bound, inclusive)) = &refinements.number_upper {
                calls.push_str(&format!(
                    ".NumberUpperBound({}, {inclusive})",
                    render_number(bound)
                ));
            }
        }
        Type::List(_) | Type::Set(_) | Type::Map(_) => {
            if let Some(lower) = refinements.length_lower.filter(|l| *l != 0) {
                calls.push_str(&format!(".CollectionLengthLowerBound({lower})"));
            }
            if let Some(upper) = refinements.length_upper.filter(|u| *u != i64::MAX as u64) {
                calls.push_str(&format!(".CollectionLengthUpperBound({upper})"));
            }
        }
        _ => {}
    }
    match calls.as_str() {
        "" => {}
        ".NotNull()" => out.push_str(".RefineNotNull()"),
        _ => {
            out.push_str(".Refine()");
            out.push_str(&calls);
            out.push_str(".NewValue()");
        }
    }
}

/// go-cty's choice of constructor: integers as `NumberIntVal`, numbers a float64 holds
/// exactly as `NumberFloatVal`, anything else as `MustParseNumberVal("…")`.
pub(crate) fn render_number(n: &Number) -> String {
    if n.is_integer() {
        format!("cty.NumberIntVal({})", go_g(n))
    } else if n.to_f64_lossless().is_some() {
        format!("cty.NumberFloatVal({})", go_g(n))
    } else {
        format!("cty.MustParseNumberVal({})", go_quote(&n.to_string()))
    }
}

/// A number the way Go's `%v` prints it (shortest digits, `%g` style): exponent form when the
/// decimal exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`), plain decimal otherwise.
pub(crate) fn go_g(n: &Number) -> String {
    let text = n.to_string();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = format!("{whole}{fraction}");
    let leading_zeros = all_digits.len() - all_digits.trim_start_matches('0').len();
    let mantissa = all_digits.trim_matches('0');
    if mantissa.is_empty() {
        return "0".to_owned();
    }
    // Position of the decimal point relative to the first significant digit.
    let point = whole.len() as i64 - leading_zeros as i64;
    let exponent = point - 1;
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exponent) {
        let (first, rest) = mantissa.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{first}{dot}{rest}e{exp_sign}{:02}",
            exponent.unsigned_abs()
        )
    } else if point <= 0 {
        format!(
            "{sign}0.{}{mantissa}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else if point as usize >= mantissa.len() {
        format!(
            "{sign}{mantissa}{}",
            "0".repeat(point as usize - mantissa.len())
        )
    } else {
        let (int_part, frac_part) = mantissa.split_at(point as usize);
        format!("{sign}{int_part}.{frac_part}")
    }
}

/// Go's `strconv.Quote`: `\"`, `\\`, the C escapes, `\xNN` for other ASCII controls and
/// `\uNNNN`/`\UNNNNNNNN` for other characters Go does not count as printable.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, approximated without Unicode category tables: controls, spaces
/// other than U+0020, the common format characters and private-use characters are not
/// printable. (Unassigned code points, which Go also escapes, are printed as they are.)
fn go_printable(c: char) -> bool {
    let code = c as u32;
    let format_character = matches!(
        code,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private_or_noncharacter = matches!(
        code,
        0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFE | 0xFFFF | 0xFDD0..=0xFDEF
    );
    c == ' '
        || !(c.is_control() || c.is_whitespace() || format_character || private_or_noncharacter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn num(text: &str) -> Number {
        text.parse().unwrap()
    }

    #[test]
    fn numbers_print_like_go() {
        for (text, expected) in [
            ("0", "0"),
            ("5", "5"),
            ("-12", "-12"),
            ("123456", "123456"),
            ("1000000", "1e+06"),
            ("1234567", "1.234567e+06"),
            ("9223372036854775807", "9.223372036854775807e+18"),
            ("0.5", "0.5"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("-0.000015", "-1.5e-05"),
            ("12.25", "12.25"),
        ] {
            assert_eq!(go_g(&num(text)), expected, "{text}");
        }
        assert_eq!(render_number(&num("3")), "cty.NumberIntVal(3)");
        assert_eq!(render_number(&num("1.5")), "cty.NumberFloatVal(1.5)");
        let precise = "0.1000000000000000000000000001";
        assert_eq!(
            render_number(&num(precise)),
            format!("cty.MustParseNumberVal(\"{precise}\")")
        );
    }

    #[test]
    fn strings_quote_like_go() {
        assert_eq!(go_quote("plain"), "\"plain\"");
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("tab\tnl\n"), r#""tab\tnl\n""#);
        assert_eq!(go_quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(go_quote("é日本"), "\"é日本\"");
        assert_eq!(go_quote("nb\u{a0}sp\u{200b}"), r#""nb\u00a0sp\u200b""#);
        assert_eq!(go_quote("\u{f0000}"), r#""\U000f0000""#);
    }

    #[test]
    fn values_render_like_go_cty() {
        let ty = Type::object([
            ("name", Type::String),
            ("ids", Type::list(Type::Number)),
            ("tags", Type::map(Type::String)),
            ("flags", Type::set(Type::Bool)),
        ]);
        let value = Value::object([
            ("name", Value::string("hub")),
            ("ids", Value::List(vec![Value::number(1), Value::unknown()])),
            ("tags", Value::Map(BTreeMap::new())),
        ]);
        assert_eq!(
            render_typed(&value, &ty),
            "cty.ObjectVal(map[string]cty.Value{\"flags\":cty.NullVal(cty.Set(cty.Bool)), \
             \"ids\":cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.UnknownVal(cty.Number)}), \
             \"name\":cty.StringVal(\"hub\"), \"tags\":cty.MapValEmpty(cty.String)})"
        );
        assert_eq!(
            render_typed(&Value::Set(vec![]), &Type::set(Type::String)),
            "cty.SetValEmpty(cty.String)"
        );
        assert_eq!(
            render_typed(&Value::Object(BTreeMap::new()), &Type::object([])),
            "cty.EmptyObjectVal"
        );
        assert_eq!(render(&Value::Null), "cty.NullVal(cty.DynamicPseudoType)");
        assert_eq!(render(&Value::unknown()), "cty.DynamicVal");
        assert_eq!(
            render(&Value::dynamic(Type::Bool, Value::Bool(true))),
            "cty.True"
        );
        assert_eq!(
            render_type(&Type::Tuple(vec![
                Type::String,
                Type::object([("a", Type::Number)])
            ])),
            "cty.Tuple([]cty.Type{cty.String, cty.Object(map[string]cty.Type{\"a\":cty.Number})})"
        );
    }

    #[test]
    fn refined_unknowns_render_their_refinements() {
        let not_null = Refinements {
            not_null: true,
            ..Refinements::default()
        };
        assert_eq!(
            render_typed(&Value::Unknown(not_null.clone()), &Type::String),
            "cty.UnknownVal(cty.String).RefineNotNull()"
        );
        let prefixed = Refinements {
            string_prefix: Some("tgw-".into()),
            ..not_null
        };
        assert_eq!(
            render_typed(&Value::Unknown(prefixed), &Type::String),
            "cty.UnknownVal(cty.String).Refine().NotNull().StringPrefixFull(\"tgw-\").NewValue()"
        );
        let lengths = Refinements {
            length_lower: Some(1),
            length_upper: Some(3),
            ..Refinements::default()
        };
        assert_eq!(
            render_typed(&Value::Unknown(lengths), &Type::list(Type::String)),
            "cty.UnknownVal(cty.List(cty.String)).Refine().CollectionLengthLowerBound(1)\
             .CollectionLengthUpperBound(3).NewValue()"
        );
        let bounds = Refinements {
            number_lower: Some((Number::from(0), true)),
            number_upper: Some((Number::from(10), false)),
            ..Refinements::default()
        };
        assert_eq!(
            render_typed(&Value::Unknown(bounds), &Type::Number),
            "cty.UnknownVal(cty.Number).Refine().NumberLowerBound(cty.NumberIntVal(0), true)\
             .NumberUpperBound(cty.NumberIntVal(10), false).NewValue()"
        );
    }

    #[test]
    fn paths_render_like_core() {
        let path = vec![
            Step::Attr("vpc_attachments".into()),
            Step::Index(Value::string("staging")),
            Step::Attr("subnet_ids".into()),
            Step::Index(Value::number(0)),
        ];
        assert_eq!(
            format_path(&path),
            r#".vpc_attachments["staging"].subnet_ids[0]"#
        );
        let set_paths = [
            (Value::object([("a", Value::string("x"))]), "[...]"),
            (Value::unknown(), "[(not yet known)]"),
            (Value::Null, "[null]"),
            (Value::number(1_000_000), "[1e+06]"),
        ];
        for (key, expected) in set_paths {
            assert_eq!(format_path(&[Step::Index(key)]), expected);
        }
        assert_eq!(format_path(&[]), "");
    }
}
