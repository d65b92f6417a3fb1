//! The `meshwright` binary: parses the command line and maps outcomes to exit codes
//! (0 clean, 1 findings or differences, 2 usage, input or internal error).

use std::process::ExitCode;

/// mimalloc: rendering and diffing allocate and free millions of small nodes on every
/// core, where glibc's allocator spends a fifth of the run (`cargo bench --bench diff`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    meshwright::cli::run()
}
