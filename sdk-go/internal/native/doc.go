// Package native is the SWIG-generated binding of the Parsec C++ client core
// (bindings/swig/parsec.i over parsec/binding/binding.h). It is internal: the
// parsec package wraps it in an idiomatic API. SWIG's output uses
// unsafe.Pointer in ways `go vet` reports, which is why it lives apart.
package native

// #cgo pkg-config: parsec-client
// #cgo CXXFLAGS: -std=c++20
import "C"
