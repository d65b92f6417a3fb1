//! The whole `validate` job, from paths to findings: discover and render the inputs, check
//! every object against its schema, build each cluster's policy model and run the
//! analyzers, then apply suppressions. The CLI only parses flags and prints the outcome.
//!
//! Given changed files (pre-commit), only the roots reading them are rendered and
//! schema-checked; the analyzers still need whole clusters (a selector may match a
//! workload in another root), so they read the whole tree and only their findings in the
//! files those roots read are kept.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::analyze;
use crate::findings::{self, Finding};
use crate::policy;
use crate::schema::{Options, Registry};
use crate::validate::suppress::Suppressions;
use crate::validate::{DiscoverError, Source, collect_sources, discover, files_read};

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
pub fn check(
    paths: &[PathBuf],
    registry: &Registry,
    options: &Options,
    mut suppressions: Suppressions,
) -> Result<Outcome, DiscoverError> {
    let sources = collect_sources(&discover(paths)?);
    let files = files_read(&sources);
    let objects = sources.iter().map(|s| s.objects.len()).sum();
    let mut all: Vec<Finding> = sources
        .par_iter()
        .flat_map_iter(|source| {
            let mut found = source.findings.clone();
            found.extend(registry.validate_all(&source.objects, options));
            found
        })
        .collect();
    for source in &sources {
        suppressions.learn_annotations(&source.objects);
    }
    all.extend(analyzer_findings(paths, sources)?);
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

/// The analyzers' findings: over `sources` when whole directories were given, else over
/// the whole tree, kept to the files `sources` read.
fn analyzer_findings(
    paths: &[PathBuf],
    sources: Vec<Source>,
) -> Result<Vec<Finding>, DiscoverError> {
    let changed_files = paths.iter().any(|p| p.is_file());
    if !changed_files {
        return Ok(analyze::run(&policy::group(paths, sources, None)));
    }
    let read: BTreeSet<Arc<Path>> = sources
        .iter()
        .flat_map(|s| s.objects.iter().map(|o| o.origin.file.clone()))
        .collect();
    let whole = policy::load(&[], None)?;
    Ok(analyze::run(&whole)
        .into_iter()
        .filter(|f| f.origin.as_ref().is_some_and(|o| read.contains(&o.file)))
        .collect())
}
