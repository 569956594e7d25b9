module github.com/parsec-cpp/parsec-cpp/examples/go

go 1.19

require github.com/parsec-cpp/parsec-cpp/sdk-go v0.0.0

// The examples build against the SDK of this checkout.
replace github.com/parsec-cpp/parsec-cpp/sdk-go => ../../sdk-go
