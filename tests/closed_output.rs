//! Output to a reader that went away or to a full disk: a closed pipe ends the output
//! quietly with the command's usual exit code (0 for all but `validate` with findings), any
//! other write error exits 2 with a message; neither panics.

mod common;

use std::ffi::OsString;
use std::io::Read;
use std::process::{Command, Stdio};

use common::init_example;

/// Every command that can print a lot, with arguments, against the `edge` example repo.
fn commands(repo: &std::path::Path) -> Vec<Vec<OsString>> {
    let mut commands: Vec<Vec<OsString>> = ["bash", "zsh", "fish", "powershell", "elvish"]
        .iter()
        .map(|shell| vec!["completions".into(), (*shell).into()])
        .collect();
    commands.push(vec!["explain".into()]);
    commands.push(vec!["build".into(), repo.join("clusters/central").into()]);
    commands.push(vec!["policy".into(), repo.into()]);
    commands.push(vec!["validate".into(), repo.into()]);
    commands
}

fn binary() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("meshwright"));
    command.env("NO_COLOR", "1").stderr(Stdio::piped());
    command
}

#[test]
fn a_full_disk_exits_2_with_a_message() {
    let (_t, repo) = init_example("edge");
    for args in commands(&repo) {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full exists");
        let output = binary().args(&args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write output: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    let (_t, repo) = init_example("edge");
    for args in commands(&repo) {
        let read_fully = binary().args(&args).output().unwrap().status.code();
        // Closed before the command writes, and after the first 10 bytes (`| head -c 10`).
        for read in [0, 10] {
            let mut child = binary().args(&args).stdout(Stdio::piped()).spawn().unwrap();
            let mut stdout = child.stdout.take().unwrap();
            let mut first = vec![0; read];
            stdout.read_exact(&mut first).unwrap();
            drop(stdout);
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert!(!stderr.contains("cannot write"), "{args:?}: {stderr}");
            assert_eq!(output.status.code(), read_fully, "{args:?}: {stderr}");
        }
    }
}
