//! Timing the meshwright binary, start-up included: what the two diff benchmarks share.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `meshwright ARGS...` in `dir` `runs` times; each must find differences (exit code
/// 1) and print a JSON report. Returns the median wall time and the last report.
pub fn time_diff(runs: usize, dir: &Path, args: &[&OsStr]) -> (Duration, serde_json::Value) {
    let mut times: Vec<Duration> = Vec::new();
    let mut report = serde_json::Value::Null;
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_meshwright"))
            .current_dir(dir)
            .args(args)
            .output()
            .expect("meshwright runs");
        times.push(start.elapsed());
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        report = serde_json::from_slice(&output.stdout).expect("diff prints JSON");
    }
    (super::median(times), report)
}
