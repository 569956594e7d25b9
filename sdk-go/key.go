package parsec

import (
	"context"
	"crypto"

	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"reflect"
	"runtime"

	"github.com/parsec-cpp/parsec-cpp/sdk-go/internal/native"
)

// Key is a handle on a key held by the service. The private key never leaves
// the service: every method is a request through the Client the Key came
// from. Key implements crypto.Signer (ECDSA, RSA PKCS#1 v1.5 and RSA-PSS) and
// crypto.Decrypter (RSA OAEP and PKCS#1 v1.5), so it fits x509 (CSRs,
// certificates) and crypto/tls. A Key is safe for concurrent use.
//
// The algorithm of each call is the key's policy made concrete with the hash
// the caller asks for; a call the policy does not permit (another scheme, or
// another hash than a specific policy hash) fails with ErrNotPermitted before
// any request is sent.
type Key struct {
	c     *Client
	h     *keyHandle
	name  string
	attrs KeyAttributes
	pub   crypto.PublicKey
}

// keyHandle owns the native Key; a finalizer deletes it once no Key refers to it.
type keyHandle struct{ n native.Key }

func newKeyHandle(n native.Key) *keyHandle {
	h := &keyHandle{n: n}
	runtime.SetFinalizer(h, func(h *keyHandle) { native.DeleteKey(h.n) })
	return h
}

// Key returns a handle on the existing key `name` (its attributes come from
// ListKeys; the public key of an asymmetric key is fetched once).
func (c *Client) Key(ctx context.Context, name string) (*Key, error) {
	n, err := call(ctx, c, func(n native.Client, e native.Error) native.Key { return n.Key(name, e) })
	if err != nil {
		return nil, err
	}
	return c.newKey(ctx, newKeyHandle(n))
}

// GenerateKey generates the key `name` in the current provider and returns a
// handle on it.
func (c *Client) GenerateKey(ctx context.Context, name string, attrs KeyAttributes) (*Key, error) {
	n, err := withKeyAttributes(attrs, func(na native.KeyAttributes) (native.Key, error) {
		return call(ctx, c, func(n native.Client, e native.Error) native.Key { return n.Generate(name, na, e) })
	})
	if err != nil {
		return nil, err
	}
	return c.newKey(ctx, newKeyHandle(n))
}

func (c *Client) newKey(ctx context.Context, h *keyHandle) (*Key, error) {
	k := &Key{c: c, h: h}
	err := c.with(func(native.Client) error {
		k.name = h.n.Name()
		a := h.n.Attributes()
		defer native.DeleteKeyAttributes(a)
		k.attrs = keyAttributesFromNative(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if k.attrs.Type.IsECC() || k.attrs.Type.IsRSA() {
		der, err := keyCall(ctx, k, func(n native.Key, e native.Error) []byte { return n.Public_key_der(e) })
		if err != nil {
			return nil, err
		}
		if k.pub, err = x509.ParsePKIXPublicKey(der); err != nil {
			return nil, &Error{Status: StatusInvalidEncoding, Operation: "PsaExportPublicKey",
				Detail: "public key of " + k.name + " does not parse: " + err.Error()}
		}
	}
	return k, nil
}

// keyCall runs a request on the native key, with call's context handling.
func keyCall[T any](ctx context.Context, k *Key, f func(n native.Key, e native.Error) T) (T, error) {
	h := k.h
	v, err := call(ctx, k.c, func(_ native.Client, e native.Error) T { return f(h.n, e) })
	runtime.KeepAlive(h)
	return v, err
}

// Name is the key's name.
func (k *Key) Name() string { return k.name }

// Attributes are the key's attributes when the handle was made.
func (k *Key) Attributes() KeyAttributes { return k.attrs }

// Public returns the public key: *ecdsa.PublicKey or *rsa.PublicKey (nil for
// symmetric keys).
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Sign implements crypto.Signer with context.Background(); see SignContext.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), digest, opts)
}

// SignContext signs a digest as crypto.Signer specifies: ECDSA keys return an
// ASN.1 DER signature; RSA keys sign PKCS#1 v1.5, or RSA-PSS when opts is
// *rsa.PSSOptions (salt length = hash length: PSSSaltLengthEqualsHash,
// PSSSaltLengthAuto or the hash size). opts.HashFunc() 0 signs a digest
// without hash identification (RSAPKCS1v15SignRaw or ECDSAAny policies).
func (k *Key) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts == nil {
		return nil, invalidArgument("PsaSignHash", "nil crypto.SignerOpts")
	}
	alg, err := k.signAlgorithm(digest, opts)
	if err != nil {
		return nil, err
	}
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return keyCall(ctx, k, func(n native.Key, e native.Error) []byte { return n.Sign_hash(digest, na, true, e) })
	})
}

// signAlgorithm checks the request against the policy, before any request.
func (k *Key) signAlgorithm(digest []byte, opts crypto.SignerOpts) (Algorithm, error) {
	const op = "PsaSignHash"
	policy := k.attrs.Policy
	if k.attrs.Usage&UsageSignHash == 0 {
		return Algorithm{}, notPermitted(op, "key %q has no sign-hash usage", k.name)
	}
	h, err := psaHash(opts.HashFunc())
	if err != nil {
		return Algorithm{}, notPermitted(op, "key %q: %v", k.name, err)
	}
	if h != HashNone && len(digest) != h.Size() {
		return Algorithm{}, invalidArgument(op, "digest of %d bytes for %s", len(digest), h)
	}
	pss, isPSS := opts.(*rsa.PSSOptions)
	want := func(kinds ...AlgorithmKind) error {
		for _, kind := range kinds {
			if policy.Kind == kind {
				return nil
			}
		}
		return notPermitted(op, "key %q (policy %v) cannot sign with %s", k.name, policy, schemeName(k, isPSS, h))
	}
	hashOK := func() error {
		if policy.Hash != HashAny && policy.Hash != h {
			return notPermitted(op, "key %q (policy %v) does not permit %s", k.name, policy, h)
		}
		return nil
	}
	switch {
	case k.attrs.Type.IsECC():
		if isPSS {
			return Algorithm{}, notPermitted(op, "key %q is an ECC key: no RSA-PSS", k.name)
		}
		if policy.Kind == KindECDSAAny {
			return policy, nil
		}
		if h == HashNone {
			return Algorithm{}, notPermitted(op, "key %q (policy %v) needs a hash", k.name, policy)
		}
		if err := want(KindECDSA, KindDeterministicECDSA); err != nil {
			return Algorithm{}, err
		}
		if err := hashOK(); err != nil {
			return Algorithm{}, err
		}
		return Algorithm{Kind: policy.Kind, Hash: h}, nil
	case k.attrs.Type.IsRSA():
		if isPSS {
			if pss.SaltLength != rsa.PSSSaltLengthEqualsHash && pss.SaltLength != rsa.PSSSaltLengthAuto &&
				pss.SaltLength != h.Size() {
				return Algorithm{}, notPermitted(op, "key %q signs RSA-PSS with a salt as long as the hash, not %d bytes",
					k.name, pss.SaltLength)
			}
			if err := want(KindRSAPSS); err != nil {
				return Algorithm{}, err
			}
			if err := hashOK(); err != nil {
				return Algorithm{}, err
			}
			return RSAPSS(h), nil
		}
		if h == HashNone {
			if err := want(KindRSAPKCS1v15SignRaw); err != nil {
				return Algorithm{}, err
			}
			return policy, nil
		}
		if err := want(KindRSAPKCS1v15Sign); err != nil {
			return Algorithm{}, err
		}
		if err := hashOK(); err != nil {
			return Algorithm{}, err
		}
		return RSAPKCS1v15Sign(h), nil
	}
	return Algorithm{}, notPermitted(op, "key %q of type %v does not sign", k.name, k.attrs.Type)
}

func schemeName(k *Key, pss bool, h Hash) string {
	switch {
	case k.attrs.Type.IsECC():
		return "ECDSA with " + h.String()
	case pss:
		return "RSA-PSS with " + h.String()
	}
	return "RSA PKCS#1 v1.5 with " + h.String()
}

// psaHash maps a Go hash to the PSA hash (0 -> HashNone).
func psaHash(h crypto.Hash) (Hash, error) {
	switch h {
	case 0:
		return HashNone, nil
	case crypto.SHA1:
		return HashSHA1, nil
	case crypto.SHA224:
		return HashSHA224, nil
	case crypto.SHA256:
		return HashSHA256, nil
	case crypto.SHA384:
		return HashSHA384, nil
	case crypto.SHA512:
		return HashSHA512, nil
	case crypto.SHA512_224:
		return HashSHA512_224, nil
	case crypto.SHA512_256:
		return HashSHA512_256, nil
	case crypto.SHA3_224:
		return HashSHA3_224, nil
	case crypto.SHA3_256:
		return HashSHA3_256, nil
	case crypto.SHA3_384:
		return HashSHA3_384, nil
	case crypto.SHA3_512:
		return HashSHA3_512, nil
	case crypto.MD5:
		return HashMD5, nil
	case crypto.RIPEMD160:
		return HashRIPEMD160, nil
	}
	return HashNone, fmt.Errorf("hash %v has no PSA equivalent", h)
}

// Decrypt implements crypto.Decrypter with context.Background(); see DecryptContext.
func (k *Key) Decrypt(_ io.Reader, msg []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	return k.DecryptContext(context.Background(), msg, opts)
}

// DecryptContext decrypts with an RSA key: OAEP when opts is *rsa.OAEPOptions
// (its Hash, and MGFHash if set, must be the policy's hash; Label is the OAEP
// label), PKCS#1 v1.5 when opts is nil or *rsa.PKCS1v15DecryptOptions. With
// SessionKeyLen > 0 a failed PKCS#1 v1.5 decryption returns random bytes of
// that length, as rsa.DecryptPKCS1v15SessionKey's contract asks. The
// plaintext is the caller's to wipe.
func (k *Key) DecryptContext(ctx context.Context, msg []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	const op = "PsaAsymmetricDecrypt"
	policy := k.attrs.Policy
	if !k.attrs.Type.IsRSA() || k.attrs.Type == KeyTypeRSAPublicKey {
		return nil, notPermitted(op, "key %q of type %v does not decrypt", k.name, k.attrs.Type)
	}
	if k.attrs.Usage&UsageDecrypt == 0 {
		return nil, notPermitted(op, "key %q has no decrypt usage", k.name)
	}
	var label []byte
	sessionKeyLen := 0
	switch o := opts.(type) {
	case *rsa.OAEPOptions:
		h, err := psaHash(o.Hash)
		if err != nil || policy.Kind != KindRSAOAEP || policy.Hash != h || !sameMGFHash(o) {
			return nil, notPermitted(op, "key %q (policy %v) cannot decrypt OAEP with %v", k.name, policy, o.Hash)
		}
		label = o.Label
	case nil, *rsa.PKCS1v15DecryptOptions:
		if policy.Kind != KindRSAPKCS1v15Crypt {
			return nil, notPermitted(op, "key %q (policy %v) cannot decrypt PKCS#1 v1.5", k.name, policy)
		}
		if o, ok := opts.(*rsa.PKCS1v15DecryptOptions); ok && o != nil {
			sessionKeyLen = o.SessionKeyLen
		}
	default:
		return nil, invalidArgument(op, "unsupported crypto.DecrypterOpts %T", opts)
	}
	pt, err := keyCall(ctx, k, func(n native.Key, e native.Error) []byte { return n.Decrypt(msg, label, e) })
	if sessionKeyLen > 0 && ctx.Err() == nil && (err != nil || len(pt) != sessionKeyLen) {
		wipeValue(pt)
		random := make([]byte, sessionKeyLen)
		if _, rerr := io.ReadFull(rand.Reader, random); rerr != nil {
			return nil, rerr
		}
		return random, nil
	}
	return pt, err
}

// Encrypt encrypts with the key's policy (RSA OAEP or PKCS#1 v1.5) in the
// service; label is the OAEP label (nil for none).
func (k *Key) Encrypt(ctx context.Context, plaintext, label []byte) ([]byte, error) {
	return keyCall(ctx, k, func(n native.Key, e native.Error) []byte { return n.Encrypt(plaintext, label, e) })
}

// SignMessage signs a message with the policy's algorithm (the service hashes;
// a policy allowing any hash uses the hash for the key size). ECDSA
// signatures are DER.
func (k *Key) SignMessage(ctx context.Context, message []byte) ([]byte, error) {
	return keyCall(ctx, k, func(n native.Key, e native.Error) []byte {
		none := native.AlgorithmNone()
		defer native.DeleteAlgorithm(none)
		return n.Sign(message, none, true, e)
	})
}

// VerifyMessage verifies a SignMessage signature in the service: nil, or an
// error matching ErrInvalidSignature.
func (k *Key) VerifyMessage(ctx context.Context, message, signature []byte) error {
	return verified("PsaVerifyMessage", func() (bool, error) {
		return keyCall(ctx, k, func(n native.Key, e native.Error) bool {
			none := native.AlgorithmNone()
			defer native.DeleteAlgorithm(none)
			return n.Verify(message, signature, none, true, e)
		})
	})
}

// ExportPublicKey returns the public key in the PSA format.
func (k *Key) ExportPublicKey(ctx context.Context) ([]byte, error) {
	return keyCall(ctx, k, func(n native.Key, e native.Error) []byte { return n.Export_public_key(e) })
}

// PublicKeyPEM returns the SubjectPublicKeyInfo as PEM ("PUBLIC KEY").
func (k *Key) PublicKeyPEM(ctx context.Context) (string, error) {
	return keyCall(ctx, k, func(n native.Key, e native.Error) string { return n.Public_key_pem(e) })
}

// Destroy deletes the key from the service.
func (k *Key) Destroy(ctx context.Context) error {
	_, err := keyCall(ctx, k, func(n native.Key, e native.Error) bool { return n.Destroy(e) })
	return err
}

var (
	_ crypto.Signer    = (*Key)(nil)
	_ crypto.Decrypter = (*Key)(nil)
)

// sameMGFHash: OAEPOptions.MGFHash (Go 1.20+; read by reflection so that Go
// 1.19 builds the package) is unset or equal to Hash, the only MGF1 hash PSA's
// OAEP uses.
func sameMGFHash(o *rsa.OAEPOptions) bool {
	f := reflect.ValueOf(o).Elem().FieldByName("MGFHash")
	if !f.IsValid() || f.Uint() == 0 {
		return true
	}
	return crypto.Hash(f.Uint()) == o.Hash
}
