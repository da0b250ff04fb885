//! What opening a database that cannot be opened says: one line naming the
//! path, a short reason and the way out, never a panic. The CLI prints this
//! message as it is and exits 2.
//!
//! Not for: errors after a successful open (see `sessions.rs`).

use std::path::Path;

use kubeprep_store::{SqliteStore, StoreError};

const HINT: &str = "(set --db or KUBEPREP_DB to a writable path)";

/// Opens `path`, expects [`StoreError::Open`] and returns its message.
async fn open_error(path: &Path) -> String {
    let err = match SqliteStore::open(path).await {
        Ok(_) => panic!("opening {} should fail", path.display()),
        Err(err) => err,
    };
    assert!(
        matches!(&err, StoreError::Open { path: p, .. } if p == path),
        "{err:?}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept as a source"
    );
    let message = err.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    message
}

#[tokio::test]
async fn a_path_under_a_regular_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "not a directory").unwrap();
    let path = file.join("kubeprep").join("kubeprep.sqlite3");

    assert_eq!(
        open_error(&path).await,
        format!(
            "cannot open database {}: {} is not a directory {HINT}",
            path.display(),
            file.display()
        )
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_path_under_a_device_names_the_device() {
    let path = Path::new("/dev/null/kubeprep.sqlite3");
    assert_eq!(
        open_error(path).await,
        format!(
            "cannot open database {}: /dev/null is not a directory {HINT}",
            path.display()
        )
    );
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_path_under_proc_is_refused_with_the_hint() {
    let path = Path::new("/proc/kubeprep-test/kubeprep.sqlite3");
    let message = open_error(path).await;
    let prefix = format!("cannot open database {}: ", path.display());
    assert!(message.starts_with(&prefix), "{message}");
    assert!(message.ends_with(HINT), "{message}");
    let reason = &message[prefix.len()..message.len() - HINT.len()];
    assert!(!reason.trim().is_empty(), "a reason is given: {message}");
    assert!(
        !reason.contains("os error"),
        "the reason is a short phrase: {message}"
    );
}

#[tokio::test]
async fn a_directory_where_the_file_should_be_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        open_error(dir.path()).await,
        format!(
            "cannot open database {}: it is a directory {HINT}",
            dir.path().display()
        )
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeprep.sqlite3");
    std::fs::write(
        &path,
        "this is not a database, just some text that is long enough ".repeat(20),
    )
    .unwrap();
    let message = open_error(&path).await;
    assert_eq!(
        message,
        format!(
            "cannot open database {}: file is not a database {HINT}",
            path.display()
        )
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_directory_without_write_permission_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    let path = locked.join("sub").join("kubeprep.sqlite3");
    let result = SqliteStore::open(&path).await;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    match result {
        // root ignores permission bits; nothing to check then.
        Ok(_) => {}
        Err(err) => assert_eq!(
            err.to_string(),
            format!(
                "cannot open database {}: permission denied {HINT}",
                path.display()
            )
        ),
    }
}
