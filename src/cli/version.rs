//! What `meshwright --version` prints: the version, the git commit and the upstream version
//! of every embedded schema family, recorded at build time by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/build_info.rs"));
