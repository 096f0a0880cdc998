#!/usr/bin/env bash
# Fuzz every target for a bounded time: `fuzz/run.sh [SECONDS_PER_TARGET]`
# (default 60). Needs cargo-fuzz (`cargo install cargo-fuzz`). Works on the
# stable toolchain: the targets are built without a sanitizer (aclc has no
# unsafe code; what we look for is panics, overflows, hangs and runaway
# memory). For an AddressSanitizer build on stable, run
# `RUSTC_BOOTSTRAP=1 cargo fuzz run -s address TARGET`.
#
# The corpora are seeded at run time from the shipped policies and the test
# fixtures (fuzz/corpus/ is not committed). A crash is written to
# fuzz/artifacts/TARGET/ and fails this script; reproduce it with
# `cargo fuzz run -s none TARGET fuzz/artifacts/TARGET/crash-…`.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
targets=(parse check)

for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    for f in ../policies/examples/acl/*.acl ../policies/predefined/*.acl ../tests/fixtures/*/*.acl ../tests/hostile/*.acl; do
        [ -f "$f" ] || continue
        # Name seeds by content, as libFuzzer does, so re-seeding adds nothing twice.
        cp "$f" "corpus/$t/seed-$(sha1sum "$f" | cut -c1-16)"
    done
done

for t in "${targets[@]}"; do
    echo "-- fuzzing $t for ${seconds}s"
    # -rss_limit_mb: a 4 KiB input has no business using more. -timeout: one
    # input taking 30 s is a hang (inputs take milliseconds, but a loaded
    # machine has stalled one for 14 s).
    # libFuzzer's progress lines (one per new input) are left out of the log;
    # a crash report, the final statistics and the exit status are kept.
    cargo fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len=4096 -timeout=30 -rss_limit_mb=2048 \
        -dict=aclc.dict -print_final_stats=1 2>&1 |
        { grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|^[[:space:]]+NEW_FUNC' || true; }
done
