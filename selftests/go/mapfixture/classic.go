//go:build !go1.24 || (!go1.26 && !goexperiment.swissmap)

package main

// The classic hash map (runtime.hmap): Go 1.19-1.23, and 1.24/1.25 built
// with GOEXPERIMENT=noswissmap. Layouts (64-bit):
//
//	hmap:     count int @0, flags u8 @8, B u8 @9, noverflow u16 @10,
//	          hash0 u32 @12, buckets @0x10, oldbuckets @0x18, nevacuate @0x20,
//	          [clearSeq u64 @0x28, 1.24+], extra *mapextra @hmapExtraOff
//	mapextra: overflow *[]*bmap @0, oldoverflow @8, nextOverflow *bmap @16
//	maptype:  abi.Type (Size_ @0, PtrBytes @8) then key @0x30, elem @0x38,
//	          bucket @0x40, hasher @0x48, keysize u8 @0x50,
//	          elemsize u8 @0x51, bucketsize u16 @0x52, flags u32 @0x54
//	bucket:   tophash [8]u8, keys [8]K, elems [8]V, overflow pointer (last word)

import (
	"errors"
	"unsafe"
)

const implName = "classic"

const sameSizeGrow = 8 // hmap.flags bit

type hmapView struct {
	count                  int
	flags, B               uint8
	noverflow              uint16
	buckets, oldbuckets    unsafe.Pointer
	extra                  unsafe.Pointer
	bucketSize             uintptr
	noscan                 bool
	keySize, elemSize      uintptr // in the bucket (a pointer when indirect)
	keyIndirect, elemIndir bool
	keyTypeSize, elemTSize uintptr // of the key and elem types
}

func at(p unsafe.Pointer, off uintptr) unsafe.Pointer { return unsafe.Add(p, off) }

func view(m interface{}) hmapView {
	typ, h := mapParts(m)
	bucketT := *(*unsafe.Pointer)(at(typ, 0x40))
	tflags := *(*uint32)(at(typ, 0x54))
	return hmapView{
		count:       *(*int)(h),
		flags:       *(*uint8)(at(h, 8)),
		B:           *(*uint8)(at(h, 9)),
		noverflow:   *(*uint16)(at(h, 10)),
		buckets:     *(*unsafe.Pointer)(at(h, 0x10)),
		oldbuckets:  *(*unsafe.Pointer)(at(h, 0x18)),
		extra:       *(*unsafe.Pointer)(at(h, hmapExtraOff)),
		bucketSize:  uintptr(*(*uint16)(at(typ, 0x52))),
		noscan:      *(*uintptr)(at(bucketT, 8)) == 0,
		keySize:     uintptr(*(*uint8)(at(typ, 0x50))),
		elemSize:    uintptr(*(*uint8)(at(typ, 0x51))),
		keyIndirect: tflags&1 != 0,
		elemIndir:   tflags&2 != 0,
		keyTypeSize: *(*uintptr)(*(*unsafe.Pointer)(at(typ, 0x30))),
		elemTSize:   *(*uintptr)(*(*unsafe.Pointer)(at(typ, 0x38))),
	}
}

// layoutCheck cross-checks the map type descriptor against the key, elem
// and bucket types it points to, and the header's count against len().
func layoutCheck(m interface{}, length int) error {
	typ, _ := mapParts(m)
	v := view(m)
	key := *(*unsafe.Pointer)(at(typ, 0x30))
	elem := *(*unsafe.Pointer)(at(typ, 0x38))
	bucket := *(*unsafe.Pointer)(at(typ, 0x40))
	ks, es, bs := *(*uintptr)(key), *(*uintptr)(elem), *(*uintptr)(bucket)
	if !v.keyIndirect && ks != v.keySize || !v.elemIndir && es != v.elemSize || bs != v.bucketSize {
		return errors.New("maptype: keysize/elemsize/bucketsize do not match the key/elem/bucket types")
	}
	if v.bucketSize != 8+8*v.keySize+8*v.elemSize+8 {
		return errors.New("maptype: bucketsize != 8 + 8*keysize + 8*elemsize + 8")
	}
	if v.count != length {
		return errors.New("hmap.count != len()")
	}
	return nil
}

// arrayBuckets is how many buckets makeBucketArray allocates for B: 2^B,
// plus for B >= 4 about 2^(B-4) pre-allocated overflow buckets, rounded up
// to fill the allocation's size class.
func arrayBuckets(B uint8, bs uintptr, noscan bool) uintptr {
	n := uintptr(1) << B
	if B >= 4 {
		n += uintptr(1) << (B - 4)
		sz := bs * n
		if up := roundupsize(sz, noscan); up != sz {
			n = up / bs
		}
	}
	return n
}

// shape: what changes when the map grows.
type shape struct {
	B, sameSize        uint8
	buckets, old       uintptr
	small              bool // swiss only
	dirLen, tables, nc int  // swiss only
}

func getShape(m interface{}) shape {
	v := view(m)
	s := shape{B: v.B, buckets: uintptr(v.buckets), old: uintptr(v.oldbuckets)}
	if v.oldbuckets != nil && v.flags&sameSizeGrow != 0 {
		s.sameSize = 1
	}
	return s
}

type change struct {
	how      string
	from, to shape
}

// shapeChanges: "hashGrow"/"sameSizeGrow" when a new bucket array replaced
// the current one (the old one becoming oldbuckets), "grow_done" when the
// old array was released (evacuation finished, or clear). The first bucket
// of a map made without buckets is allocated lazily by mapassign: no event.
func shapeChanges(a, b shape) []change {
	var r []change
	mid := a
	if a.old != 0 && b.old != a.old {
		mid.old, mid.sameSize = 0, 0
		r = append(r, change{"grow_done", a, mid})
	}
	if b.old != 0 && b.old != a.old {
		how := "hashGrow"
		if b.sameSize != 0 {
			how = "sameSizeGrow"
		}
		r = append(r, change{how, mid, b})
	}
	return r
}

func shapeFields(r *obj, p string, s shape) {
	r.i(p+"B", int64(s.B)).bl(p+"growing", s.old != 0).bl(p+"same_size", s.sameSize != 0)
}

// storage returns the map's bytes, computed from the runtime structures, and
// adds them with their parts to r (if not nil): header (+ mapextra), the
// bucket array (2^B buckets plus pre-allocated overflow buckets), the old
// array while growing, the overflow buckets reachable from the current
// array's chains that lie outside it, and indirect keys/elems. The overflow
// buckets chained from the old array ("old_overflow_buckets") are reported
// but not in "bytes": nothing in the header counts them (mapwatch's figure
// leaves them out too), and evacuation drops them bucket by bucket.
func storage(m interface{}, r *obj) uint64 {
	v := view(m)
	bs := v.bucketSize
	header := uintptr(hmapSize)
	if v.extra != nil {
		header += 24
	}
	var nb, oldnb, overflow, oldOverflow uintptr
	check := "n/a"
	if v.buckets != nil {
		nb = arrayBuckets(v.B, bs, v.noscan)
		overflow = chainBuckets(v.buckets, uintptr(1)<<v.B, nb, bs)
		// While pre-allocated overflow buckets remain, the last one's
		// overflow word points back at the array: a check of nb.
		if v.extra != nil && *(*unsafe.Pointer)(at(v.extra, 16)) != nil {
			last := at(v.buckets, (nb-1)*bs)
			if *(*uintptr)(at(last, bs-8)) == uintptr(v.buckets) {
				check = "ok"
			} else {
				check = "MISMATCH"
			}
		}
	}
	if v.oldbuckets != nil {
		oldB := v.B - 1
		if v.flags&sameSizeGrow != 0 {
			oldB = v.B
		}
		oldnb = arrayBuckets(oldB, bs, v.noscan)
		oldOverflow = chainBuckets(v.oldbuckets, uintptr(1)<<oldB, oldnb, bs)
	}
	var indirect uintptr
	if v.keyIndirect {
		indirect += uintptr(v.count) * v.keyTypeSize
	}
	if v.elemIndir {
		indirect += uintptr(v.count) * v.elemTSize
	}
	total := header + (nb+oldnb+overflow)*bs + indirect
	if r == nil {
		return uint64(total)
	}
	r.s("impl", implName).i("B", int64(v.B)).u("bucket_size", uint64(bs))
	r.u("nbuckets", uint64(nb)).u("old_nbuckets", uint64(oldnb)).u("overflow_buckets", uint64(overflow))
	r.u("old_overflow_buckets", uint64(oldOverflow))
	r.u("noverflow", uint64(v.noverflow)).s("nbuckets_check", check)
	r.u("header_bytes", uint64(header)).u("bucket_bytes", uint64(nb*bs))
	r.u("old_bytes", uint64(oldnb*bs)).u("overflow_bytes", uint64(overflow*bs))
	r.u("indirect_bytes", uint64(indirect)).u("bytes", uint64(total))
	return uint64(total)
}

// chainBuckets counts the buckets on the overflow chains of the first n
// buckets of array arr (of nb buckets), excluding those inside arr.
func chainBuckets(arr unsafe.Pointer, n, nb, bs uintptr) uintptr {
	lo, hi := uintptr(arr), uintptr(arr)+nb*bs
	var c uintptr
	for i := uintptr(0); i < n; i++ {
		b := at(arr, i*bs)
		for {
			next := *(*unsafe.Pointer)(at(b, bs-8))
			if next == nil {
				break
			}
			if p := uintptr(next); p < lo || p >= hi {
				c++
			}
			b = next
		}
	}
	return c
}
