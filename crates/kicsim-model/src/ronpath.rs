//! Finds where a field of a RON document is written, so that a range error found after
//! parsing (e.g. `suppliers[2].capability`) can be reported at its file:line:col.
//!
//! This is a tolerant structural scan, not a second RON parser: it only needs to find
//! struct fields, sequence elements and tuple elements in a document `ron` already accepted
//! (or, for `path_at`, one it rejected at a known position).

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open(char),
    Close(char),
    Colon,
    Comma,
    Word,
}

fn tokenize(src: &str) -> Vec<(Tok, usize, &str)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push((Tok::Word, start, &src[start..i.min(src.len())]));
            }
            b'\'' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push((Tok::Word, start, &src[start..i.min(src.len())]));
            }
            b'(' | b'[' | b'{' => {
                out.push((Tok::Open(c as char), i, &src[i..i + 1]));
                i += 1;
            }
            b')' | b']' | b'}' => {
                out.push((Tok::Close(c as char), i, &src[i..i + 1]));
                i += 1;
            }
            b':' => {
                out.push((Tok::Colon, i, ":"));
                i += 1;
            }
            b',' => {
                out.push((Tok::Comma, i, ","));
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < bytes.len() {
                    let b = bytes[i];
                    if b.is_ascii_whitespace()
                        || b"()[]{}:,\"'".contains(&b)
                        || (b == b'/' && matches!(bytes.get(i + 1), Some(b'/') | Some(b'*')))
                    {
                        break;
                    }
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push((Tok::Word, start, &src[start..i]));
            }
        }
    }
    out
}

/// Deeper than this, a group of brackets is skipped whole (without recursion): no scenario
/// nests nearly as deep, and a file of a hundred thousand `(` must not overflow the stack.
const MAX_INDEX_DEPTH: usize = 256;

/// One field or element found: its path, where it is written (its name, for a struct field),
/// where its value starts, and where the value ends (the next comma or bracket).
struct Entry {
    path: String,
    start: usize,
    value_start: usize,
    end: usize,
}

/// Which fields [`index`] records (the others are skipped without recursion or allocation,
/// so finding one field of a file of 100,000 suppliers does not index every supplier).
#[derive(Clone, Copy)]
enum Want<'w> {
    All,
    /// These paths and their ancestors.
    Paths(&'w std::collections::HashSet<String>),
    /// The fields whose text holds this byte offset.
    Around(usize),
}

/// The fields and elements found, as `want` asks.
fn index(src: &str, want: Want) -> Vec<Entry> {
    let toks = tokenize(src);
    let mut out = Vec::new();
    let mut pos = 0;
    value(&toks, &mut pos, "", &mut out, src.len(), 0, want);
    out
}

/// Skips one value at `pos` (a word, a group, or a name and its group), as [`value`] reads it.
fn skip_value(toks: &[(Tok, usize, &str)], pos: &mut usize) {
    if let Some((Tok::Word, _, _)) = toks.get(*pos) {
        *pos += 1;
        if !matches!(toks.get(*pos), Some((Tok::Open('('), _, _))) {
            return;
        }
    }
    if let Some((Tok::Open(_), _, _)) = toks.get(*pos) {
        skip_group(toks, pos);
    }
}

/// Skips the bracketed group opening at `pos` (with its closing bracket), counting instead of
/// descending.
fn skip_group(toks: &[(Tok, usize, &str)], pos: &mut usize) {
    let mut depth = 0usize;
    while let Some((t, _, _)) = toks.get(*pos) {
        *pos += 1;
        match t {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

fn value(toks: &[(Tok, usize, &str)], pos: &mut usize, path: &str, out: &mut Vec<Entry>, len: usize, depth: usize, want: Want) {
    // Optional struct/enum name before a parenthesis.
    if let Some((Tok::Word, _, _)) = toks.get(*pos) {
        if matches!(toks.get(*pos + 1), Some((Tok::Open('('), _, _))) {
            *pos += 1;
        } else {
            *pos += 1;
            return;
        }
    }
    let Some((Tok::Open(open), _, _)) = toks.get(*pos).cloned() else {
        return;
    };
    if depth >= MAX_INDEX_DEPTH {
        skip_group(toks, pos);
        return;
    }
    *pos += 1;
    let close = match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    };
    let is_struct =
        open == '(' && matches!(toks.get(*pos), Some((Tok::Word, _, _))) && matches!(toks.get(*pos + 1), Some((Tok::Colon, _, _)));
    let mut idx = 0;
    loop {
        match toks.get(*pos) {
            None => return,
            Some((Tok::Close(c), _, _)) if *c == close => {
                *pos += 1;
                return;
            }
            Some((Tok::Close(_), _, _)) => {
                *pos += 1;
                return;
            }
            Some((Tok::Comma, _, _)) => {
                *pos += 1;
                continue;
            }
            _ => {}
        }
        let start = toks[*pos].1;
        let child = if is_struct {
            let name = toks[*pos].2;
            *pos += 1;
            if matches!(toks.get(*pos), Some((Tok::Colon, _, _))) {
                *pos += 1;
            }
            if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
        } else if open == '{' {
            // map: key : value; index the value under the key text.
            let key = toks[*pos].2.trim_matches('"').to_string();
            skip_value(toks, pos);
            if matches!(toks.get(*pos), Some((Tok::Colon, _, _))) {
                *pos += 1;
            }
            format!("{path}.{key}")
        } else {
            let c = format!("{path}[{idx}]");
            idx += 1;
            c
        };
        let before = *pos;
        let wanted = match want {
            Want::All => true,
            Want::Paths(set) => set.contains(&child),
            Want::Around(off) => {
                // Where it ends, to read it only if its text holds the offset.
                let mut after = *pos;
                skip_value(toks, &mut after);
                start <= off && off <= toks.get(after).map_or(len, |t| t.1)
            }
        };
        if !wanted {
            skip_value(toks, pos);
            if *pos == before {
                *pos += 1;
            }
            continue;
        }
        let slot = out.len();
        let value_start = toks.get(*pos).map_or(len, |t| t.1);
        out.push(Entry { path: child.clone(), start, value_start, end: len });
        value(toks, pos, &child, out, len, depth + 1, want);
        let end = toks.get(*pos).map(|t| t.1).unwrap_or(len);
        out[slot].end = end;
        if *pos == before {
            *pos += 1;
        }
    }
}

/// Where the fields of one text are written, found in one pass: for the many problems of a
/// large file, each is then located without reading the file again.
pub struct Locator<'a> {
    src: &'a str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// Each path's first entry: where it is written, and its value's byte range.
    at: std::collections::HashMap<String, (usize, usize, usize)>,
}

impl<'a> Locator<'a> {
    /// Every field of the text.
    pub fn new(src: &'a str) -> Locator<'a> {
        Locator::with(src, Want::All)
    }

    /// Only the given paths (and their ancestors, where a path is left to its default): as fast
    /// for one path in a file of 100,000 items as in a short one.
    pub fn for_paths<'p>(src: &'a str, paths: impl IntoIterator<Item = &'p str>) -> Locator<'a> {
        let mut set = std::collections::HashSet::new();
        for p in paths {
            let mut q = p;
            while !q.is_empty() && set.insert(q.to_string()) {
                q = q.rfind(['.', '[']).map_or("", |cut| &q[..cut]);
            }
        }
        Locator::with(src, Want::Paths(&set))
    }

    fn with(src: &'a str, want: Want) -> Locator<'a> {
        let mut at = std::collections::HashMap::new();
        for e in index(src, want) {
            at.entry(e.path).or_insert((e.start, e.value_start, e.end));
        }
        let line_starts = std::iter::once(0).chain(src.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Locator { src, line_starts, at }
    }

    /// 1-based line and column of a byte offset (columns count characters, not bytes).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.src.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line, col)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).map_or(self.src.len(), |&e| e - 1);
        let text = self.src.get(start..end).unwrap_or("");
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// [`locate`], without reading the text again.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if let Some((start, _, _)) = self.at.get(p) {
                return Some(self.line_col(*start));
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
            if p.is_empty() {
                return None;
            }
        }
    }

    /// The byte range of the value written for `path` exactly (no ancestor), without the blanks
    /// after it.
    pub fn value_span(&self, path: &str) -> Option<(usize, usize)> {
        let (_, start, end) = *self.at.get(path)?;
        let end = start.max(end);
        let text = self.src.get(start..end)?;
        Some((start, start + text.trim_end().len()))
    }
}

/// Every field and element of a text, in the order written: its path (`anchor.site.x_km`,
/// `suppliers[2]`) and its value's text (without the blanks after it).
pub fn fields_in_order(src: &str) -> Vec<(String, &str)> {
    index(src, Want::All)
        .into_iter()
        .map(|e| {
            let text = src.get(e.value_start..e.end.max(e.value_start)).unwrap_or("");
            (e.path, text.trim_end())
        })
        .collect()
}

/// Byte offset of the first bracket that opens more than `limit` levels deep, found in one
/// pass without recursion (strings and comments are skipped as [`tokenize`] skips them).
pub fn too_deep(src: &str, limit: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

fn offset_of(src: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return off + l.char_indices().nth(col.saturating_sub(1)).map(|(b, _)| b).unwrap_or(l.len());
        }
        off += l.len();
    }
    src.len()
}

/// 1-based line and column where `path` (e.g. `suppliers[1].site.x_km`) is written.
/// When the field itself is absent (left to its default), the nearest written ancestor is given.
/// (For many paths of one text, [`Locator`] reads it once.)
pub fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    Locator::for_paths(src, [path]).locate(path)
}

/// The path of the innermost field written around a 1-based line and column.
pub fn path_at(src: &str, line: usize, col: usize) -> Option<String> {
    let off = offset_of(src, line, col);
    index(src, Want::Around(off))
        .into_iter()
        .filter(|e| e.start <= off && off <= e.end)
        .max_by_key(|e| (e.start, e.path.len()))
        .map(|e| e.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "// a comment (with parens)\n(\n  name: \"x (y)\",\n  suppliers: [\n    (capability: 0.3),\n    (site: (x_km: 1.0, y_km: 2.0), capability: 2.0),\n  ],\n  incentives: (local_content: [(3, 0.4), (5, 0.6)]),\n)\n";

    #[test]
    fn finds_nested_fields_and_elements() {
        assert_eq!(locate(SRC, "name"), Some((3, 3)));
        assert_eq!(locate(SRC, "suppliers[1].capability"), Some((6, 36)));
        assert_eq!(locate(SRC, "suppliers[1].site.y_km"), Some((6, 24)));
        assert_eq!(locate(SRC, "incentives.local_content[1]"), Some((8, 42)));
        // absent field: falls back to the written ancestor
        assert_eq!(locate(SRC, "suppliers[0].site.x_km"), Some((5, 5)));
    }

    /// The innermost path from the full index, as `path_at` found it before it read only the
    /// fields around the offset.
    fn path_at_full(src: &str, off: usize) -> Option<String> {
        index(src, Want::All).into_iter().filter(|e| e.start <= off && off <= e.end).max_by_key(|e| (e.start, e.path.len())).map(|e| e.path)
    }

    #[test]
    fn reading_only_what_is_asked_finds_what_the_full_index_finds() {
        let baseline = include_str!("../../../scenarios/baseline.ron");
        let broken = "(a: [(x: 1, y: (2, 3)), Some((z: [1, 2])), {\"k\": (v: 1)}], b: (c: , d: 4 e: [ (f: 1)";
        for src in [SRC, baseline, broken, "((((", "[1, (a: 2), [3, [4]]]"] {
            let full = Locator::new(src);
            for e in index(src, Want::All) {
                assert_eq!(Locator::for_paths(src, [e.path.as_str()]).locate(&e.path), full.locate(&e.path), "{}", e.path);
                let below = format!("{}.nope[3]", e.path);
                assert_eq!(locate(src, &below), full.locate(&below), "{below}");
            }
            for off in 0..=src.len() {
                if src.is_char_boundary(off) {
                    let (line, col) = full.line_col(off);
                    assert_eq!(path_at(src, line, col), path_at_full(src, off), "{src:?} at {off}");
                }
            }
        }
    }

    #[test]
    fn innermost_path_at_a_position() {
        assert_eq!(path_at(SRC, 6, 40).as_deref(), Some("suppliers[1].capability"));
        assert_eq!(path_at(SRC, 8, 5).as_deref(), Some("incentives"));
    }
}
