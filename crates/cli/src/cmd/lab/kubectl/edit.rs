//! `kubectl edit TYPE NAME` / `edit TYPE/NAME`: the object as YAML under
//! kubectl's header comment in a temporary file, opened in `$KUBE_EDITOR`,
//! else `$EDITOR`, else `vi`; on save the file is parsed strictly and
//! applied. Unlike kubectl, an invalid edit is not reopened: the errors are
//! shown, a copy of the edit is kept, and nothing changes.

use std::io::{IsTerminal, Write};
use std::process::Command;

use kubeprep_sim::lab::Kind;
use kubeprep_sim::lab::World;
use kubeprep_sim::manifest;

use super::Console;

const HEADER: &str = "\
# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";

/// Runs the edit; `console` is unused by the editor itself (it takes the
/// terminal) but shows the result lines.
pub fn edit(world: &mut World, args: &[&str], _console: &mut dyn Console) -> String {
    let (kind, name, rest) = match super::target(args) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if let Some(extra) = rest.iter().find(|a| !a.starts_with("--output-patch")) {
        return format!("error: unknown flag or argument: {extra}");
    }
    if matches!(kind, Kind::Pod | Kind::ReplicaSet) {
        return format!(
            "error: the lab does not edit {}: their spec comes from the Deployment; edit deployment/api",
            super::plural(kind)
        );
    }
    let doc = match super::current(world, kind, name) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return format!("error: {e}"),
        None => {
            return format!(
                "Error from server (NotFound): {} \"{name}\" not found",
                super::plural(kind)
            )
        }
    };
    let mut body = String::new();
    super::yaml_value(&mut body, &doc, 0);
    let original = format!("{HEADER}{body}");
    let file = match tempfile::Builder::new()
        .prefix("kubectl-edit-")
        .suffix(".yaml")
        .tempfile()
    {
        Ok(f) => f,
        Err(e) => return format!("error: cannot create a temporary file: {e}"),
    };
    if let Err(e) = file.as_file().write_all(original.as_bytes()) {
        return format!("error: cannot write {}: {e}", file.path().display());
    }
    let editor = ["KUBE_EDITOR", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".into());
    // As kubectl: the editor command may carry arguments, so a shell runs it.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("kubectl-edit")
        .arg(file.path());
    // Piped input belongs to the lab shell, not to the editor.
    if !std::io::stdin().is_terminal() {
        cmd.stdin(std::process::Stdio::null());
    }
    let status = cmd.status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            return format!(
                "error: there was a problem with the editor \"{editor}\" ({s}); Edit cancelled, no changes made."
            )
        }
        Err(e) => return format!("error: cannot start the editor \"{editor}\": {e}"),
    }
    let edited = match std::fs::read_to_string(file.path()) {
        Ok(t) => t,
        Err(e) => return format!("error: cannot read the edited file: {e}"),
    };
    let strip = |t: &str| -> String {
        t.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let kept = strip(&edited);
    if kept.trim().is_empty() || kept == strip(&original) {
        return "Edit cancelled, no changes made.".into();
    }
    let parsed = manifest::parse_str("edit", &kept);
    let resource = super::singular(kind);
    let keep_copy = |file: tempfile::NamedTempFile| -> String {
        match file.keep() {
            Ok((_, path)) => format!(
                "A copy of your changes has been stored to \"{}\"\n",
                path.display()
            ),
            Err(_) => String::new(),
        }
    };
    let problems: Vec<String> = parsed
        .problems
        .iter()
        .map(|p| {
            let line = p.line.map_or(String::new(), |l| format!(" (line {l})"));
            let path = if p.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", p.path)
            };
            format!(
                "error: {} \"{name}\" is invalid: {path}{}{line}",
                super::plural(kind),
                p.message
            )
        })
        .collect();
    if !problems.is_empty() || parsed.documents.len() != 1 {
        let mut out = problems.join("\n");
        if parsed.documents.len() > 1 {
            out += "error: the edited file must hold exactly one object";
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out += &keep_copy(file);
        out += "error: Edit cancelled, no valid changes were saved.";
        return out;
    }
    let object = parsed.documents.into_iter().next().map(|d| d.object);
    let Some(object) = object else {
        return "Edit cancelled, no changes made.".into();
    };
    let same_kind = object.kind().eq_ignore_ascii_case(match kind {
        Kind::Deployment => "Deployment",
        Kind::Service => "Service",
        Kind::ConfigMap => "ConfigMap",
        Kind::Secret => "Secret",
        _ => "NetworkPolicy",
    });
    if !same_kind || object.name() != name {
        let mut out =
            String::from("error: At least one of apiVersion, kind and name was changed\n");
        out += &keep_copy(file);
        out += "error: Edit cancelled, no valid changes were saved.";
        return out;
    }
    let result = super::apply::put(world, "apply", "edit", object);
    if result.ends_with(" configured") || result.ends_with(" created") {
        format!("{resource}/{name} edited")
    } else if result.ends_with(" unchanged") {
        "Edit cancelled, no changes made.".into()
    } else {
        let mut out = format!("error: {}\n", result.trim_start_matches("error: "));
        out += &keep_copy(file);
        out += "error: Edit cancelled, no valid changes were saved.";
        out
    }
}
