//go:build (go1.24 && goexperiment.swissmap) || go1.26

package main

// Swiss tables (internal/runtime/maps): Go 1.24/1.25 by default, 1.26+ only.
// Layouts (64-bit, the same in 1.24-1.27 for what is read here):
//
//	Map:     used u64 @0, seed @8, dirPtr @0x10, dirLen int @0x18,
//	         globalDepth u8 @0x20, globalShift u8 @0x21, ... (48 bytes)
//	table:   used u16 @0, capacity u16 @2, growthLeft u16 @4,
//	         localDepth u8 @6, index int @8, groups.data @16,
//	         groups.lengthMask u64 @24 (32 bytes)
//	MapType: abi.Type (Size_ @0) then Key @0x30, Elem @0x38, Group @0x40,
//	         Hasher @0x48, GroupSize @0x50 (flags move in 1.27; not read)
//
// dirLen == 0: a small map, dirPtr is nil or one group. Otherwise dirPtr is
// a [dirLen]*table directory; one table fills 2^(globalDepth-localDepth)
// consecutive entries.

import (
	"errors"
	"unsafe"
)

const implName = "swiss"

const (
	mapSize   = 48
	tableSize = 32
)

func at(p unsafe.Pointer, off uintptr) unsafe.Pointer { return unsafe.Add(p, off) }

type swissView struct {
	used        uint64
	dirPtr      unsafe.Pointer
	dirLen      int
	globalDepth uint8
	groupSize   uintptr
}

func view(m interface{}) swissView {
	typ, h := mapParts(m)
	return swissView{
		used:        *(*uint64)(h),
		dirPtr:      *(*unsafe.Pointer)(at(h, 0x10)),
		dirLen:      *(*int)(at(h, 0x18)),
		globalDepth: *(*uint8)(at(h, 0x20)),
		groupSize:   *(*uintptr)(at(typ, 0x50)),
	}
}

// tables calls f for each distinct table of the directory.
func (v swissView) tables(f func(t unsafe.Pointer)) {
	var prev unsafe.Pointer
	for i := 0; i < v.dirLen; i++ {
		t := *(*unsafe.Pointer)(at(v.dirPtr, uintptr(i)*8))
		if t != prev {
			f(t)
		}
		prev = t
	}
}

func layoutCheck(m interface{}, length int) error {
	typ, _ := mapParts(m)
	v := view(m)
	group := *(*unsafe.Pointer)(at(typ, 0x40))
	key := *(*unsafe.Pointer)(at(typ, 0x30))
	elem := *(*unsafe.Pointer)(at(typ, 0x38))
	if *(*uintptr)(group) != v.groupSize {
		return errors.New("MapType.GroupSize != Group.Size_")
	}
	ks, es := *(*uintptr)(key), *(*uintptr)(elem)
	if ks <= 128 && es <= 128 && v.groupSize < 8+8*(ks+es) {
		return errors.New("MapType.GroupSize < 8 + 8*(key+elem)")
	}
	if v.used != uint64(length) {
		return errors.New("Map.used != len()")
	}
	bad := false
	v.tables(func(t unsafe.Pointer) {
		c := *(*uint16)(at(t, 2))
		mask := *(*uint64)(at(t, 24))
		if uint64(c) != (mask+1)*8 {
			bad = true
		}
	})
	if bad {
		return errors.New("table.capacity != (groups.lengthMask+1)*8")
	}
	return nil
}

type shape struct {
	small              bool // dirLen == 0 and a group allocated
	dirLen, tables, nc int  // directory length, distinct tables, total capacity
}

func getShape(m interface{}) shape {
	v := view(m)
	s := shape{dirLen: v.dirLen}
	if v.dirLen == 0 {
		s.small = v.dirPtr != nil
		if s.small {
			s.nc = 8
		}
		return s
	}
	v.tables(func(t unsafe.Pointer) {
		s.tables++
		s.nc += int(*(*uint16)(at(t, 2)))
	})
	return s
}

type change struct {
	how      string
	from, to shape
}

// shapeChanges names the growth step(s) between two shapes, after the
// functions that do them: growToSmall (first group), growToTable (small map
// to one table), split (a table at max capacity split in two; one per new
// table), grow (a table rehashed to twice its capacity).
func shapeChanges(a, b shape) []change {
	switch {
	case a.dirLen == 0 && !a.small && b.dirLen == 0 && b.small:
		return []change{{"growToSmall", a, b}}
	case a.dirLen == 0 && b.dirLen > 0:
		return []change{{"growToTable", a, b}}
	case b.tables > a.tables:
		var r []change
		for i := a.tables; i < b.tables; i++ {
			r = append(r, change{"split", a, b})
		}
		return r
	case b.nc > a.nc:
		return []change{{"grow", a, b}}
	}
	return []change{{"other", a, b}}
}

func shapeFields(r *obj, p string, s shape) {
	r.i(p+"dirlen", int64(s.dirLen)).i(p+"tables", int64(s.tables)).i(p+"capacity", int64(s.nc))
}

// storage returns the map's bytes, computed from the runtime structures, and
// adds them with their parts to r (if not nil): the Map header, the
// directory, each distinct table and its groups array, or the single group
// of a small map, and indirect keys/elems.
func storage(m interface{}, r *obj) uint64 {
	typ, _ := mapParts(m)
	v := view(m)
	var dir, tabs, groups uintptr
	ntables, capacity := 0, 0
	if v.dirLen == 0 {
		if v.dirPtr != nil {
			groups = v.groupSize
			capacity = 8
		}
	} else {
		dir = uintptr(v.dirLen) * 8
		v.tables(func(t unsafe.Pointer) {
			ntables++
			capacity += int(*(*uint16)(at(t, 2)))
			tabs += tableSize
			groups += uintptr(*(*uint64)(at(t, 24))+1) * v.groupSize
		})
	}
	// Keys or elems over 128 bytes are stored indirectly (separate objects).
	key := *(*unsafe.Pointer)(at(typ, 0x30))
	elem := *(*unsafe.Pointer)(at(typ, 0x38))
	var indirect uintptr
	if ks := *(*uintptr)(key); ks > 128 {
		indirect += uintptr(v.used) * ks
	}
	if es := *(*uintptr)(elem); es > 128 {
		indirect += uintptr(v.used) * es
	}
	total := mapSize + dir + tabs + groups + indirect
	if r == nil {
		return uint64(total)
	}
	r.s("impl", implName).i("dirlen", int64(v.dirLen)).i("global_depth", int64(v.globalDepth))
	r.i("tables", int64(ntables)).i("capacity", int64(capacity)).u("group_size", uint64(v.groupSize))
	r.u("header_bytes", mapSize).u("directory_bytes", uint64(dir)).u("table_bytes", uint64(tabs))
	r.u("group_bytes", uint64(groups)).u("indirect_bytes", uint64(indirect)).u("bytes", uint64(total))
	return uint64(total)
}
