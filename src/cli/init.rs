//! `aclc init [DIR]`: a starter aclc.toml and policy that check clean.

use std::path::PathBuf;

use super::{write_atomic, Failure, Outcome};

/// Shown after `aclc help init`.
pub const EXAMPLES: &str = "\
Examples:
  aclc init my-policies                        aclc.toml and acl/policy.acl in ./my-policies
  aclc init                                    in the current folder (never overwrites)";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to initialize (created if missing)
    #[arg(default_value = ".")]
    dir: PathBuf,
}

const CONFIG: &str = r#"# aclc configuration (see docs/src/configuration.md in the aclc repository).
[policy]
# Files or folders of .acl files, relative to this file.
paths = ["acl"]
# The predefined library: true (embedded, default), false, or a folder.
predefined = true

[lints]
# Per-code severity: "error", "warning", "info" or "off". `aclc lints` lists the codes.
# unused-component = "off"
"#;

const POLICY: &str = r#"# Access levels of this billing environment. `aclc check` lints them,
# `aclc show "Premium customer"` prints the effective rule table.

reseller "Example Reseller"

## Customer self-care without the Identity tab.
access_level "Premium customer" for customer {
    description "Self-care without the Identity tab"
    visible_to "Example Reseller"
    deny read SelfCare.identity
    include "Customer self-care"
}

default customer = "Premium customer"

test "premium customers do not see the Identity tab" {
    expect "Premium customer" deny read SelfCare.identity
}
"#;

pub fn run(args: &Args) -> Result<Outcome, Failure> {
    let config = args.dir.join(aclc::config::FILE_NAME);
    let policy_dir = args.dir.join("acl");
    let policy = policy_dir.join("policy.acl");
    for p in [&config, &policy] {
        if p.exists() {
            return Err(Failure(format!(
                "`{}` already exists; aclc init never overwrites files",
                aclc::load::display(p)
            )));
        }
    }
    std::fs::create_dir_all(&policy_dir).map_err(|e| {
        Failure(format!(
            "cannot create `{}`: {}",
            aclc::load::display(&policy_dir),
            aclc::load::io_reason(&e)
        ))
    })?;
    write_atomic(&config, CONFIG.as_bytes())?;
    write_atomic(&policy, POLICY.as_bytes())?;
    let shown = |p: &PathBuf| aclc::load::display(p);
    println!("created `{}` and `{}`", shown(&config), shown(&policy));
    println!("next: `aclc check` in that folder");
    Ok(Outcome::Clean)
}
