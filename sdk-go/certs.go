package parsec

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"

	"github.com/parsec-cpp/parsec-cpp/sdk-go/internal/native"
)

// CreateCertificateRequest returns a DER PKCS#10 request for the key, signed
// by the service through crypto.Signer (x509.CreateCertificateRequest). When
// template.SignatureAlgorithm is unset it is chosen from the key's policy
// (e.g. SHA256WithRSAPSS for an RSA-PSS key), so the request is one the
// policy permits.
func (k *Key) CreateCertificateRequest(template *x509.CertificateRequest) ([]byte, error) {
	t := *template
	if t.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		alg, err := k.x509SignatureAlgorithm()
		if err != nil {
			return nil, err
		}
		t.SignatureAlgorithm = alg
	}
	var signer crypto.Signer = k
	if k.attrs.Policy.Kind == KindRSAPSS {
		signer = pssSigner{k}
	}
	return x509.CreateCertificateRequest(rand.Reader, &t, signer)
}

// pssSigner signs with RSA-PSS whatever options it gets: Go before 1.20
// declares RSASSA-PSS in a request but passes a bare crypto.Hash to the
// signer, which an RSA-PSS key must not turn into PKCS#1 v1.5.
type pssSigner struct{ k *Key }

func (s pssSigner) Public() crypto.PublicKey { return s.k.Public() }

func (s pssSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, ok := opts.(*rsa.PSSOptions); !ok {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: opts.HashFunc()}
	}
	return s.k.Sign(r, digest, opts)
}

// CreateCSR asks the C++ core to build the request (the same bytes as the C++,
// Python and Java SDKs produce for this subject): the subject fields that are
// set and the DNS/IP subject alternative names in sans.
func (k *Key) CreateCSR(ctx context.Context, subject pkix.Name, sans ...string) ([]byte, error) {
	s := native.NewCsrSubject()
	defer native.DeleteCsrSubject(s)
	s.SetCommon_name(subject.CommonName)
	first := func(v []string) string {
		if len(v) > 0 {
			return v[0]
		}
		return ""
	}
	s.SetOrganizational_unit(first(subject.OrganizationalUnit))
	s.SetOrganization(first(subject.Organization))
	s.SetLocality(first(subject.Locality))
	s.SetState(first(subject.Province))
	s.SetCountry(first(subject.Country))
	s.SetSerial_number(subject.SerialNumber)
	for _, san := range sans {
		s.Add_subject_alt_name(san)
	}
	return keyCall(ctx, k, func(n native.Key, e native.Error) []byte { return n.Create_csr(s, e) })
}

// x509SignatureAlgorithm: the X.509 algorithm matching the key's policy.
func (k *Key) x509SignatureAlgorithm() (x509.SignatureAlgorithm, error) {
	p := k.attrs.Policy
	h := p.Hash
	if h == HashAny || p.Kind == KindECDSAAny {
		h = HashSHA256
		if k.attrs.Type.IsECC() && k.attrs.Bits > 256 {
			h = HashSHA384
			if k.attrs.Bits > 384 {
				h = HashSHA512
			}
		}
	}
	table := map[AlgorithmKind]map[Hash]x509.SignatureAlgorithm{
		KindECDSA:              {HashSHA256: x509.ECDSAWithSHA256, HashSHA384: x509.ECDSAWithSHA384, HashSHA512: x509.ECDSAWithSHA512},
		KindDeterministicECDSA: {HashSHA256: x509.ECDSAWithSHA256, HashSHA384: x509.ECDSAWithSHA384, HashSHA512: x509.ECDSAWithSHA512},
		KindECDSAAny:           {HashSHA256: x509.ECDSAWithSHA256, HashSHA384: x509.ECDSAWithSHA384, HashSHA512: x509.ECDSAWithSHA512},
		KindRSAPKCS1v15Sign:    {HashSHA256: x509.SHA256WithRSA, HashSHA384: x509.SHA384WithRSA, HashSHA512: x509.SHA512WithRSA},
		KindRSAPSS:             {HashSHA256: x509.SHA256WithRSAPSS, HashSHA384: x509.SHA384WithRSAPSS, HashSHA512: x509.SHA512WithRSAPSS},
	}
	if alg, ok := table[p.Kind][h]; ok {
		return alg, nil
	}
	return x509.UnknownSignatureAlgorithm, notPermitted("PsaSignHash", "key %q (policy %v) has no X.509 signature algorithm", k.name, p)
}

// TLSSignatureSchemes lists the TLS signature schemes the key's policy
// permits (what tls.Certificate.SupportedSignatureAlgorithms should hold): an
// RSA-PSS key offers only PSS schemes (usable in TLS 1.2 and 1.3), a PKCS#1
// v1.5 key only PKCS#1 schemes (TLS 1.2 only: TLS 1.3 requires PSS), an ECDSA
// key the scheme of its curve.
func (k *Key) TLSSignatureSchemes() []tls.SignatureScheme {
	p := k.attrs.Policy
	allowed := func(h Hash) bool { return p.Hash == HashAny || p.Hash == h }
	var out []tls.SignatureScheme
	switch {
	case k.attrs.Type.IsECC():
		if p.Kind != KindECDSA && p.Kind != KindDeterministicECDSA && p.Kind != KindECDSAAny {
			return nil
		}
		anyHash := p.Kind == KindECDSAAny
		// TLS 1.3 binds each ECDSA scheme to its curve.
		switch k.attrs.Bits {
		case 256:
			if anyHash || allowed(HashSHA256) {
				out = append(out, tls.ECDSAWithP256AndSHA256)
			}
		case 384:
			if anyHash || allowed(HashSHA384) {
				out = append(out, tls.ECDSAWithP384AndSHA384)
			}
		case 521:
			if anyHash || allowed(HashSHA512) {
				out = append(out, tls.ECDSAWithP521AndSHA512)
			}
		}
	case k.attrs.Type.IsRSA():
		pss := map[Hash]tls.SignatureScheme{HashSHA256: tls.PSSWithSHA256, HashSHA384: tls.PSSWithSHA384, HashSHA512: tls.PSSWithSHA512}
		pkcs1 := map[Hash]tls.SignatureScheme{HashSHA256: tls.PKCS1WithSHA256, HashSHA384: tls.PKCS1WithSHA384, HashSHA512: tls.PKCS1WithSHA512}
		for _, h := range []Hash{HashSHA256, HashSHA384, HashSHA512} {
			if !allowed(h) {
				continue
			}
			switch p.Kind {
			case KindRSAPSS:
				out = append(out, pss[h])
			case KindRSAPKCS1v15Sign:
				out = append(out, pkcs1[h])
			}
		}
	}
	return out
}

// TLSCertificate pairs a certificate chain (leaf first) with the key for
// tls.Config.Certificates or GetClientCertificate. It checks that the leaf
// certifies this key and restricts the signature schemes to the ones the
// key's policy permits, so a handshake never asks the service for a signature
// it would refuse.
func (k *Key) TLSCertificate(chain ...*x509.Certificate) (tls.Certificate, error) {
	if len(chain) == 0 {
		return tls.Certificate{}, errors.New("parsec: TLSCertificate needs at least the leaf certificate")
	}
	if !samePublicKey(chain[0].PublicKey, k.pub) {
		return tls.Certificate{}, fmt.Errorf("parsec: the leaf certificate (%s) does not certify key %q",
			chain[0].Subject, k.name)
	}
	schemes := k.TLSSignatureSchemes()
	if len(schemes) == 0 {
		return tls.Certificate{}, notPermitted("PsaSignHash", "key %q (policy %v) permits no TLS signature scheme",
			k.name, k.attrs.Policy)
	}
	cert := tls.Certificate{PrivateKey: k, Leaf: chain[0], SupportedSignatureAlgorithms: schemes}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return cert, nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	switch a := a.(type) {
	case *ecdsa.PublicKey:
		return a.Equal(b)
	case *rsa.PublicKey:
		return a.Equal(b)
	}
	return false
}
