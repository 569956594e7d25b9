module github.com/parsec-cpp/parsec-cpp/tests/interop/drivers/go

go 1.19

require github.com/parsec-cpp/parsec-cpp/sdk-go v0.0.0

replace github.com/parsec-cpp/parsec-cpp/sdk-go => ../../../../sdk-go
