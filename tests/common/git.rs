//! A repository driven with the real `git` CLI, for tests that read revisions: files
//! written, committed on branches, with the user's and system's git configuration kept out.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Git {
    pub dir: PathBuf,
}

impl Git {
    /// `git init` in `dir` (created if missing), on branch `main`.
    pub fn init(dir: &Path) -> Git {
        std::fs::create_dir_all(dir).expect("mkdir");
        let git = Git {
            dir: dir.to_path_buf(),
        };
        git.run(&["init", "-q", "-b", "main"]);
        git
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Runs git with `args` in the repository; its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).expect("utf-8")
    }

    pub fn write(&self, file: &str, text: &str) {
        let path = self.dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file)).expect("read")
    }

    /// Commits every change in the working tree.
    pub fn commit(&self, message: &str) {
        self.run(&["add", "-A"]);
        self.run(&["commit", "-q", "-m", message]);
    }

    /// Creates `branch` from the current one, commits `edit` on it, and checks the current
    /// branch out again.
    pub fn branch(&self, branch: &str, edit: impl FnOnce(&Git)) {
        let current = self.run(&["rev-parse", "--abbrev-ref", "HEAD"]);
        self.run(&["checkout", "-q", "-b", branch]);
        edit(self);
        self.commit(branch);
        self.run(&["checkout", "-q", current.trim()]);
    }

    /// The commit id of `revision`.
    pub fn rev(&self, revision: &str) -> String {
        self.run(&["rev-parse", revision]).trim().to_string()
    }
}
