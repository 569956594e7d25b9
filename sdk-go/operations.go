package parsec

import (
	"context"

	"github.com/parsec-cpp/parsec-cpp/sdk-go/internal/native"
)

// ---- core operations (provider 0) ---------------------------------------------------

// Ping returns the service's wire protocol version.
func (c *Client) Ping(ctx context.Context) (ProtocolVersion, error) {
	v, err := call(ctx, c, func(n native.Client, e native.Error) int { return n.Ping(e) })
	return ProtocolVersion{Major: uint8(v >> 8), Minor: uint8(v)}, err
}

// ListProviders lists the providers, the default one first.
func (c *Client) ListProviders(ctx context.Context) ([]ProviderInfo, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []ProviderInfo {
		l := n.List_providers(e)
		defer native.DeleteProviderList(l)
		out := make([]ProviderInfo, 0, l.Size())
		for i := int64(0); i < l.Size(); i++ {
			p := l.Get(i)
			out = append(out, ProviderInfo{
				ID: ProviderID(p.GetId()), UUID: p.GetUuid(), Description: p.GetDescription(), Vendor: p.GetVendor(),
				VersionMaj: uint32(p.GetVersion_maj()), VersionMin: uint32(p.GetVersion_min()),
				VersionRev: uint32(p.GetVersion_rev()),
			})
			native.DeleteProviderInfo(p)
		}
		return out
	})
}

// ListOpcodes lists the operations a provider supports, ascending.
func (c *Client) ListOpcodes(ctx context.Context, provider ProviderID) ([]Opcode, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []Opcode {
		l := n.List_opcodes(int(provider), e)
		defer native.DeleteOpcodeList(l)
		out := make([]Opcode, 0, l.Size())
		for i := int64(0); i < l.Size(); i++ {
			out = append(out, Opcode(l.Get(i)))
		}
		return out
	})
}

// ListAuthenticators lists the service's authenticators, the default first.
func (c *Client) ListAuthenticators(ctx context.Context) ([]AuthenticatorInfo, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []AuthenticatorInfo {
		l := n.List_authenticators(e)
		defer native.DeleteAuthenticatorList(l)
		out := make([]AuthenticatorInfo, 0, l.Size())
		for i := int64(0); i < l.Size(); i++ {
			a := l.Get(i)
			out = append(out, AuthenticatorInfo{
				ID: AuthType(a.GetId()), Description: a.GetDescription(), VersionMaj: uint32(a.GetVersion_maj()),
				VersionMin: uint32(a.GetVersion_min()), VersionRev: uint32(a.GetVersion_rev()),
			})
			native.DeleteAuthenticatorInfo(a)
		}
		return out
	})
}

// ListKeys lists the caller's keys in every provider.
func (c *Client) ListKeys(ctx context.Context) ([]KeyInfo, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []KeyInfo {
		l := n.List_keys(e)
		defer native.DeleteKeyInfoList(l)
		out := make([]KeyInfo, 0, l.Size())
		for i := int64(0); i < l.Size(); i++ {
			k := l.Get(i)
			out = append(out, KeyInfo{Provider: ProviderID(k.GetProvider_id()), Name: k.GetName(),
				Attributes: keyAttributesFromNative(k.GetAttributes())})
			native.DeleteKeyInfo(k)
		}
		return out
	})
}

// ListClients lists the applications that own keys (admins only:
// ErrAdminOperation otherwise).
func (c *Client) ListClients(ctx context.Context) ([]string, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []string {
		l := n.List_clients(e)
		defer native.DeleteStringList(l)
		out := make([]string, 0, l.Size())
		for i := int64(0); i < l.Size(); i++ {
			out = append(out, l.Get(i))
		}
		return out
	})
}

// DeleteClient removes an application and all its keys (admins only).
func (c *Client) DeleteClient(ctx context.Context, client string) error {
	_, err := call(ctx, c, func(n native.Client, e native.Error) bool { return n.Delete_client(client, e) })
	return err
}

// KeyAttributes looks a key up (ListKeys), preferring the current provider's.
func (c *Client) KeyAttributes(ctx context.Context, name string) (KeyAttributes, error) {
	return call(ctx, c, func(n native.Client, e native.Error) KeyAttributes {
		a := n.Key_attributes(name, e)
		defer native.DeleteKeyAttributes(a)
		return keyAttributesFromNative(a)
	})
}

// ---- key management --------------------------------------------------------------------

// CreateKey generates a key without making a Key handle (see GenerateKey).
func (c *Client) CreateKey(ctx context.Context, name string, attrs KeyAttributes) error {
	_, err := withKeyAttributes(attrs, func(na native.KeyAttributes) (bool, error) {
		return call(ctx, c, func(n native.Client, e native.Error) bool { return n.Generate_key(name, na, e) })
	})
	return err
}

// ImportKey imports key material in the PSA format (ECC: the private scalar or
// the public point 04||X||Y; RSA: PKCS#1 DER; symmetric: the raw bytes). The
// client wipes its copies of data; data itself stays the caller's.
func (c *Client) ImportKey(ctx context.Context, name string, attrs KeyAttributes, data []byte) error {
	_, err := withKeyAttributes(attrs, func(na native.KeyAttributes) (bool, error) {
		return call(ctx, c, func(n native.Client, e native.Error) bool { return n.Import_key(name, na, data, e) })
	})
	return err
}

// ExportPublicKey returns the public key in the PSA format (ECC 04||X||Y,
// RSA PKCS#1 RSAPublicKey DER).
func (c *Client) ExportPublicKey(ctx context.Context, name string) ([]byte, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []byte { return n.Export_public_key(name, e) })
}

// ExportKey returns the key material (a secret: the key needs UsageExport).
// The caller owns and should wipe the result.
func (c *Client) ExportKey(ctx context.Context, name string) ([]byte, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []byte { return n.Export_key(name, e) })
}

// DestroyKey deletes a key.
func (c *Client) DestroyKey(ctx context.Context, name string) error {
	_, err := call(ctx, c, func(n native.Client, e native.Error) bool { return n.Destroy_key(name, e) })
	return err
}

// ---- signatures ----------------------------------------------------------------------------

// SignHash signs a digest with alg (ECDSA: raw r||s; see Key.Sign for DER).
func (c *Client) SignHash(ctx context.Context, name string, alg Algorithm, digest []byte) ([]byte, error) {
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return call(ctx, c, func(n native.Client, e native.Error) []byte { return n.Sign_hash(name, na, digest, e) })
	})
}

// VerifyHash returns nil for a valid signature and an error matching
// ErrInvalidSignature when the service finds it invalid.
func (c *Client) VerifyHash(ctx context.Context, name string, alg Algorithm, digest, signature []byte) error {
	return verified("PsaVerifyHash", func() (bool, error) {
		return withAlgorithm(alg, func(na native.Algorithm) (bool, error) {
			return call(ctx, c, func(n native.Client, e native.Error) bool {
				return n.Verify_hash(name, na, digest, signature, e)
			})
		})
	})
}

// SignMessage signs a message (the service hashes it).
func (c *Client) SignMessage(ctx context.Context, name string, alg Algorithm, message []byte) ([]byte, error) {
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return call(ctx, c, func(n native.Client, e native.Error) []byte { return n.Sign_message(name, na, message, e) })
	})
}

// VerifyMessage: as VerifyHash, on a message.
func (c *Client) VerifyMessage(ctx context.Context, name string, alg Algorithm, message, signature []byte) error {
	return verified("PsaVerifyMessage", func() (bool, error) {
		return withAlgorithm(alg, func(na native.Algorithm) (bool, error) {
			return call(ctx, c, func(n native.Client, e native.Error) bool {
				return n.Verify_message(name, na, message, signature, e)
			})
		})
	})
}

// verified turns the core's "false = PsaErrorInvalidSignature" into that error.
func verified(op string, f func() (bool, error)) error {
	ok, err := f()
	if err != nil {
		return err
	}
	if !ok {
		return &Error{Status: StatusPsaErrorInvalidSignature, Operation: op,
			Detail: "the signature does not match", FromService: true}
	}
	return nil
}

// ---- encryption ----------------------------------------------------------------------------

// AsymmetricEncrypt encrypts with an RSA key (alg: RSAPKCS1v15Crypt or
// RSAOAEP; salt: the OAEP label, nil for none).
func (c *Client) AsymmetricEncrypt(ctx context.Context, name string, alg Algorithm, plaintext, salt []byte) ([]byte, error) {
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return call(ctx, c, func(n native.Client, e native.Error) []byte {
			return n.Asymmetric_encrypt(name, na, plaintext, salt, e)
		})
	})
}

// AsymmetricDecrypt decrypts with an RSA key; the plaintext is the caller's to wipe.
func (c *Client) AsymmetricDecrypt(ctx context.Context, name string, alg Algorithm, ciphertext, salt []byte) ([]byte, error) {
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return call(ctx, c, func(n native.Client, e native.Error) []byte {
			return n.Asymmetric_decrypt(name, na, ciphertext, salt, e)
		})
	})
}

// AEADEncrypt returns the ciphertext with the tag appended.
func (c *Client) AEADEncrypt(ctx context.Context, name string, alg Algorithm, nonce, additionalData, plaintext []byte) ([]byte, error) {
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return call(ctx, c, func(n native.Client, e native.Error) []byte {
			return n.Aead_encrypt(name, na, nonce, additionalData, plaintext, e)
		})
	})
}

// AEADDecrypt takes the ciphertext with the tag appended.
func (c *Client) AEADDecrypt(ctx context.Context, name string, alg Algorithm, nonce, additionalData, ciphertext []byte) ([]byte, error) {
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return call(ctx, c, func(n native.Client, e native.Error) []byte {
			return n.Aead_decrypt(name, na, nonce, additionalData, ciphertext, e)
		})
	})
}

// CipherEncrypt returns IV || ciphertext.
func (c *Client) CipherEncrypt(ctx context.Context, name string, mode CipherMode, plaintext []byte) ([]byte, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []byte {
		return n.Cipher_encrypt(name, native.ParsecPsaCipher(mode), plaintext, e)
	})
}

// CipherDecrypt takes IV || ciphertext.
func (c *Client) CipherDecrypt(ctx context.Context, name string, mode CipherMode, ciphertext []byte) ([]byte, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []byte {
		return n.Cipher_decrypt(name, native.ParsecPsaCipher(mode), ciphertext, e)
	})
}

// ---- MAC, hash, key agreement, random, capability ----------------------------------------

// MACCompute computes a MAC (alg: HMAC, CMAC, CBCMAC, possibly truncated).
func (c *Client) MACCompute(ctx context.Context, name string, alg Algorithm, input []byte) ([]byte, error) {
	return withAlgorithm(alg, func(na native.Algorithm) ([]byte, error) {
		return call(ctx, c, func(n native.Client, e native.Error) []byte { return n.Mac_compute(name, na, input, e) })
	})
}

// MACVerify returns nil if mac matches, ErrInvalidSignature otherwise.
func (c *Client) MACVerify(ctx context.Context, name string, alg Algorithm, input, mac []byte) error {
	return verified("PsaMacVerify", func() (bool, error) {
		return withAlgorithm(alg, func(na native.Algorithm) (bool, error) {
			return call(ctx, c, func(n native.Client, e native.Error) bool { return n.Mac_verify(name, na, input, mac, e) })
		})
	})
}

// HashCompute hashes input in the service.
func (c *Client) HashCompute(ctx context.Context, h Hash, input []byte) ([]byte, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []byte {
		return n.Hash_compute(native.ParsecPsaHash(h), input, e)
	})
}

// HashCompare returns nil if hash is the digest of input, ErrInvalidSignature otherwise.
func (c *Client) HashCompare(ctx context.Context, h Hash, input, hash []byte) error {
	return verified("PsaHashCompare", func() (bool, error) {
		return call(ctx, c, func(n native.Client, e native.Error) bool {
			return n.Hash_compare(native.ParsecPsaHash(h), input, hash, e)
		})
	})
}

// RawKeyAgreement returns the shared secret of the private key and the peer's
// public key (PSA format); the caller owns and should wipe it.
func (c *Client) RawKeyAgreement(ctx context.Context, alg RawKeyAgreement, privateKey string, peerKey []byte) ([]byte, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []byte {
		return n.Raw_key_agreement(native.ParsecPsaRawKeyAgreement(alg), privateKey, peerKey, e)
	})
}

// GenerateRandom returns size random bytes from the provider.
func (c *Client) GenerateRandom(ctx context.Context, size int) ([]byte, error) {
	if size < 0 {
		return nil, invalidArgument("PsaGenerateRandom", "negative size %d", size)
	}
	return call(ctx, c, func(n native.Client, e native.Error) []byte { return n.Generate_random(uint64(size), e) })
}

// CanDoCrypto reports whether the provider supports attrs for check (false,
// nil when the service answers PsaErrorNotSupported).
func (c *Client) CanDoCrypto(ctx context.Context, check CheckType, attrs KeyAttributes) (bool, error) {
	return withKeyAttributes(attrs, func(na native.KeyAttributes) (bool, error) {
		return call(ctx, c, func(n native.Client, e native.Error) bool {
			return n.Can_do_crypto(native.ParsecPsaCheckType(check), na, e)
		})
	})
}

// ---- key attestation (TPM) -------------------------------------------------------------------

// PrepareKeyAttestation returns what a verifier needs for TPM2_MakeCredential
// on the attested key; attesting "" selects the provider's default (the EK).
func (c *Client) PrepareKeyAttestation(ctx context.Context, attested, attesting string) (PreparedAttestation, error) {
	return call(ctx, c, func(n native.Client, e native.Error) PreparedAttestation {
		a := n.Prepare_key_attestation(attested, attesting, e)
		defer native.DeleteAttestation(a)
		return PreparedAttestation{Name: a.Name(), PublicArea: a.Public_area(), AttestingKeyPublic: a.Attesting_key_public()}
	})
}

// AttestKeyActivateCredential runs TPM2_ActivateCredential with the verifier's
// credential blob and secret and returns the recovered credential (a secret).
func (c *Client) AttestKeyActivateCredential(ctx context.Context, attested string, credentialBlob, secret []byte,
	attesting string) ([]byte, error) {
	return call(ctx, c, func(n native.Client, e native.Error) []byte {
		return n.Attest_key_activate_credential(attested, credentialBlob, secret, attesting, e)
	})
}
