//! The `aclc` command line: gathers input, calls the engine, renders.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
