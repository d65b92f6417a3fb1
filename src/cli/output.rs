//! Standard output that never panics. A reader that went away (`meshwright explain | head`)
//! ends the output quietly and the command keeps its exit code; any other write error (a
//! full disk) is remembered, and [`finish`] turns the exit code into 2 with a message.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::OnceLock;

/// The first write error on standard output other than a broken pipe.
static FAILED: OnceLock<io::Error> = OnceLock::new();

/// Remembers `result`'s error unless it is a broken pipe.
pub fn record(result: io::Result<()>) {
    if let Err(error) = result
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = FAILED.set(error);
    }
}

/// Runs `write` on locked standard output and flushes it, remembering any failure.
pub fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
    let mut stdout = io::stdout().lock();
    record(write(&mut stdout).and_then(|()| stdout.flush()));
}

/// The exit code of a command that returned `code`: 2 if writing its output failed.
pub fn finish(code: ExitCode) -> ExitCode {
    record(io::stdout().lock().flush());
    match FAILED.get() {
        Some(error) => super::fail(format!("error: cannot write output: {error}")),
        None => code,
    }
}
