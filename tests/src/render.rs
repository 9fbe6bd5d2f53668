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
            Action::Update => before != after,
            _ => !after.is_null(),
        })
        .collect();
    let width = shown.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
    for (name, before, after) in &shown {
        let pad = " ".repeat(indent);
        let is_sensitive = sensitive.contains(name);
        let show = |v: &Value| {
            if is_sensitive && !v.is_null() {
                "(sensitive value)".to_string()
            } else {
                value_text(v, indent + 4)
            }
        };
        let line = match action {
            Action::Delete => format!("{pad}- {name:<width$} = {} -> null", show(before)),
            Action::Update if !before.is_null() && !after.is_null() => {
                format!(
                    "{pad}~ {name:<width$} = {} -> {}",
                    show(before),
                    show(after)
                )
            }
            Action::Update if after.is_null() => {
                format!("{pad}- {name:<width$} = {} -> null", show(before))
            }
            _ => format!("{pad}+ {name:<width$} = {}", show(after)),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if action == Action::Update {
        let hidden = names.len() - shown.len();
        if hidden > 0 {
            let _ = writeln!(
                out,
                "{}# ({hidden} unchanged attributes hidden)",
                " ".repeat(indent + 2)
            );
        }
    }
}

/// A value in HCL syntax, `(known after apply)` for unknowns.
pub fn value_text(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
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
                let _ = writeln!(out, "{pad}  {},", value_text(item, indent + 2));
            }
            out.push_str(&pad);
            out.push(']');
            out
        }
        Value::Map(entries) | Value::Object(entries) => {
            if entries.is_empty() {
                return "{}".into();
            }
            let width = entries.keys().map(|k| k.len() + 2).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (key, item) in entries {
                if item.is_null() && matches!(value, Value::Object(_)) {
                    continue;
                }
                let label = if matches!(value, Value::Map(_)) {
                    format!("{key:?}")
                } else {
                    key.clone()
                };
                let _ = writeln!(
                    out,
                    "{pad}  {label:<width$} = {}",
                    value_text(item, indent + 2)
                );
            }
            out.push_str(&pad);
            out.push('}');
            out
        }
        Value::Dynamic(_, inner) => value_text(inner, indent),
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
