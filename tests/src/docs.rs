//! The Terraform Registry documentation, generated from the provider's own schemas.
//!
//! Hand-written prose lives in `docs/templates/` (`index.md.tmpl`, `resources/<name>.md.tmpl`);
//! the generator replaces three markers: `{{ .SchemaMarkdown }}` with the argument and attribute
//! reference rendered from the schema (descriptions live in the schema, so the docs cannot
//! disagree with the provider), `{{ tffile "path" }}` with an example file, and
//! `{{ codefile "shell" "path" }}` with a shell snippet. `make docs` writes the result;
//! a test fails when the committed pages differ from what the schemas generate.

use std::path::{Path, PathBuf};

use terraform_provider_migration::protocol::cty::Type;
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

/// Every generated page: (path relative to the repository root, content).
pub fn generate() -> Result<Vec<(PathBuf, String)>, String> {
    let root = repository_root();
    let provider = MigrationProvider::new();
    let mut pages = Vec::new();
    let index = read(&root.join("docs/templates/index.md.tmpl"))?;
    pages.push((
        PathBuf::from("docs/index.md"),
        render_template(&index, provider.schema(), &root)?,
    ));
    for resource in provider.resources() {
        let short = resource
            .type_name()
            .strip_prefix("migration_")
            .unwrap_or(resource.type_name());
        let template_path = root.join(format!("docs/templates/resources/{short}.md.tmpl"));
        let template = read(&template_path)?;
        pages.push((
            PathBuf::from(format!("docs/resources/{short}.md")),
            render_template(&template, resource.schema(), &root)?,
        ));
    }
    Ok(pages)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn render_template(template: &str, schema: &Schema, root: &Path) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").ok_or("unclosed {{ in template")? + start;
        let directive = rest[start + 2..end].trim();
        if directive == ".SchemaMarkdown" {
            out.push_str(&render_schema(schema));
        } else if let Some(args) = directive.strip_prefix("tffile") {
            let path = args.trim().trim_matches('"');
            out.push_str(&format!("```terraform\n{}```", read(&root.join(path))?));
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
