// ckr.h - PKCS #11 return values: their names, and the one mapping from a
// CK_RV to the wire status a client sees.
#pragma once

#include <string>

#include "parsec/interface/wire.h"
#include "providers/pkcs11/src/p11.h"

namespace parsec::provider::pkcs11 {

// ckr_name returns "CKR_PIN_INCORRECT" for 0xA0, or "CKR_0x..." for a value
// the 2.40 specification does not name (vendor codes included).
std::string ckr_name(CK_RV rv);

// ckr_to_status maps a PKCS #11 return value to the PSA status of the
// operation that failed. It is the only such mapping in the provider; the
// table is in docs/pkcs11.md. CKR_OK maps to Success.
Status ckr_to_status(CK_RV rv);

// session_broken: the return value means the session (or the login it
// carries) is gone and a fresh session, logged in again, may succeed.
bool session_broken(CK_RV rv);

// token_gone: the token was removed (possibly reinserted elsewhere); the slot
// must be looked up again.
bool token_gone(CK_RV rv);

}  // namespace parsec::provider::pkcs11
