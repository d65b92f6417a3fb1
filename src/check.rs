//! The whole `validate` job, from paths to findings: discover and render the inputs, check
//! every object against its schema, build each cluster's policy model and run the
//! analyzers, then apply suppressions. The CLI only parses flags and prints the outcome.
//!
//! Given changed files (pre-commit), only the roots reading them are schema-checked and
//! reported; the analyzers still need whole clusters (a selector may match a workload in
//! another root), so the whole tree is rendered once and only analyzer findings in the
//! files those roots read are kept.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::analyze;
use crate::findings::{self, Finding};
use crate::policy;
use crate::schema::{Options, Registry};
use crate::validate::crds::add_repository_crds;
use crate::validate::suppress::Suppressions;
use crate::validate::{DiscoverError, Inputs, Source, collect_sources, discover, files_read};

/// What a validate run found.
pub struct Outcome {
    /// Findings to show, sorted and deduplicated.
    pub findings: Vec<Finding>,
    /// How many findings suppressions hid.
    pub suppressed: usize,
    pub files: usize,
    pub objects: usize,
}

/// Validates everything `paths` stand for (see `validate::discover`).
/// `registry` gains the CRDs the repository itself carries (see `validate::crds`).
pub fn check(
    paths: &[PathBuf],
    mut registry: Registry,
    options: &Options,
    mut suppressions: Suppressions,
) -> Result<Outcome, DiscoverError> {
    let (sources, checked) = read(paths)?;
    let crd_findings = add_repository_crds(&mut registry, &sources);
    let checked_sources: Vec<&Source> = checked.iter().map(|&i| &sources[i]).collect();
    let files = files_read(checked_sources.iter().copied());
    let objects = checked_sources.iter().map(|s| s.objects.len()).sum();
    let mut all: Vec<Finding> = checked_sources
        .par_iter()
        .flat_map_iter(|source| {
            let mut found = source.findings.clone();
            found.extend(registry.validate_all(&source.objects, options));
            found
        })
        .collect();
    let read_files: BTreeSet<Arc<Path>> = checked_sources
        .iter()
        .flat_map(|s| s.objects.iter().map(|o| o.origin.file.clone()))
        .collect();
    let everything_checked = checked.len() == sources.len();
    for source in &sources {
        suppressions.learn_annotations(&source.objects);
    }
    let analyzed = analyze::run(&policy::group(paths, sources, None));
    // Analyzer and CRD findings are kept to the files the checked inputs read.
    all.extend(analyzed.into_iter().chain(crd_findings).filter(|f| {
        everything_checked
            || f.origin
                .as_ref()
                .is_some_and(|o| read_files.contains(&o.file))
    }));
    let (suppressed, mut shown): (Vec<Finding>, Vec<Finding>) =
        all.into_iter().partition(|f| suppressions.suppresses(f));
    findings::sort(&mut shown);
    shown.dedup();
    Ok(Outcome {
        findings: shown,
        suppressed: suppressed.len(),
        files,
        objects,
    })
}

/// Every input to render, and the indices of those to check. For directories they are
/// the same. For changed files the analyzers still need whole clusters, so the trees of
/// the changed files (their Git repositories) are rendered once and only the inputs the
/// files affect are checked.
fn read(paths: &[PathBuf]) -> Result<(Vec<Source>, Vec<usize>), DiscoverError> {
    let inputs = discover(paths)?;
    let Some(scope) = &inputs.scope else {
        let sources = collect_sources(&inputs);
        let all = (0..sources.len()).collect();
        return Ok((sources, all));
    };
    let everything = Inputs {
        roots: scope.roots.clone(),
        loose: scope.loose.clone(),
        named: inputs.named.clone(),
        scope: None,
    };
    let mut sources = collect_sources(&everything);
    let rendered: BTreeSet<PathBuf> = sources.iter().map(|s| s.path.clone()).collect();
    // Changed files the walk leaves out (ignored by .gitignore, hidden): read them too.
    let left_out = Inputs {
        roots: inputs
            .roots
            .iter()
            .filter(|r| !rendered.contains(*r))
            .cloned()
            .collect(),
        loose: inputs
            .loose
            .iter()
            .filter(|l| !rendered.contains(*l))
            .cloned()
            .collect(),
        named: inputs.named.clone(),
        scope: None,
    };
    sources.extend(collect_sources(&left_out));
    let wanted: BTreeSet<&PathBuf> = inputs.roots.iter().chain(&inputs.loose).collect();
    let checked = (0..sources.len())
        .filter(|&i| wanted.contains(&sources[i].path))
        .collect();
    Ok((sources, checked))
}
