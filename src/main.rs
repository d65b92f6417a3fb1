//! The `meshwright` binary: parses the command line and maps outcomes to exit codes
//! (0 clean, 1 findings or differences, 2 usage, input or internal error).

use std::process::ExitCode;

/// mimalloc: rendering and diffing allocate and free millions of small nodes on every
/// core, where glibc's allocator spends a fifth of the run (`cargo bench --bench diff`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The stack of every thread that parses YAML. serde-saphyr, which words the errors of
/// documents the fast loader hands over, recurses per nesting level, and a debug build's
/// frames are large: at the 64 levels the loader accepts, a default 2 MiB worker stack
/// overflowed (found by `tests/fuzz.rs`). Only the pages touched are ever committed.
const STACK_BYTES: usize = 64 << 20;

fn main() -> ExitCode {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES)
        .build_global();
    if let Err(error) = pool {
        eprintln!("error: cannot start worker threads: {error}");
        return ExitCode::from(2);
    }
    match std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(meshwright::cli::run)
    {
        Ok(main) => main.join().unwrap_or(ExitCode::from(2)),
        Err(error) => {
            eprintln!("error: cannot start the main thread: {error}");
            ExitCode::from(2)
        }
    }
}
