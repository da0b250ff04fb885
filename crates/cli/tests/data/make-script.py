#!/usr/bin/env python3
"""Regenerates strong-candidate.txt: a scripted interview by a strong candidate.

For each question the flow asks (at `--seed 7`), the script answers with an
answer the development set grades 5 (crates/grade/testdata/devset.yaml); a
probe gets that question's next-best answer. The flow is adaptive, so the
script is built by running the real binary one answer at a time.

    cargo build -p kubeprep && python3 crates/cli/tests/data/make-script.py
"""
import json, os, subprocess, tempfile, yaml

root = os.path.dirname(os.path.abspath(__file__))
repo = os.path.normpath(os.path.join(root, "../../../.."))
exe = os.path.join(repo, "target/debug/kubeprep")
dev = yaml.safe_load(open(os.path.join(repo, "crates/grade/testdata/devset.yaml")))
best = {}
for e in sorted(dev, key=lambda e: -e["grade"]):
    if e["style"] not in ("salad", "negated", "confidently-wrong") and e["grade"] >= 4:
        best.setdefault(e["question"], []).append(" ".join(e["answer"].split()))
listed = json.loads(subprocess.run([exe, "bank", "list", "-o", "json"], capture_output=True, text=True).stdout)
texts = {q["id"]: " ".join(q["text"].split()) for q in listed}

def asked(out):
    """The question id and kind of the last prompt in the output."""
    last = None
    for line in out.splitlines():
        if not line.startswith("Sam: "):
            continue
        said = line[5:].strip()
        for qid, text in texts.items():
            head = text.split("--", 1)[-1].strip()[:40] if text.startswith("Good.") else text[:40]
            if head and head in said:
                last = (qid, "main")
                break
        else:
            if said.endswith("?") and last:
                last = (last[0], "probe")
    return last

script, used = [], {}
for _ in range(40):
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([exe, "interview", "--seed", "7", "--candidate", "ada"],
                             input="\n\n".join(script + ["/quit"]) + "\n", capture_output=True, text=True,
                             env={**os.environ, "KUBEPREP_DB": os.path.join(d, "db"), "NO_COLOR": "1"}).stdout
    if "Scorecard" in out:
        break
    qid, kind = asked(out)
    n = used.get(qid, 0)
    answers = best[qid]
    script.append(answers[min(n, len(answers) - 1)])
    used[qid] = n + 1
script.append("/finish")
open(os.path.join(root, "strong-candidate.txt"), "w").write("\n\n".join(script) + "\n")
print(len(script) - 1, "answers")
