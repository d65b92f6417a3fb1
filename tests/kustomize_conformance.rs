//! kustomize's own test suite, converted (tests/fixtures/krusty, from kubernetes-sigs/kustomize
//! api/krusty): every case is built by `kubectl kustomize` and by meshwright, and the bytes
//! printed must be the same; where kubectl refuses a case, meshwright must refuse it too.
//!
//! Cases meshwright does not match yet are listed, each with why, in KNOWN_GAPS.tsv; a listed
//! case that starts to match fails the test until it is taken off the list, so the list only
//! shrinks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn krusty_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/krusty")
}

struct Case {
    name: String,
    root: PathBuf,
    kubectl_renders: bool,
    source: String,
}

fn cases() -> Vec<Case> {
    let index = std::fs::read_to_string(krusty_dir().join("cases.tsv")).expect("cases.tsv");
    index
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "cases.tsv: {line}");
            Case {
                name: fields[0].to_string(),
                root: krusty_dir().join("cases").join(fields[0]).join(fields[1]),
                kubectl_renders: fields[2] == "renders",
                source: fields[3].to_string(),
            }
        })
        .collect()
}

/// Case name → why meshwright does not match kubectl there yet.
fn known_gaps() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(krusty_dir().join("KNOWN_GAPS.tsv")).unwrap_or_default();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (name, why) = line.split_once('\t').unwrap_or((line, ""));
            (name.to_string(), why.to_string())
        })
        .collect()
}

fn kubectl(root: &Path) -> Result<Vec<u8>, String> {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(root)
        .output()
        .expect("kubectl is the reference renderer; it must be on PATH");
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn ours(root: &Path) -> Result<Vec<u8>, String> {
    meshwright::kustomize::build(root)
        .map(|objects| meshwright::kustomize::emit::to_yaml(&objects).into_bytes())
        .map_err(|e| e.to_string())
}

/// What comparing the two tools on one case found; `None` when they agree.
fn disagreement(
    case: &Case,
    theirs: &Result<Vec<u8>, String>,
    mine: &Result<Vec<u8>, String>,
) -> Option<String> {
    match (theirs, mine) {
        (Ok(expected), Ok(actual)) if expected == actual => None,
        (Ok(expected), Ok(actual)) => Some(first_difference(expected, actual)),
        (Err(_), Err(_)) => None,
        (Ok(_), Err(why)) => Some(format!("meshwright refuses what kubectl renders: {why}")),
        (Err(why), Ok(_)) => Some(format!(
            "meshwright renders what kubectl refuses: {}",
            why.lines().last().unwrap_or_default()
        )),
    }
    .map(|what| format!("{} ({}): {what}", case.name, case.source))
}

fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    format!(
        "output differs from line {}: kubectl `{}`, meshwright `{}`",
        line + 1,
        expected.lines().nth(line).unwrap_or("<end>"),
        actual.lines().nth(line).unwrap_or("<end>")
    )
}

#[test]
fn krusty_cases_render_byte_for_byte_like_kubectl_kustomize() {
    let cases = cases();
    assert!(cases.len() >= 200, "only {} converted cases", cases.len());
    let gaps = known_gaps();
    let next = Mutex::new(0usize);
    let results = Mutex::new(Vec::new());
    let times = Mutex::new((Duration::ZERO, Duration::ZERO));
    std::thread::scope(|scope| {
        for _ in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some(case) = cases.get(index) else { break };
                    let start = Instant::now();
                    let theirs = kubectl(&case.root);
                    let kubectl_time = start.elapsed();
                    let start = Instant::now();
                    let mine = ours(&case.root);
                    let our_time = start.elapsed();
                    {
                        let mut times = times.lock().unwrap();
                        times.0 += kubectl_time;
                        times.1 += our_time;
                    }
                    assert_eq!(
                        theirs.is_ok(),
                        case.kubectl_renders,
                        "{}: kubectl no longer does what cases.tsv records",
                        case.name
                    );
                    results
                        .lock()
                        .unwrap()
                        .push((index, disagreement(case, &theirs, &mine)));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(index, _)| *index);
    let mut unexpected = Vec::new();
    let mut now_matching = Vec::new();
    let mut identical = 0;
    for ((_, found), case) in results.iter().zip(&cases) {
        match (found, gaps.contains_key(&case.name)) {
            (None, false) => identical += 1,
            (None, true) => now_matching.push(case.name.clone()),
            (Some(what), false) => unexpected.push(what.clone()),
            (Some(_), true) => {}
        }
    }
    let (kubectl_time, our_time) = times.into_inner().unwrap();
    println!(
        "{identical} of {} krusty cases identical to kubectl kustomize ({} known gaps); \
         kubectl {:.2} s, meshwright {:.2} s",
        cases.len(),
        gaps.len(),
        kubectl_time.as_secs_f64(),
        our_time.as_secs_f64()
    );
    let stale: Vec<&String> = gaps
        .keys()
        .filter(|name| !cases.iter().any(|c| &c.name == *name))
        .collect();
    assert!(
        stale.is_empty(),
        "KNOWN_GAPS.tsv names cases that do not exist: {stale:?}"
    );
    assert!(
        now_matching.is_empty(),
        "these cases now match kubectl; take them off KNOWN_GAPS.tsv: {now_matching:?}"
    );
    assert!(
        unexpected.is_empty(),
        "{} cases differ from kubectl kustomize:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
