//! The `aclc` command line: gathers input, calls the engine, renders.

mod cli;

/// The allocator: the analysis allocates and frees many large bit sets;
/// glibc's allocator hands their pages back to the kernel and faults them
/// in again (a fifth of the time on a large catalog), mimalloc keeps them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same number in its v2 and v3,
/// which the bindings do not name).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep the pages freed from now on instead of handing them back to the
/// kernel, for a command that runs once and exits: handed back (after
/// mimalloc's default 10 ms) they were zeroed again by the kernel when the
/// next sets were built, a third to a half of the system time of a large
/// check. The language server and watch mode, which run for hours, hand
/// memory back as usual.
fn keep_freed_pages() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets an option's value; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}

fn main() -> std::process::ExitCode {
    cli::main()
}
