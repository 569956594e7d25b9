// A shared library that is not a PKCS #11 module (no C_GetFunctionList), for
// the "not a PKCS #11 library" start-up error.
extern "C" __attribute__((visibility("default"))) int parsec_not_a_pkcs11_module() {
  return 42;
}
