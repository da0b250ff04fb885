//! Field paths such as `spec.template.spec.containers[0].image`, as the API
//! server writes them: keys joined by dots, list indices in brackets, and map
//! keys that contain a dot or slash in brackets (`metadata.labels[app.kubernetes.io/name]`).

use std::fmt;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A field path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// Parses a written path; `None` when it is malformed.
    pub fn parse(text: &str) -> Option<FieldPath> {
        let mut out = Vec::new();
        let mut rest = text;
        let mut need_key = true;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                let inner = &r[..end];
                match inner.parse::<usize>() {
                    Ok(i) => out.push(Segment::Index(i)),
                    Err(_) => out.push(Segment::Key(inner.to_string())),
                }
                rest = &r[end + 1..];
                need_key = false;
            } else if let Some(r) = rest.strip_prefix('.') {
                if need_key {
                    return None;
                }
                rest = r;
                need_key = true;
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                if end == 0 {
                    return None;
                }
                out.push(Segment::Key(rest[..end].to_string()));
                rest = &rest[end..];
                need_key = false;
            }
        }
        Some(FieldPath(out))
    }

    /// This path with a key appended.
    pub fn key(&self, k: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(k.to_string()));
        p
    }

    /// This path with an index appended.
    pub fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(i));
        p
    }

    /// The schema form: indices become `[]`, so paths of one field compare equal.
    pub fn schema(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Segment::Index(_) => s.push_str("[]"),
            }
        }
        s
    }

    /// The last key, if the path ends in one.
    pub fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Segment::Key(k)) => Some(k),
            _ => None,
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if k.contains(['.', '/', '[', ']']) || k.is_empty() => {
                    write!(f, "[{k}]")?
                }
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn round_trip(text: &str) {
        let p = FieldPath::parse(text).unwrap();
        assert_eq!(p.to_string(), text);
    }

    #[test]
    fn paths_round_trip() {
        round_trip("spec.template.spec.containers[0].image");
        round_trip("metadata.labels[app.kubernetes.io/name]");
        round_trip("items[3]");
        round_trip("spec");
    }

    #[test]
    fn malformed_paths_are_none() {
        assert_eq!(FieldPath::parse("a..b"), None);
        assert_eq!(FieldPath::parse(".a"), None);
        assert_eq!(FieldPath::parse("a[0"), None);
    }

    #[test]
    fn schema_form_drops_indices() {
        let p = FieldPath::parse("spec.containers[2].ports[0].name").unwrap();
        assert_eq!(p.schema(), "spec.containers[].ports[].name");
    }
}
