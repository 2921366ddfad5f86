package main

// JSON lines on stdout, written by hand: encoding/json keeps caches in maps
// (sync.Map, itself a map before Go 1.24), and the fixture's own output must
// not add map operations to the trace.

import (
	"bufio"
	"os"
	"strconv"
	"sync"
	"unicode/utf8"
)

var (
	outMu  sync.Mutex
	out    = bufio.NewWriterSize(os.Stdout, 1<<16)
	outSeq int64 // global sequence number of "op" records, under outMu
)

// obj builds one JSON object.
type obj struct{ b []byte }

func newObj(ev string) *obj {
	o := &obj{b: make([]byte, 0, 160)}
	o.b = append(o.b, '{')
	o.s("ev", ev)
	return o
}

// subObj starts a nested object; close() returns its encoding.
func subObj() *obj           { return &obj{b: []byte{'{'}} }
func (o *obj) close() []byte { return append(o.b, '}') }

func (o *obj) name(k string) {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *obj) s(k, v string) *obj { o.name(k); o.b = appendJSONString(o.b, v); return o }
func (o *obj) i(k string, v int64) *obj {
	o.name(k)
	o.b = strconv.AppendInt(o.b, v, 10)
	return o
}
func (o *obj) u(k string, v uint64) *obj {
	o.name(k)
	o.b = strconv.AppendUint(o.b, v, 10)
	return o
}
func (o *obj) hex(k string, v uintptr) *obj { o.name(k); o.b = appendHex(o.b, v); return o }
func (o *obj) bl(k string, v bool) *obj {
	o.name(k)
	o.b = strconv.AppendBool(o.b, v)
	return o
}

// raw adds a pre-encoded JSON value.
func (o *obj) raw(k string, v []byte) *obj { o.name(k); o.b = append(o.b, v...); return o }

func appendHex(b []byte, v uintptr) []byte {
	b = append(b, '"', '0', 'x')
	b = strconv.AppendUint(b, uint64(v), 16)
	return append(b, '"')
}

func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// emit writes the record; "op" records get the next global sequence number.
func emit(o *obj) int64 {
	outMu.Lock()
	defer outMu.Unlock()
	var seq int64
	if len(o.b) > 8 && string(o.b[:10]) == `{"ev":"op"` {
		outSeq++
		seq = outSeq
		o.i("seq", seq)
	}
	o.b = append(o.b, '}', '\n')
	out.Write(o.b)
	return seq
}

func flush() {
	outMu.Lock()
	out.Flush()
	outMu.Unlock()
}
