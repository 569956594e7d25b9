package parsec

import (
	"fmt"

	"github.com/parsec-cpp/parsec-cpp/sdk-go/internal/native"
)

// ProviderID names a Parsec provider (wire values).
type ProviderID uint8

const (
	ProviderCore           ProviderID = 0
	ProviderMbedCrypto     ProviderID = 1 // software (Mbed TLS PSA Crypto)
	ProviderPKCS11         ProviderID = 2
	ProviderTPM            ProviderID = 3
	ProviderTrustedService ProviderID = 4
	ProviderCryptoAuthLib  ProviderID = 5
)

func (p ProviderID) String() string {
	return native.Provider_display_name(native.ParsecProviderId(p))
}

// AuthType names an authenticator (wire values).
type AuthType uint8

const (
	AuthNoAuth              AuthType = 0
	AuthDirect              AuthType = 1
	AuthJWT                 AuthType = 2
	AuthUnixPeerCredentials AuthType = 3
	AuthJWTSVID             AuthType = 4
)

func (a AuthType) String() string {
	return native.Auth_type_display_name(native.ParsecAuthType(a))
}

// Opcode is a wire operation code (e.g. 0x04 PsaSignHash).
type Opcode uint32

// Hash is a PSA hash algorithm. HashAny is the wildcard of hash-and-sign
// signature policies ("any hash").
type Hash uint32

const (
	HashNone       Hash = 0
	HashMD2        Hash = 1
	HashMD4        Hash = 2
	HashMD5        Hash = 3
	HashRIPEMD160  Hash = 4
	HashSHA1       Hash = 5
	HashSHA224     Hash = 6
	HashSHA256     Hash = 7
	HashSHA384     Hash = 8
	HashSHA512     Hash = 9
	HashSHA512_224 Hash = 10
	HashSHA512_256 Hash = 11
	HashSHA3_224   Hash = 12
	HashSHA3_256   Hash = 13
	HashSHA3_384   Hash = 14
	HashSHA3_512   Hash = 15
	HashAny        Hash = 0xFF
)

func (h Hash) String() string { return native.Hash_name(native.ParsecPsaHash(h)) }

// Size is the digest length in bytes (0 for HashNone and HashAny).
func (h Hash) Size() int { return int(native.Hash_length(native.ParsecPsaHash(h))) }

// CipherMode is an unauthenticated cipher mode (wire values).
type CipherMode uint32

const (
	CipherNone         CipherMode = 0
	CipherStream       CipherMode = 1
	CipherCTR          CipherMode = 2
	CipherCFB          CipherMode = 3
	CipherOFB          CipherMode = 4
	CipherXTS          CipherMode = 5
	CipherECBNoPadding CipherMode = 6
	CipherCBCNoPadding CipherMode = 7
	CipherCBCPKCS7     CipherMode = 8
)

// AEADAlgorithm is an AEAD base algorithm (wire values).
type AEADAlgorithm uint32

const (
	AEADNone             AEADAlgorithm = 0
	AEADCCM              AEADAlgorithm = 1
	AEADGCM              AEADAlgorithm = 2
	AEADChaCha20Poly1305 AEADAlgorithm = 3
)

// RawKeyAgreement is a raw key agreement algorithm (wire values).
type RawKeyAgreement uint32

const (
	KeyAgreementNone RawKeyAgreement = 0
	KeyAgreementFFDH RawKeyAgreement = 1
	KeyAgreementECDH RawKeyAgreement = 2
)

// AlgorithmKind names the variant of an Algorithm (parsec/psa/algorithm.h).
type AlgorithmKind uint32

const (
	KindNone                       AlgorithmKind = 0
	KindHash                       AlgorithmKind = 1
	KindHMAC                       AlgorithmKind = 2
	KindCBCMAC                     AlgorithmKind = 3
	KindCMAC                       AlgorithmKind = 4
	KindCipher                     AlgorithmKind = 5
	KindAEAD                       AlgorithmKind = 6
	KindRSAPKCS1v15Sign            AlgorithmKind = 7
	KindRSAPKCS1v15SignRaw         AlgorithmKind = 8
	KindRSAPSS                     AlgorithmKind = 9
	KindECDSA                      AlgorithmKind = 10
	KindECDSAAny                   AlgorithmKind = 11
	KindDeterministicECDSA         AlgorithmKind = 12
	KindRSAPKCS1v15Crypt           AlgorithmKind = 13
	KindRSAOAEP                    AlgorithmKind = 14
	KindRawKeyAgreement            AlgorithmKind = 15
	KindKeyAgreementWithDerivation AlgorithmKind = 16
	KindHKDF                       AlgorithmKind = 17
	KindTLS12PRF                   AlgorithmKind = 18
	KindTLS12PSKToMS               AlgorithmKind = 19
)

func (k AlgorithmKind) String() string {
	return native.Algorithm_kind_name(native.ParsecPsaAlgorithmKind(k))
}

// Algorithm is a PSA algorithm as one flat value: a Kind plus the parameters
// that kind uses (see the constructors). The zero value is "no algorithm".
// Algorithms are comparable values.
type Algorithm struct {
	Kind AlgorithmKind
	// Hash: the hash of hash, HMAC, signature, OAEP and derivation algorithms.
	Hash Hash
	// Truncated and Length: a truncated MAC or an AEAD with a shortened tag.
	Truncated bool
	Length    uint32
	Cipher    CipherMode
	AEAD      AEADAlgorithm
	// KeyAgreement and KDF: key agreement algorithms.
	KeyAgreement RawKeyAgreement
	KDF          AlgorithmKind
}

// Algorithm constructors (named after parsec::psa::Algorithm's factories).
func NoAlgorithm() Algorithm              { return Algorithm{} }
func HashAlgorithm(h Hash) Algorithm      { return Algorithm{Kind: KindHash, Hash: h} }
func HMAC(h Hash) Algorithm               { return Algorithm{Kind: KindHMAC, Hash: h} }
func CBCMAC() Algorithm                   { return Algorithm{Kind: KindCBCMAC} }
func CMAC() Algorithm                     { return Algorithm{Kind: KindCMAC} }
func Cipher(mode CipherMode) Algorithm    { return Algorithm{Kind: KindCipher, Cipher: mode} }
func AEAD(a AEADAlgorithm) Algorithm      { return Algorithm{Kind: KindAEAD, AEAD: a} }
func RSAPKCS1v15Sign(h Hash) Algorithm    { return Algorithm{Kind: KindRSAPKCS1v15Sign, Hash: h} }
func RSAPKCS1v15SignRaw() Algorithm       { return Algorithm{Kind: KindRSAPKCS1v15SignRaw} }
func RSAPSS(h Hash) Algorithm             { return Algorithm{Kind: KindRSAPSS, Hash: h} }
func ECDSA(h Hash) Algorithm              { return Algorithm{Kind: KindECDSA, Hash: h} }
func ECDSAAny() Algorithm                 { return Algorithm{Kind: KindECDSAAny} }
func DeterministicECDSA(h Hash) Algorithm { return Algorithm{Kind: KindDeterministicECDSA, Hash: h} }
func RSAPKCS1v15Crypt() Algorithm         { return Algorithm{Kind: KindRSAPKCS1v15Crypt} }
func RSAOAEP(h Hash) Algorithm            { return Algorithm{Kind: KindRSAOAEP, Hash: h} }
func KeyAgreement(r RawKeyAgreement) Algorithm {
	return Algorithm{Kind: KindRawKeyAgreement, KeyAgreement: r}
}
func ECDH() Algorithm               { return KeyAgreement(KeyAgreementECDH) }
func FFDH() Algorithm               { return KeyAgreement(KeyAgreementFFDH) }
func HKDF(h Hash) Algorithm         { return Algorithm{Kind: KindHKDF, Hash: h} }
func TLS12PRF(h Hash) Algorithm     { return Algorithm{Kind: KindTLS12PRF, Hash: h} }
func TLS12PSKToMS(h Hash) Algorithm { return Algorithm{Kind: KindTLS12PSKToMS, Hash: h} }

// TruncatedMAC shortens a full-length MAC (HMAC, CBCMAC, CMAC) to length bytes.
func TruncatedMAC(mac Algorithm, length uint32) Algorithm {
	mac.Truncated, mac.Length = true, length
	return mac
}

// AEADShortTag is an AEAD whose tag is shortened to length bytes.
func AEADShortTag(a AEADAlgorithm, length uint32) Algorithm {
	return Algorithm{Kind: KindAEAD, AEAD: a, Truncated: true, Length: length}
}

// KeyAgreementWithDerivation feeds a raw key agreement into a key derivation
// (HKDF, TLS12PRF or TLS12PSKToMS; its hash is kept).
func KeyAgreementWithDerivation(r RawKeyAgreement, kdf Algorithm) Algorithm {
	return Algorithm{Kind: KindKeyAgreementWithDerivation, KeyAgreement: r, KDF: kdf.Kind, Hash: kdf.Hash}
}

// HasSignHash reports a hash-and-sign signature (whose Hash may be HashAny).
func (a Algorithm) HasSignHash() bool {
	switch a.Kind {
	case KindRSAPKCS1v15Sign, KindRSAPSS, KindECDSA, KindDeterministicECDSA:
		return true
	}
	return false
}

// String renders the algorithm as the reference tool's key listing does.
func (a Algorithm) String() string {
	n, err := a.toNative()
	if err != nil {
		return fmt.Sprintf("Algorithm(kind %d, invalid)", a.Kind)
	}
	defer native.DeleteAlgorithm(n)
	return n.To_string()
}

// toNative builds the C++ value; the caller deletes it.
func (a Algorithm) toNative() (native.Algorithm, error) {
	e := native.NewError()
	defer native.DeleteError(e)
	n := native.Make_algorithm(native.ParsecPsaAlgorithmKind(a.Kind), native.ParsecPsaHash(a.Hash), a.Truncated,
		uint(a.Length), native.ParsecPsaCipher(a.Cipher), native.ParsecPsaAeadAlgorithm(a.AEAD),
		native.ParsecPsaRawKeyAgreement(a.KeyAgreement), native.ParsecPsaAlgorithmKind(a.KDF), e)
	if err := errorFrom(e); err != nil {
		native.DeleteAlgorithm(n)
		return nil, err
	}
	return n, nil
}

func algorithmFromNative(n native.Algorithm) Algorithm {
	return Algorithm{
		Kind:         AlgorithmKind(n.Kind()),
		Hash:         Hash(n.Hash_alg()),
		Truncated:    n.Is_truncated(),
		Length:       uint32(n.Length()),
		Cipher:       CipherMode(n.Cipher_mode()),
		AEAD:         AEADAlgorithm(n.Aead_alg()),
		KeyAgreement: RawKeyAgreement(n.Key_agreement_alg()),
		KDF:          AlgorithmKind(n.Kdf_kind()),
	}
}

// KeyType is a PSA key type (wire values).
type KeyType uint32

const (
	KeyTypeNone         KeyType = 0
	KeyTypeRawData      KeyType = 1
	KeyTypeHMAC         KeyType = 2
	KeyTypeDerive       KeyType = 3
	KeyTypeAES          KeyType = 4
	KeyTypeDES          KeyType = 5
	KeyTypeCamellia     KeyType = 6
	KeyTypeARC4         KeyType = 7
	KeyTypeChaCha20     KeyType = 8
	KeyTypeRSAPublicKey KeyType = 9
	KeyTypeRSAKeyPair   KeyType = 10
	KeyTypeECCKeyPair   KeyType = 11
	KeyTypeECCPublicKey KeyType = 12
	KeyTypeDHKeyPair    KeyType = 13
	KeyTypeDHPublicKey  KeyType = 14
)

func (t KeyType) String() string { return native.Key_type_name(native.ParsecPsaKeyType(t)) }

// IsECC, IsRSA: the key type's family.
func (t KeyType) IsECC() bool { return t == KeyTypeECCKeyPair || t == KeyTypeECCPublicKey }
func (t KeyType) IsRSA() bool { return t == KeyTypeRSAKeyPair || t == KeyTypeRSAPublicKey }

// ECCFamily is an elliptic curve family (wire values); SecpR1 holds P-256/384/521.
type ECCFamily uint32

const (
	ECCFamilyNone         ECCFamily = 0
	ECCFamilySecpK1       ECCFamily = 1
	ECCFamilySecpR1       ECCFamily = 2
	ECCFamilySecpR2       ECCFamily = 3
	ECCFamilySectK1       ECCFamily = 4
	ECCFamilySectR1       ECCFamily = 5
	ECCFamilySectR2       ECCFamily = 6
	ECCFamilyBrainpoolPR1 ECCFamily = 7
	ECCFamilyFRP          ECCFamily = 8
	ECCFamilyMontgomery   ECCFamily = 9
)

// DHFamily is a finite-field Diffie-Hellman group family.
type DHFamily uint32

const DHFamilyRFC7919 DHFamily = 0

// Usage is a set of PSA key usage flags (PSA's bit values).
type Usage uint32

const (
	UsageExport        Usage = 0x0001
	UsageCopy          Usage = 0x0002
	UsageCache         Usage = 0x0004
	UsageEncrypt       Usage = 0x0100
	UsageDecrypt       Usage = 0x0200
	UsageSignMessage   Usage = 0x0400
	UsageVerifyMessage Usage = 0x0800
	UsageSignHash      Usage = 0x1000
	UsageVerifyHash    Usage = 0x2000
	UsageDerive        Usage = 0x4000
)

// KeyAttributes are the type, size and policy of a key: the usage flags and
// the one algorithm the key permits. Build them with the constructors
// (ECCKeyPair, RSAKeyPair, ...), which set the usage the policy needs; add
// flags afterwards (attrs.Usage |= parsec.UsageExport).
type KeyAttributes struct {
	Type KeyType
	// Family: the curve family of ECC key types.
	Family ECCFamily
	// DHFamily: the group family of DH key types.
	DHFamily DHFamily
	// Bits: the key size; 0 lets an import take it from the data.
	Bits   uint32
	Usage  Usage
	Policy Algorithm
}

// ECCKeyPair: an ECC key pair on the SECP R1 curves (P-256, P-384, P-521).
func ECCKeyPair(bits uint32, policy Algorithm) KeyAttributes {
	return builtAttributes(KeyTypeECCKeyPair, ECCFamilySecpR1, bits, policy)
}

// ECCPublicKey: an ECC public key on the SECP R1 curves.
func ECCPublicKey(bits uint32, policy Algorithm) KeyAttributes {
	return builtAttributes(KeyTypeECCPublicKey, ECCFamilySecpR1, bits, policy)
}

// RSAKeyPair: an RSA key pair of `bits` bits.
func RSAKeyPair(bits uint32, policy Algorithm) KeyAttributes {
	return builtAttributes(KeyTypeRSAKeyPair, ECCFamilyNone, bits, policy)
}

// RSAPublicKey: an RSA public key.
func RSAPublicKey(bits uint32, policy Algorithm) KeyAttributes {
	return builtAttributes(KeyTypeRSAPublicKey, ECCFamilyNone, bits, policy)
}

// KeyOfType: any other type (AES, HMAC, ChaCha20, RawData, Derive, DH, ...).
func KeyOfType(t KeyType, bits uint32, policy Algorithm) KeyAttributes {
	return builtAttributes(t, ECCFamilyNone, bits, policy)
}

// builtAttributes uses the core's builders, so the usage a policy implies is
// the same in every language (parsec::psa::UsageFlags::for_policy).
func builtAttributes(t KeyType, family ECCFamily, bits uint32, policy Algorithm) KeyAttributes {
	a := KeyAttributes{Type: t, Family: family, Bits: bits, Policy: policy}
	np, err := policy.toNative()
	if err != nil {
		return a // an invalid policy is reported when the attributes are used
	}
	defer native.DeleteAlgorithm(np)
	n := native.KeyAttributesOf_type(native.ParsecPsaKeyType(t), uint(bits), np)
	defer native.DeleteKeyAttributes(n)
	a.Usage = Usage(native.Usage_bits(n))
	return a
}

// toNative builds the C++ value; the caller deletes it.
func (a KeyAttributes) toNative() (native.KeyAttributes, error) {
	np, err := a.Policy.toNative()
	if err != nil {
		return nil, err
	}
	defer native.DeleteAlgorithm(np)
	return native.Make_key_attributes(native.ParsecPsaKeyType(a.Type), native.ParsecPsaEccFamily(a.Family),
		native.ParsecPsaDhFamily(a.DHFamily), uint(a.Bits), uint(a.Usage), np), nil
}

func keyAttributesFromNative(n native.KeyAttributes) KeyAttributes {
	return KeyAttributes{
		Type:     KeyType(n.GetKey_type()),
		Family:   ECCFamily(n.GetFamily()),
		DHFamily: DHFamily(n.GetDh_family()),
		Bits:     uint32(n.GetBits()),
		Usage:    Usage(native.Usage_bits(n)),
		Policy:   algorithmFromNative(n.GetPolicy()),
	}
}

// ProtocolVersion is the wire protocol version Ping answers (1.0).
type ProtocolVersion struct{ Major, Minor uint8 }

// ProviderInfo describes a provider (ListProviders).
type ProviderInfo struct {
	ID                                 ProviderID
	UUID, Description, Vendor          string
	VersionMaj, VersionMin, VersionRev uint32
}

// AuthenticatorInfo describes an authenticator (ListAuthenticators).
type AuthenticatorInfo struct {
	ID                                 AuthType
	Description                        string
	VersionMaj, VersionMin, VersionRev uint32
}

// KeyInfo is one entry of ListKeys.
type KeyInfo struct {
	Provider   ProviderID
	Name       string
	Attributes KeyAttributes
}

// CheckType is the kind of CanDoCrypto check.
type CheckType uint32

const (
	CheckUse      CheckType = 1
	CheckGenerate CheckType = 2
	CheckImport   CheckType = 3
	CheckDerive   CheckType = 4
)

// PreparedAttestation is what PrepareKeyAttestation returns for the TPM
// ActivateCredential mechanism: the inputs of TPM2_MakeCredential.
type PreparedAttestation struct {
	Name               []byte // TPM name of the attested key
	PublicArea         []byte // its TPM public area
	AttestingKeyPublic []byte // the attesting key's public key (PsaExportPublicKey format)
}
