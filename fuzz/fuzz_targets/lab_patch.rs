//! Fuzz target: any bytes as a patch body of any type, applied to a
//! Deployment-shaped object, and as a protobuf request body, must give a
//! result or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use kubeprep_sim::lab::patch::{apply, PatchType};

const CURRENT: &str = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","labels":{"app":"api"}},
"spec":{"replicas":3,"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},
"spec":{"containers":[{"name":"api","image":"a:1","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":8080}],
"envFrom":[{"configMapRef":{"name":"c"}}],"volumeMounts":[{"name":"v","mountPath":"/v"}]}],"volumes":[{"name":"v","emptyDir":{}}]}}}}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let kind = match first % 4 {
        0 => PatchType::Strategic,
        1 => PatchType::Merge,
        2 => PatchType::Json,
        _ => PatchType::Apply,
    };
    let current: serde_json::Value = serde_json::from_str(CURRENT).expect("fixed document");
    if let Ok(v) = apply(kind, &current, body) {
        let _ = v.to_string();
    }
    let _ = kubeprep_server::lab::proto::decode(data);
});
