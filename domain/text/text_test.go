package text

import "testing"

func TestHasControl(t *testing.T) {
	for s, want := range map[string]bool{
		"": false, "SL1981": false, "Zoë O'Brien": false, "a b": false,
		"SL\x001981": true, "tab\there": true, "nl\n": true, "del\x7f": true,
		"c1\u0085": true, "bad\xff": true,
	} {
		if got := HasControl(s); got != want {
			t.Errorf("HasControl(%q) = %v, want %v", s, got, want)
		}
	}
}
