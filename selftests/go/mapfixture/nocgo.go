//go:build !cgo

package main

const cgoEnabled = false

func cgoGetpid() int { return 0 }
