// Command probing tests claim 2: "Go maps use open addressing with linear
// probing". It makes a map[uint64]uint64 sized for its entries and fills
// it to just under the load at which it would grow (classic: 6,600 in
// 2^10 buckets, 6.45 a bucket; swiss: 896 in one table of 1,024 slots,
// 7/8), then reads where each key landed against the bucket or group its
// hash selects (look.Place): how far from that home, in buckets or
// groups, and how long each classic bucket chain is. Then it churns a
// smaller map (a delete and an insert, len() constant) 20,000 times and
// counts the growths it sees from the header after each operation: on a
// classic map overflow buckets pile up until a same-size growth re-packs
// them. The trace shows where storage is added: at growths only, or at
// inserts between them too (overflow buckets).
package main

import (
	"runtime"

	"mapwatch/claims/internal/look"
)

const (
	prog   = "probing"
	churnN = 200 // classic: B = 5 (6.5 * 32 = 208); swiss: one table of 256 slots
	rounds = 20000
)

var m, c map[uint64]uint64

func main() {
	n := 6600 // classic: B = 10 for a hint of 6,600 (6.5 * 1024 = 6656)
	if look.Impl == "swiss" {
		n = 896 // one table of 1,024 slots, 7/8 of them
	}
	m = make(map[uint64]uint64, n)
	for i := 0; i < n; i++ {
		m[uint64(i)] = uint64(i)
	}
	look.SayShape(prog, "filled", m)
	p, err := look.Place(m)
	if err != nil {
		look.Fail("reading the map's structures: %v", err)
	}
	look.Say(prog, "placement", "map", look.Addr(m), "impl", p.Impl, "keys", p.Keys,
		"units", p.Units, "displacement", look.Hist(p.Disp), "chains", look.Hist(p.Chains))
	look.Mark(prog, "filled")

	c = make(map[uint64]uint64, churnN)
	for i := 0; i < churnN; i++ {
		c[uint64(i)] = uint64(i)
	}
	look.SayShape(prog, "churn-filled", c)
	size, growing := look.Size(c)
	same, bigger := 0, 0
	for i := 0; i < rounds; i++ {
		delete(c, uint64(i))
		c[uint64(churnN+i)] = uint64(i)
		s, g := look.Size(c)
		if g && !growing && s == size {
			same++ // classic: a growth began and B stayed
		} else if s > size {
			bigger++
		}
		size, growing = s, g
	}
	look.Say(prog, "churn", "map", look.Addr(c), "rounds", rounds, "len", len(c),
		"same_size_growths", same, "larger_growths", bigger)
	look.SayShape(prog, "churned", c)
	look.Mark(prog, "churned")
	runtime.KeepAlive(m)
	runtime.KeepAlive(c)
}
