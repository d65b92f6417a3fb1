//! `meshwright --version` says what was built and checked against (version, git commit,
//! the upstream version of every embedded schema family); `meshwright man --out DIR`
//! writes one manual page per command, with its options, into DIR and nowhere else.

mod common;

use std::path::Path;
use std::process::Command;

use clap::CommandFactory;
use common::{meshwright, stdout_with_code};
use meshwright::cli::Cli;

/// The short `HEAD` of this checkout, when the tests run from one.
fn checkout_commit() -> Option<String> {
    let manifest_dir = env!("CARGO_MANIFEST_DIR");
    let output = Command::new("git")
        .args(["-C", manifest_dir, "rev-parse", "--show-toplevel", "HEAD"])
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let mut lines = text.lines();
    let top_level = lines.next()?;
    let same_dir =
        Path::new(top_level).canonicalize().ok()? == Path::new(manifest_dir).canonicalize().ok()?;
    (output.status.success() && same_dir)
        .then(|| lines.next().unwrap_or_default()[..12].to_string())
}

#[test]
fn version_names_the_commit_and_every_schema_family() {
    let text = stdout_with_code(meshwright().arg("--version"), 0);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("meshwright {}", env!("CARGO_PKG_VERSION")).as_str()),
        "{text}"
    );
    let commit = checkout_commit().unwrap_or_else(|| "unknown".to_string());
    assert_eq!(
        lines.next(),
        Some(format!("commit {commit}").as_str()),
        "{text}"
    );
    assert_eq!(lines.next(), Some("embedded schemas:"), "{text}");
    // Versions from upstream/README.md's provenance table; Flux's controllers differ.
    let families: Vec<(String, String)> = lines
        .map(|line| {
            let (label, version) = line.trim().split_once("  ").expect("label  version");
            (label.to_string(), version.trim().to_string())
        })
        .collect();
    let expected = [
        ("Kubernetes", "1.34"),
        ("Istio", "1.30.3"),
        ("cert-manager", "v1.21.1"),
        ("Gateway API", "v1.6.1"),
        ("Argo CD", "v3.5.1"),
        ("Prometheus Operator", "v0.93.0"),
    ];
    for (label, version) in expected {
        assert!(
            families.contains(&(label.to_string(), version.to_string())),
            "{label} {version} in:\n{text}"
        );
    }
    let flux = &families
        .iter()
        .find(|(label, _)| label == "Flux")
        .expect("Flux")
        .1;
    for component in [
        "kustomize-controller v1.9.4",
        "source-controller v1.9.1",
        "helm-controller v1.6.3",
    ] {
        assert!(flux.contains(component), "{component} in {flux}");
    }
    assert_eq!(families.len(), 7, "{text}");
}

#[test]
fn short_version_is_one_line() {
    let text = stdout_with_code(meshwright().arg("-V"), 0);
    assert_eq!(text, format!("meshwright {}\n", env!("CARGO_PKG_VERSION")));
}

/// `meshwright-schemas-import` and friends: every visible command, depth first.
fn page_names(command: &clap::Command, prefix: &str, names: &mut Vec<(String, clap::Command)>) {
    let name = format!("{prefix}{}", command.get_name());
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        page_names(sub, &format!("{name}-"), names);
    }
    names.push((name, command.clone()));
}

#[test]
fn man_writes_one_page_per_command_with_its_options() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("share/man/man1");
    stdout_with_code(meshwright().arg("man").arg("--out").arg(&out), 0);
    let mut expected = Vec::new();
    page_names(&Cli::command(), "", &mut expected);
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .expect("pages written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut wanted: Vec<String> = expected
        .iter()
        .map(|(name, _)| format!("{name}.1"))
        .collect();
    wanted.sort();
    assert_eq!(written, wanted);
    assert!(written.contains(&"meshwright-validate.1".to_string()));
    assert!(written.contains(&"meshwright-schemas-import.1".to_string()));
    for (name, command) in &expected {
        let page = std::fs::read_to_string(out.join(format!("{name}.1"))).expect("page");
        assert!(page.contains(".SH NAME"), "{name}");
        for long in command.get_arguments().filter_map(clap::Arg::get_long) {
            let roff = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
            assert!(page.contains(&roff), "{name}.1 lacks --{long}:\n{page}");
        }
    }
    // Nothing written beside the directory asked for.
    let entries: Vec<_> = std::fs::read_dir(temp.path()).expect("temp").collect();
    assert_eq!(entries.len(), 1);
}

#[test]
fn man_into_a_file_fails_naming_it() {
    let temp = tempfile::tempdir().expect("temp dir");
    let file = temp.path().join("pages");
    std::fs::write(&file, "not a directory").expect("write");
    let output = meshwright()
        .arg("man")
        .arg("--out")
        .arg(&file)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot write manual pages to {}", file.display())),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("file"),
        "not a directory"
    );
}
