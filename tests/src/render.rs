//! Plans and diagnostics printed the way `terraform plan` prints them, for the demo and for
//! readable test failures.

use std::fmt::Write as _;

use terraform_provider_migration::protocol::cty::Value;
use terraform_provider_migration::protocol::diagnostics::{Diagnostic, Severity};
use terraform_provider_migration::protocol::schema::Block;

use crate::terraform::{Action, Change, Plan};

fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::Replace => "-/+",
        Action::NoOp => " ",
    }
}

fn headline(change: &Change) -> String {
    let verb = match change.action {
        Action::Create => "will be created",
        Action::Update => "will be updated in-place",
        Action::Delete => "will be destroyed",
        Action::Replace => "must be replaced",
        Action::NoOp => "has no changes",
    };
    format!("  # {} {verb}", change.address)
}

/// The whole plan: actions, then `Plan: N to add, M to change, K to destroy.`
pub fn plan(plan: &Plan) -> String {
    let mut out = String::new();
    let changes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    for (address, diagnostic) in &plan.diagnostics {
        out.push_str(&diagnostic_box(diagnostic, address));
    }
    if changes.is_empty() {
        if !plan.has_errors() {
            out.push_str(
                "\nNo changes. Your infrastructure matches the configuration.\n\n\
                 Terraform has compared your real infrastructure against your configuration and \
                 found no differences, so no changes are needed.\n",
            );
        }
        return out;
    }
    out.push_str(
        "\nTerraform used the selected providers to generate the following execution plan. \
         Resource actions are indicated with the following symbols:\n",
    );
    for action in [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Replace,
    ] {
        if changes.iter().any(|c| c.action == action) {
            let name = match action {
                Action::Create => "create",
                Action::Update => "update in-place",
                Action::Delete => "destroy",
                _ => "destroy and then create replacement",
            };
            let _ = writeln!(out, "  {} {name}", symbol(action));
        }
    }
    out.push_str("\nTerraform will perform the following actions:\n");
    for change in &changes {
        let schema = plan.schemas.get(&change.type_name);
        out.push('\n');
        out.push_str(&headline(change));
        out.push('\n');
        let (type_name, name) = change
            .address
            .split_once('.')
            .unwrap_or((&change.address, ""));
        let _ = writeln!(
            out,
            "  {} resource \"{type_name}\" \"{name}\" {{",
            symbol(change.action)
        );
        if let Some(schema) = schema {
            render_object(
                &mut out,
                &schema.block,
                &change.prior,
                &change.planned,
                change.action,
                6,
            );
        }
        out.push_str("    }\n");
    }
    let count = |actions: &[Action]| {
        changes
            .iter()
            .filter(|c| actions.contains(&c.action))
            .count()
    };
    let _ = writeln!(
        out,
        "\nPlan: {} to add, {} to change, {} to destroy.",
        count(&[Action::Create, Action::Replace]),
        count(&[Action::Update]),
        count(&[Action::Delete, Action::Replace])
    );
    out
}

fn sensitive_names(block: &Block) -> Vec<&str> {
    block
        .attributes
        .iter()
        .filter(|a| a.sensitive)
        .map(|a| a.name.as_str())
        .collect()
}

/// The attributes of a resource. Creates and destroys show every non-null attribute with the
/// action's sign on every line, nested ones included; updates show a structural diff of what
/// changed and count what did not, as Terraform's renderer does.
fn render_object(
    out: &mut String,
    block: &Block,
    prior: &Value,
    planned: &Value,
    action: Action,
    indent: usize,
) {
    let sensitive = sensitive_names(block);
    let mut names: Vec<&str> = block
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .chain(block.blocks.iter().map(|b| b.type_name.as_str()))
        .collect();
    names.sort();
    let value_of = |v: &Value, name: &str| v.attr(name).cloned().unwrap_or(Value::Null);
    let shown: Vec<(&str, Value, Value)> = names
        .iter()
        .map(|name| (*name, value_of(prior, name), value_of(planned, name)))
        .filter(|(_, before, after)| match action {
            Action::Delete => !before.is_null(),
            Action::Update | Action::Replace => before != after,
            _ => !after.is_null(),
        })
        .collect();
    let width = shown.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
    for (name, before, after) in &shown {
        let label = format!("{name:<width$}");
        if sensitive.contains(name) {
            let (sign, tail) = match action {
                Action::Delete => ('-', " -> null"),
                Action::Update | Action::Replace => ('~', ""),
                _ => ('+', ""),
            };
            let _ = writeln!(
                out,
                "{}{sign} {label} = (sensitive value){tail}",
                pad(indent)
            );
            continue;
        }
        match action {
            Action::Delete => removed(out, &label, before, indent, true),
            Action::Update | Action::Replace => changed(out, &label, before, after, indent),
            _ => added(out, &label, after, indent),
        }
    }
    if matches!(action, Action::Update | Action::Replace) {
        hidden(out, names.len() - shown.len(), "attribute", indent);
    }
}

fn pad(indent: usize) -> String {
    " ".repeat(indent)
}

/// `+ label = value`, every nested line marked `+`.
fn added(out: &mut String, label: &str, value: &Value, indent: usize) {
    let _ = writeln!(
        out,
        "{}+ {label} = {}",
        pad(indent),
        value_text(value, indent, '+')
    );
}

/// `- label = value -> null`, every nested line marked `-`; only the outermost value says
/// `-> null`, as Terraform prints a destroyed attribute.
fn removed(out: &mut String, label: &str, value: &Value, indent: usize, to_null: bool) {
    let arrow = if to_null { " -> null" } else { "" };
    let _ = writeln!(
        out,
        "{}- {label} = {}{arrow}",
        pad(indent),
        value_text(value, indent, '-')
    );
}

/// `# (n unchanged attributes hidden)`, or nothing.
fn hidden(out: &mut String, count: usize, what: &str, indent: usize) {
    if count > 0 {
        let plural = if count == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "{}# ({count} unchanged {what}{plural} hidden)",
            pad(indent + 2)
        );
    }
}

/// One attribute or element that differs: nested objects and maps diff key by key, lists and
/// sets element by element, anything else prints `before -> after`.
fn changed(out: &mut String, label: &str, before: &Value, after: &Value, indent: usize) {
    if before.is_null() {
        return added(out, label, after, indent);
    }
    if after.is_null() {
        return removed(out, label, before, indent, true);
    }
    match (before, after) {
        (Value::Object(b), Value::Object(a)) | (Value::Map(b), Value::Map(a)) => {
            let is_map = matches!(after, Value::Map(_));
            let _ = writeln!(out, "{}~ {label} = {{", pad(indent));
            let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            let entry = |k: &String| if is_map { format!("{k:?}") } else { k.clone() };
            let differing: Vec<&&String> = keys
                .iter()
                .filter(|k| {
                    b.get(**k).unwrap_or(&Value::Null) != a.get(**k).unwrap_or(&Value::Null)
                })
                .collect();
            let width = differing.iter().map(|k| entry(k).len()).max().unwrap_or(0);
            for key in &differing {
                let label = format!("{:<width$}", entry(key));
                let (b, a) = (
                    b.get(**key).unwrap_or(&Value::Null),
                    a.get(**key).unwrap_or(&Value::Null),
                );
                if a.is_null() {
                    // A removed element says `-> null` in Terraform's output; a nested
                    // attribute that becomes null does too.
                    removed(out, &label, b, indent + 4, true);
                } else {
                    changed(out, &label, b, a, indent + 4);
                }
            }
            let unchanged = keys
                .iter()
                .filter(|k| {
                    let b = b.get(**k).unwrap_or(&Value::Null);
                    b == a.get(**k).unwrap_or(&Value::Null) && (is_map || !b.is_null())
                })
                .count();
            hidden(
                out,
                unchanged,
                if is_map { "element" } else { "attribute" },
                indent + 4,
            );
            let _ = writeln!(out, "{}}}", pad(indent + 2));
        }
        (
            Value::List(b) | Value::Set(b) | Value::Tuple(b),
            Value::List(a) | Value::Set(a) | Value::Tuple(a),
        ) if after.is_wholly_known() => {
            let _ = writeln!(out, "{}~ {label} = [", pad(indent));
            for gone in b.iter().filter(|v| !a.contains(v)) {
                let _ = writeln!(
                    out,
                    "{}- {},",
                    pad(indent + 4),
                    value_text(gone, indent + 4, '-')
                );
            }
            for new in a.iter().filter(|v| !b.contains(v)) {
                let _ = writeln!(
                    out,
                    "{}+ {},",
                    pad(indent + 4),
                    value_text(new, indent + 4, '+')
                );
            }
            hidden(
                out,
                a.iter().filter(|v| b.contains(v)).count(),
                "element",
                indent + 4,
            );
            let _ = writeln!(out, "{}]", pad(indent + 2));
        }
        _ => {
            let _ = writeln!(
                out,
                "{}~ {label} = {} -> {}",
                pad(indent),
                value_text(before, indent, ' '),
                value_text(after, indent, ' ')
            );
        }
    }
}

/// A value in HCL syntax, `(known after apply)` for unknowns. `indent` is the column of the
/// sign of the line the value starts on; nested lines carry `sign` four columns further in and
/// close two columns in, which is Terraform's layout.
pub fn value_text(value: &Value, indent: usize, sign: char) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Unknown(_) => "(known after apply)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            if items.is_empty() {
                return "[]".into();
            }
            let mut out = String::from("[\n");
            for item in items {
                let _ = writeln!(
                    out,
                    "{}{sign} {},",
                    pad(indent + 4),
                    value_text(item, indent + 4, sign)
                );
            }
            let _ = write!(out, "{}]", pad(indent + 2));
            out
        }
        Value::Map(entries) | Value::Object(entries) => {
            let is_map = matches!(value, Value::Map(_));
            // Null attributes of a nested object are not printed.
            let entries: Vec<(String, &Value)> = entries
                .iter()
                .filter(|(_, v)| is_map || !v.is_null())
                .map(|(k, v)| (if is_map { format!("{k:?}") } else { k.clone() }, v))
                .collect();
            if entries.is_empty() {
                return "{}".into();
            }
            let width = entries.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (key, item) in entries {
                let _ = writeln!(
                    out,
                    "{}{sign} {key:<width$} = {}",
                    pad(indent + 4),
                    value_text(item, indent + 4, sign)
                );
            }
            let _ = write!(out, "{}}}", pad(indent + 2));
            out
        }
        Value::Dynamic(_, inner) => value_text(inner, indent, sign),
    }
}

/// A diagnostic in Terraform's boxed layout.
pub fn diagnostic_box(diagnostic: &Diagnostic, address: &str) -> String {
    let label = match diagnostic.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    let mut out = format!("╷\n│ {label}: {}\n│\n", diagnostic.summary);
    if let Some(path) = &diagnostic.attribute {
        let at = if address.is_empty() {
            path.to_string()
        } else {
            format!("{address}.{path}")
        };
        let _ = writeln!(out, "│   with {at}\n│");
    }
    for line in diagnostic.detail.lines() {
        let _ = writeln!(out, "│ {line}");
    }
    out.push_str("╵\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Value {
        Value::Set(items.iter().map(|s| Value::string(*s)).collect())
    }

    #[test]
    fn created_values_carry_the_sign_on_every_nested_line() {
        let mut out = String::new();
        let value = Value::object([
            ("cidr_blocks", strings(&["10.0.0.0/16"])),
            ("id", Value::unknown()),
            ("gone", Value::Null),
        ]);
        added(&mut out, "data_center", &value, 6);
        assert_eq!(
            out,
            "      + data_center = {\n\
             \x20         + cidr_blocks = [\n\
             \x20             + \"10.0.0.0/16\",\n\
             \x20           ]\n\
             \x20         + id          = (known after apply)\n\
             \x20       }\n"
        );
    }

    #[test]
    fn destroyed_values_say_null_once() {
        let mut out = String::new();
        let tags = Value::Map([("Name".to_string(), Value::string("hub"))].into());
        removed(&mut out, "tags", &tags, 6, true);
        assert_eq!(
            out,
            "      - tags = {\n          - \"Name\" = \"hub\"\n        } -> null\n"
        );
    }

    #[test]
    fn updates_diff_nested_values_and_count_what_is_unchanged() {
        let before = Value::Map(
            [(
                "staging".to_string(),
                Value::object([
                    ("subnet_ids", strings(&["subnet-a", "subnet-b"])),
                    ("state", Value::string("available")),
                    ("vpc_id", Value::string("vpc-1")),
                ]),
            )]
            .into(),
        );
        let after = Value::Map(
            [(
                "staging".to_string(),
                Value::object([
                    ("subnet_ids", strings(&["subnet-a", "subnet-c"])),
                    ("state", Value::unknown()),
                    ("vpc_id", Value::string("vpc-1")),
                ]),
            )]
            .into(),
        );
        let mut out = String::new();
        changed(&mut out, "vpc_attachments", &before, &after, 6);
        assert_eq!(
            out,
            "      ~ vpc_attachments = {\n\
             \x20         ~ \"staging\" = {\n\
             \x20             ~ state      = \"available\" -> (known after apply)\n\
             \x20             ~ subnet_ids = [\n\
             \x20                 - \"subnet-b\",\n\
             \x20                 + \"subnet-c\",\n\
             \x20                   # (1 unchanged element hidden)\n\
             \x20               ]\n\
             \x20               # (1 unchanged attribute hidden)\n\
             \x20           }\n\
             \x20       }\n"
        );
    }
}
