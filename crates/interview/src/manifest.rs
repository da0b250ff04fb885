//! Finding the Kubernetes manifest in an answer: a fenced ```yaml block, or
//! lines of YAML that start with `apiVersion:` or `kind:`. Not for: reading
//! the manifest (the simulator's parser does that) or judging it.

/// The manifest text in `answer`, if the answer holds one.
pub fn extract(answer: &str) -> Option<String> {
    fenced(answer).or_else(|| bare(answer))
}

/// Fenced blocks (```yaml, ```yml, ```json or a bare ```) that look like manifests, joined as documents.
fn fenced(answer: &str) -> Option<String> {
    let mut docs = Vec::new();
    let mut lines = answer.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        let Some(lang) = t.strip_prefix("```") else {
            continue;
        };
        let lang = lang.trim().to_ascii_lowercase();
        let block: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.trim_start().starts_with("```"))
            .collect();
        let text = block.join("\n");
        if matches!(lang.as_str(), "yaml" | "yml" | "json" | "") && looks_like_manifest(&text) {
            docs.push(text);
        }
    }
    (!docs.is_empty()).then(|| docs.join("\n---\n"))
}

/// Unfenced YAML: from a line starting `apiVersion:`/`kind:` (or `---`) to the
/// last line that still reads as YAML (indented, a key, a list item, blank or `---`).
fn bare(answer: &str) -> Option<String> {
    let lines: Vec<&str> = answer.lines().collect();
    let start = lines.iter().position(|l| is_doc_start(l))?;
    let mut end = start;
    for (i, l) in lines.iter().enumerate().skip(start) {
        if is_yaml_line(l) {
            if !l.trim().is_empty() {
                end = i;
            }
        } else {
            break;
        }
    }
    let text = lines[start..=end].join("\n");
    looks_like_manifest(&text).then_some(text)
}

fn is_doc_start(line: &str) -> bool {
    line.starts_with("apiVersion:") || line.starts_with("kind:")
}

fn is_yaml_line(line: &str) -> bool {
    let t = line.trim_end();
    if t.is_empty() || t == "---" || t.starts_with(' ') || t.starts_with("- ") || t.starts_with('#')
    {
        return true;
    }
    // `key:` or `key: value` with a key that has no spaces.
    match t.split_once(':') {
        Some((key, rest)) => {
            !key.is_empty()
                && !key.contains(char::is_whitespace)
                && (rest.is_empty() || rest.starts_with(' '))
        }
        None => false,
    }
}

fn looks_like_manifest(text: &str) -> bool {
    let has = |k: &str| {
        text.lines().any(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with(k) || t.starts_with(&format!("\"{}\"", k.trim_end_matches(':')))
        })
    };
    has("kind:") && has("apiVersion:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_yaml_is_found_and_prose_around_it_is_not() {
        let a = "I would use this:\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n```\nand then watch it.";
        assert_eq!(
            extract(a).as_deref(),
            Some("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x")
        );
    }

    #[test]
    fn bare_yaml_runs_until_prose_resumes() {
        let a = "Here it is.\napiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 6\n\n---\napiVersion: v1\nkind: Service\nThat should do it.";
        assert_eq!(
            extract(a).as_deref(),
            Some("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 6\n\n---\napiVersion: v1\nkind: Service")
        );
    }

    #[test]
    fn answers_without_a_manifest_have_none() {
        assert_eq!(
            extract("I would set maxUnavailable: 0 and maxSurge: 2."),
            None
        );
        assert_eq!(extract("```\nkubectl rollout undo deployment/x\n```"), None);
        assert_eq!(
            extract("kind: of a rolling update, with apiVersion: none"),
            None
        );
    }
}
