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
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            file: None,
            paths: Vec::new(),
            predefined: Predefined::Embedded,
            options: Options::default(),
            lint_url: lints::DEFAULT_DOCS_URL.to_string(),
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
    Ok(Settings {
        file: Some(file.to_path_buf()),
        paths: cfg.policy.paths.iter().map(|p| resolve(p)).collect(),
        predefined,
        options,
        lint_url,
    })
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
