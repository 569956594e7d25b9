module github.com/parsec-cpp/parsec-cpp/sdk-go

go 1.19
