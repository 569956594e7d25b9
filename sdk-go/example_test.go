package parsec_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"log"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

// The README's example (compiled with the tests; not run, it needs a daemon).
func Example() {
	ctx := context.Background()
	client, err := parsec.NewClient(parsec.WithProvider(parsec.ProviderTPM))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	key, err := client.GenerateKey(ctx, "my-service", parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte("hello"))
	sig, err := key.Sign(nil, digest[:], crypto.SHA256) // key is a crypto.Signer
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ecdsa.VerifyASN1(key.Public().(*ecdsa.PublicKey), digest[:], sig))
}
