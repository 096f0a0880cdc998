//! `aclc lints [CODE]`.

use super::{Failure, Outcome};
use aclc::analysis::lints;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A lint code to explain, e.g. `include-cycle`
    code: Option<String>,
}

pub fn run(args: &Args) -> Result<Outcome, Failure> {
    match &args.code {
        None => {
            let width = lints::infos().map(|i| i.code.len()).max().unwrap_or(0);
            let mut s = String::new();
            for i in lints::infos() {
                s.push_str(&format!(
                    "{:width$}  {:7}  {}\n",
                    i.code,
                    i.default_severity.as_str(),
                    i.summary
                ));
            }
            s.push_str(
                "\nrun `aclc lints CODE` for what a lint finds, an example and how to fix it\n",
            );
            print!("{s}");
        }
        Some(code) => {
            let info = lints::find(code).ok_or_else(|| {
                let hint = aclc::diagnostic::did_you_mean(code, lints::infos().map(|i| i.code))
                    .map_or_else(
                        || "run `aclc lints` for the list".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    );
                Failure(format!("`{code}` is not a lint code; {hint}"))
            })?;
            print!(
                "{} ({} by default)\n\n{}\n\n{}\n\nSet its severity in aclc.toml:\n\n    [lints]\n    {} = \"error\"   # or \"warning\", \"info\", \"off\"\n\nSuppress one finding with a comment on its line or the line above:\n\n    # aclc-ignore {} reason\n",
                info.code, info.default_severity, info.summary, info.doc, info.code, info.code
            );
        }
    }
    Ok(Outcome::Clean)
}
