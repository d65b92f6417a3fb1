//! The `meshwright` binary: parses the command line and maps outcomes to exit codes
//! (0 clean, 1 findings or differences, 2 usage, input or internal error).

use std::process::ExitCode;

fn main() -> ExitCode {
    meshwright::cli::run()
}
