// Command inspect reads a Go ELF binary the way a tracer has to: function
// names and entries from .gopclntab (present even in stripped binaries),
// FUNC symbols from .symtab, and struct layouts from DWARF. Standard library
// only; tools/go/symbols builds it with the newest toolchain.
//
// Usage:
//
//	inspect text BINARY           runtime.text as found without symbols
//	                              (moduledata.text), then what the pclntab
//	                              header says (0 from Go 1.26), .text's
//	                              address and runtime.text from .symtab ("-"
//	                              if stripped), in hex
//	inspect funcs BINARY          "entry end name" per function, from .gopclntab
//	inspect syms BINARY           "value size name" per FUNC symbol of .symtab
//	inspect dwarf BINARY TYPE...  "TYPE FIELD OFFSET SIZE" per struct member
package main

import (
	"debug/dwarf"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"fmt"
	"os"
	"sort"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: inspect text|funcs|syms|dwarf BINARY [TYPE...]")
		os.Exit(2)
	}
	f, err := elf.Open(os.Args[2])
	check(err)
	switch os.Args[1] {
	case "text":
		sym := "-"
		if s, err := f.Symbols(); err == nil {
			for _, x := range s {
				if x.Name == "runtime.text" {
					sym = fmt.Sprintf("%#x", x.Value)
				}
			}
		}
		fmt.Printf("moduledata %#x pclntab %#x .text %#x symtab %s\n",
			moduleText(f), pclnHeaderText(f), f.Section(".text").Addr, sym)
	case "funcs":
		data, err := f.Section(".gopclntab").Data()
		check(err)
		tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, moduleText(f)))
		check(err)
		for _, fn := range tab.Funcs {
			fmt.Printf("%#x %#x %s\n", fn.Entry, fn.End, fn.Name)
		}
	case "syms":
		s, err := f.Symbols()
		check(err)
		sort.Slice(s, func(i, j int) bool { return s[i].Value < s[j].Value })
		for _, x := range s {
			if elf.ST_TYPE(x.Info) == elf.STT_FUNC {
				fmt.Printf("%#x %d %s\n", x.Value, x.Size, x.Name)
			}
		}
	case "dwarf":
		d, err := f.DWARF()
		check(err)
		want := map[string]bool{}
		for _, t := range os.Args[3:] {
			want[t] = true
		}
		r := d.Reader()
		for {
			e, err := r.Next()
			check(err)
			if e == nil {
				break
			}
			name, _ := e.Val(dwarf.AttrName).(string)
			if e.Tag != dwarf.TagStructType || !want[name] {
				continue
			}
			delete(want, name)
			t, err := d.Type(e.Offset)
			check(err)
			for _, m := range t.(*dwarf.StructType).Field {
				fmt.Printf("%s %s %#x %d\n", name, m.Name, m.ByteOffset, m.Type.Size())
			}
		}
		for t := range want {
			fmt.Printf("%s - - -\n", t)
		}
	default:
		fmt.Fprintln(os.Stderr, "inspect: unknown command", os.Args[1])
		os.Exit(2)
	}
}

// pclnHeaderText is runtime.text as the Go 1.18+ pclntab header records
// it: magic u32, 2 pad bytes, minLC u8, ptrSize u8, nfunc, nfiles,
// textStart. Go 1.26+ no longer fills it in (0).
func pclnHeaderText(f *elf.File) uint64 {
	data, err := f.Section(".gopclntab").Data()
	check(err)
	ps := int(data[7])
	if ps != 8 {
		check(fmt.Errorf("pclntab: pointer size %d", ps))
	}
	return binary.LittleEndian.Uint64(data[8+2*ps:])
}

// moduleText is runtime.firstmoduledata.text, found without .symtab:
// moduledata is the .go.module section (Go 1.26+), or else the word in
// .noptrdata that points at .gopclntab (its first field, pcHeader). text is
// at +0xb0 (pcHeader, 5 slices, ftab, findfunctab, minpc, maxpc). In PIE
// binaries these words are 0 in the file and set by R_X86_64_RELATIVE
// relocations; their addends are the values.
func moduleText(f *elf.File) uint64 {
	pcln := f.Section(".gopclntab")
	if pcln == nil {
		pcln = f.Section(".data.rel.ro.gopclntab")
	}
	var md uint64
	if s := f.Section(".go.module"); s != nil {
		md = s.Addr
	} else {
		s := f.Section(".noptrdata")
		data, err := s.Data()
		check(err)
		for off := 0; off+8 <= len(data); off += 8 {
			if word(f, s.Addr+uint64(off)) == pcln.Addr {
				md = s.Addr + uint64(off)
				break
			}
		}
		if md == 0 {
			check(fmt.Errorf("moduledata not found"))
		}
	}
	return word(f, md+0xb0)
}

// word reads the 8 bytes at vaddr from the file, or the addend of the
// relative relocation for it when the file holds 0.
func word(f *elf.File, vaddr uint64) uint64 {
	var v uint64
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && vaddr >= s.Addr && vaddr+8 <= s.Addr+s.Size {
			b := make([]byte, 8)
			_, err := s.ReadAt(b, int64(vaddr-s.Addr))
			check(err)
			v = binary.LittleEndian.Uint64(b)
			break
		}
	}
	if v != 0 {
		return v
	}
	if r := f.Section(".rela.dyn"); r != nil {
		data, err := r.Data()
		check(err)
		for i := 0; i+24 <= len(data); i += 24 {
			off := binary.LittleEndian.Uint64(data[i:])
			info := binary.LittleEndian.Uint64(data[i+8:])
			if off == vaddr && elf.R_X86_64(info&0xffffffff) == elf.R_X86_64_RELATIVE {
				return binary.LittleEndian.Uint64(data[i+16:])
			}
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "inspect:", err)
		os.Exit(1)
	}
}
