//! Policy rules: whether one rule allows one request (`RuleAllows`), and
//! whether one set of rules covers another (`Covers`, the escalation check).
//!
//! These are the pure matching functions of Kubernetes'
//! `pkg/apis/rbac/v1/evaluation_helpers.go` and
//! `pkg/registry/rbac/validation/policy_comparator.go`, restated. They know
//! nothing about bindings or users; [`super::Policy`] does that.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

/// One RBAC policy rule, as written in a Role or ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Rule {
    /// Verbs, `*` for all.
    pub verbs: Vec<String>,
    /// API groups, "" for the core group, `*` for all.
    pub api_groups: Vec<String>,
    /// Resources, `resource/subresource`, `*/subresource` or `*`.
    pub resources: Vec<String>,
    /// Object names the rule is limited to; empty means every name.
    pub resource_names: Vec<String>,
    /// Non-resource URL paths, a trailing `*` matching a prefix.
    pub non_resource_urls: Vec<String>,
}

/// What one request asks for, without the user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Target {
    /// A request for an API object.
    Resource {
        /// The namespace, "" for cluster-scoped requests and all namespaces.
        namespace: String,
        /// The API group, "" for core.
        api_group: String,
        /// The resource, plural and lower case (`pods`).
        resource: String,
        /// The subresource (`exec`, `status`, `scale`), or "".
        subresource: String,
        /// The object name, or "" (list, create, watch of a collection).
        name: String,
    },
    /// A request for a non-resource URL such as `/healthz`.
    NonResource {
        /// The URL path.
        path: String,
    },
}

impl Target {
    /// A resource request, in the given namespace ("" for cluster scope).
    pub fn resource(namespace: &str, api_group: &str, resource: &str) -> Target {
        Target::Resource {
            namespace: namespace.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            subresource: String::new(),
            name: String::new(),
        }
    }

    /// The namespace the request is in ("" when cluster-scoped or non-resource).
    pub fn namespace(&self) -> &str {
        match self {
            Target::Resource { namespace, .. } => namespace,
            Target::NonResource { .. } => "",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::NonResource { path } => write!(f, "{path}"),
            Target::Resource {
                namespace,
                api_group,
                resource,
                subresource,
                name,
            } => {
                write!(f, "{resource}")?;
                if !api_group.is_empty() {
                    write!(f, ".{api_group}")?;
                }
                if !subresource.is_empty() {
                    write!(f, "/{subresource}")?;
                }
                if !name.is_empty() {
                    write!(f, " {name:?}")?;
                }
                if namespace.is_empty() {
                    write!(f, " (cluster-wide)")
                } else {
                    write!(f, " in namespace {namespace:?}")
                }
            }
        }
    }
}

fn has(list: &[String], s: &str) -> bool {
    list.iter().any(|x| x == s)
}

/// `VerbMatches`: the rule lists the verb or `*`. Case-sensitive.
pub fn verb_matches(rule: &Rule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

/// `APIGroupMatches`: the rule lists the group or `*`.
pub fn api_group_matches(rule: &Rule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `ResourceMatches`: `*`, the exact `resource[/subresource]`, or `*/sub`
/// for the request's subresource.
pub fn resource_matches(rule: &Rule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == "*" {
            return true;
        }
        let exact = if subresource.is_empty() {
            r == resource
        } else {
            r.len() == resource.len() + 1 + subresource.len()
                && r.starts_with(resource)
                && r.as_bytes()[resource.len()] == b'/'
                && r.ends_with(subresource)
        };
        exact
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

/// `ResourceNameMatches`: no names in the rule, or the request's name among
/// them. A request without a name (list, create) never matches a named rule.
pub fn resource_name_matches(rule: &Rule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `NonResourceURLMatches`: `*`, the exact path, or a rule ending in `*`
/// whose text before the trailing stars is a prefix of the path.
pub fn non_resource_url_matches(rule: &Rule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| url_covers(u, path))
}

fn url_covers(rule_url: &str, path: &str) -> bool {
    rule_url == "*"
        || rule_url == path
        || (rule_url.ends_with('*') && path.starts_with(rule_url.trim_end_matches('*')))
}

/// `RuleAllows`: whether this rule allows `verb` on `target`.
pub fn rule_allows(rule: &Rule, verb: &str, target: &Target) -> bool {
    match target {
        Target::Resource {
            api_group,
            resource,
            subresource,
            name,
            ..
        } => {
            verb_matches(rule, verb)
                && api_group_matches(rule, api_group)
                && resource_matches(rule, resource, subresource)
                && resource_name_matches(rule, name)
        }
        Target::NonResource { path } => {
            verb_matches(rule, verb) && non_resource_url_matches(rule, path)
        }
    }
}

/// `BreakdownRule`: one rule into atomic rules of one group, one resource,
/// one verb (and one name), then one URL and one verb.
pub fn breakdown(rule: &Rule) -> Vec<Rule> {
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let one = |names: Vec<String>| Rule {
                    verbs: vec![verb.clone()],
                    api_groups: vec![group.clone()],
                    resources: vec![resource.clone()],
                    resource_names: names,
                    non_resource_urls: Vec::new(),
                };
                if rule.resource_names.is_empty() {
                    out.push(one(Vec::new()));
                } else {
                    for name in &rule.resource_names {
                        out.push(one(vec![name.clone()]));
                    }
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(Rule {
                verbs: vec![verb.clone()],
                non_resource_urls: vec![url.clone()],
                ..Rule::default()
            });
        }
    }
    out
}

fn has_all(set: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|w| has(set, w))
}

fn resource_covers_all(owner: &[String], servant: &[String]) -> bool {
    if has(owner, "*") || has_all(owner, servant) {
        return true;
    }
    servant.iter().all(|path| {
        if has(owner, path) {
            return true;
        }
        match path.split_once('/') {
            Some((_, sub)) => has(owner, &format!("*/{sub}")),
            None => false,
        }
    })
}

fn urls_cover_all(owner: &[String], servant: &[String]) -> bool {
    servant.iter().all(|path| {
        owner
            .iter()
            .any(|o| o == path || (o.ends_with('*') && path.starts_with(o.trim_end_matches('*'))))
    })
}

/// `ruleCovers`: whether one owner rule covers an (atomic) servant rule.
pub fn rule_covers(owner: &Rule, servant: &Rule) -> bool {
    let verbs = has(&owner.verbs, "*") || has_all(&owner.verbs, &servant.verbs);
    let groups = has(&owner.api_groups, "*") || has_all(&owner.api_groups, &servant.api_groups);
    let resources = resource_covers_all(&owner.resources, &servant.resources);
    let urls = urls_cover_all(&owner.non_resource_urls, &servant.non_resource_urls);
    let names = if servant.resource_names.is_empty() {
        owner.resource_names.is_empty()
    } else {
        owner.resource_names.is_empty() || has_all(&owner.resource_names, &servant.resource_names)
    };
    verbs && groups && resources && urls && names
}

/// `Covers`: whether the owner's rules cover every atomic permission in the
/// servant's rules, each by a single owner rule; the uncovered atomic rules.
pub fn covers(owner: &[Rule], servant: &[Rule]) -> (bool, Vec<Rule>) {
    let mut missing = Vec::new();
    for rule in servant {
        for atom in breakdown(rule) {
            if !owner.iter().any(|o| rule_covers(o, &atom)) {
                missing.push(atom);
            }
        }
    }
    (missing.is_empty(), missing)
}

/// `CompactRules`: atomic rules of the same group, resource and (single)
/// name merged into one rule listing their verbs; other rules kept as they are.
pub fn compact(rules: &[Rule]) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    let mut simple: HashMap<(String, String, Option<String>), usize> = HashMap::new();
    let mut simple_rules: Vec<Rule> = Vec::new();
    for rule in rules {
        let is_simple = rule.non_resource_urls.is_empty()
            && rule.api_groups.len() == 1
            && rule.resources.len() == 1
            && rule.resource_names.len() <= 1;
        if !is_simple {
            out.push(rule.clone());
            continue;
        }
        let key = (
            rule.api_groups[0].clone(),
            rule.resources[0].clone(),
            rule.resource_names.first().cloned(),
        );
        match simple.get(&key) {
            Some(&i) => simple_rules[i].verbs.extend(rule.verbs.iter().cloned()),
            None => {
                simple.insert(key, simple_rules.len());
                simple_rules.push(rule.clone());
            }
        }
    }
    out.extend(simple_rules);
    out
}

fn quoted(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(" "))
}

/// The API server's `CompactString` of a rule, e.g.
/// `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`.
pub fn compact_string(rule: &Rule) -> String {
    let mut parts = Vec::new();
    if !rule.api_groups.is_empty() {
        parts.push(format!("APIGroups:{}", quoted(&rule.api_groups)));
    }
    if !rule.resources.is_empty() {
        parts.push(format!("Resources:{}", quoted(&rule.resources)));
    }
    if !rule.non_resource_urls.is_empty() {
        parts.push(format!(
            "NonResourceURLs:{}",
            quoted(&rule.non_resource_urls)
        ));
    }
    if !rule.resource_names.is_empty() {
        parts.push(format!("ResourceNames:{}", quoted(&rule.resource_names)));
    }
    if !rule.verbs.is_empty() {
        parts.push(format!("Verbs:{}", quoted(&rule.verbs)));
    }
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
// The tables read best as literal slices of rules.
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split(',').map(str::to_string).collect()
        }
    }

    /// API groups: "" is the core group, "~" none (a URL rule).
    fn g(s: &str) -> Vec<String> {
        if s == "~" {
            Vec::new()
        } else {
            s.split(',').map(str::to_string).collect()
        }
    }

    /// A rule from comma lists: verbs, groups, resources, names, urls.
    fn rule(verbs: &str, groups: &str, resources: &str, names: &str, urls: &str) -> Rule {
        Rule {
            verbs: v(verbs),
            api_groups: g(groups),
            resources: v(resources),
            resource_names: v(names),
            non_resource_urls: v(urls),
        }
    }

    fn res(verb: &str, group: &str, resource: &str, sub: &str, name: &str) -> (String, Target) {
        (
            verb.to_string(),
            Target::Resource {
                namespace: "ns".into(),
                api_group: group.into(),
                resource: resource.into(),
                subresource: sub.into(),
                name: name.into(),
            },
        )
    }

    fn url(verb: &str, path: &str) -> (String, Target) {
        (verb.to_string(), Target::NonResource { path: path.into() })
    }

    #[track_caller]
    fn check(r: &Rule, req: (String, Target), want: bool) {
        assert_eq!(
            rule_allows(r, &req.0, &req.1),
            want,
            "{r:?} on {} {}",
            req.0,
            req.1
        );
    }

    // Upstream: rbac_test.go TestRuleMatches, "star verb, exact match other".
    #[test]
    fn star_verb_exact_other() {
        let r = rule("*", "group1", "resource1", "", "");
        check(&r, res("verb1", "group1", "resource1", "", ""), true);
        check(&r, res("verb1", "group2", "resource1", "", ""), false);
        check(&r, res("verb1", "group1", "resource2", "", ""), false);
        check(&r, res("verb2", "group1", "resource1", "", ""), true);
        check(&r, res("verb2", "group2", "resource2", "", ""), false);
    }

    // Upstream: TestRuleMatches "star group, exact match other".
    #[test]
    fn star_group_exact_other() {
        let r = rule("verb1", "*", "resource1", "", "");
        check(&r, res("verb1", "group1", "resource1", "", ""), true);
        check(&r, res("verb1", "group2", "resource1", "", ""), true);
        check(&r, res("verb1", "group1", "resource2", "", ""), false);
        check(&r, res("verb2", "group1", "resource1", "", ""), false);
    }

    // Upstream: TestRuleMatches "star resource, exact match other".
    #[test]
    fn star_resource_exact_other() {
        let r = rule("verb1", "group1", "*", "", "");
        check(&r, res("verb1", "group1", "resource1", "", ""), true);
        check(&r, res("verb1", "group1", "resource2", "", ""), true);
        check(&r, res("verb1", "group2", "resource1", "", ""), false);
        check(&r, res("verb2", "group1", "resource2", "", ""), false);
    }

    // Upstream: TestRuleMatches "tuple expansion".
    #[test]
    fn tuple_expansion() {
        let r = rule(
            "verb1,verb2",
            "group1,group2",
            "resource1,resource2",
            "",
            "",
        );
        for verb in ["verb1", "verb2"] {
            for g in ["group1", "group2"] {
                for res_ in ["resource1", "resource2"] {
                    check(&r, res(verb, g, res_, "", ""), true);
                }
            }
        }
        check(&r, res("verb3", "group1", "resource1", "", ""), false);
    }

    // Upstream: TestRuleMatches "subresource expansion".
    #[test]
    fn subresource_expansion() {
        let r = rule("*", "*", "resource1/subresource1", "", "");
        check(
            &r,
            res("verb1", "group1", "resource1", "subresource1", ""),
            true,
        );
        check(
            &r,
            res("verb1", "group2", "resource1", "subresource2", ""),
            false,
        );
        check(
            &r,
            res("verb1", "group1", "resource2", "subresource1", ""),
            false,
        );
        check(
            &r,
            res("verb2", "group1", "resource1", "subresource1", ""),
            true,
        );
        check(&r, res("verb2", "group1", "resource1", "", ""), false);
    }

    // Upstream: TestRuleMatches "star nonresource, exact match other".
    #[test]
    fn star_nonresource() {
        let r = rule("verb1", "", "", "", "*");
        for p in [
            "/foo",
            "/foo/bar",
            "/foo/baz",
            "/foo/bar/one",
            "/foo/baz/one",
        ] {
            check(&r, url("verb1", p), true);
            check(&r, url("verb2", p), false);
        }
    }

    // Upstream: TestRuleMatches "star nonresource subpath".
    #[test]
    fn star_nonresource_subpath() {
        let r = rule("verb1", "", "", "", "/foo/*");
        check(&r, url("verb1", "/foo"), false);
        check(&r, url("verb1", "/foo/bar"), true);
        check(&r, url("verb1", "/foo/baz"), true);
        check(&r, url("verb1", "/foo/bar/one"), true);
        check(&r, url("verb1", "/notfoo"), false);
        check(&r, url("verb1", "/notfoo/bar"), false);
        check(&r, url("verb1", "/notfoo/baz/one"), false);
    }

    // Upstream: TestRuleMatches "star verb, exact nonresource".
    #[test]
    fn star_verb_exact_nonresource() {
        let r = rule("*", "", "", "", "/foo,/foo/bar/one");
        check(&r, url("verb1", "/foo"), true);
        check(&r, url("verb1", "/foo/bar"), false);
        check(&r, url("verb2", "/foo/bar/one"), true);
        check(&r, url("verb2", "/foo/baz/one"), false);
    }

    // Semantics §3.2: `*/scale`, names, case-sensitive verbs, pods vs pods/status.
    #[test]
    fn subresource_wildcards_names_and_case() {
        let scale = rule("get", "*", "*/scale", "", "");
        check(&scale, res("get", "apps", "deployments", "scale", ""), true);
        check(&scale, res("get", "x", "anything", "scale", ""), true);
        check(&scale, res("get", "apps", "deployments", "", ""), false);
        check(
            &scale,
            res("get", "apps", "deployments", "status", ""),
            false,
        );
        let named = rule("get,list,create", "", "secrets", "db", "");
        check(&named, res("get", "", "secrets", "", "db"), true);
        check(&named, res("get", "", "secrets", "", "other"), false);
        check(&named, res("list", "", "secrets", "", ""), false);
        check(&named, res("create", "", "secrets", "", ""), false);
        let pods = rule("get", "", "pods", "", "");
        check(&pods, res("GET", "", "pods", "", ""), false);
        check(&pods, res("get", "", "pods", "status", ""), false);
        // "podsx/status" must not pass as "pods" + "/status".
        let st = rule("get", "", "pods/status", "", "");
        check(&st, res("get", "", "pods", "status", ""), true);
        check(&st, res("get", "", "podsx", "status", ""), false);
        check(&st, res("get", "", "pod", "sstatus", ""), false);
        let apis = rule("get", "", "", "", "/apis/*");
        check(&apis, url("get", "/apis"), false);
        check(&apis, url("get", "/apis/v1"), true);
    }

    #[track_caller]
    fn check_covers(owner: &[Rule], servant: &[Rule], want: bool, want_missing: &[Rule]) {
        let (ok, missing) = covers(owner, servant);
        assert_eq!(ok, want, "covers({owner:?}, {servant:?})");
        assert_eq!(missing, want_missing);
    }

    // Upstream: policy_comparator_test.go TestCoversExactMatch.
    #[test]
    fn covers_exact_match() {
        let r = rule("get", "v1", "builds", "", "");
        check_covers(&[r.clone()], &[r], true, &[]);
    }

    // Upstream: TestCoversSubresourceWildcard.
    #[test]
    fn covers_subresource_wildcard() {
        let owner = [rule("get", "v1", "*/foo", "", "")];
        check_covers(
            &owner,
            &[rule("get", "v1", "builds/foo", "", "")],
            true,
            &[],
        );
        let missing = rule("get", "v1", "builds/bar", "", "");
        check_covers(&owner, &[missing.clone()], false, &[missing]);
    }

    // Upstream: TestCoversMultipleRulesCoveringSingleRule and
    // TestCoversMultipleAPIGroupsCoveringSingleRule.
    #[test]
    fn covers_split_over_rules() {
        let owner = [
            rule("delete", "v1", "deployments", "", ""),
            rule("delete", "v1", "builds", "", ""),
            rule("update", "v1", "builds,deployments", "", ""),
        ];
        let servant = [rule("delete,update", "v1", "builds,deployments", "", "")];
        check_covers(&owner, &servant, true, &[]);
        let owner = [
            rule("delete", "group1", "deployments", "", ""),
            rule("delete", "group2", "builds,deployments", "", ""),
            rule("delete", "group1", "builds", "", ""),
        ];
        let servant = [rule(
            "delete",
            "group1,group2",
            "builds,deployments",
            "",
            "",
        )];
        check_covers(&owner, &servant, true, &[]);
    }

    // Upstream: TestCoversEnumerationNotCoveringResourceWildcard,
    // TestCoversEnumerationNotCoveringVerbWildcard and TestCoversAllVerbs.
    #[test]
    fn enumeration_never_covers_a_wildcard() {
        let servant = rule("get", "v1", "*", "", "");
        check_covers(
            &[rule("get", "v1", "builds", "", "")],
            &[servant.clone()],
            false,
            &[servant],
        );
        let servant = rule("*", "v1", "builds", "", "");
        check_covers(
            &[rule(
                "get,list,watch,create,update,delete,exec",
                "v1",
                "builds",
                "",
                "",
            )],
            &[servant.clone()],
            false,
            &[servant],
        );
        check_covers(
            &[rule("*", "v1", "*", "", "")],
            &[rule("get,list,delete", "v1", "builds,pods", "", "")],
            true,
            &[],
        );
    }

    // Upstream: TestCoversResourceNameEmpty / TestCoversResourceNameNotCovered
    // / TestCoversResourceNameCovered.
    #[test]
    fn covers_resource_names() {
        let named = rule("get", "", "secrets", "a,b", "");
        check_covers(
            &[rule("get", "", "secrets", "", "")],
            &[named.clone()],
            true,
            &[],
        );
        check_covers(
            &[rule("get", "", "secrets", "a", "")],
            &[named.clone()],
            false,
            &[rule("get", "", "secrets", "b", "")],
        );
        check_covers(
            &[rule("get", "", "secrets", "a,b,c", "")],
            &[named],
            true,
            &[],
        );
        let unnamed = rule("get", "", "secrets", "", "");
        check_covers(
            &[rule("get", "", "secrets", "a", "")],
            &[unnamed.clone()],
            false,
            &[unnamed],
        );
    }

    // Upstream: TestCoversNonResourceURLs, TestCoversNonResourceURLsStar,
    // TestCoversNonResourceURLsWithOtherFields,
    // TestCoversNonResourceURLsSubTreeWildcard and its miss.
    #[test]
    fn covers_non_resource_urls() {
        check_covers(
            &[rule("get", "", "", "", "/apis")],
            &[rule("get", "", "", "", "/apis")],
            true,
            &[],
        );
        check_covers(
            &[rule("get", "", "", "", "*")],
            &[rule("get", "", "", "", "/apis,/apis/v1,/")],
            true,
            &[],
        );
        check_covers(
            &[rule("get", "", "", "", "/apis/*")],
            &[rule("get", "", "", "", "/apis/v1,/apis/v1/foo")],
            true,
            &[],
        );
        check_covers(
            &[rule("get", "", "", "", "/apis/v1/*")],
            &[rule("get", "", "", "", "/apis/v1,/apis/v1/foo,/apis")],
            false,
            &[
                rule("get", "~", "", "", "/apis/v1"),
                rule("get", "~", "", "", "/apis"),
            ],
        );
        // A resource rule does not cover a URL, nor the reverse.
        let u = rule("get", "~", "", "", "/apis");
        check_covers(&[rule("get", "*", "*", "", "")], &[u.clone()], false, &[u]);
    }

    #[test]
    fn compacts_as_the_api_server_words_it() {
        let atoms = [
            rule("get", "", "pods", "", ""),
            rule("list", "", "pods", "", ""),
            rule("get", "~", "", "", "/healthz"),
        ];
        let c = compact(&atoms);
        let words: Vec<String> = c.iter().map(compact_string).collect();
        assert_eq!(
            words,
            [
                r#"{NonResourceURLs:["/healthz"], Verbs:["get"]}"#,
                r#"{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}"#,
            ]
        );
    }
}
