//! Laying a parsed file out: comments attached to what they belong to, then
//! every item and statement printed in its canonical form.

use super::MAX_WIDTH;
use crate::source::LineIndex;
use crate::syntax::ast::*;
use crate::syntax::quote;

const INDENT: &str = "    ";

/// One output line (indentation level and text), or a blank line.
#[derive(Debug)]
enum Line {
    Text(usize, String),
    Blank,
}

/// The comments in the gaps of a container (a file, a block), each given
/// to what it belongs to.
struct Attached<'t> {
    /// A comment at the end of the opening line (`component "A" { # …`).
    opener: Option<&'t Comment>,
    /// Per child.
    children: Vec<Attachment<'t>>,
    /// Own-line comments after the last child (with "blank line before").
    dangling: Vec<(&'t Comment, bool)>,
}

/// The comments of one child of a container.
#[derive(Default)]
struct Attachment<'t> {
    /// Own-line comments above it, each with "a blank line before it".
    leading: Vec<(&'t Comment, bool)>,
    /// A blank line between its leading comments (or the previous child)
    /// and the child.
    blank_before: bool,
    /// The comment at the end of its (last) line.
    trailing: Option<&'t Comment>,
}

impl Attachment<'_> {
    fn has_comments(&self) -> bool {
        !self.leading.is_empty() || self.trailing.is_some()
    }

    /// Whether one of its comments suppresses `code`.
    fn suppresses(&self, code: &str) -> bool {
        self.leading
            .iter()
            .map(|(c, _)| *c)
            .chain(self.trailing)
            .any(|c| c.text.starts_with("aclc-ignore") && c.text.contains(code))
    }
}

struct Cx<'t> {
    text: &'t str,
    comments: &'t [Comment],
    lines: LineIndex,
}

/// The canonical layout of a file that parsed without errors.
pub(super) fn file(text: &str, parsed: &ParsedFile) -> String {
    let cx = Cx {
        text,
        comments: &parsed.comments,
        lines: LineIndex::new(text),
    };
    let spans: Vec<(usize, usize)> = parsed.items.iter().map(|i| cx.item_span(i)).collect();
    let attached = cx.attach(0, text.len(), &spans);
    let mut out = Vec::new();
    // Nothing opens a file: a comment after a byte-order mark on the first
    // line is an own-line comment like any other.
    if let Some(c) = attached.opener {
        out.push(Line::Text(0, cx.raw(c).to_string()));
    }
    let mut previous_block = false;
    for (i, (item, att)) in parsed.items.iter().zip(&attached.children).enumerate() {
        let block = cx.is_block(item);
        let separate = i > 0 && (block || previous_block);
        let lines = cx.item(item);
        cx.entry(
            &mut out,
            0,
            att,
            lines,
            i == 0 && attached.opener.is_none(),
            separate,
        );
        previous_block = block;
    }
    cx.dangling(&mut out, 0, &attached.dangling);
    render(out)
}

/// Join lines: no blank line at the start or the end, never two in a row.
fn render(lines: Vec<Line>) -> String {
    let mut s = String::new();
    let mut blank = false;
    for line in lines {
        match line {
            Line::Blank => blank = !s.is_empty(),
            Line::Text(indent, text) => {
                if blank {
                    s.push('\n');
                    blank = false;
                }
                for _ in 0..indent {
                    s.push_str(INDENT);
                }
                s.push_str(&text);
                s.push('\n');
            }
        }
    }
    s
}

impl<'t> Cx<'t> {
    /// A comment's text as written (without trailing white space).
    fn raw(&self, c: &Comment) -> &'t str {
        self.text
            .get(c.span.start as usize..c.span.end as usize)
            .unwrap_or("#")
            .trim_end()
    }

    /// The comments starting in `from..to`.
    fn comments_in(&self, from: usize, to: usize) -> &'t [Comment] {
        let a = self
            .comments
            .partition_point(|c| (c.span.start as usize) < from);
        let b = self
            .comments
            .partition_point(|c| (c.span.start as usize) < to);
        self.comments.get(a..b.max(a)).unwrap_or(&[])
    }

    /// Whether `from..to` holds an empty line.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.text.get(from..to).unwrap_or("");
        let mut parts = gap.split('\n');
        parts.next();
        let middle: Vec<&str> = parts.collect();
        // The last part is the start of the line `to` is on, not a line.
        middle.len() > 1
            && middle[..middle.len() - 1]
                .iter()
                .any(|l| l.trim().is_empty())
    }

    /// Give the comments between children (spans in source order) of a
    /// container whose inside is `open_end..close_start` to the children.
    fn attach(
        &self,
        open_end: usize,
        close_start: usize,
        spans: &[(usize, usize)],
    ) -> Attached<'t> {
        let mut attached = Attached {
            opener: None,
            children: Vec::with_capacity(spans.len()),
            dangling: Vec::new(),
        };
        let mut prev_end = open_end;
        let gaps = spans
            .iter()
            .map(|&(s, e)| (s, Some(e)))
            .chain(std::iter::once((close_start, None)));
        for (start, end) in gaps {
            let mut leading = Vec::new();
            let mut pos = prev_end;
            for c in self.comments_in(prev_end, start) {
                let trailing_slot = match attached.children.last_mut() {
                    Some(prev) => &mut prev.trailing,
                    None => &mut attached.opener,
                };
                if !c.own_line && leading.is_empty() && trailing_slot.is_none() {
                    *trailing_slot = Some(c);
                } else {
                    leading.push((c, self.blank_between(pos, c.span.start as usize)));
                }
                pos = c.span.end as usize;
            }
            match end {
                Some(end) => {
                    attached.children.push(Attachment {
                        leading,
                        blank_before: self.blank_between(pos, start),
                        trailing: None,
                    });
                    prev_end = end;
                }
                None => attached.dangling = leading,
            }
        }
        attached
    }

    /// Emit one child with its comments.
    fn entry(
        &self,
        out: &mut Vec<Line>,
        indent: usize,
        att: &Attachment<'t>,
        mut lines: Vec<Line>,
        first: bool,
        force_blank: bool,
    ) {
        // No blank line opens a container; a block is set apart from the
        // item before it (before its comments, which belong to it).
        let mut first_line = true;
        for (c, blank) in &att.leading {
            if !(first && first_line) && ((first_line && force_blank) || *blank) {
                out.push(Line::Blank);
            }
            first_line = false;
            out.push(Line::Text(indent, self.raw(c).to_string()));
        }
        if !(first && first_line) && ((first_line && force_blank) || att.blank_before) {
            out.push(Line::Blank);
        }
        if let Some(c) = att.trailing {
            if let Some(Line::Text(_, last)) =
                lines.iter_mut().rev().find(|l| matches!(l, Line::Text(..)))
            {
                last.push(' ');
                last.push_str(self.raw(c));
            }
        }
        out.append(&mut lines);
    }

    /// Own-line comments after the last child of a container.
    fn dangling(&self, out: &mut Vec<Line>, indent: usize, comments: &[(&'t Comment, bool)]) {
        for (c, blank) in comments {
            if *blank {
                out.push(Line::Blank);
            }
            out.push(Line::Text(indent, self.raw(c).to_string()));
        }
    }

    /// Comments inside a one-line construct, moved above it.
    fn hoisted(&self, out: &mut Vec<Line>, indent: usize, from: usize, to: usize) {
        for c in self.comments_in(from, to) {
            out.push(Line::Text(indent, self.raw(c).to_string()));
        }
    }

    /// Where the `{` after `from` is (white space and comments skipped).
    fn open_brace(&self, from: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            match bytes[i] {
                b'{' => return i,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        from
    }

    /// Where the `}` closing a block that ends at `end` is.
    fn close_brace(&self, end: usize) -> usize {
        let close = end.saturating_sub(1);
        if self.text.as_bytes().get(close) == Some(&b'}') {
            close
        } else {
            end
        }
    }

    /// The start of the keyword `kw` written before byte `at`.
    fn keyword_before(&self, at: usize, kw: &str) -> usize {
        let mut limit = at;
        while let Some(pos) = self.text.get(..limit).and_then(|t| t.rfind(kw)) {
            // Not the word in a comment between the keyword and the name.
            let i = self
                .comments
                .partition_point(|c| (c.span.start as usize) <= pos);
            let in_comment = i
                .checked_sub(1)
                .and_then(|i| self.comments.get(i))
                .is_some_and(|c| pos < c.span.end as usize);
            if !in_comment {
                return pos;
            }
            limit = pos;
        }
        at
    }

    fn item_span(&self, item: &Item) -> (usize, usize) {
        let span = match item {
            Item::Acl(d) => d.span,
            Item::Object(o) => o.span,
            Item::Default(d) => d.span,
            Item::Environment(e) => e.span,
            Item::Guard(g) => g.span,
            Item::Test(t) => t.span,
            Item::Reseller(name) => {
                let start = self.keyword_before(name.span.start as usize, "reseller");
                return (start, name.span.end as usize);
            }
        };
        (span.start as usize, span.end as usize)
    }

    /// Whether an item is printed on several lines (and so set apart by
    /// blank lines).
    fn is_block(&self, item: &Item) -> bool {
        match item {
            Item::Acl(_) | Item::Environment(_) | Item::Guard(_) | Item::Test(_) => true,
            Item::Object(o) => self.object_multiline(o),
            Item::Reseller(_) | Item::Default(_) => false,
        }
    }

    fn item(&self, item: &Item) -> Vec<Line> {
        let mut out = Vec::new();
        match item {
            Item::Acl(d) => self.acl(&mut out, d),
            Item::Reseller(name) => {
                let (start, end) = self.item_span(item);
                self.hoisted(&mut out, 0, start, end);
                out.push(Line::Text(0, format!("reseller {}", quote(&name.node))));
            }
            Item::Object(o) => self.object(&mut out, o),
            Item::Default(d) => {
                self.hoisted(&mut out, 0, d.span.start as usize, d.span.end as usize);
                out.push(Line::Text(0, default(d)));
            }
            Item::Environment(e) => {
                let head = format!("environment {}", quote(&e.name.node));
                let children: Vec<_> = e
                    .defaults
                    .iter()
                    .map(|d| {
                        let mut lines = Vec::new();
                        self.hoisted(&mut lines, 1, d.span.start as usize, d.span.end as usize);
                        lines.push(Line::Text(1, default(d)));
                        ((d.span.start as usize, d.span.end as usize), lines)
                    })
                    .collect();
                self.block(
                    &mut out,
                    head,
                    (e.span.start as usize, e.name.span.end as usize),
                    e.span.end as usize,
                    children,
                );
            }
            Item::Guard(g) => {
                let head = format!("guard {}", quote(&g.name.node));
                let open = self.open_brace(g.name.span.end as usize);
                let mut children = Vec::new();
                if let (Some(first), Some(last)) = (g.targets.first(), g.targets.last()) {
                    let start = self
                        .keyword_before(first.span.start as usize, "for")
                        .max(open);
                    let end = last.span.end as usize;
                    let targets: Vec<String> = g
                        .targets
                        .iter()
                        .map(|t| match &t.node {
                            GuardTarget::Type(p) => p.as_str().to_string(),
                            GuardTarget::Named(n) => quote(n),
                        })
                        .collect();
                    let mut lines = Vec::new();
                    self.hoisted(&mut lines, 1, start, end);
                    lines.push(Line::Text(1, format!("for {}", targets.join(", "))));
                    children.push(((start, end), lines));
                }
                for r in &g.rules {
                    children.push(self.one_line(r.span, permission(r)));
                }
                self.block(
                    &mut out,
                    head,
                    (g.span.start as usize, g.name.span.end as usize),
                    g.span.end as usize,
                    children,
                );
            }
            Item::Test(t) => {
                let head = format!("test {}", quote(&t.name.node));
                let children = t
                    .expectations
                    .iter()
                    .map(|e| {
                        let line = format!("expect {} {}", quote(&e.acl.node), permission(&e.rule));
                        self.one_line(e.span, line)
                    })
                    .collect();
                self.block(
                    &mut out,
                    head,
                    (t.span.start as usize, t.name.span.end as usize),
                    t.span.end as usize,
                    children,
                );
            }
        }
        out
    }

    /// A one-line child of a block (indent 1), comments inside it above it.
    fn one_line(&self, span: crate::source::Span, text: String) -> ((usize, usize), Vec<Line>) {
        let (start, end) = (span.start as usize, span.end as usize);
        let mut lines = Vec::new();
        self.hoisted(&mut lines, 1, start, end);
        lines.push(Line::Text(1, text));
        ((start, end), lines)
    }

    /// A `head { children }` block whose head ends at `head_end` and
    /// whose `}` ends at `end`; children in source order.
    fn block(
        &self,
        out: &mut Vec<Line>,
        head: String,
        (start, head_end): (usize, usize),
        end: usize,
        children: Vec<((usize, usize), Vec<Line>)>,
    ) {
        let open = self.open_brace(head_end);
        let close = self.close_brace(end);
        let spans: Vec<(usize, usize)> = children.iter().map(|(s, _)| *s).collect();
        let attached = self.attach(open + 1, close, &spans);
        let lines: Vec<Vec<Line>> = children.into_iter().map(|(_, l)| l).collect();
        let order: Vec<usize> = (0..lines.len()).collect();
        self.emit_block(out, head, start, open, attached, lines, &order);
    }

    /// Emit a block: `head {`, comments written inside the head, the
    /// children in `order`, the comments after them, `}`.
    #[allow(
        clippy::too_many_arguments,
        reason = "one private call site per block kind"
    )]
    fn emit_block(
        &self,
        out: &mut Vec<Line>,
        head: String,
        head_start: usize,
        open: usize,
        attached: Attached<'t>,
        lines: Vec<Vec<Line>>,
        order: &[usize],
    ) {
        let in_head = self.comments_in(head_start, open);
        if lines.is_empty()
            && in_head.is_empty()
            && attached.opener.is_none()
            && attached.dangling.is_empty()
        {
            out.push(Line::Text(0, format!("{head} {{}}")));
            return;
        }
        let mut opening = format!("{head} {{");
        if let Some(c) = attached.opener {
            opening.push(' ');
            opening.push_str(self.raw(c));
        }
        out.push(Line::Text(0, opening));
        for c in in_head {
            out.push(Line::Text(1, self.raw(c).to_string()));
        }
        let mut slots: Vec<Option<Vec<Line>>> = lines.into_iter().map(Some).collect();
        for (n, &i) in order.iter().enumerate() {
            let (Some(att), Some(child)) = (attached.children.get(i), slots.get_mut(i)) else {
                continue;
            };
            let child = child.take().unwrap_or_default();
            self.entry(out, 1, att, child, n == 0 && in_head.is_empty(), false);
        }
        self.dangling(out, 1, &attached.dangling);
        out.push(Line::Text(0, "}".to_string()));
    }

    fn acl(&self, out: &mut Vec<Line>, d: &AclDecl) {
        let head = match d.kind.node {
            AclKind::Component => format!("component {}", quote(&d.name.node)),
            AclKind::Participant(p) => {
                format!("access_level {} for {}", quote(&d.name.node), p.as_str())
            }
        };
        let head_end = (d.name.span.end as usize).max(d.kind.span.end as usize);
        let open = self.open_brace(head_end);
        let close = self.close_brace(d.span.end as usize);
        let spans: Vec<(usize, usize)> = d.statements.iter().map(|s| self.stmt_span(s)).collect();
        let attached = self.attach(open + 1, close, &spans);
        let lines: Vec<Vec<Line>> = d
            .statements
            .iter()
            .zip(&attached.children)
            .map(|(s, att)| self.statement(s, att))
            .collect();
        let is_include = |s: &Statement| matches!(s, Statement::Include { .. });
        let last_permission = d
            .statements
            .iter()
            .rposition(|s| matches!(s, Statement::Permission(_)));
        let chosen =
            d.statements
                .iter()
                .zip(&attached.children)
                .enumerate()
                .any(|(i, (s, att))| {
                    is_include(s)
                        && last_permission.is_some_and(|p| i < p)
                        && att.suppresses("include-before-permission")
                });
        let mut order: Vec<usize> = (0..d.statements.len()).collect();
        if !chosen {
            // Stable: the includes keep their order, so does the rest.
            order.sort_by_key(|&i| is_include(&d.statements[i]));
        }
        self.emit_block(
            out,
            head,
            d.span.start as usize,
            open,
            attached,
            lines,
            &order,
        );
    }

    /// Where a statement is written, keyword included.
    fn stmt_span(&self, s: &Statement) -> (usize, usize) {
        let node = |n: &Node<String>, kw: &str| {
            let start = self.keyword_before(n.span.start as usize, kw);
            (start, n.span.end as usize)
        };
        let span = match s {
            Statement::Permission(p) => p.span,
            Statement::Include { span, .. } | Statement::VisibleTo { span, .. } => *span,
            Statement::Hidden(span) => *span,
            Statement::Group(n) => return node(n, "group"),
            Statement::Subsystem(n) => return node(n, "subsystem"),
            Statement::Description(n) => return node(n, "description"),
        };
        (span.start as usize, span.end as usize)
    }

    fn statement(&self, s: &Statement, att: &Attachment<'t>) -> Vec<Line> {
        let (start, end) = self.stmt_span(s);
        let mut out = Vec::new();
        let text = match s {
            Statement::Permission(p) => permission(p),
            Statement::Include { names, .. } => {
                self.list(&mut out, "include", names, (start, end), att.has_comments());
                return out;
            }
            Statement::VisibleTo { names, .. } => {
                self.list(
                    &mut out,
                    "visible_to",
                    names,
                    (start, end),
                    att.has_comments(),
                );
                return out;
            }
            Statement::Group(n) => format!("group {}", quote(&n.node)),
            Statement::Subsystem(n) => format!("subsystem {}", quote(&n.node)),
            Statement::Description(n) => format!("description {}", quote(&n.node)),
            Statement::Hidden(_) => "hidden".to_string(),
        };
        self.hoisted(&mut out, 1, start, end);
        out.push(Line::Text(1, text));
        out
    }

    /// `include "A", "B", …` (or `visible_to`). Without comments: one line,
    /// or wrapped at [`MAX_WIDTH`]. With comments, the names keep the lines
    /// they were written on, so a comment (an `aclc-ignore` above all) stays
    /// on the line of the names it was written for.
    fn list(
        &self,
        out: &mut Vec<Line>,
        keyword: &str,
        names: &[Node<String>],
        (start, end): (usize, usize),
        commented: bool,
    ) {
        let inside = self.comments_in(start, end);
        let quoted: Vec<String> = names.iter().map(|n| quote(&n.node)).collect();
        let Some(first) = names.first() else {
            self.hoisted(out, 1, start, end);
            out.push(Line::Text(1, keyword.to_string()));
            return;
        };
        if !commented && inside.is_empty() {
            let one = format!("{keyword} {}", quoted.join(", "));
            if INDENT.len() + one.chars().count() <= MAX_WIDTH {
                out.push(Line::Text(1, one));
                return;
            }
            let mut current = format!("{keyword} {}", quoted[0]);
            let mut indent = 1;
            for q in &quoted[1..] {
                let width =
                    (indent * INDENT.len()) + current.chars().count() + 2 + q.chars().count();
                // Strictly less: room for the comma that may follow.
                if width < MAX_WIDTH {
                    current.push_str(", ");
                    current.push_str(q);
                } else {
                    current.push(',');
                    out.push(Line::Text(
                        indent,
                        std::mem::replace(&mut current, q.clone()),
                    ));
                    indent = 2;
                }
            }
            out.push(Line::Text(indent, current));
            return;
        }
        // Comments before the first name go above the statement.
        let first_start = first.span.start as usize;
        self.hoisted(out, 1, start, first_start);
        // Groups of names by source line; comments between them.
        let line_of = |n: &Node<String>| self.lines.line_of(n.span.start);
        let mut groups: Vec<(Vec<String>, Vec<&Comment>, Option<&Comment>)> = Vec::new();
        let mut last_line = None;
        let mut comments = self.comments_in(first_start, end).iter().peekable();
        for (n, q) in names.iter().zip(&quoted) {
            let mut above = Vec::new();
            while let Some(c) = comments.next_if(|c| c.span.start < n.span.start) {
                match groups.last_mut() {
                    Some(g) if !c.own_line && g.2.is_none() && above.is_empty() => g.2 = Some(c),
                    _ => above.push(c),
                }
            }
            let line = line_of(n);
            match groups.last_mut() {
                Some(g) if last_line == Some(line) && above.is_empty() => g.0.push(q.clone()),
                _ => groups.push((vec![q.clone()], above, None)),
            }
            last_line = Some(line);
        }
        let count = groups.len();
        for (i, (names, above, trailing)) in groups.into_iter().enumerate() {
            let indent = if i == 0 { 1 } else { 2 };
            for c in above {
                out.push(Line::Text(indent, self.raw(c).to_string()));
            }
            let mut text = names.join(", ");
            if i == 0 {
                text = format!("{keyword} {text}");
            }
            if i + 1 < count {
                text.push(',');
            }
            if let Some(c) = trailing {
                text.push(' ');
                text.push_str(self.raw(c));
            }
            out.push(Line::Text(indent, text));
        }
    }

    fn object_multiline(&self, o: &ObjectDecl) -> bool {
        if !self
            .comments_in(o.span.start as usize, o.span.end as usize)
            .is_empty()
        {
            return true;
        }
        object_one_line(o).chars().count() > MAX_WIDTH
    }

    fn object(&self, out: &mut Vec<Line>, o: &ObjectDecl) {
        if !self.object_multiline(o) {
            out.push(Line::Text(0, object_one_line(o)));
            return;
        }
        let commented = !self
            .comments_in(o.span.start as usize, o.span.end as usize)
            .is_empty();
        if !commented {
            // Too long for one line: the attributes fill lines.
            out.push(Line::Text(0, format!("object {} {{", o.name.node)));
            let mut current = String::new();
            for a in &o.attributes {
                let width = INDENT.len() + current.chars().count() + 2 + a.node.chars().count();
                if !current.is_empty() && width >= MAX_WIDTH {
                    current.push(',');
                    out.push(Line::Text(1, std::mem::take(&mut current)));
                }
                if !current.is_empty() {
                    current.push_str(", ");
                }
                current.push_str(&a.node);
            }
            out.push(Line::Text(1, current));
            out.push(Line::Text(0, "}".to_string()));
            return;
        }
        // With comments: one attribute per line, each comment kept with its own.
        let children = o
            .attributes
            .iter()
            .map(|a| {
                let span = (a.span.start as usize, a.span.end as usize);
                (span, vec![Line::Text(1, a.node.clone())])
            })
            .collect();
        let head = format!("object {}", o.name.node);
        self.block(
            out,
            head,
            (o.span.start as usize, o.name.span.end as usize),
            o.span.end as usize,
            children,
        );
    }
}

fn object_one_line(o: &ObjectDecl) -> String {
    if o.attributes.is_empty() {
        return format!("object {} {{}}", o.name.node);
    }
    let attrs: Vec<&str> = o.attributes.iter().map(|a| a.node.as_str()).collect();
    format!("object {} {{ {} }}", o.name.node, attrs.join(", "))
}

fn default(d: &DefaultDecl) -> String {
    format!("default {} = {}", d.ty.node.as_str(), quote(&d.acl.node))
}

/// `allow read, update Object.attribute`.
fn permission(p: &PermissionStmt) -> String {
    let access: Vec<&str> = p
        .access
        .iter()
        .map(|a| match a.node {
            AccessSpec::One(a) => a.as_str(),
            AccessSpec::All => "all",
        })
        .collect();
    format!(
        "{} {} {}.{}",
        p.effect.node.as_str(),
        access.join(", "),
        p.target.object.node,
        p.target.attribute.node
    )
}
