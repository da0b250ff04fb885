//! Just enough of Kubernetes' protobuf encoding to read the bodies kubectl's
//! typed clients send (`kubectl create configmap`, `kubectl create secret
//! generic` post `application/vnd.kubernetes.protobuf` and do not fall back
//! to JSON): the `k8s\0` envelope (`runtime.Unknown`), `ObjectMeta`'s name,
//! namespace, labels and annotations, and the ConfigMap and Secret messages.
//! Everything else is refused with a reason. Never panics (fuzzed).

use base64::Engine;
use serde_json::{json, Map, Value};

const MAGIC: &[u8] = b"k8s\0";

/// A body the lab cannot read as protobuf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProtoError(pub String);

fn err<T>(m: &str) -> Result<T, ProtoError> {
    Err(ProtoError(m.to_string()))
}

/// One field of a message: its number and its payload.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Other,
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn varint(&mut self) -> Result<u64, ProtoError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.buf.get(self.pos) else {
                return err("truncated varint");
            };
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        err("varint too long")
    }

    fn next(&mut self) -> Result<Option<(u64, Field<'a>)>, ProtoError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let (num, wire) = (key >> 3, key & 7);
        let f = match wire {
            0 => Field::Varint(self.varint()?),
            1 => {
                self.skip(8)?;
                Field::Other
            }
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| ProtoError("length too large".into()))?;
                let end = self.pos.checked_add(len).filter(|e| *e <= self.buf.len());
                let Some(end) = end else {
                    return err("truncated field");
                };
                let b = &self.buf[self.pos..end];
                self.pos = end;
                Field::Bytes(b)
            }
            5 => {
                self.skip(4)?;
                Field::Other
            }
            _ => return err("unsupported wire type"),
        };
        Ok(Some((num, f)))
    }

    fn skip(&mut self, n: usize) -> Result<(), ProtoError> {
        if self.buf.len() - self.pos < n {
            return err("truncated field");
        }
        self.pos += n;
        Ok(())
    }
}

fn text(b: &[u8]) -> Result<String, ProtoError> {
    String::from_utf8(b.to_vec()).map_err(|_| ProtoError("a string field is not UTF-8".into()))
}

/// A `map<string, string|bytes>` entry.
fn entry(b: &[u8], bytes_value: bool) -> Result<(String, Value), ProtoError> {
    let mut r = Reader::new(b);
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    while let Some((n, f)) = r.next()? {
        match (n, f) {
            (1, Field::Bytes(x)) => k = text(x)?,
            (2, Field::Bytes(x)) if bytes_value => {
                v = base64::engine::general_purpose::STANDARD.encode(x).into()
            }
            (2, Field::Bytes(x)) => v = text(x)?.into(),
            _ => {}
        }
    }
    Ok((k, v))
}

fn object_meta(b: &[u8]) -> Result<Value, ProtoError> {
    let mut m = Map::new();
    let mut labels = Map::new();
    let mut annotations = Map::new();
    let mut r = Reader::new(b);
    while let Some((n, f)) = r.next()? {
        if let Field::Bytes(x) = f {
            match n {
                1 => {
                    m.insert("name".into(), text(x)?.into());
                }
                2 => {
                    m.insert("generateName".into(), text(x)?.into());
                }
                3 => {
                    m.insert("namespace".into(), text(x)?.into());
                }
                11 => {
                    let (k, v) = entry(x, false)?;
                    labels.insert(k, v);
                }
                12 => {
                    let (k, v) = entry(x, false)?;
                    annotations.insert(k, v);
                }
                _ => {}
            }
        }
    }
    if !labels.is_empty() {
        m.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    Ok(Value::Object(m))
}

/// Reads a protobuf body into the JSON form of the object (ConfigMap and
/// Secret only).
pub fn decode(body: &[u8]) -> Result<Value, ProtoError> {
    let Some(inner) = body.strip_prefix(MAGIC) else {
        return err("not a Kubernetes protobuf body (no k8s\\0 prefix)");
    };
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    let mut r = Reader::new(inner);
    while let Some((n, f)) = r.next()? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                let mut t = Reader::new(tm);
                while let Some((n, f)) = t.next()? {
                    match (n, f) {
                        (1, Field::Bytes(x)) => api_version = text(x)?,
                        (2, Field::Bytes(x)) => kind = text(x)?,
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(x)) => raw = x,
            _ => {}
        }
    }
    let secret = match (api_version.as_str(), kind.as_str()) {
        ("v1", "ConfigMap") => false,
        ("v1", "Secret") => true,
        _ => {
            return Err(ProtoError(format!(
                "the lab reads protobuf bodies only for ConfigMaps and Secrets, not {api_version}/{kind}; use `kubectl apply -f` with YAML"
            )))
        }
    };
    let mut obj = json!({"apiVersion": api_version, "kind": kind});
    let (mut data, mut binary, mut string_data) = (Map::new(), Map::new(), Map::new());
    let mut r = Reader::new(raw);
    while let Some((n, f)) = r.next()? {
        match (secret, n, f) {
            (_, 1, Field::Bytes(x)) => obj["metadata"] = object_meta(x)?,
            (false, 2, Field::Bytes(x)) => {
                let (k, v) = entry(x, false)?;
                data.insert(k, v);
            }
            (false, 3, Field::Bytes(x)) => {
                let (k, v) = entry(x, true)?;
                binary.insert(k, v);
            }
            (true, 2, Field::Bytes(x)) => {
                let (k, v) = entry(x, true)?;
                data.insert(k, v);
            }
            (true, 3, Field::Bytes(x)) => obj["type"] = text(x)?.into(),
            (true, 4, Field::Bytes(x)) => {
                let (k, v) = entry(x, false)?;
                string_data.insert(k, v);
            }
            (false, 4, Field::Varint(v)) | (true, 5, Field::Varint(v)) => {
                obj["immutable"] = (v != 0).into()
            }
            _ => {}
        }
    }
    for (k, m) in [
        ("data", data),
        ("binaryData", binary),
        ("stringData", string_data),
    ] {
        if !m.is_empty() {
            obj[k] = Value::Object(m);
        }
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![((num << 3) | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn reads_a_configmap_as_kubectl_sends_it() {
        let meta = field(1, b"api-config");
        let entry = [field(1, b"LOG_LEVEL"), field(2, b"info")].concat();
        let cm = [field(1, &meta), field(2, &entry)].concat();
        let tm = [field(1, b"v1"), field(2, b"ConfigMap")].concat();
        let body = [MAGIC.to_vec(), field(1, &tm), field(2, &cm)].concat();
        assert_eq!(
            decode(&body).unwrap(),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "api-config"}, "data": {"LOG_LEVEL": "info"}})
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(decode(b"{}").is_err());
        assert!(decode(b"k8s\0\x0a\xff").is_err());
        let tm = [field(1, b"apps/v1"), field(2, b"Deployment")].concat();
        let body = [MAGIC.to_vec(), field(1, &tm)].concat();
        assert!(decode(&body).unwrap_err().0.contains("kubectl apply"));
    }
}
