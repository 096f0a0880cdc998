//! `aclc impact`: the access levels a block reaches, and whether it still
//! decides something in each.

use serde::Serialize;

use super::{find_acl, Cli, Failure, Outcome, TextOrJson};
use aclc::audit;
use aclc::model::{AclId, Model};

/// Shown after `aclc help impact`.
pub const EXAMPLES: &str = "\
Examples:
  aclc impact -p policies/examples \"Billing desk\"           who is affected by a change to it
  aclc impact -p policies/examples \"Customer self-care\" --format json";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The component (or access level) to ask about
    name: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

#[derive(Serialize)]
struct JsonImpact {
    name: String,
    access_levels: Vec<JsonReached>,
}

#[derive(Serialize)]
struct JsonReached {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    path: Vec<String>,
    live: bool,
}

fn names(model: &Model, path: &[AclId]) -> Vec<String> {
    path.iter().map(|&a| model.acl(a).name.clone()).collect()
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let analysis = cli.analyze()?;
    let model = &analysis.model;
    let target = find_acl(&analysis, &args.name)?;
    let reached = audit::impact(model, &analysis.semantics, target);
    let block = model.acl(target);
    match args.format {
        TextOrJson::Json => {
            let out = JsonImpact {
                name: block.name.clone(),
                access_levels: reached
                    .iter()
                    .map(|r| JsonReached {
                        name: model.acl(r.acl).name.clone(),
                        kind: model.acl(r.acl).kind.to_string(),
                        path: names(model, &r.path),
                        live: r.live,
                    })
                    .collect(),
            };
            print!("{}", aclc::emit::json::to_json(&out));
        }
        TextOrJson::Text => print!("{}", text(model, target, &reached)),
    }
    Ok(Outcome::Clean)
}

fn text(model: &Model, target: AclId, reached: &[audit::Reached]) -> String {
    let block = model.acl(target);
    let what = if block.is_component() {
        "component".to_string()
    } else {
        format!("{} access level", block.kind)
    };
    if reached.is_empty() {
        return format!("`{}` ({what}) is reached by no access level\n", block.name);
    }
    let overruled = reached.iter().filter(|r| !r.live).count();
    let noun = if reached.len() == 1 {
        "access level"
    } else {
        "access levels"
    };
    let mut s = format!(
        "`{}` ({what}) is reached by {} {noun}: live in {}, overruled in {overruled}\n",
        block.name,
        reached.len(),
        reached.len() - overruled
    );
    for r in reached {
        let acl = model.acl(r.acl);
        let path: Vec<String> = names(model, &r.path)
            .iter()
            .map(|n| format!("`{n}`"))
            .collect();
        s.push_str(&format!(
            "  {:<9}  `{}` ({})\n             via  {}\n",
            if r.live { "live" } else { "overruled" },
            acl.name,
            acl.kind,
            path.join(" → ")
        ));
    }
    if overruled > 0 {
        s.push_str(
            "overruled: every request it decides is decided earlier in that access level's rules\n",
        );
    }
    s
}
