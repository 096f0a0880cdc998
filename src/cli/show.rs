//! `aclc show`.

use super::{find_acl, Cli, Failure, Outcome, TextOrJson};
use aclc::emit;

/// Shown after `aclc help show`.
pub const EXAMPLES: &str = "\
Examples:
  aclc show \"Premium customer\"                 the effective rule table
  aclc show -p policies/examples \"Billing desk\" --format json";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The access level (or component) to show
    acl: String,
    /// Output format (JSON: the access level and the blocks of its evaluation order, as in acl.json)
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let analysis = cli.analyze()?;
    let model = &analysis.model;
    let id = find_acl(&analysis, &args.acl)?;
    let acl = model.acl(id);
    if args.format == TextOrJson::Json {
        let (doc, _) = emit::json::compile_one(model, &analysis.semantics, id);
        print!("{}", emit::json::to_json(&doc));
        return Ok(Outcome::Clean);
    }
    let (start, _) = model.sources.char_range(acl.head);
    let mut s = format!(
        "`{}`: {}{}{}, declared at {}:{}\n",
        acl.name,
        if acl.is_component() {
            "component".to_string()
        } else {
            format!("{} access level", acl.kind)
        },
        if acl.origin == aclc::source::Origin::Predefined {
            ", predefined"
        } else {
            ""
        },
        if acl.hidden.is_some() { ", hidden" } else { "" },
        model.sources.file(acl.head.file).path,
        start.line
    );
    if let Some(d) = &acl.description {
        s.push_str(&format!("  description  {}\n", d.node));
    }
    if !acl.visible_to.is_empty() {
        let v: Vec<String> = acl
            .visible_to
            .iter()
            .map(|r| format!("`{}`", r.node))
            .collect();
        s.push_str(&format!("  visible to   {}\n", v.join(", ")));
    }
    let eff = model.effective(id);
    if eff.rules.is_empty() {
        s.push_str("  no rules: everything is denied\n");
    } else {
        let rows: Vec<[String; 4]> = eff
            .rules
            .iter()
            .enumerate()
            .map(|(n, r)| {
                let (pos, _) = model.sources.char_range(r.rule.span);
                let via: Vec<String> = eff
                    .path_of(r)
                    .iter()
                    .map(|&a| model.acl(a).name.clone())
                    .collect();
                [
                    (n + 1).to_string(),
                    r.rule.display(),
                    format!("{}:{}", model.sources.file(r.rule.span.file).path, pos.line),
                    via.join(" → "),
                ]
            })
            .collect();
        let w: Vec<usize> = (0..3)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        s.push_str(&format!(
            "  {:>w0$}  {:w1$}  {:w2$}  via\n",
            "#",
            "rule",
            "where",
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        ));
        for r in &rows {
            s.push_str(&format!(
                "  {:>w0$}  {:w1$}  {:w2$}  {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2]
            ));
        }
        s.push_str("  anything else: deny\n");
    }
    print!("{s}");
    Ok(Outcome::Clean)
}
