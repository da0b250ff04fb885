//! Reading manifest files named by `-f`: a size limit, UTF-8, and the
//! simulator's strict parser.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use kubeprep_sim::manifest::{self, Parsed};

/// Manifests larger than this are refused before parsing.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

/// Reads one file (`-` is stdin) as UTF-8 text, refusing oversized input.
pub fn read_text(path: &Path) -> Result<String> {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    if name == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_MANIFEST_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read manifests from stdin")?;
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
        file.take(MAX_MANIFEST_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {name}"))?;
    }
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        bail!(
            "{name} is larger than {} MB; manifests are limited to that size, split the file",
            MAX_MANIFEST_BYTES / 1024 / 1024
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name} is not valid UTF-8 (bad byte at offset {}); save it as UTF-8 text",
            e.utf8_error().valid_up_to()
        )
    })
}

/// The files `-f` names: a directory stands for its `.yaml`, `.yml` and
/// `.json` files, in name order, as `kubectl apply -f DIR` reads them (not
/// its subdirectories).
pub fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if f.as_os_str() != "-" && f.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(f)
                .with_context(|| format!("cannot read the directory {}", f.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                })
                .collect();
            if found.is_empty() {
                bail!(
                    "{} has no .yaml, .yml or .json files; name manifest files with -f FILE",
                    f.display()
                );
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

/// Reads and parses every file (a directory: its manifest files), keeping
/// every problem found.
pub fn load(files: &[PathBuf]) -> Result<Parsed> {
    if files.is_empty() {
        bail!("no manifests given; name them with -f FILE");
    }
    let mut all = Parsed::default();
    for f in expand(files)? {
        let text = read_text(&f)?;
        all.extend(manifest::parse_str(&f.display().to_string(), &text));
    }
    Ok(all)
}

/// Reads the files and refuses them, as the API server would, when any
/// document has a problem: the first problem is the error, with a count of the rest.
pub fn load_valid(files: &[PathBuf]) -> Result<Parsed> {
    let parsed = load(files)?;
    if let Some(first) = parsed.problems.first() {
        let more = parsed.problems.len() - 1;
        if more > 0 {
            bail!("{first} (and {more} more problem(s); `kubeprep check` lists them all)");
        }
        bail!("{first}");
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        std::io::Write::write_all(&mut f, bytes).expect("write");
        f
    }

    #[test]
    fn a_directory_stands_for_its_manifest_files_in_name_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["b.yaml", "a.yml", "c.json", "notes.txt"] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        std::fs::create_dir(dir.path().join("sub.yaml")).expect("mkdir");
        let files = expand(&[dir.path().to_path_buf()]).expect("expand");
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml", "c.json"]);
        let empty = tempfile::tempdir().expect("tempdir");
        let err = expand(&[empty.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no .yaml"), "{err}");
    }

    #[test]
    fn invalid_utf8_is_a_one_line_error() {
        let f = file(b"kind: Deployment\nname: \xff\n");
        let err = read_text(f.path()).unwrap_err().to_string();
        assert!(
            err.contains("is not valid UTF-8 (bad byte at offset 23)"),
            "{err}"
        );
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let f = file(&vec![b'#'; MAX_MANIFEST_BYTES as usize + 1]);
        let err = read_text(f.path()).unwrap_err().to_string();
        assert!(err.contains("larger than 4 MB"), "{err}");
    }

    #[test]
    fn load_valid_reports_the_first_problem_and_counts_the_rest() {
        let f = file(b"apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n---\n- x\n");
        let err = load_valid(&[f.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown kind \"Deploymnet\" (did you mean `Deployment`?)"),
            "{err}"
        );
        assert!(err.contains("(and 1 more problem(s)"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}
