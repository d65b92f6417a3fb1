//! Istio's own analyzer test suite, run through `meshwright validate`.
//!
//! `tests/fixtures/istio-analyzers/` holds the cases of istio/istio's
//! `pkg/config/analysis/analyzers/analyzers_test.go` and their input files, converted by
//! `convert.py` there (Apache-2.0, Istio's LICENSE beside it; `SOURCE` names the commit).
//! Each case is validated as a repository of its own: its input files, plus its mesh
//! config, if any, as istiod's Helm values (`meshConfig:`).
//!
//! Which IST code a meshwright code stands for is read from `meshwright explain`: the
//! paragraph that starts "`istioctl analyze` reports". For every IST type the case's
//! analyzer reports and meshwright covers, meshwright must report the same objects
//! (`Kind namespace/name`, the namespace only when the YAML names one, as Istio writes
//! them); and a case Istio expects to be clean must get no mesh finding (MW2xx and above)
//! of error severity. Every difference must be listed, with its reason, in
//! `KNOWN_GAPS.tsv`; a listed difference that no longer occurs fails the test too, so the
//! list shrinks as checks land. `MESHWRIGHT_BLESS=1` rewrites the list's keys (new lines
//! get the reason `unexplained`, which the test refuses).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::meshwright;
use serde_json::Value;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/istio-analyzers")
}

/// MW code → the IST codes its `explain` text says `istioctl analyze` reports it as.
fn istio_counterparts() -> BTreeMap<String, BTreeSet<String>> {
    let listing = meshwright().arg("explain").output().unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    let mut mapping = BTreeMap::new();
    for code in listing.lines().filter_map(|l| l.split_whitespace().next()) {
        let docs = meshwright().args(["explain", code]).output().unwrap();
        let docs = String::from_utf8(docs.stdout).unwrap();
        let counterparts: BTreeSet<String> = docs
            .split("\n\n")
            .filter(|paragraph| paragraph.starts_with("`istioctl analyze` reports"))
            .flat_map(|paragraph| {
                paragraph
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|word| word.len() == 7 && word.starts_with("IST"))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        if !counterparts.is_empty() {
            mapping.insert(code.to_string(), counterparts);
        }
    }
    mapping
}

/// One case of Istio's grid, as `convert.py` wrote it.
struct Case {
    number: usize,
    name: String,
    inputs: Vec<String>,
    mesh_config: Option<String>,
    /// The IST codes the case's analyzer reports.
    types: BTreeSet<String>,
    /// (IST code, object) pairs Istio expects.
    expected: BTreeSet<(String, String)>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(suite().join("cases.json")).unwrap();
    let grid: Vec<Value> = serde_json::from_str(&text).unwrap();
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    grid.iter()
        .enumerate()
        .map(|(index, case)| Case {
            number: index + 1,
            name: case["name"].as_str().unwrap().to_string(),
            inputs: strings(&case["inputs"]),
            mesh_config: case["meshConfig"].as_str().map(str::to_string),
            types: strings(&case["types"]).into_iter().collect(),
            expected: case["expected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|pair| {
                    let pair = strings(pair);
                    (pair[0].clone(), pair[1].clone())
                })
                .collect(),
        })
        .collect()
}

/// What meshwright reported on one case: (code, severity, object) per finding.
fn findings(case: &Case) -> Vec<(String, String, String)> {
    let repository = tempfile::tempdir().unwrap();
    for input in &case.inputs {
        let target = repository
            .path()
            .join(input.trim_start_matches("testdata/"));
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(suite().join(input), target).unwrap();
    }
    if let Some(mesh_config) = &case.mesh_config {
        let text = std::fs::read_to_string(suite().join(mesh_config)).unwrap();
        let indented: String = text.lines().map(|l| format!("  {l}\n")).collect();
        std::fs::write(
            repository.path().join("istiod-values.yaml"),
            format!("meshConfig:\n{indented}"),
        )
        .unwrap();
    }
    let output = meshwright()
        .current_dir(repository.path())
        .args(["validate", "--output", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "case {} {}: {e}: {}",
            case.number,
            case.name,
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let object = &f["object"];
            let kind = object["kind"].as_str().unwrap_or_default();
            let name = object["name"].as_str().unwrap_or_default();
            let object = match object["namespace"].as_str() {
                Some(namespace) => format!("{kind} {namespace}/{name}"),
                None => format!("{kind} {name}"),
            };
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                object,
            )
        })
        .collect()
}

/// A difference from Istio's expectations: (case number, case name, kind, code, object).
/// `missing`: Istio reports it, meshwright does not; `extra`: meshwright reports an IST type
/// the case's analyzer checks on an object Istio does not; `unclean`: an error-severity
/// mesh finding on a case Istio expects to be clean.
type Gap = (usize, String, String, String, String);

fn known_gaps() -> BTreeMap<Gap, String> {
    let text = std::fs::read_to_string(suite().join("KNOWN_GAPS.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 6, "KNOWN_GAPS.tsv: {line}");
            let gap = (
                fields[0].parse().unwrap(),
                fields[1].to_string(),
                fields[2].to_string(),
                fields[3].to_string(),
                fields[4].to_string(),
            );
            (gap, fields[5].to_string())
        })
        .collect()
}

#[test]
fn istio_analyzer_cases_get_istios_verdicts() {
    let counterparts = istio_counterparts();
    let covered: BTreeSet<&String> = counterparts.values().flatten().collect();
    let mut gaps = BTreeSet::new();
    let (mut types, mut expected, mut expected_covered, mut detected) = (BTreeSet::new(), 0, 0, 0);
    let (mut clean_cases, mut clean) = (0, 0);
    for case in cases() {
        types.extend(case.types.iter().cloned());
        let reported = findings(&case);
        // A finding whose code stands for several IST codes (IST0128 and IST0129) stands
        // for the one Istio expects on that object, if any.
        let mut got = BTreeSet::new();
        for (code, _, object) in &reported {
            let candidates: Vec<(String, String)> = counterparts
                .get(code)
                .into_iter()
                .flatten()
                .filter(|ist| case.types.contains(*ist))
                .map(|ist| (ist.clone(), object.clone()))
                .collect();
            let expected: Vec<_> = candidates
                .iter()
                .filter(|c| case.expected.contains(c))
                .cloned()
                .collect();
            if expected.is_empty() {
                got.extend(candidates.into_iter().take(1));
            } else {
                got.extend(expected);
            }
        }
        let mut gap = |kind: &str, code: &str, object: &str| {
            gaps.insert((
                case.number,
                case.name.clone(),
                kind.to_string(),
                code.to_string(),
                object.to_string(),
            ));
        };
        expected += case.expected.len();
        for (ist, object) in &case.expected {
            if covered.contains(ist) {
                expected_covered += 1;
                if got.contains(&(ist.clone(), object.clone())) {
                    detected += 1;
                } else {
                    gap("missing", ist, object);
                }
            }
        }
        for (ist, object) in got.difference(&case.expected) {
            gap("extra", ist, object);
        }
        if case.expected.is_empty() {
            clean_cases += 1;
            let mesh_errors: BTreeSet<_> = reported
                .iter()
                .filter(|(code, severity, _)| severity == "error" && code.as_str() >= "MW200")
                .collect();
            if mesh_errors.is_empty() {
                clean += 1;
            }
            for (code, _, object) in mesh_errors {
                gap("unclean", code, object);
            }
        }
    }
    let covered_types = types.iter().filter(|t| covered.contains(t)).count();
    println!(
        "Istio analyzer suite: {} message types, {covered_types} covered; {expected} expected \
         messages, {expected_covered} of covered types, {detected} detected; {clean}/{clean_cases} \
         clean cases clean",
        types.len()
    );

    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/istio-analyzers.md"),
    )
    .unwrap();
    for (label, now) in [
        ("covered by meshwright", format!("**{covered_types}**")),
        ("of the covered types", expected_covered.to_string()),
        ("detected", format!("**{detected}**")),
        (
            "cases Istio expects clean with no error-level mesh finding",
            format!("{clean} / {clean_cases}"),
        ),
    ] {
        assert!(
            docs.lines()
                .any(|l| l.starts_with(&format!("| {label} |"))
                    && l.ends_with(&format!("| {now} |"))),
            "docs/istio-analyzers.md: the row `{label}` must end with `| {now} |`"
        );
    }

    let known = known_gaps();
    if std::env::var_os("MESHWRIGHT_BLESS").is_some() {
        let mut text = std::fs::read_to_string(suite().join("KNOWN_GAPS.tsv"))
            .unwrap_or_default()
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        for gap in &gaps {
            let reason = known.get(gap).map_or("unexplained", String::as_str);
            let (number, name, kind, code, object) = gap;
            text.push_str(&format!(
                "{number}\t{name}\t{kind}\t{code}\t{object}\t{reason}\n"
            ));
        }
        std::fs::write(suite().join("KNOWN_GAPS.tsv"), text).unwrap();
    }
    let listed: BTreeSet<Gap> = known.keys().cloned().collect();
    let new: Vec<_> = gaps.difference(&listed).collect();
    let fixed: Vec<_> = listed.difference(&gaps).collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "differences from Istio not in KNOWN_GAPS.tsv: {new:#?}\nlisted but gone (delete \
         their lines): {fixed:#?}"
    );
    let unexplained: Vec<_> = known
        .iter()
        .filter(|(_, why)| *why == "unexplained")
        .collect();
    assert!(unexplained.is_empty(), "give a reason: {unexplained:#?}");
}

#[test]
fn the_converted_suite_is_istios_whole_grid() {
    let cases = cases();
    assert_eq!(cases.len(), 104, "cases in analyzers_test.go's testGrid");
    for case in &cases {
        for input in &case.inputs {
            assert!(suite().join(input).is_file(), "{}: {input}", case.name);
        }
    }
    let expected: usize = cases.iter().map(|c| c.expected.len()).sum();
    assert!(expected > 200, "{expected} distinct expected messages");
}

#[test]
fn the_docs_table_names_each_ist_type_s_meshwright_codes() {
    let mut codes_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (code, counterparts) in istio_counterparts() {
        for ist in counterparts {
            codes_of.entry(ist).or_default().insert(code.clone());
        }
    }
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/istio-analyzers.md"),
    )
    .unwrap();
    let mut rows = BTreeSet::new();
    for line in docs.lines().filter(|l| l.starts_with("| IST")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (ist, status, codes) = (cells[1], cells[5], cells[6]);
        rows.insert(ist.to_string());
        let documented: BTreeSet<String> = if status == "covered" {
            codes.split(", ").map(str::to_string).collect()
        } else {
            BTreeSet::new()
        };
        let explained = codes_of.get(ist).cloned().unwrap_or_default();
        assert_eq!(
            documented, explained,
            "{ist}: the table and `explain` disagree"
        );
    }
    assert!(rows.len() > 60, "{} rows", rows.len());
    for ist in codes_of.keys() {
        assert!(
            rows.contains(ist),
            "{ist} has no row in docs/istio-analyzers.md"
        );
    }
}
