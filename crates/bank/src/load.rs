//! Reading pack files from a folder or from the copy embedded at build time.
//!
//! Parsing only; cross-file checks are in `validate.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};

use crate::error::{PackError, PackErrors};
use crate::schema::{Lab, PackFile, QuestionsFile, Scenario};
use crate::{lab, scenario, validate, Pack};

static KUBERNETES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../packs/kubernetes");

/// A pack's files as (relative path, text), `pack.yaml` first, questions sorted by name;
/// scenarios apart, sorted by name.
pub(crate) struct Sources {
    pub files: Vec<(String, String)>,
    pub scenarios: Vec<(String, String)>,
    pub labs: Vec<(String, String)>,
}

/// The YAML files of embedded folder `name`, as (relative path, text), sorted.
fn embedded_dir(name: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = KUBERNETES
        .get_dir(name)
        .map(|dir| {
            dir.files()
                .filter(|f| {
                    f.path()
                        .extension()
                        .is_some_and(|e| e == "yaml" || e == "yml")
                })
                .map(|f| {
                    (
                        f.path().to_string_lossy().into_owned(),
                        f.contents_utf8().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

pub(crate) fn embedded() -> Result<Pack, PackErrors> {
    let mut files = Vec::new();
    if let Some(f) = KUBERNETES.get_file("pack.yaml") {
        files.push((
            "pack.yaml".to_string(),
            f.contents_utf8().unwrap_or_default().to_string(),
        ));
    }
    files.extend(embedded_dir("questions"));
    let scenarios = embedded_dir("scenarios");
    let labs = embedded_dir("labs");
    parse(Sources {
        files,
        scenarios,
        labs,
    })
}

pub(crate) fn from_dir(dir: &Path) -> Result<Pack, PackErrors> {
    let io = |file: &Path, e: std::io::Error| {
        PackErrors(vec![PackError::Io {
            file: file.display().to_string(),
            reason: e.to_string(),
        }])
    };
    let pack_yaml = dir.join("pack.yaml");
    let text = std::fs::read_to_string(&pack_yaml).map_err(|e| io(&pack_yaml, e))?;
    let mut files = vec![("pack.yaml".to_string(), text)];
    let qdir = dir.join("questions");
    let mut qs = Vec::new();
    if qdir.is_dir() {
        for entry in std::fs::read_dir(&qdir).map_err(|e| io(&qdir, e))? {
            let path = entry.map_err(|e| io(&qdir, e))?.path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                let name = format!(
                    "questions/{}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                );
                qs.push((name, text));
            }
        }
    }
    qs.sort();
    files.extend(qs);
    let mut scenarios = Vec::new();
    let sdir = dir.join("scenarios");
    if sdir.is_dir() {
        for entry in std::fs::read_dir(&sdir).map_err(|e| io(&sdir, e))? {
            let path = entry.map_err(|e| io(&sdir, e))?.path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                let name = format!(
                    "scenarios/{}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                );
                scenarios.push((name, text));
            }
        }
    }
    scenarios.sort();
    let mut labs = Vec::new();
    let ldir = dir.join("labs");
    if ldir.is_dir() {
        for entry in std::fs::read_dir(&ldir).map_err(|e| io(&ldir, e))? {
            let path = entry.map_err(|e| io(&ldir, e))?.path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                let name = format!(
                    "labs/{}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                );
                labs.push((name, text));
            }
        }
    }
    labs.sort();
    parse(Sources {
        files,
        scenarios,
        labs,
    })
}

fn syntax(file: &str, e: &serde_norway::Error) -> PackError {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    // serde_norway appends " at line L column C"; the location is already in front.
    let mut reason = e.to_string();
    if let Some(i) = reason.find(" at line ") {
        reason.truncate(i);
    }
    PackError::Syntax {
        file: file.to_string(),
        line,
        column,
        reason,
    }
}

fn parse(mut sources: Sources) -> Result<Pack, PackErrors> {
    let mut errors = Vec::new();
    let mut files = std::mem::take(&mut sources.files).into_iter();
    let Some((pack_name, pack_text)) = files.next() else {
        return Err(PackErrors(vec![PackError::Io {
            file: "pack.yaml".into(),
            reason: "not found".into(),
        }]));
    };
    let pack: Option<PackFile> = match serde_norway::from_str(&pack_text) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(syntax(&pack_name, &e));
            None
        }
    };
    let mut parsed: Vec<(String, String, QuestionsFile)> = Vec::new();
    for (name, text) in files {
        match serde_norway::from_str::<QuestionsFile>(&text) {
            Ok(q) => parsed.push((name, text, q)),
            Err(e) => errors.push(syntax(&name, &e)),
        }
    }
    let Some(pack) = pack else {
        return Err(PackErrors(errors));
    };
    let texts: BTreeMap<String, String> = std::iter::once((pack_name.clone(), pack_text))
        .chain(parsed.iter().map(|(n, t, _)| (n.clone(), t.clone())))
        .collect();
    let mut scenarios = Vec::new();
    for (name, text) in &sources.scenarios {
        match serde_norway::from_str::<Scenario>(text) {
            Ok(s) => scenarios.push((name.clone(), s)),
            Err(e) => errors.push(syntax(name, &e)),
        }
    }
    let mut assembled = validate::assemble(&pack_name, pack, parsed, &texts, &mut errors);
    let scenario_texts: BTreeMap<String, String> = sources.scenarios.into_iter().collect();
    assembled.scenarios = scenario::validate(&assembled, scenarios, &scenario_texts, &mut errors);
    let mut labs = Vec::new();
    for (name, text) in &sources.labs {
        match serde_norway::from_str::<Lab>(text) {
            Ok(l) => labs.push((name.clone(), l)),
            Err(e) => errors.push(syntax(name, &e)),
        }
    }
    let lab_texts: BTreeMap<String, String> = sources.labs.into_iter().collect();
    assembled.labs = lab::validate(&assembled, labs, &lab_texts, &mut errors);
    if errors.is_empty() {
        Ok(assembled)
    } else {
        Err(PackErrors(errors))
    }
}
