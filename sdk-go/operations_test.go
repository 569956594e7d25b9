package parsec_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

var ctx = context.Background()

func TestDiscovery(t *testing.T) {
	c := newClient(t)
	v, err := c.Ping(ctx)
	if err != nil || v != (parsec.ProtocolVersion{Major: 1, Minor: 0}) {
		t.Fatalf("Ping = %v, %v", v, err)
	}
	ps, err := c.ListProviders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []parsec.ProviderID
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	if len(ids) != 4 || ids[0] != parsec.ProviderMbedCrypto || ids[3] != parsec.ProviderCore {
		t.Fatalf("ListProviders ids = %v, want [1 2 3 0]", ids)
	}
	if p, err := c.Provider(ctx); err != nil || p != parsec.ProviderMbedCrypto {
		t.Fatalf("default provider = %v, %v", p, err)
	}
	if err := c.SetProvider(parsec.ProviderTPM); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Provider(ctx); err != nil || p != parsec.ProviderTPM {
		t.Fatalf("provider after SetProvider(TPM) = %v, %v", p, err)
	}
	c.UseDefaultProvider()
	if p, err := c.Provider(ctx); err != nil || p != parsec.ProviderMbedCrypto {
		t.Fatalf("provider after UseDefaultProvider = %v, %v", p, err)
	}
	if err := c.SetProvider(9); !errors.Is(err, parsec.StatusProviderDoesNotExist) {
		t.Fatalf("SetProvider(9): %v", err)
	}
	ops, err := c.ListOpcodes(ctx, parsec.ProviderTPM)
	if err != nil || !containsOpcode(ops, 0x04) || !containsOpcode(ops, 0x1F) {
		t.Fatalf("TPM opcodes %v (%v) lack PsaSignHash or PrepareKeyAttestation", ops, err)
	}
	auths, err := c.ListAuthenticators(ctx)
	if err != nil || len(auths) == 0 {
		t.Fatalf("ListAuthenticators: %v, %v", auths, err)
	}
	// No application name: the client can only use Unix peer credentials.
	if a, err := c.AuthType(ctx); err != nil || a != parsec.AuthUnixPeerCredentials {
		t.Fatalf("AuthType = %v, %v", a, err)
	}
}

func containsOpcode(ops []parsec.Opcode, op parsec.Opcode) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

func TestListKeysAndAttributes(t *testing.T) {
	c := newClient(t, parsec.WithProvider(parsec.ProviderPKCS11))
	attrs := parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256))
	k := generate(t, c, attrs)
	got, err := c.KeyAttributes(ctx, k.Name())
	if err != nil || got != attrs || k.Attributes() != attrs {
		t.Fatalf("KeyAttributes = %+v (%v), handle %+v, want %+v", got, err, k.Attributes(), attrs)
	}
	keys, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ki := range keys {
		if ki.Name == k.Name() {
			found = ki.Provider == parsec.ProviderPKCS11 && ki.Attributes == attrs
		}
	}
	if !found {
		t.Fatalf("ListKeys has no PKCS#11 entry %q with %+v: %+v", k.Name(), attrs, keys)
	}
	again, err := c.Key(ctx, k.Name())
	if err != nil || !again.Public().(*ecdsa.PublicKey).Equal(k.Public()) {
		t.Fatalf("Key(%q): %v", k.Name(), err)
	}
}

func TestSymmetricOperationsAgreeWithGo(t *testing.T) {
	c := newClient(t, parsec.WithProvider(parsec.ProviderMbedCrypto))
	aesKey := bytes.Repeat([]byte{0x42}, 16)

	gcmName := keyName(t)
	if err := c.ImportKey(ctx, gcmName, parsec.KeyOfType(parsec.KeyTypeAES, 128, parsec.AEAD(parsec.AEADGCM)), aesKey); err != nil {
		t.Fatal(err)
	}
	defer c.DestroyKey(ctx, gcmName)
	block, _ := aes.NewCipher(aesKey)
	gcm, _ := cipher.NewGCM(block)
	nonce, ad, pt := bytes.Repeat([]byte{1}, 12), []byte("header"), []byte("AEAD plaintext")
	ct, err := c.AEADEncrypt(ctx, gcmName, parsec.AEAD(parsec.AEADGCM), nonce, ad, pt)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := gcm.Open(nil, nonce, ct, ad); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Go cannot open the service's GCM ciphertext: %v", err)
	}
	goCT := gcm.Seal(nil, nonce, []byte("from Go"), ad)
	if got, err := c.AEADDecrypt(ctx, gcmName, parsec.AEAD(parsec.AEADGCM), nonce, ad, goCT); err != nil || string(got) != "from Go" {
		t.Fatalf("service cannot open Go's GCM ciphertext: %q %v", got, err)
	}
	goCT[0] ^= 1
	if _, err := c.AEADDecrypt(ctx, gcmName, parsec.AEAD(parsec.AEADGCM), nonce, ad, goCT); !errors.Is(err, parsec.ErrInvalidSignature) {
		t.Fatalf("tampered GCM ciphertext: %v, want ErrInvalidSignature", err)
	}

	cbcName := keyName(t)
	if err := c.ImportKey(ctx, cbcName, parsec.KeyOfType(parsec.KeyTypeAES, 128, parsec.Cipher(parsec.CipherCBCNoPadding)), aesKey); err != nil {
		t.Fatal(err)
	}
	defer c.DestroyKey(ctx, cbcName)
	iv := bytes.Repeat([]byte{7}, 16)
	block32 := bytes.Repeat([]byte("0123456789abcdef"), 2)
	goCBC := make([]byte, len(block32))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(goCBC, block32)
	if got, err := c.CipherDecrypt(ctx, cbcName, parsec.CipherCBCNoPadding, append(append([]byte(nil), iv...), goCBC...)); err != nil || !bytes.Equal(got, block32) {
		t.Fatalf("CipherDecrypt of Go's CBC: %q %v", got, err)
	}
	svc, err := c.CipherEncrypt(ctx, cbcName, parsec.CipherCBCNoPadding, block32)
	if err != nil || len(svc) != 16+len(block32) {
		t.Fatalf("CipherEncrypt: %d bytes, %v", len(svc), err)
	}
	plain := make([]byte, len(block32))
	cipher.NewCBCDecrypter(block, svc[:16]).CryptBlocks(plain, svc[16:])
	if !bytes.Equal(plain, block32) {
		t.Fatal("Go cannot decrypt the service's CBC ciphertext")
	}

	macName := keyName(t)
	macKey := bytes.Repeat([]byte{9}, 32)
	macAttrs := parsec.KeyOfType(parsec.KeyTypeHMAC, 256, parsec.HMAC(parsec.HashSHA256))
	macAttrs.Usage |= parsec.UsageExport
	if err := c.ImportKey(ctx, macName, macAttrs, macKey); err != nil {
		t.Fatal(err)
	}
	defer c.DestroyKey(ctx, macName)
	m := hmac.New(sha256.New, macKey)
	m.Write([]byte("mac me"))
	want := m.Sum(nil)
	if got, err := c.MACCompute(ctx, macName, parsec.HMAC(parsec.HashSHA256), []byte("mac me")); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("MACCompute = %x, %v; Go says %x", got, err, want)
	}
	if err := c.MACVerify(ctx, macName, parsec.HMAC(parsec.HashSHA256), []byte("mac me"), want); err != nil {
		t.Fatal(err)
	}
	if err := c.MACVerify(ctx, macName, parsec.HMAC(parsec.HashSHA256), []byte("mac me!"), want); !errors.Is(err, parsec.ErrInvalidSignature) {
		t.Fatalf("MACVerify of another input: %v", err)
	}
	if exported, err := c.ExportKey(ctx, macName); err != nil || !bytes.Equal(exported, macKey) {
		t.Fatalf("ExportKey: %v", err)
	}
	if _, err := c.ExportKey(ctx, gcmName); !errors.Is(err, parsec.ErrNotPermitted) {
		t.Fatalf("ExportKey without the export usage: %v, want ErrNotPermitted", err)
	}
}

func TestHashRandomAgreement(t *testing.T) {
	c := newClient(t, parsec.WithProvider(parsec.ProviderMbedCrypto))
	in := []byte("hash me")
	want := sha256.Sum256(in)
	if got, err := c.HashCompute(ctx, parsec.HashSHA256, in); err != nil || !bytes.Equal(got, want[:]) {
		t.Fatalf("HashCompute: %x %v", got, err)
	}
	if err := c.HashCompare(ctx, parsec.HashSHA256, in, want[:]); err != nil {
		t.Fatal(err)
	}
	if err := c.HashCompare(ctx, parsec.HashSHA256, []byte("other"), want[:]); !errors.Is(err, parsec.ErrInvalidSignature) {
		t.Fatalf("HashCompare mismatch: %v", err)
	}
	r1, err1 := c.GenerateRandom(ctx, 32)
	r2, err2 := c.GenerateRandom(ctx, 32)
	if err1 != nil || err2 != nil || len(r1) != 32 || bytes.Equal(r1, r2) {
		t.Fatalf("GenerateRandom: %x %x %v %v", r1, r2, err1, err2)
	}

	k := generate(t, c, parsec.ECCKeyPair(256, parsec.ECDH()))
	svcPub := k.Public().(*ecdsa.PublicKey)
	goPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	peer := elliptic.Marshal(elliptic.P256(), goPriv.X, goPriv.Y) //nolint:staticcheck // Go 1.19 has no crypto/ecdh
	shared, err := c.RawKeyAgreement(ctx, parsec.KeyAgreementECDH, k.Name(), peer)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := elliptic.P256().ScalarMult(svcPub.X, svcPub.Y, goPriv.D.Bytes()) //nolint:staticcheck
	if !bytes.Equal(shared, x.FillBytes(make([]byte, 32))) {
		t.Fatalf("ECDH: service %x, Go %x", shared, x.Bytes())
	}

	if ok, err := c.CanDoCrypto(ctx, parsec.CheckGenerate, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256))); err != nil || !ok {
		t.Fatalf("CanDoCrypto P-256: %v %v", ok, err)
	}
	if ok, err := c.CanDoCrypto(ctx, parsec.CheckGenerate, parsec.ECCKeyPair(255, parsec.ECDSA(parsec.HashSHA256))); err != nil || ok {
		t.Fatalf("CanDoCrypto 255-bit SECP R1: %v %v, want false", ok, err)
	}
}

func TestAttestation(t *testing.T) {
	tpm := newClient(t, parsec.WithProvider(parsec.ProviderTPM))
	k := generate(t, tpm, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
	a, err := tpm.PrepareKeyAttestation(ctx, k.Name(), "")
	if err != nil || len(a.Name) == 0 || len(a.PublicArea) == 0 || len(a.AttestingKeyPublic) == 0 {
		t.Fatalf("PrepareKeyAttestation: %+v, %v", a, err)
	}
	if _, err := tpm.AttestKeyActivateCredential(ctx, k.Name(), []byte{0, 1}, []byte{0, 1}, ""); err == nil {
		t.Fatal("ActivateCredential accepted a garbage credential")
	}
	sw := newClient(t, parsec.WithProvider(parsec.ProviderMbedCrypto))
	swKey := generate(t, sw, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
	if _, err := sw.PrepareKeyAttestation(ctx, swKey.Name(), ""); !errors.Is(err, parsec.ErrNotSupported) {
		t.Fatalf("PrepareKeyAttestation on the software provider: %v, want ErrNotSupported", err)
	}
}
