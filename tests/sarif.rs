//! `--output sarif` is valid SARIF 2.1.0: checked against the OASIS schema that the npm
//! package `@microsoft/jest-sarif` ships (fetched with `npm pack` into target/test-tools
//! when missing), and its results point at the file, line and column of each finding.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::meshwright;
use serde_json::Value;

const PACKAGE: &str = "@microsoft/jest-sarif@1.0.0-beta.0";
const SCHEMA_IN_PACKAGE: &str = "package/lib/schemas/sarif-2.1.0-rtm.5.json";

fn sarif_schema() -> Value {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/sarif");
    let schema = dir.join(SCHEMA_IN_PACKAGE);
    if !schema.is_file() {
        std::fs::create_dir_all(&dir).expect("mkdir");
        let packed = Command::new("npm")
            .args(["pack", "--silent", PACKAGE])
            .current_dir(&dir)
            .output()
            .expect("npm runs");
        assert!(packed.status.success(), "npm pack {PACKAGE} failed");
        let tarball = String::from_utf8(packed.stdout).expect("UTF-8");
        let unpacked = Command::new("tar")
            .args(["xzf", tarball.trim()])
            .current_dir(&dir)
            .status()
            .expect("tar runs");
        assert!(unpacked.success());
    }
    let text = std::fs::read_to_string(schema).expect("schema");
    // Erratum of rtm.5: the `language` patterns have a stray `]` that a strict regex engine
    // rejects; the final OASIS 2.1.0 schema reads `^[a-zA-Z]{2}(-[a-zA-Z]{2})?$`.
    let erratum = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(erratum),
        "the known erratum is where expected"
    );
    let fixed = text.replace(erratum, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    serde_json::from_str(&fixed).expect("schema is JSON")
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0_and_points_at_the_value() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("pa.yaml"),
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls:\n    mode: STRICTT\n",
    )
    .unwrap();
    std::fs::write(temp.path().join("values.yaml"), "replicas: 3\n").unwrap();
    let output = meshwright()
        .current_dir(temp.path())
        .args(["validate", "--output", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");

    let schema = sarif_schema();
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");

    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let enum_error = results
        .iter()
        .find(|r| r["ruleId"] == "MW101")
        .unwrap_or_else(|| panic!("{log:#}"));
    assert_eq!(enum_error["level"], "error");
    let location = &enum_error["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "pa.yaml");
    assert_eq!(location["region"]["startLine"], 8);
    assert_eq!(location["region"]["startColumn"], 11);
    let rule_index = enum_error["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][rule_index]["id"], "MW101");
    let note = results.iter().find(|r| r["ruleId"] == "MW105").unwrap();
    assert_eq!(note["level"], "note");
}

#[test]
fn file_names_stay_real_in_json_and_are_percent_encoded_in_sarif() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("odd dir");
    std::fs::create_dir(&dir).unwrap();
    let name = "a b#1?%\\ü.yaml";
    std::fs::write(dir.join(name), "kind: Service\nmetadata:\n  name: web\n").unwrap();

    let (_, json) = common::validate_json(temp.path(), &[]);
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.contains(&"odd dir/a b#1?%\\ü.yaml"), "{json:#}");

    let output = meshwright()
        .current_dir(temp.path())
        .args(["validate", "--output", "sarif"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.contains(&"odd%20dir/a%20b%231%3F%25%5C%C3%BC.yaml"),
        "{log:#}"
    );
}
