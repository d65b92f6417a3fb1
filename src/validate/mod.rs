//! The validate pipeline up to the objects: discover roots and loose manifests, render the
//! roots, read the loose files, and turn everything that cannot be read into findings, so
//! one run reports every problem in the repository.
//!
//! What is checked on the objects (schemas, analyzers) is the caller's business: this stage
//! knows nothing of rules or output formats.

pub mod config;
pub mod crds;
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
use crate::kustomize::warning::WarningKind;
use crate::kustomize::{self, Loader, kustomization::Kustomization};
use crate::manifest::{Node, Origin};

/// What one input (a kustomize root or a loose file) yields, kept apart from the others.
#[derive(Debug)]
pub struct Source {
    /// The root directory or loose file.
    pub path: PathBuf,
    pub objects: Vec<Node>,
    pub findings: Vec<Finding>,
}

/// Renders every root and reads every loose file, on every core, keeping each input's
/// objects apart (the policy model groups them per cluster, which it derives from the
/// input's path). Roots share one `Loader`, so a base is parsed once.
pub fn collect_sources(inputs: &Inputs) -> Vec<Source> {
    collect_sources_with(inputs, &Loader::new())
}

/// [`collect_sources`] reading files through `loader`, which may hold files parsed before.
pub fn collect_sources_with(inputs: &Inputs, loader: &Loader) -> Vec<Source> {
    let roots = inputs
        .roots
        .par_iter()
        .map(|root| render_root(root, loader));
    let loose = inputs.loose.par_iter().map(|file| {
        let read = loose::read(file, inputs.named.contains(file));
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
        Ok(rendered) => {
            let mut findings = dangling_after_kustomize::check(&rendered.objects, &rendered.moved);
            findings.extend(rendered.warnings.iter().map(|warning| {
                let code = match warning.kind {
                    WarningKind::PatchMatchesNothing => &codes::PATCH_MATCHES_NOTHING,
                    WarningKind::PatchElementIgnored => &codes::PATCH_ELEMENT_IGNORED,
                };
                Finding::new(
                    code,
                    format!("{}: {}", crate::display::relative(root), warning.message),
                    Some(warning.origin.clone()),
                )
            }));
            Source {
                path: root.to_path_buf(),
                findings,
                objects: rendered.objects,
            }
        }
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

/// How many distinct files `sources` read: where their objects and findings come from.
pub fn files_read<'a>(sources: impl IntoIterator<Item = &'a Source>) -> usize {
    let mut files: BTreeSet<&Path> = BTreeSet::new();
    for source in sources {
        files.extend(source.objects.iter().map(|o| &*o.origin.file));
        files.extend(
            source
                .findings
                .iter()
                .filter_map(|f| f.origin.as_ref().map(|o| &*o.file)),
        );
        if source.path.is_file() {
            files.insert(&source.path);
        }
    }
    files.len()
}
