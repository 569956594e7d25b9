// Package corebench runs the C++ client core directly, for the SDK's
// benchmarks only (the same signing loop without the Go binding).
package corebench

// #cgo pkg-config: parsec-client
// #cgo CXXFLAGS: -std=c++20
// #include <stdlib.h>
// int parsec_corebench_sign(const char* key_name, int provider, int n, char* err, size_t err_len);
// int parsec_corebench_ping(const char* endpoint, int expect_failure, int n, char* err, size_t err_len);
import "C"

import (
	"errors"
	"unsafe"
)

// Sign signs n SHA-256 digests with the ECDSA key `name` of `provider`
// through the C++ core (Key::sign_hash, DER output) in one C++ loop.
func Sign(name string, provider, n int) error {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	buf := make([]byte, 512)
	if C.parsec_corebench_sign(cname, C.int(provider), C.int(n), (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf))) != 0 {
		return errors.New(C.GoString((*C.char)(unsafe.Pointer(&buf[0]))))
	}
	return nil
}

// Ping sends n Ping requests to endpoint through the C++ core in one C++
// loop; with expectFailure every one must fail (nothing listens there).
func Ping(endpoint string, expectFailure bool, n int) error {
	cendpoint := C.CString(endpoint)
	defer C.free(unsafe.Pointer(cendpoint))
	fail := 0
	if expectFailure {
		fail = 1
	}
	buf := make([]byte, 512)
	if C.parsec_corebench_ping(cendpoint, C.int(fail), C.int(n), (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf))) != 0 {
		return errors.New(C.GoString((*C.char)(unsafe.Pointer(&buf[0]))))
	}
	return nil
}
