//go:build (go1.24 && goexperiment.swissmap) || go1.26

package look

// Swiss tables (internal/runtime/maps): Go 1.24/1.25 by default, 1.26+
// only. What is read here has the same place in 1.24-1.27 (64-bit;
// selftests/go/mapfixture/swiss.go has the rest):
//
//	Map:     used u64 @0, seed @8, dirPtr @0x10, dirLen int @0x18
//	table:   used u16 @0, capacity u16 @2, groups.data @16,
//	         groups.lengthMask u64 @24
//	MapType: abi.Type, then Hasher @0x48, GroupSize @0x50
//	group:   ctrl word (a byte per slot, < 0x80: full), then the slots
//
// A table's probe sequence (makeProbeSeq) starts at group h1(hash) & mask,
// h1 = hash >> 7; where the next groups are is what Place measures.

import (
	"errors"
	"unsafe"
)

// Impl names the map implementation this program was built with.
const Impl = "swiss"

type mview struct {
	used      uint64
	seed      uintptr
	dirPtr    unsafe.Pointer
	dirLen    int
	groupSize uintptr
	hasher    func(unsafe.Pointer, uintptr) uintptr
}

func view(m interface{}) mview {
	typ, h := mapParts(m)
	return mview{
		used:      *(*uint64)(h),
		seed:      *(*uintptr)(at(h, 8)),
		dirPtr:    *(*unsafe.Pointer)(at(h, 0x10)),
		dirLen:    *(*int)(at(h, 0x18)),
		groupSize: *(*uintptr)(at(typ, 0x50)),
		hasher:    *(*func(unsafe.Pointer, uintptr) uintptr)(at(typ, 0x48)),
	}
}

// tables calls f for each distinct table of the directory.
func (v mview) tables(f func(t unsafe.Pointer)) {
	var prev unsafe.Pointer
	for i := 0; i < v.dirLen; i++ {
		t := *(*unsafe.Pointer)(at(v.dirPtr, uintptr(i)*8))
		if t != prev {
			f(t)
		}
		prev = t
	}
}

// ShapeOf reads the map's header and its tables.
func ShapeOf(m interface{}) Shape {
	v := view(m)
	s := Shape{Impl: Impl, Len: int(v.used), DirLen: v.dirLen}
	if v.dirLen == 0 {
		if v.dirPtr != nil {
			s.Capacity = 8 // a small map: one group
		}
		return s
	}
	v.tables(func(t unsafe.Pointer) {
		s.Tables++
		s.Capacity += int(*(*uint16)(at(t, 2)))
	})
	return s
}

// Place finds every key of m in its table's groups (one table: a map
// that never split), by reading the control words and the slots: key i
// of a group of map[uint64]uint64 is at 8 + 16*i; each key found is
// checked against m, and all len(m) must be found.
func Place(m map[uint64]uint64) (Placement, error) {
	v := view(m)
	p := Placement{Impl: Impl, Disp: map[int]int{}}
	if v.dirLen != 1 {
		return p, errors.New("the map is not one table")
	}
	if v.groupSize != 8+8*16 {
		return p, errors.New("GroupSize is not that of map[uint64]uint64")
	}
	t := *(*unsafe.Pointer)(v.dirPtr)
	groups := *(*unsafe.Pointer)(at(t, 16))
	mask := *(*uint64)(at(t, 24))
	p.Units = int(mask + 1)
	for g := uint64(0); g <= mask; g++ {
		grp := at(groups, uintptr(g)*v.groupSize)
		for s := uintptr(0); s < 8; s++ {
			if *(*uint8)(at(grp, s))&0x80 != 0 {
				continue // empty or deleted
			}
			k := *(*uint64)(at(grp, 8+16*s))
			if _, ok := m[k]; !ok {
				return p, errors.New("a group holds a key the map does not have")
			}
			home := uint64(v.hasher(unsafe.Pointer(&k), v.seed)>>7) & mask
			p.Disp[int((g-home)&mask)]++
			p.Keys++
		}
	}
	if p.Keys != len(m) {
		return p, errors.New("the groups do not hold len(m) keys")
	}
	return p, nil
}

// Size is the slots of all tables (a swiss map grows within the
// operation: never in progress between two).
func Size(m interface{}) (size int, growing bool) {
	return ShapeOf(m).Capacity, false
}
