//! Mesh-aware analyzers: checks on rendered objects that schemas cannot express. One file
//! per rule, each with its code (see `findings::codes`) and its own tests.

pub mod dangling_after_kustomize;
