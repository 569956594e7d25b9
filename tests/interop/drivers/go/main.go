// Command driver is the Go SDK's driver of the interop matrix (docs/interop.md):
// a persistent process reading one JSON request per line on stdin and answering
// one JSON line on stdout, through the sdk-go package (parsec) built against the
// staged core. Go's standard library is its third party: crypto/sha256 and
// crypto/sha512 digests, crypto/rsa OAEP encryption, crypto/x509 for keys.
//
// Errors are reported with the uniform code derived from Go's idiom: errors.Is
// with the SDK's sentinels (parsec.ErrKeyNotFound, ...), the wire status read
// with errors.As(*parsec.Error). Single-threaded.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

type request map[string]interface{}

func (r request) str(k string) string {
	v, _ := r[k].(string)
	return v
}

func (r request) bytes(k string) []byte {
	b, err := base64.StdEncoding.DecodeString(r.str(k))
	if err != nil {
		panic(fmt.Sprintf("field %s: %v", k, err))
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// sentinels: the SDK's sentinel errors and the uniform code each stands for.
var sentinels = []struct {
	err  error
	code string
	name string
}{
	{parsec.ErrKeyNotFound, "NotFound", "parsec.ErrKeyNotFound"},
	{parsec.ErrAlreadyExists, "AlreadyExists", "parsec.ErrAlreadyExists"},
	{parsec.ErrNotPermitted, "NotPermitted", "parsec.ErrNotPermitted"},
	{parsec.ErrNotSupported, "NotSupported", "parsec.ErrNotSupported"},
	{parsec.ErrInvalidSignature, "InvalidSignature", "parsec.ErrInvalidSignature"},
	{parsec.ErrInvalidArgument, "InvalidArgument", "parsec.ErrInvalidArgument"},
}

func failure(err error) map[string]interface{} {
	out := map[string]interface{}{"ok": false, "error": "Other", "message": err.Error()}
	var pe *parsec.Error
	if errors.As(err, &pe) {
		out["status"] = pe.Status.String()
	} else {
		out["error"] = "DriverError"
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			out["error"] = s.code
			out["idiom"] = "errors.Is(err, " + s.name + ")"
			break
		}
	}
	return out
}

func policy(keyType, hash string) parsec.Algorithm {
	h := parsec.HashSHA256
	if hash == "sha384" {
		h = parsec.HashSHA384
	}
	switch keyType {
	case "ecdsa-p256":
		return parsec.ECDSA(h)
	case "rsa-pss":
		return parsec.RSAPSS(h)
	case "rsa-oaep":
		return parsec.RSAOAEP(h)
	}
	panic("unknown key type " + keyType)
}

func digest(hash string, msg []byte) []byte {
	if hash == "sha384" {
		d := sha512.Sum384(msg)
		return d[:]
	}
	d := sha256.Sum256(msg)
	return d[:]
}

// bits: the request's key size, else the key type's own (the NotSupported cases ask for others).
func bits(r request, def uint32) uint32 {
	if b, ok := r["bits"].(float64); ok {
		return uint32(b)
	}
	return def
}

func clientFor(r request) (*parsec.Client, error) {
	opts := []parsec.Option{}
	if app := r.str("app"); app != "" {
		opts = append(opts, parsec.WithAppName(app), parsec.WithAuthType(parsec.AuthDirect))
	} else {
		opts = append(opts, parsec.WithAuthType(parsec.AuthUnixPeerCredentials))
	}
	if p, ok := r["provider"].(float64); ok {
		opts = append(opts, parsec.WithProvider(parsec.ProviderID(p)))
	}
	return parsec.NewClient(opts...)
}

func handle(r request) (out map[string]interface{}) {
	defer func() {
		if p := recover(); p != nil {
			out = map[string]interface{}{"ok": false, "error": "DriverError", "message": fmt.Sprint(p)}
		}
	}()
	ctx := context.Background()
	op, name, hash := r.str("op"), r.str("name"), r.str("hash")
	if hash == "" {
		hash = "sha256"
	}
	ok := map[string]interface{}{"ok": true}
	switch op {
	case "hello":
		ok["driver"] = "go"
		return ok
	case "encrypt_local":
		pub, err := x509.ParsePKIXPublicKey(r.bytes("spki"))
		if err != nil {
			return failure(err)
		}
		ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), r.bytes("plaintext"), nil)
		if err != nil {
			return failure(err)
		}
		ok["ciphertext"] = b64(ct)
		return ok
	}
	c, err := clientFor(r)
	if err != nil {
		return failure(err)
	}
	defer c.Close()
	switch op {
	case "create":
		keyType := r.str("type")
		var attrs parsec.KeyAttributes
		if keyType == "ecdsa-p256" {
			attrs = parsec.ECCKeyPair(bits(r, 256), policy(keyType, hash))
		} else {
			attrs = parsec.RSAKeyPair(bits(r, 2048), policy(keyType, hash))
		}
		err = c.CreateKey(ctx, name, attrs)
	case "export_public":
		var pub []byte
		if pub, err = c.ExportPublicKey(ctx, name); err == nil {
			ok["format"], ok["public"] = "psa", b64(pub)
		}
	case "sign":
		var sig []byte
		if sig, err = c.SignHash(ctx, name, policy(r.str("type"), hash), digest(hash, r.bytes("message"))); err == nil {
			ok["format"], ok["signature"] = "raw", b64(sig)
		}
	case "sign_message": // the service hashes
		var sig []byte
		if sig, err = c.SignMessage(ctx, name, policy(r.str("type"), hash), r.bytes("message")); err == nil {
			ok["format"], ok["signature"] = "raw", b64(sig)
		}
	case "verify":
		err = c.VerifyHash(ctx, name, policy(r.str("type"), hash), digest(hash, r.bytes("message")), r.bytes("signature"))
	case "decrypt":
		var pt []byte
		oaep := parsec.RSAOAEP(parsec.HashSHA256)
		if pt, err = c.AsymmetricDecrypt(ctx, name, oaep, r.bytes("ciphertext"), nil); err == nil {
			ok["plaintext"] = b64(pt)
		}
	case "destroy":
		err = c.DestroyKey(ctx, name)
	case "list_keys":
		var keys []parsec.KeyInfo
		if keys, err = c.ListKeys(ctx); err == nil {
			names := []string{}
			for _, k := range keys {
				names = append(names, fmt.Sprintf("%s@%d", k.Name, k.Provider))
			}
			ok["keys"] = strings.Join(names, ",")
		}
	default:
		panic("unknown op " + op)
	}
	if err != nil {
		return failure(err)
	}
	return ok
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		var r request
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			_ = enc.Encode(map[string]interface{}{"ok": false, "error": "DriverError", "message": err.Error()})
			continue
		}
		_ = enc.Encode(handle(r))
	}
}
