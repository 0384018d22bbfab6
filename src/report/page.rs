//! A report page of blocks (headings, paragraphs, tables, lists, charts) laid out by the
//! template `templates/page.html` (autoescaped, with the one `style.css`): the HTML of the
//! sensitivity and calibration reports, whose section builders fill it beside their Markdown.

use serde::Serialize;

/// One block of a page, in reading order.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    H2 {
        text: String,
    },
    H3 {
        text: String,
    },
    P {
        text: String,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    List {
        items: Vec<String>,
    },
    /// A chart's SVG, inline (the one thing not escaped: it is drawn by the charts, not typed).
    Svg {
        svg: String,
    },
}

impl Block {
    pub fn h2(text: impl Into<String>) -> Block {
        Block::H2 { text: text.into() }
    }

    pub fn h3(text: impl Into<String>) -> Block {
        Block::H3 { text: text.into() }
    }

    pub fn p(text: impl Into<String>) -> Block {
        Block::P { text: text.into() }
    }

    pub fn svg(svg: impl Into<String>) -> Block {
        Block::Svg { svg: svg.into() }
    }
}

/// The blocks of a piece of the report's Markdown: each paragraph (a run of text lines) and
/// each table (a run of `|` lines, its second line the separator), in order. Images are left
/// out: the page holds the charts' SVGs.
pub fn from_markdown(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut text: Vec<&str> = Vec::new();
    let mut table: Vec<&str> = Vec::new();
    let flush_text = |text: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !text.is_empty() {
            out.push(Block::p(text.join(" ")));
            text.clear();
        }
    };
    let flush_table = |table: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !table.is_empty() {
            let cells = |l: &str| l.trim().trim_matches('|').split('|').map(|c| c.trim().to_string()).collect::<Vec<_>>();
            let header = cells(table[0]);
            let rows = table.iter().skip(2).map(|l| cells(l)).collect();
            out.push(Block::Table { header, rows });
            table.clear();
        }
    };
    for line in md.lines() {
        if line.starts_with('|') {
            flush_text(&mut text, &mut out);
            table.push(line);
        } else {
            flush_table(&mut table, &mut out);
            if line.trim().is_empty() || line.starts_with("![") {
                flush_text(&mut text, &mut out);
            } else {
                text.push(line.trim());
            }
        }
    }
    flush_text(&mut text, &mut out);
    flush_table(&mut table, &mut out);
    out
}

/// A self-contained page: its title (also its first heading), stylesheet rules of its own
/// after the shared ones, and its blocks.
#[derive(Serialize, Default)]
pub struct Page {
    pub title: String,
    pub extra_css: String,
    pub blocks: Vec<Block>,
}

impl Page {
    pub fn new(title: impl Into<String>, extra_css: &str) -> Page {
        Page { title: title.into(), extra_css: extra_css.into(), blocks: Vec::new() }
    }

    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    pub fn extend(&mut self, bs: impl IntoIterator<Item = Block>) {
        self.blocks.extend(bs);
    }

    /// Puts `bs` before the first second-level heading (after the opening paragraphs).
    pub fn insert_before_first_h2(&mut self, bs: Vec<Block>) {
        let at = self.blocks.iter().position(|b| matches!(b, Block::H2 { .. })).unwrap_or(self.blocks.len());
        self.blocks.splice(at..at, bs);
    }

    /// The page as HTML, through `templates/page.html`.
    pub fn render(&self) -> Result<String, String> {
        super::render_page(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_pieces_become_paragraphs_and_tables_and_the_page_escapes_them() {
        let md = "Some <b>text</b>\non two lines.\n\n| a | b |\n|---|---|\n| 1 & 2 | x |\n![chart](c.png)\nAfter.\n";
        let blocks = from_markdown(md);
        assert_eq!(
            blocks,
            vec![
                Block::p("Some <b>text</b> on two lines."),
                Block::Table { header: vec!["a".into(), "b".into()], rows: vec![vec!["1 & 2".into(), "x".into()]] },
                Block::p("After."),
            ]
        );
        let mut page = Page::new("T <i>", "");
        page.extend(blocks);
        page.push(Block::svg("<svg></svg>"));
        let html = page.render().unwrap();
        assert!(html.contains("Some &lt;b&gt;text&lt;&#x2f;b&gt;") || html.contains("Some &lt;b&gt;text&lt;/b&gt;"), "{html}");
        assert!(html.contains("<td>1 &amp; 2</td>") && html.contains("<svg></svg>") && html.contains("<h1>T &lt;i&gt;</h1>"), "{html}");
    }
}
