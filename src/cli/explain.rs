//! `aclc explain`.

use clap::ValueEnum;
use serde::Serialize;

use super::{find_acl, Cli, Failure, Outcome, TextOrJson};
use aclc::model::eval::{Decision, Mismatch, Walk};
use aclc::model::{AclId, Model};
use aclc::runtime::Table;
use aclc::syntax::ast::Access;

/// Shown after `aclc help explain`.
pub const EXAMPLES: &str = "\
Examples:
  aclc explain \"Premium customer\" read SelfCare.identity
  aclc explain \"Premium customer\" read SelfCare.payments --verbose
  aclc explain -p policies/examples \"Senior bookkeeper\" insert TraceCall.session --format json";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The access level (or component) to ask
    acl: String,
    /// The access type
    #[arg(value_enum)]
    access: AccessArg,
    /// The object and attribute, e.g. `SelfCare.identity`
    #[arg(value_name = "OBJECT.ATTRIBUTE")]
    target: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Also list the earlier rules passed over, and why each did not match
    #[arg(long)]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum AccessArg {
    Read,
    Update,
    Insert,
    Delete,
}

impl AccessArg {
    pub(super) fn access(self) -> Access {
        match self {
            AccessArg::Read => Access::Read,
            AccessArg::Update => Access::Update,
            AccessArg::Insert => Access::Insert,
            AccessArg::Delete => Access::Delete,
        }
    }
}

/// Split `Object.attribute` into two concrete names.
fn split_target(target: &str) -> Result<(&str, &str), Failure> {
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    match target.split_once('.') {
        Some((o, a)) if valid(o) && valid(a) => Ok((o, a)),
        _ => Err(Failure(format!(
            "`{target}` is not a concrete `Object.attribute`; write names without wildcards, e.g. `SelfCare.identity`"
        ))),
    }
}

#[derive(Serialize)]
pub(super) struct JsonRule {
    effect: String,
    access: String,
    object: String,
    attribute: String,
    file: String,
    line: u32,
    defined_in: String,
}

#[derive(Serialize)]
struct JsonPassed {
    rule: JsonRule,
    reasons: Vec<String>,
}

#[derive(Serialize)]
struct JsonExplain {
    decision: String,
    rule: Option<JsonRule>,
    path: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passed_over: Option<Vec<JsonPassed>>,
}

pub(super) fn json_rule(model: &Model, acl: AclId, index: usize) -> JsonRule {
    let a = model.acl(acl);
    let r = &a.rules[index];
    let (start, _) = model.sources.char_range(r.span);
    JsonRule {
        effect: r.effect.to_string(),
        access: r.access.to_string(),
        object: r.object.to_string(),
        attribute: r.attribute.to_string(),
        file: model.sources.file(r.span.file).path.clone(),
        line: start.line,
        defined_in: a.name.clone(),
    }
}

fn reasons(
    model: &Model,
    acl: AclId,
    index: usize,
    m: Mismatch,
    access: Access,
    object: &str,
    attribute: &str,
) -> Vec<String> {
    let r = &model.acl(acl).rules[index];
    let mut out = Vec::new();
    if m.access {
        out.push(format!("it is for {}, not {access}", r.access));
    }
    if m.object {
        out.push(format!("object `{object}` does not match `{}`", r.object));
    }
    if m.attribute {
        out.push(format!(
            "attribute `{attribute}` does not match `{}`",
            r.attribute
        ));
    }
    out
}

pub(super) fn location(model: &Model, acl: AclId, index: usize) -> String {
    model.sources.location(model.acl(acl).rules[index].span)
}

/// The decision, through the runtime table: the table of `root` (its
/// evaluation order and those blocks, as `acl.json` holds them) answers
/// the effect and the deciding permission; the model gives the include
/// path to it (and, with `--verbose`, the rules passed over before it).
/// A set whose table cannot be built (two blocks of one name, an error of
/// its own) is answered from the model.
fn decide(
    analysis: &aclc::analysis::Analysis,
    root: AclId,
    access: Access,
    object: &str,
    attribute: &str,
    verbose: bool,
) -> Decision {
    let model = &analysis.model;
    let from_model = || {
        if verbose {
            model.explain(root, access, object, attribute)
        } else {
            model.decide(root, access, object, attribute)
        }
    };
    let (doc, members) = aclc::emit::json::compile_one(model, &analysis.semantics, root);
    let Ok(table) = Table::new(doc) else {
        return from_model();
    };
    let Some(d) = table.explain(&model.acl(root).name, access, object, attribute) else {
        return from_model();
    };
    let Some(rule) = d.rule else {
        return Decision {
            effect: d.effect,
            rule: None,
            path: vec![root],
            passed_over: if verbose {
                model.explain(root, access, object, attribute).passed_over
            } else {
                Vec::new()
            },
        };
    };
    let Some(&block) = members.get(rule.block as usize) else {
        return from_model();
    };
    // The permission's statement: entries are the statements' access types.
    let mut entries = 0;
    let Some(index) = model.acl(block).rules.iter().position(|r| {
        entries += r.access.iter().count();
        entries > rule.permission as usize
    }) else {
        return from_model();
    };
    let mut walk = Walk::new(model, root);
    let mut path = vec![root];
    while let Some(v) = walk.next_visit() {
        if walk.visits[v].acl == block {
            path = walk.path(v);
            break;
        }
    }
    let passed_over = if verbose {
        let all = model.explain(root, access, object, attribute).passed_over;
        let until = all
            .iter()
            .position(|&(a, i, _)| a == block && i == index)
            .unwrap_or(all.len());
        all[..until].to_vec()
    } else {
        Vec::new()
    };
    Decision {
        effect: d.effect,
        rule: Some((block, index)),
        path,
        passed_over,
    }
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let (object, attribute) = split_target(&args.target)?;
    let analysis = cli.analyze()?;
    let model = &analysis.model;
    let root = find_acl(&analysis, &args.acl)?;
    let access = args.access.access();
    let d = decide(&analysis, root, access, object, attribute, args.verbose);
    let path: Vec<String> = d.path.iter().map(|&a| model.acl(a).name.clone()).collect();
    match args.format {
        TextOrJson::Json => {
            let out = JsonExplain {
                decision: d.effect.to_string(),
                rule: d.rule.map(|(a, i)| json_rule(model, a, i)),
                path,
                passed_over: args.verbose.then(|| {
                    d.passed_over
                        .iter()
                        .map(|&(a, i, m)| JsonPassed {
                            rule: json_rule(model, a, i),
                            reasons: reasons(model, a, i, m, access, object, attribute),
                        })
                        .collect()
                }),
            };
            print!("{}", aclc::emit::json::to_json(&out));
        }
        TextOrJson::Text => {
            let mut s = format!(
                "{}: `{}` {access} {object}.{attribute}\n",
                d.effect, args.acl
            );
            match d.rule {
                Some((a, i)) => {
                    s.push_str(&format!(
                        "  decided by  {}  ({}, in `{}`)\n",
                        model.acl(a).rules[i].display(),
                        location(model, a, i),
                        model.acl(a).name
                    ));
                    let shown: Vec<String> = path.iter().map(|p| format!("`{p}`")).collect();
                    s.push_str(&format!("  via         {}\n", shown.join(" → ")));
                }
                None => s.push_str("  no rule matches: denied by default\n"),
            }
            if args.verbose {
                if d.passed_over.is_empty() {
                    s.push_str("  no earlier rule was passed over\n");
                } else {
                    s.push_str(&format!(
                        "  passed over {} earlier rule(s):\n",
                        d.passed_over.len()
                    ));
                }
                for &(a, i, m) in &d.passed_over {
                    s.push_str(&format!(
                        "    {}  ({}, in `{}`): {}\n",
                        model.acl(a).rules[i].display(),
                        location(model, a, i),
                        model.acl(a).name,
                        reasons(model, a, i, m, access, object, attribute).join("; ")
                    ));
                }
            }
            print!("{s}");
        }
    }
    Ok(Outcome::Clean)
}
