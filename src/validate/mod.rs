//! The validate pipeline up to the objects: discover roots and loose manifests, render the
//! roots, read the loose files, and turn everything that cannot be read into findings, so
//! one run reports every problem in the repository.
//!
//! What is checked on the objects (schemas, analyzers) is the caller's business: this stage
//! knows nothing of rules or output formats.

pub mod discover;
pub mod loose;
pub mod suppress;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use discover::{DiscoverError, Inputs, discover};

use crate::analyze::dangling_after_kustomize;
use crate::findings::{Finding, codes};
use crate::kustomize::{self, Loader, kustomization::Kustomization};
use crate::manifest::{Node, Origin};

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Collected {
    /// Rendered and loose objects, each with its origin.
    pub objects: Vec<Node>,
    /// Problems reading or rendering the inputs.
    pub findings: Vec<Finding>,
    /// Distinct files the objects and findings came from.
    pub files: usize,
}

/// What one input (a kustomize root or a loose file) yields, kept apart from the others.
#[derive(Debug)]
pub struct Source {
    /// The root directory or loose file.
    pub path: PathBuf,
    pub objects: Vec<Node>,
    pub findings: Vec<Finding>,
}

/// Renders every root and reads every loose file, on every core.
pub fn collect(inputs: &Inputs) -> Collected {
    let mut collected = Collected::default();
    let mut files: BTreeSet<Arc<Path>> = BTreeSet::new();
    for source in collect_sources(inputs) {
        files.extend(source.objects.iter().map(|o| o.origin.file.clone()));
        files.extend(
            source
                .findings
                .iter()
                .filter_map(|f| f.origin.as_ref().map(|o| o.file.clone())),
        );
        collected.objects.extend(source.objects);
        collected.findings.extend(source.findings);
    }
    files.extend(inputs.loose.iter().map(|p| Arc::from(p.as_path())));
    collected.files = files.len();
    collected
}

/// Like [`collect`], but keeps each input's objects apart (the policy model groups them per
/// cluster, which it derives from the input's path). Roots share one `Loader`.
pub fn collect_sources(inputs: &Inputs) -> Vec<Source> {
    let loader = Loader::new();
    let roots = inputs
        .roots
        .par_iter()
        .map(|root| render_root(root, &loader));
    let loose = inputs.loose.par_iter().map(|file| {
        let read = loose::read(file);
        Source {
            path: file.clone(),
            objects: read.objects,
            findings: read.findings,
        }
    });
    roots.chain(loose).collect()
}

fn render_root(root: &Path, loader: &Loader) -> Source {
    match kustomize::build_with(root, loader) {
        Ok(rendered) => Source {
            path: root.to_path_buf(),
            findings: dangling_after_kustomize::check(&rendered.objects, &rendered.moved),
            objects: rendered.objects,
        },
        Err(error) => {
            let origin = error.origin.clone().or_else(|| {
                Kustomization::find(root).map(|file| Origin::new(Arc::from(file.as_path()), 1, 1))
            });
            Source {
                path: root.to_path_buf(),
                objects: Vec::new(),
                findings: vec![Finding::new(
                    &codes::KUSTOMIZE_BUILD_FAILED,
                    format!("{}: {}", crate::display::relative(root), error.message),
                    origin,
                )],
            }
        }
    }
}
