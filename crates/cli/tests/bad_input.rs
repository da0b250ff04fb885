//! Bad input never panics: a clear one-line message and exit 2, or a handled
//! prompt inside an interview. Nothing already saved is lost.

mod util;

use util::Kubeprep;

#[test]
fn unknown_question_id_exits_2_with_a_suggestion() {
    let k = Kubeprep::new();
    k.run(&["grade", "--question", "pod-basic"], b"an answer")
        .assert_code(2)
        .assert_one_line_error("did you mean `pod-basics`?");
    k.run(&["bank", "show", "nope"], b"")
        .assert_code(2)
        .assert_one_line_error("unknown question id `nope`");
}

#[test]
fn empty_answer_exits_2() {
    let k = Kubeprep::new();
    k.run(&["grade", "--question", "pod-basics"], b"   \n")
        .assert_code(2)
        .assert_one_line_error("the answer is empty");
}

#[test]
fn ten_megabyte_answer_exits_2() {
    let k = Kubeprep::new();
    let big = vec![b'x'; 10 * 1024 * 1024];
    k.run(&["grade", "--question", "pod-basics"], &big)
        .assert_code(2)
        .assert_one_line_error("limited to 100 KB");
}

#[test]
fn invalid_utf8_answer_exits_2() {
    let k = Kubeprep::new();
    k.run(&["grade", "--question", "pod-basics"], b"a pod \xff\xfe is")
        .assert_code(2)
        .assert_one_line_error("not valid UTF-8 (bad byte at offset 6)");
}

#[test]
fn escape_sequences_in_an_answer_never_reach_the_terminal() {
    let k = Kubeprep::new();
    let answer = "A Pod is \x1b[2J\x1b]0;owned\x07 containers that share a network namespace and volumes \x1b[31mso they can talk over localhost\x1b[0m.";
    let r = k.run(&["grade", "--question", "pod-basics"], answer.as_bytes());
    r.assert_code(0);
    assert!(
        !r.stdout.contains('\x1b'),
        "raw escape in output: {:?}",
        r.stdout
    );
    assert!(!r.stdout.contains('\x07'));
}

#[test]
fn unknown_id_inside_a_flag_and_bad_usage_exit_2() {
    let k = Kubeprep::new();
    let r = k.run(&["grade"], b"");
    r.assert_code(2);
    assert!(r.stderr.contains("--question"), "{}", r.stderr);
    k.run(&["report", "nosuchsession", "--format", "md"], b"")
        .assert_code(2)
        .assert_one_line_error("nosuchsession");
}

#[test]
fn unwritable_database_path_exits_2() {
    let k = Kubeprep::new();
    let file = k.dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let db = file.join("sub").join("db.sqlite3");
    let r = k.run(&["--db", db.to_str().unwrap(), "history"], b"");
    r.assert_code(2)
        .assert_one_line_error("cannot open database");
}

#[test]
fn broken_pack_is_reported_with_file_line_and_reason() {
    let k = Kubeprep::new();
    let dir = k.dir.path().join("pack");
    std::fs::create_dir_all(dir.join("questions")).unwrap();
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packs/kubernetes/pack.yaml"
    );
    std::fs::copy(src, dir.join("pack.yaml")).unwrap();
    std::fs::write(
        dir.join("questions/bad.yaml"),
        "questions:\n  - id: pod-basics\n    topic: pods\n    difficulty: trivial\n",
    )
    .unwrap();
    let r = k.run(&["bank", "validate", dir.to_str().unwrap()], b"");
    r.assert_code(1);
    assert!(r.stderr.contains("questions/bad.yaml:4:"), "{}", r.stderr);
    assert!(r.stderr.contains("difficulty"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
    // The same pack given to an interview is bad input: exit 2, one line.
    k.run(&["--pack", dir.to_str().unwrap(), "bank", "list"], b"")
        .assert_code(2)
        .assert_one_line_error("questions/bad.yaml:4:");
}
