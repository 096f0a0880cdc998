//! `aclc.toml`: where the policy is, which predefined library to load,
//! lint severities, and where diagnostics link to for a lint's docs.
//! Unknown keys are errors, with a hint.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::{lints, Level, Options};
use crate::diagnostic::Severity;

/// The file name looked for.
pub const FILE_NAME: &str = "aclc.toml";

/// The parsed configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[policy]`.
    #[serde(default)]
    pub policy: PolicySection,
    /// `[lints]`: code → `error` | `warning` | `info` | `off`.
    #[serde(default)]
    pub lints: BTreeMap<String, LevelName>,
    /// `[docs]`.
    #[serde(default)]
    pub docs: DocsSection,
    /// `[diff]`: which changes `aclc diff` fails on, which it accepts.
    #[serde(default)]
    pub diff: DiffSection,
}

/// `[diff]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffSection {
    /// Kinds of change that fail (default: `new-access`, `unhide`,
    /// `visibility-widened`, `default-changed`).
    #[serde(default)]
    pub fail_on: Option<Vec<String>>,
    /// `[[diff.allow]]` entries: accepted changes, each with a reason.
    #[serde(default)]
    pub allow: Vec<DiffAllowEntry>,
}

/// One `[[diff.allow]]` entry as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffAllowEntry {
    /// Participant type, or `component`.
    #[serde(default, rename = "type")]
    pub ty: Option<String>,
    /// Access level name glob (`*` = any text).
    #[serde(default)]
    pub access_level: Option<String>,
    /// Access type(s): `"read"`, `"read, update"`, `["read", "update"]` or `"all"`.
    #[serde(default)]
    pub access: Option<OneOrMany>,
    /// `Object.attribute` pattern.
    #[serde(default)]
    pub object: Option<String>,
    /// Why the change is safe (required).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One string (may hold a comma-separated list).
    One(String),
    /// A list.
    Many(Vec<String>),
}

/// `[docs]`: where diagnostics link to for a lint's documentation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocsSection {
    /// A URL or path with `{code}` for the lint code, e.g.
    /// `https://docs.example.net/aclc/lints/{code}.html`.
    #[serde(default)]
    pub lint_url: Option<String>,
}

/// `[policy]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    /// Files or folders of `.acl` files, relative to `aclc.toml`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// `true` (the embedded library, the default), `false` (none), or a
    /// folder of `.acl` files to use instead.
    #[serde(default)]
    pub predefined: Option<PredefinedSetting>,
}

/// `predefined = true | false | "folder"`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum PredefinedSetting {
    /// Embedded library on or off.
    Enabled(bool),
    /// Another library.
    Path(String),
}

/// A severity as written in `[lints]`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LevelName {
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Info.
    Info,
    /// Not reported.
    Off,
}

/// Which predefined library to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predefined {
    /// The one embedded in the binary.
    Embedded,
    /// None.
    Off,
    /// `.acl` files from this folder.
    Folder(PathBuf),
}

/// A configuration resolved against the folder of its file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The `aclc.toml` read, if any.
    pub file: Option<PathBuf>,
    /// Policy paths from `[policy] paths` (resolved).
    pub paths: Vec<PathBuf>,
    /// The predefined library.
    pub predefined: Predefined,
    /// Analysis options.
    pub options: Options,
    /// The link template of lint documentation pages (`{code}` = the code).
    pub lint_url: String,
    /// `[diff]` rules.
    pub diff: crate::diff::Rules,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            file: None,
            paths: Vec::new(),
            predefined: Predefined::Embedded,
            options: Options::default(),
            lint_url: lints::DEFAULT_DOCS_URL.to_string(),
            diff: crate::diff::Rules::default(),
        }
    }
}

/// Parse `aclc.toml` text; `dir` is the folder it is in.
pub fn parse(text: &str, file: &Path) -> Result<Settings, String> {
    let cfg: Config = toml::from_str(text)
        .map_err(|e| format!("{}: {}", file.display(), e.to_string().trim_end()))?;
    let dir = file.parent().unwrap_or(Path::new(""));
    let resolve = |p: &str| {
        if dir.as_os_str().is_empty() {
            PathBuf::from(p)
        } else {
            dir.join(p)
        }
    };
    let mut options = Options::default();
    for (code, level) in &cfg.lints {
        if lints::find(code).is_none() {
            let hint = lints::suggest(
                code,
                lints::infos().map(|i| i.code),
                "run `aclc lints` for the list of codes",
            );
            return Err(format!(
                "{}: [lints] names `{code}`, which is not a lint code; {hint}",
                file.display()
            ));
        }
        let level = match level {
            LevelName::Error => Level::On(Severity::Error),
            LevelName::Warning => Level::On(Severity::Warning),
            LevelName::Info => Level::On(Severity::Info),
            LevelName::Off => Level::Off,
        };
        options.levels.insert(code.clone(), level);
    }
    let lint_url = match cfg.docs.lint_url {
        None => lints::DEFAULT_DOCS_URL.to_string(),
        Some(url) if url.contains("{code}") => url,
        Some(url) => {
            return Err(format!(
                "{}: [docs] lint_url `{url}` has no `{{code}}`; write where the code goes, e.g. `https://docs.example.net/aclc/lints/{{code}}.html`",
                file.display()
            ))
        }
    };
    let predefined = match &cfg.policy.predefined {
        None | Some(PredefinedSetting::Enabled(true)) => Predefined::Embedded,
        Some(PredefinedSetting::Enabled(false)) => Predefined::Off,
        Some(PredefinedSetting::Path(p)) => Predefined::Folder(resolve(p)),
    };
    let diff = diff_rules(&cfg.diff).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(Settings {
        file: Some(file.to_path_buf()),
        paths: cfg.policy.paths.iter().map(|p| resolve(p)).collect(),
        predefined,
        options,
        lint_url,
        diff,
    })
}

/// The `[diff]` rules, checked: known kinds, types, access types and
/// patterns, and a reason on every allow entry.
fn diff_rules(section: &DiffSection) -> Result<crate::diff::Rules, String> {
    use crate::diff::{AllowRule, Kind, Rules};
    use crate::syntax::ast::{Access, AccessSet, AclKind, Participant, Pattern};
    let mut rules = Rules::default();
    if let Some(kinds) = &section.fail_on {
        rules.fail_on = Vec::new();
        for k in kinds {
            let kind = Kind::parse(k).ok_or_else(|| {
                let hint = lints::suggest(
                    k,
                    Kind::ALL.iter().map(|k| k.as_str()),
                    "run `aclc help diff` for the kinds",
                );
                format!("[diff] fail_on names `{k}`, which is not a kind of change; {hint}")
            })?;
            rules.fail_on.push(kind);
        }
    }
    let pattern = |s: &str| -> Result<Pattern, String> {
        if s == "*" {
            return Ok(Pattern::Any);
        }
        let (body, prefix) = match s.strip_suffix('*') {
            Some(b) => (b, true),
            None => (s, false),
        };
        if body.is_empty() || !body.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(format!("`{s}` is not a name, `Name*` or `*`"));
        }
        Ok(if prefix {
            Pattern::Prefix(body.into())
        } else {
            Pattern::Exact(body.into())
        })
    };
    for (i, e) in section.allow.iter().enumerate() {
        let at = format!("[[diff.allow]] entry {}", i + 1);
        let reason = match e.reason.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => r.to_string(),
            _ => {
                return Err(format!(
                    "{at} has no `reason`; say why the change is safe, e.g. `reason = \"resellers may read tariffs (ticket 123)\"`"
                ))
            }
        };
        if e.ty.is_none() && e.access_level.is_none() && e.access.is_none() && e.object.is_none() {
            return Err(format!(
                "{at} matches every change; narrow it with `type`, `access_level`, `access` or `object`"
            ));
        }
        let acl_type = match e.ty.as_deref() {
            None => None,
            Some("component") => Some(AclKind::Component),
            Some(t) => Some(AclKind::Participant(Participant::parse(t).ok_or_else(
                || {
                    let hint = lints::suggest(
                        t,
                        Participant::ALL
                            .iter()
                            .map(|p| p.as_str())
                            .chain(["component"]),
                        "use a participant type or `component`",
                    );
                    format!("{at}: `type = \"{t}\"` is not a participant type; {hint}")
                },
            )?)),
        };
        let access = match &e.access {
            None => None,
            Some(spec) => {
                let words: Vec<String> = match spec {
                    OneOrMany::One(s) => s.split(',').map(|w| w.trim().to_string()).collect(),
                    OneOrMany::Many(v) => v.iter().map(|w| w.trim().to_string()).collect(),
                };
                let mut set = AccessSet::default();
                for w in words {
                    if w == "all" {
                        set = AccessSet::ALL;
                    } else {
                        set.insert(Access::parse(&w).ok_or_else(|| {
                            format!("{at}: `{w}` is not an access type; use read, update, insert, delete or all")
                        })?);
                    }
                }
                Some(set)
            }
        };
        let target = match &e.object {
            None => None,
            Some(t) => {
                let (o, a) = t.split_once('.').unwrap_or((t.as_str(), "*"));
                let bad = |why: String| {
                    format!("{at}: `object = \"{t}\"`: {why}; write `Object.attribute`, e.g. `Tariffs.*`")
                };
                Some((pattern(o).map_err(bad)?, pattern(a).map_err(bad)?))
            }
        };
        rules.allow.push(AllowRule {
            acl_type,
            access_level: e.access_level.clone(),
            access,
            target,
            reason,
        });
    }
    Ok(rules)
}

/// Find `aclc.toml` in `start` or its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sections() {
        let s = parse(
            "[policy]\npaths = [\"acl\"]\npredefined = false\n[lints]\nunused-component = \"off\"\n",
            Path::new("proj/aclc.toml"),
        );
        let s = s.unwrap_or_default();
        assert_eq!(s.paths, vec![PathBuf::from("proj/acl")]);
        assert_eq!(s.predefined, Predefined::Off);
        assert_eq!(s.options.levels.get("unused-component"), Some(&Level::Off));
    }

    #[test]
    fn reads_the_docs_link() {
        let s = parse("", Path::new("aclc.toml")).unwrap_or_default();
        assert_eq!(s.lint_url, "docs/src/lints/{code}.md");
        let s = parse(
            "[docs]\nlint_url = \"https://d.example/lints/{code}.html\"\n",
            Path::new("aclc.toml"),
        )
        .unwrap_or_default();
        assert_eq!(s.lint_url, "https://d.example/lints/{code}.html");
        let e = parse(
            "[docs]\nlint_url = \"https://d.example/\"\n",
            Path::new("aclc.toml"),
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("has no `{code}`"), "{e}");
    }

    #[test]
    fn reads_the_diff_section() {
        let s = parse(
            "[diff]\nfail_on = [\"new-access\", \"hide\"]\n[[diff.allow]]\ntype = \"reseller\"\naccess = \"read, update\"\nobject = \"Tariffs.*\"\nreason = \"resellers may see tariffs\"\n",
            Path::new("aclc.toml"),
        );
        let s = s.unwrap_or_default();
        assert_eq!(
            s.diff.fail_on,
            vec![crate::diff::Kind::NewAccess, crate::diff::Kind::Hide]
        );
        assert_eq!(s.diff.allow.len(), 1);
        assert_eq!(s.diff.allow[0].access.map(|a| a.0), Some(0b11));
        let e = |t: &str| parse(t, Path::new("aclc.toml")).err().unwrap_or_default();
        let m = e("[diff]\nfail_on = [\"new-acess\"]\n");
        assert!(m.contains("did you mean `new-access`?"), "{m}");
        let m = e("[[diff.allow]]\ntype = \"reseller\"\n");
        assert!(m.contains("entry 1 has no `reason`"), "{m}");
        let m = e("[[diff.allow]]\ntype = \"resseller\"\nreason = \"x\"\n");
        assert!(m.contains("did you mean `reseller`?"), "{m}");
        let m = e("[[diff.allow]]\nobject = \"Tar-iffs.*\"\nreason = \"x\"\n");
        assert!(m.contains("is not a name"), "{m}");
        let m = e("[[diff.allow]]\nreason = \"x\"\n");
        assert!(m.contains("matches every change"), "{m}");
        let m = e("[[diff.allow]]\nacces = \"read\"\nreason = \"x\"\n");
        assert!(m.contains("unknown field `acces`"), "{m}");
    }

    #[test]
    fn rejects_unknown_keys_and_codes() {
        let e = parse("[policy]\npath = []\n", Path::new("aclc.toml"))
            .err()
            .unwrap_or_default();
        assert!(e.contains("unknown field `path`"), "{e}");
        let e = parse(
            "[lints]\nunused-componet = \"off\"\n",
            Path::new("aclc.toml"),
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("did you mean `unused-component`?"), "{e}");
    }
}
