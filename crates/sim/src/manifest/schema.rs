//! Which fields each kind has, read from the k8s-openapi types themselves,
//! and the suggestions built on that for an unknown field: the level where a
//! misplaced field belongs, or a close spelling.
//!
//! The field list comes from a probing deserializer: every k8s-openapi type
//! names its fields when it asks to be deserialized as a struct, so feeding
//! each type a value that has every field it asks for walks the whole schema
//! once per kind. Nothing here is written by hand, so it cannot drift from
//! the types the documents are read into.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::de::value::{Error, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::path::FieldPath;
use super::{Object, KINDS};

/// Deepest field path probed; the kinds kubeprep reads are far shallower.
const PROBE_DEPTH: usize = 40;

/// Every field path of every kind, in schema form (`spec.template.spec.containers[].image`).
fn catalogue() -> &'static HashMap<&'static str, Vec<String>> {
    static CATALOGUE: OnceLock<HashMap<&'static str, Vec<String>>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        KINDS
            .iter()
            .map(|&(api_version, kind)| (kind, fields_of(api_version, kind)))
            .collect()
    })
}

/// The field paths of `kind`, in schema form.
pub fn fields(kind: &str) -> &'static [String] {
    catalogue().get(kind).map(Vec::as_slice).unwrap_or(&[])
}

fn fields_of(api_version: &'static str, kind: &'static str) -> Vec<String> {
    let out = RefCell::new(Vec::new());
    let probe = Probe {
        path: "",
        depth: 0,
        out: &out,
        api_version,
        kind,
        time: false,
    };
    // The probe only collects names; a type that still refuses the probe
    // value leaves its remaining fields out, which only weakens suggestions.
    let _ = Object::probe(kind, probe);
    let mut v = out.into_inner();
    v.sort();
    v.dedup();
    v
}

/// A hint for an unknown field at `path` of a `kind` object.
pub fn suggest(kind: &str, path: &FieldPath) -> Option<String> {
    let key = path.last_key()?;
    let full = path.schema();
    let parent = match full.len().checked_sub(key.len() + 1) {
        Some(n) => &full[..n],
        None => "",
    };
    let fields = fields(kind);
    let here = if parent.is_empty() {
        "the object".to_string()
    } else {
        format!("`{parent}`")
    };
    // The same name at another level of the object.
    if let Some(elsewhere) = best_elsewhere(fields, &full, key) {
        return Some(format!(
            "`{key}` is not a field of {here}; it belongs at `{elsewhere}`"
        ));
    }
    // A close spelling among the fields at this level.
    let siblings = fields.iter().filter_map(|f| {
        let (p, name) = f.rsplit_once('.').unwrap_or(("", f.as_str()));
        (p == parent).then_some(name)
    });
    if let Some(near) = closest(key, siblings) {
        return Some(format!("did you mean `{near}`?"));
    }
    // A close spelling of a field at another level.
    let names = fields
        .iter()
        .map(|f| f.rsplit_once('.').map_or(f.as_str(), |(_, n)| n));
    if let Some(near) = closest(key, names) {
        if let Some(elsewhere) = best_elsewhere(fields, &full, near) {
            return Some(format!(
                "did you mean `{near}`? it belongs at `{elsewhere}`"
            ));
        }
    }
    None
}

/// The path of a field named `key` that shares the longest prefix with `full`.
fn best_elsewhere<'a>(fields: &'a [String], full: &str, key: &str) -> Option<&'a str> {
    fields
        .iter()
        .filter(|f| f.as_str() != full)
        .filter(|f| f.rsplit_once('.').map_or(f.as_str(), |(_, n)| n) == key)
        .max_by_key(|f| {
            let common = f
                .bytes()
                .zip(full.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            (common, std::cmp::Reverse(f.len()))
        })
        .map(String::as_str)
}

/// The candidate closest to `word` in spelling, if close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    // No field or kind name is this long; spare the quadratic distance.
    if word.len() > 64 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .filter(|c| *c != word && *c != "*" && !c.ends_with("[]"))
        .map(|c| {
            let d = if c.to_ascii_lowercase() == lower {
                0
            } else {
                levenshtein(&lower, &c.to_ascii_lowercase())
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// A deserializer that answers every request with a value of the requested
/// shape, recording the struct fields it is asked for.
#[derive(Clone, Copy)]
pub(super) struct Probe<'a> {
    path: &'a str,
    depth: usize,
    out: &'a RefCell<Vec<String>>,
    api_version: &'static str,
    kind: &'static str,
    time: bool,
}

impl<'a> Probe<'a> {
    fn child<'c>(&self, path: &'c str) -> Probe<'c>
    where
        'a: 'c,
    {
        Probe {
            path,
            depth: self.depth + 1,
            time: false,
            ..*self
        }
    }
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        // IntOrString and Quantity ask for "anything": an integer suits both.
        v.visit_i64(0)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_bool(false)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(0)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(0)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(0.0)
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let s = match self.path {
            "apiVersion" => self.api_version,
            "kind" => self.kind,
            _ if self.time => "2000-01-01T00:00:00Z",
            _ => "",
        };
        v.visit_str(s)
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_some(self)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        let time = matches!(name, "Time" | "MicroTime");
        v.visit_newtype_struct(Probe { time, ..self })
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let path = format!("{}[]", self.path);
        v.visit_seq(One {
            probe: self,
            path: &path,
            done: false,
            key: None,
        })
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let path = join(self.path, "*");
        v.visit_map(One {
            probe: self,
            path: &path,
            done: false,
            key: Some("*"),
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        if self.depth > PROBE_DEPTH {
            return Err(de::Error::custom("probe too deep"));
        }
        let paths: Vec<String> = fields.iter().map(|f| join(self.path, f)).collect();
        self.out.borrow_mut().extend(paths.iter().cloned());
        v.visit_map(Fields {
            probe: self,
            fields,
            paths: &paths,
            next: 0,
        })
    }
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    forward_to_deserialize_any! {
        i8 i16 u8 u16 u32 f32 char bytes byte_buf unit_struct tuple
        tuple_struct enum identifier i128 u128
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// A list of one element, or a map of one entry.
struct One<'a, 'b> {
    probe: Probe<'a>,
    path: &'b str,
    done: bool,
    key: Option<&'static str>,
}

impl<'de> SeqAccess<'de> for One<'_, '_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        seed.deserialize(self.probe.child(self.path)).map(Some)
    }
}

impl<'de> MapAccess<'de> for One<'_, '_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        let key: StrDeserializer<Error> = self.key.unwrap_or("*").into_deserializer();
        seed.deserialize(key).map(Some)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.probe.child(self.path))
    }
}

/// A struct with every field it names.
struct Fields<'a, 'b> {
    probe: Probe<'a>,
    fields: &'static [&'static str],
    paths: &'b [String],
    next: usize,
}

impl<'de> MapAccess<'de> for Fields<'_, '_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        // An embedded resource (a StatefulSet's PVC templates) checks its
        // apiVersion and kind against its own; leave them out below the root.
        while self.probe.depth > 0
            && matches!(self.fields.get(self.next), Some(&("apiVersion" | "kind")))
        {
            self.next += 1;
        }
        let Some(name) = self.fields.get(self.next) else {
            return Ok(None);
        };
        let key: StrDeserializer<Error> = (*name).into_deserializer();
        seed.deserialize(key).map(Some)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let i = self.next;
        self.next += 1;
        seed.deserialize(self.probe.child(&self.paths[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_walks_the_whole_schema() {
        let d = fields("Deployment");
        for want in [
            "spec.minReadySeconds",
            "spec.strategy.rollingUpdate.maxSurge",
            "spec.template.spec.containers[].readinessProbe.httpGet.port",
            "spec.template.spec.terminationGracePeriodSeconds",
            "spec.template.metadata.labels",
            "status.conditions[].lastUpdateTime",
        ] {
            assert!(d.iter().any(|f| f == want), "{want} missing");
        }
        let s = fields("StatefulSet");
        assert!(s
            .iter()
            .any(|f| f == "spec.volumeClaimTemplates[].spec.resources.requests"));
        assert!(fields("Secret").iter().any(|f| f == "type"));
        assert!(fields("HorizontalPodAutoscaler")
            .iter()
            .any(|f| f == "spec.behavior.scaleDown.policies[].periodSeconds"));
    }

    #[track_caller]
    fn check(kind: &str, path: &str, want: Option<&str>) {
        let p = FieldPath::parse(path).unwrap();
        assert_eq!(suggest(kind, &p).as_deref(), want, "{kind} {path}");
    }

    #[test]
    fn suggestions() {
        check(
            "Deployment",
            "spec.template.spec.minReadySeconds",
            Some("`minReadySeconds` is not a field of `spec.template.spec`; it belongs at `spec.minReadySeconds`"),
        );
        check(
            "Deployment",
            "spec.maxSurge",
            Some("`maxSurge` is not a field of `spec`; it belongs at `spec.strategy.rollingUpdate.maxSurge`"),
        );
        check(
            "Deployment",
            "spec.template.spec.containers[0].readynessProbe",
            Some("did you mean `readinessProbe`?"),
        );
        check(
            "Deployment",
            "spec.template.spec.minReadySecond",
            Some("did you mean `minReadySeconds`? it belongs at `spec.minReadySeconds`"),
        );
        check("Deployment", "spec.frobnicate", None);
    }

    #[test]
    fn spelling_distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(
            closest("replica", ["replicas", "paused"].into_iter()),
            Some("replicas")
        );
        assert_eq!(closest("xyz", ["replicas"].into_iter()), None);
    }
}
