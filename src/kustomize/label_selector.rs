//! Kubernetes label selector strings (`app=web,tier!=db,env in (a,b),!legacy`), as
//! replacement targets use them for labels and annotations.

use regex::Regex;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// A parsed selector: every requirement must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let set = Regex::new(r"^(\S+)\s+(in|notin)\s+\(([^)]*)\)$").expect("valid pattern");
        split_requirements(text)
            .into_iter()
            .map(|part| {
                let part = part.trim();
                if let Some(caps) = set.captures(part) {
                    let values = caps[3].split(',').map(|v| v.trim().to_string()).collect();
                    let key = caps[1].to_string();
                    return Ok(if &caps[2] == "in" {
                        Requirement::In(key, values)
                    } else {
                        Requirement::NotIn(key, values)
                    });
                }
                if let Some((key, value)) = part.split_once("!=") {
                    return Ok(Requirement::NotEquals(
                        key.trim().into(),
                        value.trim().into(),
                    ));
                }
                if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
                    return Ok(Requirement::Equals(key.trim().into(), value.trim().into()));
                }
                if let Some(key) = part.strip_prefix('!') {
                    return Ok(Requirement::Absent(key.trim().into()));
                }
                if part.is_empty() || part.contains(char::is_whitespace) {
                    return Err(format!("cannot read selector requirement `{part}`"));
                }
                Ok(Requirement::Exists(part.into()))
            })
            .collect::<Result<_, _>>()
            .map(LabelSelector)
    }

    /// Whether `labels` (key, value pairs) satisfy every requirement.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |key: &str| {
            labels
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        self.0.iter().all(|requirement| match requirement {
            Requirement::Equals(key, value) => get(key) == Some(value),
            Requirement::NotEquals(key, value) => get(key) != Some(value),
            Requirement::In(key, values) => get(key).is_some_and(|v| values.iter().any(|x| x == v)),
            Requirement::NotIn(key, values) => {
                !get(key).is_some_and(|v| values.iter().any(|x| x == v))
            }
            Requirement::Exists(key) => get(key).is_some(),
            Requirement::Absent(key) => get(key).is_none(),
        })
    }
}

/// Splits at commas outside parentheses.
fn split_requirements(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_combine() {
        let labels = vec![
            ("app".to_string(), "web".to_string()),
            ("env".to_string(), "prod".to_string()),
        ];
        let holds = |s: &str| LabelSelector::parse(s).unwrap().matches(&labels);
        assert!(holds("app=web"));
        assert!(holds("app==web,env in (dev, prod)"));
        assert!(holds("tier!=db,!legacy,env"));
        assert!(!holds("env notin (prod)"));
        assert!(!holds("app=web,tier"));
        assert!(LabelSelector::parse("a b").is_err());
    }
}
