//! The house rules of the code, checked on its text (no dependency, no build of the code read):
//! no import circle between modules in `src/` or in `crates/*/src/`, and no function in `src/`
//! longer than 120 lines.
//!
//! A module is a file (`a/b.rs` or `a/b/mod.rs` is `crate::a::b`). Module A imports B when A
//! names an item of B: in a `use` (including `pub use` re-exports), or in a path in its code
//! (`crate::b::f()`, `super::f`, `child::f`, an alias made by `use crate::b::{self}`). A name
//! re-exported by a module is followed to the module that defines it. Declaring a child
//! (`mod b;`) is not an import, and neither are comments, doc links, strings and the file's
//! `#[cfg(test)] mod tests`. A circle is a set of modules each reachable from every other: the
//! test prints each with one import per step, `file:line`.
//!
//! Run alone with `cargo test --release --test modules`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Circles allowed for now, each a set of module names (none: the model crate's two went with
/// issue 25, the tier thresholds and the one-of-each scenario moving onto `Scenario`). A circle
/// listed here that is gone fails the test, so the list cannot go stale.
const KNOWN: &[&[&str]] = &[];

/// Longest function body allowed in `src/`, in lines.
const MAX_FN_LINES: usize = 120;

type ModPath = Vec<String>;

struct Module {
    file: PathBuf,
    /// The text with comments, strings and the test module blanked (line breaks kept).
    code: String,
    children: BTreeSet<String>,
    /// `pub use` names: name -> absolute path (or `None`: from another crate).
    reexports: BTreeMap<String, Option<ModPath>>,
}

struct Crate {
    name: String,
    modules: BTreeMap<ModPath, Module>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Blanks comments, string and char literals, keeping every line break (so lines still count).
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or('\0');
        if c == '/' && next == '/' {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == '*' {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == '"' || (next == '#' && !b.get(i.wrapping_sub(1)).is_some_and(|p| p.is_alphanumeric()))) {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < b.len() && !(b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#'))) {
                j += 1;
            }
            let end = (j + 1 + hashes).min(b.len());
            out.push('"');
            for &x in &b[i + 1..end.saturating_sub(1)] {
                out.push(blank(x));
            }
            out.push('"');
            i = end;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && (next == '\\' || b.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n', '\''), not a lifetime.
            let mut j = i + 2;
            while j < b.len() && b[j] != '\'' {
                j += 1;
            }
            for _ in i..=j.min(b.len() - 1) {
                out.push(' ');
            }
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The index of the brace closing the one at `open`.
fn matching(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (i, &c) in code.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    code.len() - 1
}

/// Blanks `#[cfg(test)] mod NAME { ... }` blocks.
fn without_tests(code: &str) -> String {
    let mut code = code.to_string();
    while let Some(at) = code.find("#[cfg(test)]") {
        let rest = &code[at..];
        let Some(brace) = rest.find('{') else { break };
        let head = &rest[..brace];
        let end = if head.contains("mod ") { matching(code.as_bytes(), at + brace) } else { at + "#[cfg(test)]".len() - 1 };
        let blanked: String = code[at..=end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
        code.replace_range(at..=end, &blanked);
    }
    code
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Tokens: identifiers, `::`, and single punctuation characters, with their line.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let cs: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if is_ident(c) {
            let s = i;
            while i < cs.len() && is_ident(cs[i]) {
                i += 1;
            }
            out.push((cs[s..i].iter().collect(), line));
        } else if c == ':' && cs.get(i + 1) == Some(&':') {
            out.push(("::".into(), line));
            i += 2;
        } else {
            out.push((c.to_string(), line));
            i += 1;
        }
    }
    out
}

/// Expands a `use` tree (tokens between `use` and `;`) into (path, name it is known by).
fn use_paths(toks: &[String]) -> Vec<(Vec<String>, String)> {
    fn tree(t: &[String], i: &mut usize, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
        let mut path = prefix.to_vec();
        loop {
            match t.get(*i).map(String::as_str) {
                Some("{") => {
                    *i += 1;
                    while t.get(*i).is_some_and(|x| x != "}") {
                        tree(t, i, &path, out);
                        if t.get(*i).is_some_and(|x| x == ",") {
                            *i += 1;
                        }
                    }
                    *i += 1;
                    return;
                }
                Some("*") => {
                    *i += 1;
                    out.push((path.clone(), "*".into()));
                    return;
                }
                Some("::") => *i += 1,
                Some(x) if x.chars().all(is_ident) => {
                    *i += 1;
                    if x == "self" && !path.is_empty() && t.get(*i).is_none_or(|n| n != "::") {
                        let name = path.last().cloned().unwrap_or_default();
                        let name = alias(t, i).unwrap_or(name);
                        out.push((path.clone(), name));
                        return;
                    }
                    path.push(x.to_string());
                    if t.get(*i).is_none_or(|n| n != "::") {
                        let name = alias(t, i).unwrap_or_else(|| x.to_string());
                        out.push((path.clone(), name));
                        return;
                    }
                }
                _ => return,
            }
        }
    }
    fn alias(t: &[String], i: &mut usize) -> Option<String> {
        if t.get(*i).is_some_and(|x| x == "as") {
            *i += 2;
            return t.get(*i - 1).cloned();
        }
        None
    }
    let mut out = Vec::new();
    let mut i = 0;
    tree(toks, &mut i, &[], &mut out);
    out
}

fn load_crate(name: &str, src: &Path) -> Crate {
    let mut modules = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") || p == src.join("main.rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap().with_extension("");
            let mut path: ModPath = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if path.last().is_some_and(|l| l == "mod" || l == "lib") {
                path.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = without_tests(&strip(&text));
            modules.insert(path, Module { file: p, code, children: BTreeSet::new(), reexports: BTreeMap::new() });
        }
    }
    let mut c = Crate { name: name.into(), modules };
    let paths: Vec<ModPath> = c.modules.keys().cloned().collect();
    for m in &paths {
        let toks: Vec<String> = tokens(&c.modules[m].code).into_iter().map(|t| t.0).collect();
        let mut children = BTreeSet::new();
        let mut reexports = BTreeMap::new();
        for (i, t) in toks.iter().enumerate() {
            if t == "mod" && toks.get(i + 2).is_some_and(|x| x == ";") {
                children.insert(toks[i + 1].clone());
            }
        }
        for (i, t) in toks.iter().enumerate() {
            if t == "use" && i > 0 && (toks[i - 1] == "pub" || toks[i - 1] == ")") {
                let end = toks[i..].iter().position(|x| x == ";").map_or(toks.len(), |e| i + e);
                for (p, n) in use_paths(&toks[i + 1..end]) {
                    reexports.insert(n, absolute(&c, m, &children, &BTreeMap::new(), &p));
                }
            }
        }
        let module = c.modules.get_mut(m).unwrap();
        module.children = children;
        module.reexports = reexports;
    }
    c
}

/// The absolute path a path written in module `m` names (`None`: another crate).
fn absolute(c: &Crate, m: &ModPath, children: &BTreeSet<String>, aliases: &BTreeMap<String, ModPath>, p: &[String]) -> Option<ModPath> {
    let mut base: ModPath;
    let mut rest = p;
    match p.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &p[1..];
        }
        Some("self") => {
            base = m.clone();
            rest = &p[1..];
        }
        Some("super") => {
            base = m.clone();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        Some(x) if x == c.name => {
            base = Vec::new();
            rest = &p[1..];
        }
        Some(x) if children.contains(x) => base = m.clone(),
        Some(x) if aliases.contains_key(x) => {
            base = aliases[x].clone();
            rest = &p[1..];
        }
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The module that defines the item an absolute path names, following re-exports.
fn target(c: &Crate, path: &ModPath, depth: usize) -> Option<ModPath> {
    let mut m: ModPath = path.clone();
    while !c.modules.contains_key(&m) {
        m.pop();
    }
    if let Some(next) = path.get(m.len())
        && depth < 8
    {
        match c.modules[&m].reexports.get(next) {
            Some(Some(p)) if p != path => {
                let mut p = p.clone();
                p.extend(path[m.len() + 1..].iter().cloned());
                return target(c, &p, depth + 1);
            }
            Some(None) => return None,
            _ => {}
        }
    }
    Some(m)
}

/// Every import of the crate: (from, to) -> the first `file:line` that makes it.
fn imports(c: &Crate) -> BTreeMap<(ModPath, ModPath), String> {
    let mut edges = BTreeMap::new();
    for (m, module) in &c.modules {
        let toks = tokens(&module.code);
        let words: Vec<String> = toks.iter().map(|t| t.0.clone()).collect();
        let mut found: Vec<(ModPath, usize)> = Vec::new();
        let mut aliases = BTreeMap::new();
        // `use` trees.
        let mut in_use = vec![false; toks.len()];
        for (i, w) in words.iter().enumerate() {
            if w == "use" {
                let end = words[i..].iter().position(|x| x == ";").map_or(words.len(), |e| i + e);
                for (p, n) in use_paths(&words[i + 1..end]) {
                    if let Some(abs) = absolute(c, m, &module.children, &aliases, &p) {
                        if n != "*" && c.modules.contains_key(&abs) {
                            aliases.insert(n.clone(), abs.clone());
                        }
                        found.push((abs, toks[i].1));
                    }
                }
                in_use[i..end].iter_mut().for_each(|x| *x = true);
            }
        }
        // Paths in the code: a::b::c not preceded by `::`.
        let mut i = 0;
        while i < toks.len() {
            let starts = !in_use[i]
                && words[i].chars().all(is_ident)
                && words.get(i + 1).is_some_and(|x| x == "::")
                && (i == 0 || words[i - 1] != "::");
            if !starts {
                i += 1;
                continue;
            }
            let mut p = vec![words[i].clone()];
            let mut j = i + 1;
            while words.get(j).is_some_and(|x| x == "::") && words.get(j + 1).is_some_and(|x| x.chars().all(is_ident)) {
                p.push(words[j + 1].clone());
                j += 2;
            }
            if let Some(abs) = absolute(c, m, &module.children, &aliases, &p) {
                found.push((abs, toks[i].1));
            }
            i = j;
        }
        for (abs, line) in found {
            if let Some(t) = target(c, &abs, 0) {
                // A module may use what its ancestors hold (`super::`): the folder's own room.
                if t != *m && !m.starts_with(&t) {
                    let rel = module.file.strip_prefix(root()).unwrap_or(&module.file).display().to_string();
                    edges.entry((m.clone(), t)).or_insert(format!("{rel}:{line}"));
                }
            }
        }
    }
    edges
}

/// Strongly connected components with more than one module (Tarjan).
fn circles(nodes: &[ModPath], edges: &BTreeMap<(ModPath, ModPath), String>) -> Vec<Vec<ModPath>> {
    struct T<'a> {
        adj: BTreeMap<&'a ModPath, Vec<&'a ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on: BTreeSet<&'a ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a ModPath) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.adj.get(v).cloned().unwrap_or_default() {
            if !t.index.contains_key(w) {
                visit(t, w);
                let l = t.low[v].min(t.low[w]);
                t.low.insert(v, l);
            } else if t.on.contains(w) {
                let l = t.low[v].min(t.index[w]);
                t.low.insert(v, l);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t =
        T { adj: BTreeMap::new(), index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on: BTreeSet::new(), out: Vec::new() };
    for (a, b) in edges.keys() {
        t.adj.entry(a).or_default().push(b);
    }
    for v in nodes {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn name(c: &Crate, m: &ModPath) -> String {
    std::iter::once(c.name.as_str()).chain(m.iter().map(String::as_str)).collect::<Vec<_>>().join("::")
}

/// One way round a circle, each step with the import that makes it.
fn describe(c: &Crate, comp: &[ModPath], edges: &BTreeMap<(ModPath, ModPath), String>) -> String {
    // Walk from the first module along edges inside the component back to it (BFS for the shortest).
    let start = &comp[0];
    let inside: BTreeSet<&ModPath> = comp.iter().collect();
    let mut prev: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut back = None;
    while let Some(v) = queue.pop_front() {
        for ((a, b), _) in edges.range((v.clone(), Vec::new())..) {
            if a != v {
                break;
            }
            if !inside.contains(b) {
                continue;
            }
            if b == start {
                back = Some(v);
                break;
            }
            if !prev.contains_key(b) {
                prev.insert(b, v);
                queue.push_back(b);
            }
        }
        if back.is_some() {
            break;
        }
    }
    let mut path = vec![start];
    let mut v = back.unwrap_or(start);
    while v != start {
        path.push(v);
        v = prev[v];
    }
    path[1..].reverse();
    path.push(start);
    let mut s = format!("circle of {} modules: {}\n", comp.len(), comp.iter().map(|m| name(c, m)).collect::<Vec<_>>().join(", "));
    for w in path.windows(2) {
        let at = &edges[&(w[0].clone(), w[1].clone())];
        s.push_str(&format!("    {} imports {}  ({at})\n", name(c, w[0]), name(c, w[1])));
    }
    s
}

fn crates() -> Vec<Crate> {
    let mut out = vec![load_crate("kicsim", &root().join("src"))];
    for e in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = e.unwrap().path();
        if dir.join("src/lib.rs").is_file() {
            let name = dir.file_name().unwrap().to_string_lossy().replace('-', "_");
            out.push(load_crate(&name, &dir.join("src")));
        }
    }
    out
}

#[test]
fn no_module_imports_itself_in_a_circle() {
    let mut new = Vec::new();
    let mut seen_known = BTreeSet::new();
    for c in crates() {
        let edges = imports(&c);
        let nodes: Vec<ModPath> = c.modules.keys().cloned().collect();
        for comp in circles(&nodes, &edges) {
            let names: BTreeSet<String> = comp.iter().map(|m| name(&c, m)).collect();
            let known = KNOWN.iter().position(|k| k.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>() == names);
            match known {
                Some(k) => {
                    seen_known.insert(k);
                    eprintln!("known (being removed): {}", describe(&c, &comp, &edges));
                }
                None => new.push(describe(&c, &comp, &edges)),
            }
        }
    }
    let gone: Vec<String> = (0..KNOWN.len()).filter(|k| !seen_known.contains(k)).map(|k| KNOWN[k].join(" <-> ")).collect();
    assert!(new.is_empty(), "import circles between modules (move what both sides need below both):\n{}", new.join("\n"));
    assert!(gone.is_empty(), "these circles are gone: delete them from KNOWN in tests/modules.rs: {}", gone.join("; "));
}

/// The checker itself: a circle made of a use, a path and a re-export is found; a child
/// declared, a comment and a string are not imports.
#[test]
fn the_checker_finds_a_circle_and_only_real_imports() {
    let dir = std::env::temp_dir().join(format!("kicsim-modules-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "pub mod a;\npub mod b;\npub mod c;\n").unwrap();
    std::fs::write(dir.join("a/mod.rs"), "mod x;\npub use x::Thing;\n// crate::c::f\nfn g() { let s = \"crate::c::f\"; }\n").unwrap();
    std::fs::write(dir.join("a/x.rs"), "pub struct Thing;\nfn f() { crate::b::go(); }\n").unwrap();
    std::fs::write(dir.join("b.rs"), "use crate::a::Thing;\npub fn go() {}\n").unwrap();
    std::fs::write(dir.join("c.rs"), "pub fn f() {}\n#[cfg(test)]\nmod tests { use crate::b::go; }\n").unwrap();
    let c = load_crate("t", &dir);
    let edges = imports(&c);
    let m = |s: &str| -> ModPath { s.split("::").filter(|x| !x.is_empty()).map(String::from).collect() };
    assert!(edges.contains_key(&(m("b"), m("a::x"))), "a re-export is followed to its file: {edges:?}");
    assert!(edges.contains_key(&(m("a"), m("a::x"))));
    assert!(!edges.keys().any(|(a, b)| a == &m("a") && b == &m("c")), "comments and strings are not imports");
    assert!(!edges.keys().any(|(a, _)| a == &m("c")), "the test module is not an import");
    let found = circles(&c.modules.keys().cloned().collect::<Vec<_>>(), &edges);
    assert_eq!(found, vec![vec![m("a::x"), m("b")]]);
    let text = describe(&c, &found[0], &edges);
    assert!(text.contains("t::a::x imports t::b") && text.contains("x.rs:2"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Function bodies in `src/` (from the `fn` line to its closing brace) of at most
/// [`MAX_FN_LINES`] lines.
#[test]
fn no_function_in_src_is_over_120_lines() {
    let mut long = Vec::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let code = strip(&std::fs::read_to_string(&p).unwrap());
                let bytes = code.as_bytes();
                let mut offset = 0;
                for (i, line) in code.split_inclusive('\n').enumerate() {
                    let t = line.trim_start();
                    let is_fn = t.starts_with("fn ") || t.contains(" fn ");
                    if is_fn
                        && let Some(open) = code[offset..].find(['{', ';']).map(|o| o + offset)
                        && bytes[open] == b'{'
                    {
                        let close = matching(bytes, open);
                        let lines = code[offset..=close].matches('\n').count() + 1;
                        if lines > MAX_FN_LINES {
                            long.push(format!("{}:{}: {} lines", p.strip_prefix(root()).unwrap().display(), i + 1, lines));
                        }
                    }
                    offset += line.len();
                }
            }
        }
    }
    long.sort();
    assert!(long.is_empty(), "functions over {MAX_FN_LINES} lines (split them into steps):\n{}", long.join("\n"));
}
