/**
 * @file Tree-sitter grammar of the aclc policy language (`.acl` files).
 * @license MIT
 *
 * The pest grammar in `grammar/aclc.pest` at the root of the repository is the
 * single definition of the syntax; this file follows it rule by rule, so that
 * both accept the same files. Differences that cannot be avoided are written
 * next to the rule concerned. `check.sh` parses every `.acl` file of the
 * repository with this grammar, so a drift between the two shows up there.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// pest: `ident = @{ (ASCII_ALPHA | "_") ~ ident_char* }`.
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/;
const PREFIX = /[A-Za-z_][A-Za-z0-9_]*\*/;

/**
 * One or more `rule`, separated by commas (pest: `rule ~ ("," ~ rule)*`).
 *
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)));
}

module.exports = grammar({
  name: 'aclc',

  // pest: WHITESPACE is space, tab, CR, LF and the byte order mark, and
  // nothing else (a form feed or a no-break space is a syntax error);
  // COMMENT is `#` to the end of the line, allowed between any two tokens.
  extras: $ => [/[ \t\r\n\uFEFF]+/, $.comment],

  // Keywords are recognised only where the pest grammar expects them, and only
  // as whole words (pest: `"component" ~ !ident_char`): `componentX` is not the
  // keyword, and `object read { update }` declares an object named `read`.
  word: $ => $.identifier,

  rules: {
    source_file: $ => repeat($._item),

    _item: $ => choice(
      $.access_level,
      $.component,
      $.reseller_declaration,
      $.object_declaration,
      $.default_declaration,
      $.environment,
      $.guard,
      $.test,
    ),

    // ------------------------------------------------------------- lexemes

    identifier: _ => IDENT,

    // `#` to the end of the line. A `##` doc comment and an
    // `# aclc-ignore CODE reason` suppression are comments too, told apart by
    // their text in the highlight queries (the parser of aclc does the same).
    comment: _ => token(seq('#', /[^\n]*/)),

    // pest: `"` ~ (any char but `"`, `\`, CR, LF | `\"` | `\\`)* ~ `"`.
    // The content token outranks comments, so `"#1"` is a name, not the start
    // of a comment.
    string: $ => seq(
      '"',
      repeat(choice(
        alias(token.immediate(prec(1, /[^"\\\r\n]+/)), $.string_content),
        $.escape_sequence,
      )),
      token.immediate('"'),
    ),

    escape_sequence: _ => token.immediate(/\\["\\]/),

    participant_type: _ => choice(
      'user',
      'customer',
      'account',
      'reseller',
      'distributor',
      'representative',
      'cc_staff',
      'vendor',
    ),

    effect: _ => choice('allow', 'deny'),

    access: _ => choice('read', 'update', 'insert', 'delete', 'all'),

    // pest: `target = ${ pattern ~ "." ~ pattern }`, one token without spaces
    // or comments inside. A pattern is `*`, a prefix glob `Name*` or a name.
    target: $ => seq(
      field('object', choice(
        $.wildcard,
        $.prefix_pattern,
        alias($.identifier, $.name),
      )),
      token.immediate('.'),
      field('attribute', choice(
        alias(token.immediate('*'), $.wildcard),
        alias(token.immediate(PREFIX), $.prefix_pattern),
        alias(token.immediate(IDENT), $.name),
      )),
    ),

    wildcard: _ => '*',

    prefix_pattern: _ => PREFIX,

    // ------------------------------------------------------- access levels

    access_level: $ => seq(
      'access_level',
      field('name', $.string),
      'for',
      field('type', $.participant_type),
      field('body', $.block),
    ),

    component: $ => seq(
      'component',
      field('name', $.string),
      field('body', $.block),
    ),

    block: $ => seq('{', repeat($._statement), '}'),

    _statement: $ => choice(
      $.permission,
      $.include,
      $.group,
      $.subsystem,
      $.description,
      $.hidden,
      $.visible_to,
    ),

    permission: $ => seq(
      field('effect', $.effect),
      $._access_list,
      field('target', $.target),
    ),

    _access_list: $ => commaSep1(field('access', $.access)),

    include: $ => seq('include', commaSep1(field('name', $.string))),

    group: $ => seq('group', field('name', $.string)),

    subsystem: $ => seq('subsystem', field('name', $.string)),

    description: $ => seq('description', field('text', $.string)),

    hidden: _ => 'hidden',

    visible_to: $ => seq('visible_to', commaSep1(field('reseller', $.string))),

    // ----------------------------------------------------- other top level

    reseller_declaration: $ => seq('reseller', field('name', $.string)),

    // pest: `kw_object ~ ident ~ "{" ~ (ident ~ ","?)* ~ "}"`.
    object_declaration: $ => seq(
      'object',
      field('name', $.identifier),
      '{',
      repeat(seq(field('attribute', alias($.identifier, $.attribute)), optional(','))),
      '}',
    ),

    // `default component` parses (aclc reports it instead of rejecting it).
    default_declaration: $ => seq(
      'default',
      field('type', choice($.participant_type, alias('component', $.participant_type))),
      '=',
      field('access_level', $.string),
    ),

    environment: $ => seq(
      'environment',
      field('name', $.string),
      '{',
      repeat($.default_declaration),
      '}',
    ),

    guard: $ => seq(
      'guard',
      field('name', $.string),
      '{',
      $.guard_for,
      repeat1($.permission),
      '}',
    ),

    // `for` names participant types or (an aclc extension) quoted access levels.
    guard_for: $ => seq(
      'for',
      commaSep1(field('target', choice($.participant_type, $.string))),
    ),

    test: $ => seq(
      'test',
      field('name', $.string),
      '{',
      repeat($.expect),
      '}',
    ),

    expect: $ => seq(
      'expect',
      field('access_level', $.string),
      field('effect', $.effect),
      $._access_list,
      field('target', $.target),
    ),
  },
});
