//! The Terraform Registry documentation, generated from the provider's own schemas and function
//! definitions.
//!
//! Hand-written prose lives in `docs/templates/`: `index.md.tmpl`, `resources/<name>.md.tmpl`,
//! `data-sources/<name>.md.tmpl`, `list-resources/<name>.md.tmpl` (the `config` block's schema
//! is the list resource's), and for functions `functions.md.tmpl` (shared; a function may
//! have its own `functions/<name>.md.tmpl`). The generator replaces these markers:
//!
//! - `{{ .SchemaMarkdown }}`: the argument and attribute reference rendered from the schema
//!   (descriptions live in the schema, so the docs cannot disagree with the provider);
//! - `{{ tffile "path" }}` and `{{ codefile "shell" "path" }}`: an example file;
//! - `{{ .FunctionsList }}` (index): every function with its summary, linked;
//! - on a function's page, from its definition: `{{ .Name }}`, `{{ .Summary }}`,
//!   `{{ .Description }}`, `{{ .FunctionSignatureMarkdown }}` (the typed signature),
//!   `{{ .FunctionArgumentsMarkdown }}`, and `{{ .ExampleUsage }}`
//!   (`examples/functions/<name>/function.tf`).
//!
//! `make docs` writes the result; a test fails when the committed pages differ from what the
//! code generates, or when `docs/` holds a page for something the provider no longer has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use terraform_provider_migration::protocol::cty::Type;
use terraform_provider_migration::protocol::function::{Definition, Parameter};
use terraform_provider_migration::protocol::identity::{IdentityAttribute, IdentitySchema};
use terraform_provider_migration::protocol::resource::Provider;
use terraform_provider_migration::protocol::schema::{
    Attribute, AttributeType, Block, Nesting, Presence, Schema,
};
use terraform_provider_migration::provider::MigrationProvider;

/// The repository root.
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// The directories of generated pages, each holding only pages [`generate`] writes.
pub const GENERATED_DIRECTORIES: &[&str] = &[
    "docs/resources",
    "docs/data-sources",
    "docs/list-resources",
    "docs/functions",
];

/// What a template's markers stand for on one page.
#[derive(Default)]
struct Page<'a> {
    schema: Option<&'a Schema>,
    values: BTreeMap<&'static str, String>,
}

/// A type name without the provider's prefix (`migration_hub_network` → `hub_network`).
fn short(type_name: &str) -> &str {
    type_name.strip_prefix("migration_").unwrap_or(type_name)
}

/// Every generated page: (path relative to the repository root, content).
pub fn generate() -> Result<Vec<(PathBuf, String)>, String> {
    let root = repository_root();
    let provider = MigrationProvider::new();
    let mut pages = Vec::new();
    let index = read(&root.join("docs/templates/index.md.tmpl"))?;
    let mut page = Page {
        schema: Some(provider.schema()),
        ..Default::default()
    };
    page.values
        .insert(".FunctionsList", functions_list(&provider));
    pages.push((
        PathBuf::from("docs/index.md"),
        render_template(&index, &page, &root)?,
    ));
    for resource in provider.resources() {
        let short = short(resource.type_name());
        let template = read(&root.join(format!("docs/templates/resources/{short}.md.tmpl")))?;
        let mut page = Page {
            schema: Some(resource.schema()),
            ..Default::default()
        };
        if let Some(identity) = resource.identity_schema() {
            page.values
                .insert(".IdentitySchemaMarkdown", render_identity(identity));
        }
        pages.push((
            PathBuf::from(format!("docs/resources/{short}.md")),
            render_template(&template, &page, &root)?,
        ));
    }
    for data_source in provider.data_sources() {
        let short = short(data_source.type_name());
        let template = read(&root.join(format!("docs/templates/data-sources/{short}.md.tmpl")))?;
        let page = Page {
            schema: Some(data_source.schema()),
            ..Default::default()
        };
        pages.push((
            PathBuf::from(format!("docs/data-sources/{short}.md")),
            render_template(&template, &page, &root)?,
        ));
    }
    for list in provider.list_resources() {
        let short = short(list.type_name());
        let template = read(&root.join(format!("docs/templates/list-resources/{short}.md.tmpl")))?;
        let page = Page {
            schema: Some(list.schema()),
            ..Default::default()
        };
        pages.push((
            PathBuf::from(format!("docs/list-resources/{short}.md")),
            render_template(&template, &page, &root)?,
        ));
    }
    for function in provider.functions() {
        let name = function.name();
        let own = root.join(format!("docs/templates/functions/{name}.md.tmpl"));
        let template = if own.exists() {
            read(&own)?
        } else {
            read(&root.join("docs/templates/functions.md.tmpl"))?
        };
        let page = function_page(name, function.definition(), &root)?;
        pages.push((
            PathBuf::from(format!("docs/functions/{name}.md")),
            render_template(&template, &page, &root)?,
        ));
    }
    Ok(pages)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn terraform_block(text: &str) -> String {
    format!("```terraform\n{text}```")
}

fn render_template(template: &str, page: &Page<'_>, root: &Path) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").ok_or("unclosed {{ in template")? + start;
        let directive = rest[start + 2..end].trim();
        if directive == ".SchemaMarkdown" {
            let schema = page
                .schema
                .ok_or("{{ .SchemaMarkdown }} on a page without a schema")?;
            out.push_str(&render_schema(schema));
        } else if let Some(value) = page.values.get(directive) {
            out.push_str(value);
        } else if let Some(args) = directive.strip_prefix("tffile") {
            let path = args.trim().trim_matches('"');
            out.push_str(&terraform_block(&read(&root.join(path))?));
        } else if let Some(args) = directive.strip_prefix("codefile") {
            let mut parts = args.split_whitespace().map(|p| p.trim_matches('"'));
            let language = parts.next().ok_or("codefile needs a language")?;
            let path = parts.next().ok_or("codefile needs a path")?;
            out.push_str(&format!("```{language}\n{}```", read(&root.join(path))?));
        } else {
            return Err(format!("unknown template directive {{{{ {directive} }}}}"));
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The index's list of functions: each linked to its page, with its summary.
fn functions_list(provider: &MigrationProvider) -> String {
    provider
        .functions()
        .iter()
        .map(|f| {
            format!(
                "- [`provider::migration::{name}`](functions/{name}.md): {}.\n",
                f.definition().summary.trim_end_matches('.'),
                name = f.name()
            )
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// The markers of a function's page, from its definition and its example.
fn function_page(
    name: &str,
    definition: &Definition,
    root: &Path,
) -> Result<Page<'static>, String> {
    let example = format!("examples/functions/{name}/function.tf");
    let mut page = Page::default();
    page.values.insert(".Name", name.to_string());
    page.values
        .insert(".Summary", definition.summary.trim().to_string());
    page.values
        .insert(".Description", definition.description.trim().to_string());
    page.values.insert(
        ".FunctionSignatureMarkdown",
        format!(
            "<!-- signature generated from the function definition -->\n```text\n{}\n```",
            signature(name, definition)
        ),
    );
    page.values.insert(
        ".FunctionArgumentsMarkdown",
        format!(
            "<!-- arguments generated from the function definition -->\n{}",
            arguments(definition)
        ),
    );
    page.values.insert(
        ".ExampleUsage",
        terraform_block(&read(&root.join(&example))?),
    );
    Ok(page)
}

/// `name(param type, ...variadic type) return_type`, with types as HCL type constraints.
pub fn signature(name: &str, definition: &Definition) -> String {
    let mut parameters: Vec<String> = definition
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, constraint(&p.ty, 0)))
        .collect();
    if let Some(variadic) = &definition.variadic {
        parameters.push(format!(
            "...{} {}",
            variadic.name,
            constraint(&variadic.ty, 0)
        ));
    }
    format!(
        "{name}({}) {}",
        parameters.join(", "),
        constraint(&definition.return_type, 0)
    )
}

/// A type as Terraform's type constraint syntax writes it; objects one attribute per line.
pub fn constraint(ty: &Type, indent: usize) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "any".into(),
        Type::List(inner) => format!("list({})", constraint(inner, indent)),
        Type::Set(inner) => format!("set({})", constraint(inner, indent)),
        Type::Map(inner) => format!("map({})", constraint(inner, indent)),
        Type::Tuple(items) => format!(
            "tuple([{}])",
            items
                .iter()
                .map(|t| constraint(t, indent))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Object(attributes) if attributes.is_empty() => "object({})".into(),
        Type::Object(attributes) => {
            let width = attributes.keys().map(String::len).max().unwrap_or(0);
            let pad = "  ".repeat(indent + 1);
            let lines: String = attributes
                .iter()
                .map(|(name, t)| format!("{pad}{name:<width$} = {}\n", constraint(t, indent + 1)))
                .collect();
            format!("object({{\n{lines}{}}})", "  ".repeat(indent))
        }
    }
}

/// The numbered argument list of a function's page.
fn arguments(definition: &Definition) -> String {
    let line = |number: usize, parameter: &Parameter, variadic: bool| {
        let mut label = type_name(&parameter.ty);
        if variadic {
            label = format!("Variadic, {label}");
        }
        if parameter.allow_null {
            label.push_str(", Nullable");
        }
        let mut text = format!("{number}. `{}` ({label})", parameter.name);
        if !parameter.description.is_empty() {
            text.push(' ');
            text.push_str(&parameter.description.replace('\n', " "));
        }
        text
    };
    let mut lines: Vec<String> = definition
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| line(i + 1, p, false))
        .collect();
    if let Some(variadic) = &definition.variadic {
        lines.push(line(lines.len() + 1, variadic, true));
    }
    lines.join("\n")
}

/// A cty type as the Registry docs name it: `String`, `Set of String`, `Map of Number`...
fn type_name(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(inner) => format!("List of {}", type_name(inner)),
        Type::Set(inner) => format!("Set of {}", type_name(inner)),
        Type::Map(inner) => format!("Map of {}", type_name(inner)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

fn type_label(attribute: &Attribute) -> String {
    match &attribute.ty {
        AttributeType::Plain(ty) => type_name(ty),
        AttributeType::Nested(nested) => match nested.nesting {
            Nesting::Single | Nesting::Group => "Attributes".to_string(),
            Nesting::List => "Attributes List".to_string(),
            Nesting::Set => "Attributes Set".to_string(),
            Nesting::Map => "Attributes Map".to_string(),
        },
    }
}

/// Renders a block the way the Registry's provider docs lay it out: Required, Optional,
/// Read-Only, then one section per nested object, linked by anchors.
pub fn render_schema(schema: &Schema) -> String {
    let mut out = String::from("## Schema\n");
    let mut nested = Vec::new();
    render_block(&schema.block, "", &mut out, &mut nested);
    while let Some((anchor, title, attributes, blocks)) = nested.pop() {
        out.push_str(&format!(
            "\n<a id=\"{anchor}\"></a>\n### Nested Schema for `{title}`\n"
        ));
        let block = Block {
            attributes,
            blocks,
            ..Default::default()
        };
        render_block(&block, &format!("{title}."), &mut out, &mut nested);
    }
    out
}

/// A resource's identity schema, as tfplugindocs lays it out: the attributes an `import`
/// block's `identity` must set, then those it may leave to the provider.
pub fn render_identity(identity: &IdentitySchema) -> String {
    let mut out = String::from(
        "### Identity Schema
",
    );
    for (title, wanted) in [("Required", true), ("Optional", false)] {
        let attributes: Vec<&IdentityAttribute> = identity
            .attributes
            .iter()
            .filter(|a| a.required_for_import == wanted)
            .collect();
        if attributes.is_empty() {
            continue;
        }
        out.push_str(&format!("\n#### {title}\n\n"));
        for attribute in attributes {
            out.push_str(&format!(
                "- `{}` ({}) {}\n",
                attribute.name,
                type_name(&attribute.ty),
                attribute.description
            ));
        }
    }
    out.truncate(out.trim_end().len());
    out
}

type Pending = Vec<(
    String,
    String,
    Vec<Attribute>,
    Vec<terraform_provider_migration::protocol::schema::NestedBlock>,
)>;

fn render_block(block: &Block, prefix: &str, out: &mut String, nested: &mut Pending) {
    type Membership = fn(&Attribute) -> bool;
    let groups: [(&str, Membership); 3] = [
        ("Required", |a| a.presence == Presence::Required),
        ("Optional", |a| {
            matches!(a.presence, Presence::Optional | Presence::OptionalComputed)
        }),
        ("Read-Only", |a| a.presence == Presence::Computed),
    ];
    let mut found_nested = Vec::new();
    for (title, belongs) in groups {
        let members: Vec<&Attribute> = block.attributes.iter().filter(|a| belongs(a)).collect();
        let blocks: Vec<_> = if title == "Optional" {
            block.blocks.iter().collect()
        } else {
            Vec::new()
        };
        if members.is_empty() && blocks.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for attribute in members {
            let path = format!("{prefix}{}", attribute.name);
            let anchor = format!("nestedatt--{}", path.replace('.', "--"));
            let mut label = type_label(attribute);
            if attribute.sensitive {
                label.push_str(", Sensitive");
            }
            if attribute.deprecated {
                label.push_str(", Deprecated");
            }
            let mut line = format!("- `{}` ({label})", attribute.name);
            if !attribute.description.is_empty() {
                line.push(' ');
                line.push_str(&attribute.description.replace('\n', " "));
            }
            if let AttributeType::Nested(inner) = &attribute.ty {
                line.push_str(&format!(" (see [below for nested schema](#{anchor}))"));
                found_nested.push((anchor, path, inner.attributes.clone(), Vec::new()));
            }
            out.push_str(&line);
            out.push('\n');
        }
        for block in blocks {
            let path = format!("{prefix}{}", block.type_name);
            let anchor = format!("nestedblock--{}", path.replace('.', "--"));
            let kind = match block.nesting {
                Nesting::Single | Nesting::Group => "Block",
                Nesting::List => "Block List",
                Nesting::Set => "Block Set",
                Nesting::Map => "Block Map",
            };
            let max = if block.max_items > 0 {
                format!(", Max: {}", block.max_items)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "- `{}` ({kind}{max}) {} (see [below for nested schema](#{anchor}))\n",
                block.type_name,
                block.block.description.replace('\n', " ")
            ));
            found_nested.push((
                anchor,
                path,
                block.block.attributes.clone(),
                block.block.blocks.clone(),
            ));
        }
    }
    // Pushed in reverse so sections come out in the order they are referenced.
    nested.extend(found_nested.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_use_type_constraint_syntax() {
        let definition = Definition::new(Type::list(Type::object([
            ("wider", Type::String),
            ("n", Type::Number),
        ])))
        .parameter(Parameter::new("cidrs", Type::list(Type::String)))
        .variadic(Parameter::new("more", Type::map(Type::Dynamic)).allow_null());
        assert_eq!(
            signature("f", &definition),
            "f(cidrs list(string), ...more map(any)) list(object({\n  n     = number\n  wider = string\n}))"
        );
        assert_eq!(
            constraint(
                &Type::Tuple(vec![
                    Type::Bool,
                    Type::object([("a", Type::set(Type::String))])
                ]),
                0
            ),
            "tuple([bool, object({\n  a = set(string)\n})])"
        );
        assert_eq!(
            arguments(&definition),
            "1. `cidrs` (List of String)\n2. `more` (Variadic, Map of Dynamic, Nullable)"
        );
    }
}
