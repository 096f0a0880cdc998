//! `aclc who-can`: every access level that allows a request, or any part
//! of a pattern of requests, exactly (from the region analysis).

use serde::Serialize;

use super::explain::{json_rule, location, AccessArg, JsonRule};
use super::{Cli, Failure, Outcome, TextOrJson};
use std::io::Write;

use aclc::analysis::region::{describe, Region, Universe};
use aclc::audit::{self, Question, WhoCan};
use aclc::model::eval::Decision;
use aclc::model::Model;
use aclc::syntax::ast::{AclKind, Participant};

/// Shown after `aclc help who-can`.
pub const EXAMPLES: &str = "\
Examples:
  aclc who-can -p policies/examples update Customers.credit_limit
  aclc who-can -p policies/examples update Customers.* --type customer   any part of a pattern
  aclc who-can -p policies/examples read Tariffs.* --format json";

/// Lines of a region printed in text output; JSON has all of them.
const TEXT_REGION_LINES: usize = 8;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The access type
    #[arg(value_enum)]
    access: AccessArg,
    /// The object and attribute: names (`Customers.credit_limit`) or
    /// patterns (`Customers.*`, `Bill*.amount`)
    #[arg(value_name = "OBJECT.ATTRIBUTE")]
    target: String,
    /// Only access levels of this participant type (`component`: only components)
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

#[derive(Serialize)]
struct JsonRequest {
    access: String,
    object: String,
    attribute: String,
}

#[derive(Serialize)]
struct JsonAllowed<'a> {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    rule: Option<JsonRule>,
    path: Vec<String>,
    region: Option<JsonRegion<'a>>,
}

/// A region written as permission lines when it is serialized: the output
/// is streamed, so only one access level's lines are in memory at a time.
struct JsonRegion<'a> {
    universe: &'a Universe,
    region: &'a Region,
}

impl Serialize for JsonRegion<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        describe(self.universe, self.region, usize::MAX).serialize(s)
    }
}

/// The access levels, each converted when it is serialized.
struct JsonList<'a> {
    model: &'a Model,
    answer: &'a WhoCan,
}

impl Serialize for JsonList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let model = self.model;
        let mut seq = s.serialize_seq(Some(self.answer.allowed.len()))?;
        for a in &self.answer.allowed {
            seq.serialize_element(&JsonAllowed {
                name: model.acl(a.acl).name.clone(),
                kind: model.acl(a.acl).kind.to_string(),
                rule: a.decision.rule.map(|(o, i)| json_rule(model, o, i)),
                path: path_names(model, &a.decision),
                region: match (&a.region, &self.answer.universe) {
                    (Some(region), Some(universe)) => Some(JsonRegion { universe, region }),
                    _ => None,
                },
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct JsonWhoCan<'a> {
    request: JsonRequest,
    access_levels: JsonList<'a>,
}

/// The `--type` filter: a participant type or `component`.
fn parse_kind(text: &str) -> Result<AclKind, Failure> {
    if text == "component" {
        return Ok(AclKind::Component);
    }
    Participant::parse(text)
        .map(AclKind::Participant)
        .ok_or_else(|| {
            let all: Vec<&str> = Participant::ALL.iter().map(|p| p.as_str()).collect();
            Failure(format!(
                "`{text}` is not a participant type; use one of {} or component",
                all.join(", ")
            ))
        })
}

/// Split `Object.attribute` into two names or patterns.
fn question(args: &Args) -> Result<Question, Failure> {
    let parsed = args
        .target
        .split_once('.')
        .and_then(|(o, a)| Some((audit::parse_pattern(o)?, audit::parse_pattern(a)?)));
    let Some((object, attribute)) = parsed else {
        return Err(Failure(format!(
            "`{}` is not an `Object.attribute`; write names or patterns as in a rule, e.g. `Customers.credit_limit` or `Customers.*`",
            args.target
        )));
    };
    Ok(Question {
        access: args.access.access(),
        object,
        attribute,
    })
}

fn path_names(model: &Model, d: &Decision) -> Vec<String> {
    d.path.iter().map(|&a| model.acl(a).name.clone()).collect()
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let q = question(args)?;
    let kind = args.kind.as_deref().map(parse_kind).transpose()?;
    let analysis = cli.analyze()?;
    let model = &analysis.model;
    let answer = audit::who_can(model, &analysis.semantics, &q, |a| match kind {
        Some(k) => a.kind == k,
        None => !a.is_component(),
    });
    let region_lines = |r: &Region, limit: usize| {
        answer
            .universe
            .as_ref()
            .map(|u| describe(u, r, limit))
            .unwrap_or_default()
    };
    match args.format {
        TextOrJson::Json => {
            let out = JsonWhoCan {
                request: JsonRequest {
                    access: q.access.to_string(),
                    object: q.object.to_string(),
                    attribute: q.attribute.to_string(),
                },
                access_levels: JsonList {
                    model,
                    answer: &answer,
                },
            };
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer_pretty(&mut w, &out)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
                .and_then(|()| w.flush())
                .map_err(|e| Failure(format!("cannot write the answer: {e}")))?;
        }
        TextOrJson::Text => {
            let request = format!("{} {}.{}", q.access, q.object, q.attribute);
            let n = answer.allowed.len();
            let mut s = match (n, q.is_concrete()) {
                (0, true) => format!("no access level may {request}\n"),
                (0, false) => format!("no access level may {request}, nor any part of it\n"),
                (1, true) => format!("1 access level may {request}\n"),
                (_, true) => format!("{n} access levels may {request}\n"),
                (1, false) => format!("1 access level may {request}, or part of it\n"),
                (_, false) => format!("{n} access levels may {request}, or part of it\n"),
            };
            for a in &answer.allowed {
                let acl = model.acl(a.acl);
                s.push_str(&format!("  `{}` ({})\n", acl.name, acl.kind));
                if let Some(r) = &a.region {
                    for (k, line) in region_lines(r, TEXT_REGION_LINES).iter().enumerate() {
                        let head = if k == 0 { "allowed" } else { "" };
                        s.push_str(&format!("      {head:<11} {line}\n"));
                    }
                }
                s.push_str(&decided_by(model, &a.decision, a.region.is_some()));
            }
            print!("{s}");
        }
    }
    Ok(Outcome::Clean)
}

/// The deciding rule and the path, as `aclc explain` prints them.
fn decided_by(model: &Model, d: &Decision, example: bool) -> String {
    let Some((o, i)) = d.rule else {
        return String::new();
    };
    let head = if example { "e.g. by" } else { "decided by" };
    let path: Vec<String> = d
        .path
        .iter()
        .map(|&a| format!("`{}`", model.acl(a).name))
        .collect();
    format!(
        "      {head:<11} {}  ({}, in `{}`)\n      {:<11} {}\n",
        model.acl(o).rules[i].display(),
        location(model, o, i),
        model.acl(o).name,
        "via",
        path.join(" → ")
    )
}
