//! The `aclc` command line: gathers input, calls the engine, renders.

mod cli;

/// The allocator: the analysis allocates and frees many large bit sets;
/// glibc's allocator hands their pages back to the kernel and faults them
/// in again (a fifth of the time on a large catalog), mimalloc keeps them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
