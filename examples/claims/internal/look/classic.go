//go:build !go1.24 || (!go1.26 && !goexperiment.swissmap)

package look

// The classic hash map (runtime.hmap): Go 1.19-1.23, and 1.24/1.25 built
// with GOEXPERIMENT=noswissmap. What is read here has the same place in
// all of them (64-bit; selftests/go/mapfixture/classic.go has the rest):
//
//	hmap:    count int @0, flags u8 @8, B u8 @9, noverflow u16 @10,
//	         hash0 u32 @12, buckets @0x10, oldbuckets @0x18
//	maptype: abi.Type, then key @0x30, elem @0x38, bucket @0x40,
//	         hasher @0x48, keysize u8 @0x50, elemsize u8 @0x51,
//	         bucketsize u16 @0x52
//	bucket:  tophash [8]u8, keys [8]K, elems [8]V, overflow *bucket (last word)

import (
	"errors"
	"unsafe"
)

// Impl names the map implementation this program was built with.
const Impl = "classic"

const minTopHash = 5 // tophash values below are empty or evacuated marks

type hview struct {
	count      int
	B          uint8
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	bucketSize uintptr
	hasher     func(unsafe.Pointer, uintptr) uintptr
}

func view(m interface{}) hview {
	typ, h := mapParts(m)
	return hview{
		count:      *(*int)(h),
		B:          *(*uint8)(at(h, 9)),
		hash0:      *(*uint32)(at(h, 12)),
		buckets:    *(*unsafe.Pointer)(at(h, 0x10)),
		oldbuckets: *(*unsafe.Pointer)(at(h, 0x18)),
		bucketSize: uintptr(*(*uint16)(at(typ, 0x52))),
		hasher:     *(*func(unsafe.Pointer, uintptr) uintptr)(at(typ, 0x48)),
	}
}

// chainLen is the number of buckets in the chain that bucket b heads.
func (v hview) chainLen(b unsafe.Pointer) int {
	n := 0
	for ; b != nil; b = *(*unsafe.Pointer)(at(b, v.bucketSize-8)) {
		n++
	}
	return n
}

func (v hview) bucket(i uintptr) unsafe.Pointer { return at(v.buckets, i*v.bucketSize) }

// ShapeOf reads the map's header and walks its bucket chains (not while it
// grows: then Overflow is 0 and Growing true).
func ShapeOf(m interface{}) Shape {
	v := view(m)
	s := Shape{Impl: Impl, Len: v.count, B: int(v.B), Buckets: 1 << v.B,
		Growing: v.oldbuckets != nil}
	if v.buckets != nil && !s.Growing {
		for i := 0; i < s.Buckets; i++ {
			s.Overflow += v.chainLen(v.bucket(uintptr(i))) - 1
		}
	}
	s.Capacity = 8 * (s.Buckets + s.Overflow)
	return s
}

// Place finds every key of m in the bucket its hash selects: each key is
// checked against m, and all len(m) must be found.
func Place(m map[uint64]uint64) (Placement, error) {
	v := view(m)
	p := Placement{Impl: Impl, Units: 1 << v.B, Disp: map[int]int{}, Chains: map[int]int{}}
	if v.oldbuckets != nil || v.buckets == nil {
		return p, errors.New("the map is growing or has no buckets")
	}
	if v.bucketSize != 8+8*8+8*8+8 {
		return p, errors.New("bucketsize is not that of map[uint64]uint64")
	}
	mask := uintptr(p.Units - 1)
	for i := uintptr(0); i < uintptr(p.Units); i++ {
		b := v.bucket(i)
		p.Chains[v.chainLen(b)]++
		for ; b != nil; b = *(*unsafe.Pointer)(at(b, v.bucketSize-8)) {
			for s := uintptr(0); s < 8; s++ {
				if *(*uint8)(at(b, s)) < minTopHash {
					continue
				}
				k := *(*uint64)(at(b, 8+8*s))
				if _, ok := m[k]; !ok {
					return p, errors.New("a bucket holds a key the map does not have")
				}
				home := v.hasher(unsafe.Pointer(&k), uintptr(v.hash0)) & mask
				p.Disp[int((i-home)&mask)]++
				p.Keys++
			}
		}
	}
	if p.Keys != len(m) {
		return p, errors.New("the buckets do not hold len(m) keys")
	}
	return p, nil
}

// Size is B and whether a growth is in progress, from the header alone
// (cheap enough to read after every operation).
func Size(m interface{}) (size int, growing bool) {
	v := view(m)
	return int(v.B), v.oldbuckets != nil
}
