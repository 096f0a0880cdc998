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

/// How long pages freed stay with the process before they are handed back
/// to the kernel, in milliseconds, for a command that runs once and exits.
/// Handed back soon after (mimalloc's default), they were zeroed again by
/// the kernel when the next sets were built: a third to a half of the
/// system time of a large check. Never handed back (-1, until 2026-11-27),
/// the messy legacy million peaked at 1.03 GB against 0.87 GB with 100 ms:
/// the pages its exact analysis freed sat idle while its findings took
/// fresh ones. 100 ms costs the catalog and wide millions 0.2–0.5 s.
const ONE_SHOT_PURGE_DELAY: std::ffi::c_long = 100;

/// Tune the allocator for a command that runs once and exits (the language
/// server and watch mode, which run for hours, keep mimalloc's defaults;
/// a `MIMALLOC_` option set in the environment is left as it is):
/// - hold freed pages for [`ONE_SHOT_PURGE_DELAY`] before handing them
///   back;
/// - no transparent huge pages (Linux). Each first touch of a huge page
///   had the kernel zero 2 MB at once, in a virtual machine the costliest
///   step of a large check: without, the legacy million took 0.9–1.0 s of
///   system time against 2.2–2.6 s and 0.81 GB against 0.87 GB, the
///   catalog million 2.1 s against 7.6 s and 2.40 GB against 2.62 GB; the
///   tidy million 0.1 s more in all (2026-11-27, busy host).
fn tune_allocator_for_one_shot() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an option's value; mimalloc reads options atomically.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, ONE_SHOT_PURGE_DELAY) };
    }
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: sets a flag of the process (checked by the kernel at each
        // page fault, so memory mimalloc reserved already is covered too);
        // integer arguments only. On failure huge pages stay allowed.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

fn main() -> std::process::ExitCode {
    cli::main()
}
