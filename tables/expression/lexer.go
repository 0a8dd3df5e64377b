package expression

import (
	_ "embed"
	"strings"
)

// reservedWords is DynamoDB's list of reserved words ("Reserved words in
// DynamoDB" in the developer guide), one upper-case word a line.
//
//go:embed reserved_words.txt
var reservedWords string

var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(reservedWords) {
		m[w] = true
	}
	return m
}()

// IsReserved reports whether word (in any case) is a DynamoDB reserved word,
// which an expression must refer to through an expression attribute name.
func IsReserved(word string) bool { return reserved[strings.ToUpper(word)] }

type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // attribute name, keyword or function name
	tName           // #name
	tValue          // :value
	tNumber         // digits, for list indexes
	tCmp            // = <> < <= > >=
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tDot
	tPlus
	tMinus
	tBad // a character outside the language
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the source
}

func (t token) end() int { return t.pos + len(t.text) }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }

// lex splits src into tokens, ending with one tEOF token.
func lex(src string) []token {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		kind := tBad
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isLetter(c) || c == '_':
			for i < len(src) && isWord(src[i]) {
				i++
			}
			kind = tIdent
		case isDigit(c):
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			kind = tNumber
		case c == '#' || c == ':':
			i++
			for i < len(src) && isWord(src[i]) {
				i++
			}
			kind = tName
			if c == ':' {
				kind = tValue
			}
		case c == '=':
			i++
			kind = tCmp
		case c == '<':
			i++
			if i < len(src) && (src[i] == '=' || src[i] == '>') {
				i++
			}
			kind = tCmp
		case c == '>':
			i++
			if i < len(src) && src[i] == '=' {
				i++
			}
			kind = tCmp
		default:
			i++
			switch c {
			case '(':
				kind = tLParen
			case ')':
				kind = tRParen
			case '[':
				kind = tLBrack
			case ']':
				kind = tRBrack
			case ',':
				kind = tComma
			case '.':
				kind = tDot
			case '+':
				kind = tPlus
			case '-':
				kind = tMinus
			default:
				// Keep a whole UTF-8 sequence in the token text.
				for i < len(src) && src[i]&0xC0 == 0x80 {
					i++
				}
			}
		}
		toks = append(toks, token{kind: kind, text: src[start:i], pos: start})
	}
	return append(toks, token{kind: tEOF, pos: len(src)})
}
