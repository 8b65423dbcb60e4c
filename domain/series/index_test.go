package series

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestIndexInsertOverlap(t *testing.T) {
	x := NewIndex()
	mustInsert := func(a, b string) {
		t.Helper()
		if err := x.Insert(MustParseRange(a, b)); err != nil {
			t.Fatalf("Insert(%s, %s): %v", a, b, err)
		}
	}
	mustInsert("V10000051", "V10000060")
	mustInsert("V10000071", "V10000080")
	mustInsert("V10000061", "V10000070") // touches both neighbours
	mustInsert("W10000051", "W10000060") // other prefix
	mustInsert("V010000051", "V010000060")

	err := x.Insert(MustParseRange("V10000080", "V10000090"))
	if fault.ReasonOf(err) != ReasonOverlap || fault.CodeOf(err) != fault.Conflict {
		t.Fatalf("overlap: got %v", err)
	}
	if got, ok := x.Overlapping(MustParseRange("V10000001", "V10000051")); !ok || got.String() != "V10000051-V10000060" {
		t.Errorf("Overlapping = %s %v", got, ok)
	}
	if _, ok := x.Overlapping(MustParseRange("V10000081", "V10000099")); ok {
		t.Error("V10000081-V10000099 must be free")
	}
	if x.Len() != 5 {
		t.Errorf("Len = %d", x.Len())
	}
	if !x.Remove(MustParseRange("V10000071", "V10000080")) || x.Remove(MustParseRange("V10000071", "V10000080")) {
		t.Error("Remove must succeed once")
	}
	if x.Remove(MustParseRange("V10000051", "V10000059")) {
		t.Error("Remove must match the range exactly")
	}
	mustInsert("V10000075", "V10000085")
}

// TestIndexAgainstBruteForce checks the index against a linear scan over
// random operations, including removals that rebalance the tree.
func TestIndexAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := NewIndex()
	var held []Range
	mk := func(a, n uint64) Range {
		return MustParseRange(fmt.Sprintf("A%06d", a), fmt.Sprintf("A%06d", a+n))
	}
	for i := 0; i < 20000; i++ {
		r := mk(rng.Uint64N(990000), rng.Uint64N(200))
		var want bool
		for _, h := range held {
			if h.Overlaps(r) {
				want = true
				break
			}
		}
		_, got := x.Overlapping(r)
		if got != want {
			t.Fatalf("op %d: Overlapping(%s) = %v, brute force %v", i, r, got, want)
		}
		if !want {
			if err := x.Insert(r); err != nil {
				t.Fatalf("Insert(%s): %v", r, err)
			}
			held = append(held, r)
		}
		if len(held) > 0 && rng.IntN(3) == 0 {
			j := rng.IntN(len(held))
			if !x.Remove(held[j]) {
				t.Fatalf("Remove(%s) failed", held[j])
			}
			held = append(held[:j], held[j+1:]...)
		}
		if x.Len() != len(held) {
			t.Fatalf("Len = %d, want %d", x.Len(), len(held))
		}
	}
	checkBalanced(t, x)
}

func checkBalanced(t *testing.T, x *Index) {
	var walk func(n *node) int8
	walk = func(n *node) int8 {
		if n == nil {
			return 0
		}
		l, r := walk(n.left), walk(n.right)
		if d := l - r; d > 1 || d < -1 {
			t.Fatalf("unbalanced node %v", n.first)
		}
		return max(l, r) + 1
	}
	for _, root := range x.trees {
		walk(root)
	}
}

func benchIndex(b *testing.B, n int) {
	x := NewIndex()
	for i := 0; i < n; i++ {
		if err := x.Insert(MustParseRange(fmt.Sprintf("V%010d", i*10), fmt.Sprintf("V%010d", i*10+9))); err != nil {
			b.Fatal(err)
		}
	}
	probes := make([]Range, 1024)
	for i := range probes {
		a := uint64(i*7919) % uint64(n*10)
		probes[i] = MustParseRange(fmt.Sprintf("V%010d", a), fmt.Sprintf("V%010d", a+5))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.Overlapping(probes[i%len(probes)])
	}
}

func BenchmarkIndexOverlapping1k(b *testing.B)   { benchIndex(b, 1_000) }
func BenchmarkIndexOverlapping100k(b *testing.B) { benchIndex(b, 100_000) }
func BenchmarkIndexOverlapping1M(b *testing.B)   { benchIndex(b, 1_000_000) }

func BenchmarkParseNumber(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseNumber("AWB89012601234567890"); err != nil {
			b.Fatal(err)
		}
	}
}
