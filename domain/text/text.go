// Package text holds the rules every text value crossing Allot's edges
// obeys, whatever its field: one home, so that each adapter checks its
// inputs in one place.
package text

import "unicode/utf8"

// HasControl reports whether s holds a control character (C0 including
// U+0000, DEL, or C1) or is not valid UTF-8. No code, name or credential
// may hold one: PostgreSQL refuses U+0000 in text outright, and the others
// only ever arrive by mistake or malice.
func HasControl(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return true
		}
		if r >= 0x80 && r <= 0x9f {
			return true
		}
		i += n
	}
	return false
}
