// authenticator_test.cc - application identity from the auth field
// (docs/protocol.md, authenticators), UTF-8 validation, and the key name rule.
#include "service/src/authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "service/src/handler.h"

namespace parsec::service {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Authenticator> make(AuthType type, std::vector<std::string> admins = {}) {
  AuthenticatorConfig cfg;
  cfg.type = type;
  cfg.admins = std::move(admins);
  auto a = make_authenticator(cfg);
  EXPECT_TRUE(a.ok()) << a.detail();
  return a.ok() ? std::move(a).value() : nullptr;
}

PeerCredentials peer(uid_t uid) {
  PeerCredentials p;
  p.valid = true;
  p.uid = uid;
  p.gid = 4242;
  p.pid = 777;
  return p;
}

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) {
    s[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  return s;
}

// ---- Direct ---------------------------------------------------------------------

TEST(DirectAuthenticatorTest, EmptyIsAuthenticationError) {
  auto a = make(AuthType::Direct);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type(), AuthType::Direct);
  auto r = a->authenticate("", peer(1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::AuthenticationError);
  EXPECT_FALSE(r.detail().empty());
}

TEST(DirectAuthenticatorTest, InvalidUtf8IsAuthenticationError) {
  auto a = make(AuthType::Direct);
  ASSERT_NE(a, nullptr);
  for (const auto& bad : {std::string("\xFF"), std::string("app\xC3"), std::string("\xC0\xAF"),
                          std::string("\xED\xA0\x80"), std::string("ok\x80rest")}) {
    auto r = a->authenticate(bad, PeerCredentials{});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::AuthenticationError);
    EXPECT_FALSE(r.detail().empty());
    // The refusal reason must not echo the bytes.
    EXPECT_THAT(r.detail(), ::testing::Not(HasSubstr(bad)));
  }
}

TEST(DirectAuthenticatorTest, NameReturnedByteForByte) {
  auto a = make(AuthType::Direct);
  ASSERT_NE(a, nullptr);
  for (const auto& name : {std::string("my-app"), std::string(" Spaced Name "), std::string("CaseSensitive"),
                           std::string("\xE5\x90\x8D\xF0\x9F\x94\x91"), std::string("a/b/../c"), std::string("x", 1),
                           std::string(5000, 'z'), std::string("nul\0inside", 10)}) {
    // No peer credentials needed.
    auto r = a->authenticate(name, PeerCredentials{});
    ASSERT_TRUE(r.ok()) << r.detail();
    EXPECT_EQ(*r, name);
    EXPECT_EQ(r->size(), name.size());
  }
}

// ---- UnixPeerCredentials ---------------------------------------------------------------

TEST(UnixPeerAuthenticatorTest, WrongLengthIsAuthenticationError) {
  auto a = make(AuthType::UnixPeerCredentials);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type(), AuthType::UnixPeerCredentials);
  for (const auto& payload : {std::string(), std::string("\xE8", 1), std::string("\xE8\x03\x00", 3),
                              std::string("\xE8\x03\x00\x00\x00", 5), std::string(8, '\0')}) {
    auto r = a->authenticate(payload, peer(1000));
    ASSERT_FALSE(r.ok()) << payload.size();
    EXPECT_EQ(r.status(), Status::AuthenticationError);
  }
}

TEST(UnixPeerAuthenticatorTest, UidMismatchIsAuthenticationError) {
  auto a = make(AuthType::UnixPeerCredentials);
  ASSERT_NE(a, nullptr);
  auto r = a->authenticate(le32(1000), peer(1001));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::AuthenticationError);
  // Big-endian encoding of the right UID is a mismatch too.
  r = a->authenticate(std::string("\x00\x00\x03\xE8", 4), peer(1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::AuthenticationError);
  // Root declared by a non-root peer.
  r = a->authenticate(le32(0), peer(1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::AuthenticationError);
}

TEST(UnixPeerAuthenticatorTest, NoPeerCredentialsIsAuthenticationError) {
  auto a = make(AuthType::UnixPeerCredentials);
  ASSERT_NE(a, nullptr);
  PeerCredentials none;  // valid = false, uid = 0
  auto r = a->authenticate(le32(0), none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::AuthenticationError);
  PeerCredentials stale = peer(1000);
  stale.valid = false;
  r = a->authenticate(le32(1000), stale);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::AuthenticationError);
}

TEST(UnixPeerAuthenticatorTest, MatchGivesDecimalWithoutLeadingZeros) {
  auto a = make(AuthType::UnixPeerCredentials);
  ASSERT_NE(a, nullptr);
  struct Case {
    uint32_t uid;
    const char* want;
  };
  for (const Case& c :
       {Case{0, "0"}, Case{1, "1"}, Case{7, "7"}, Case{10, "10"}, Case{1000, "1000"}, Case{65534, "65534"},
        Case{65536, "65536"}, Case{4294967294u, "4294967294"}, Case{4294967295u, "4294967295"}}) {
    auto r = a->authenticate(le32(c.uid), peer(static_cast<uid_t>(c.uid)));
    ASSERT_TRUE(r.ok()) << c.uid << ": " << r.detail();
    EXPECT_EQ(*r, c.want);
  }
  // The spec's example: UID 1000 = E8 03 00 00.
  auto r = a->authenticate(std::string("\xE8\x03\x00\x00", 4), peer(1000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "1000");
}

// ---- admins, descriptions, construction ---------------------------------------------------

TEST(AuthenticatorTest, IsAdminExactMatch) {
  auto a = make(AuthType::Direct, {"admin", "root"});
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->is_admin("admin"));
  EXPECT_TRUE(a->is_admin("root"));
  EXPECT_FALSE(a->is_admin("Admin"));
  EXPECT_FALSE(a->is_admin("admin "));
  EXPECT_FALSE(a->is_admin("adm"));
  EXPECT_FALSE(a->is_admin(""));
  auto u = make(AuthType::UnixPeerCredentials, {"0"});
  ASSERT_NE(u, nullptr);
  EXPECT_TRUE(u->is_admin("0"));
  EXPECT_FALSE(u->is_admin("00"));
  EXPECT_FALSE(u->is_admin("1000"));
  auto none = make(AuthType::Direct);
  ASSERT_NE(none, nullptr);
  EXPECT_FALSE(none->is_admin(""));
  EXPECT_FALSE(none->is_admin("root"));
}

TEST(AuthenticatorTest, Descriptions) {
  // docs/protocol.md, authenticators §4.
  auto d = make(AuthType::Direct);
  ASSERT_NE(d, nullptr);
  AuthenticatorDescription dd = d->describe();
  EXPECT_EQ(dd.id, AuthType::Direct);
  EXPECT_EQ(dd.description,
            "Directly parses the authentication field as a UTF-8 string and uses that as the application identity. "
            "Should be used for testing only.");
  EXPECT_EQ(dd.version_maj, 0u);
  EXPECT_EQ(dd.version_min, 1u);
  EXPECT_EQ(dd.version_rev, 0u);
  auto u = make(AuthType::UnixPeerCredentials);
  ASSERT_NE(u, nullptr);
  AuthenticatorDescription ud = u->describe();
  EXPECT_EQ(ud.id, AuthType::UnixPeerCredentials);
  EXPECT_EQ(ud.description,
            "Uses Unix peer credentials to authenticate the client. Verifies that the self-declared Unix user "
            "identifier (UID) in the request's authentication header matches that which is found from the peer "
            "credentials.");
  EXPECT_EQ(ud.version_maj, 0u);
  EXPECT_EQ(ud.version_min, 1u);
  EXPECT_EQ(ud.version_rev, 0u);
}

#ifdef PARSEC_WITH_JWT_SVID
// Built with gRPC: the JwtSvid authenticator exists (spiffe/tests/jwt_test.cc
// and tests/spiffe/run.sh test what it does).
TEST(AuthenticatorTest, JwtSvidBuilt) {
  AuthenticatorConfig cfg;
  cfg.type = AuthType::JwtSvid;
  cfg.workload_endpoint = "unix:///run/spire/sockets/agent.sock";
  auto a = make_authenticator(cfg);
  ASSERT_TRUE(a.ok()) << a.detail();
  EXPECT_EQ((*a)->describe().id, AuthType::JwtSvid);
  EXPECT_EQ((*a)->type(), AuthType::JwtSvid);
}
#else
TEST(AuthenticatorTest, JwtSvidNotBuilt) {
  AuthenticatorConfig cfg;
  cfg.type = AuthType::JwtSvid;
  cfg.workload_endpoint = "unix:///run/spire/sockets/agent.sock";
  auto a = make_authenticator(cfg);
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.status(), Status::AuthenticatorNotRegistered);
  EXPECT_THAT(a.detail(), HasSubstr("JwtSvid"));
}
#endif

TEST(AuthenticatorTest, UndefinedTypesNotBuilt) {
  for (AuthType t : {AuthType::NoAuth, AuthType::Jwt}) {
    AuthenticatorConfig cfg;
    cfg.type = t;
    auto a = make_authenticator(cfg);
    EXPECT_FALSE(a.ok());
    EXPECT_FALSE(a.detail().empty());
  }
}

// ---- is_valid_utf8 -----------------------------------------------------------------------

TEST(Utf8Test, ValidSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8(std::string("\0", 1)));
  EXPECT_TRUE(is_valid_utf8("\x7F"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));          // U+07FF
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above surrogates
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, largest
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xF0\x9F\x94\x91"));
}

TEST(Utf8Test, Overlong) {
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // NUL in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // '/' in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // U+007F in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // '/' in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST(Utf8Test, Surrogates) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xAD\xBF"));              // U+DB7F
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));              // U+DC00
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB4\x91"));  // CESU-8 pair
}

TEST(Utf8Test, BeyondU10FFFF) {
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));          // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF7\xBF\xBF\xBF"));          // U+1FFFFF
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));      // 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xFC\x84\x80\x80\x80\x80"));  // 6-byte form
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Utf8Test, TruncatedAndStray) {
  EXPECT_FALSE(is_valid_utf8("\xC3"));          // 2-byte lead at end
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));      // 3-byte missing one
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x94"));  // 4-byte missing one
  EXPECT_FALSE(is_valid_utf8("abc\xF0"));
  EXPECT_FALSE(
      is_valid_utf8("\xC3"
                    "a"));  // continuation replaced by ASCII
  EXPECT_FALSE(
      is_valid_utf8("\xE2\x82"
                    "a"));
  EXPECT_FALSE(is_valid_utf8("\x80"));  // stray continuation
  EXPECT_FALSE(
      is_valid_utf8("a\xBF"
                    "b"));
  EXPECT_FALSE(is_valid_utf8("\xC3\xA9\xA9"));  // one continuation too many
}

// ---- validate_key_name --------------------------------------------------------------------

TEST(ValidateKeyNameTest, EmptyRefused) {
  Outcome r = validate_key_name("");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::PsaErrorInvalidArgument);
  EXPECT_FALSE(r.detail().empty());
}

TEST(ValidateKeyNameTest, LengthLimit) {
  EXPECT_TRUE(validate_key_name(std::string(1, 'k')).ok());
  Outcome r = validate_key_name(std::string(1024, 'k'));
  EXPECT_TRUE(r.ok()) << r.detail();
  r = validate_key_name(std::string(1025, 'k'));
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.detail(), HasSubstr("1024"));
  // The limit counts bytes, not characters: 341 three-byte characters + 1 = 1024 bytes.
  std::string multi;
  for (int i = 0; i < 341; ++i) {
    multi += "\xE2\x82\xAC";
  }
  multi += "x";
  ASSERT_EQ(multi.size(), 1024u);
  r = validate_key_name(multi);
  EXPECT_TRUE(r.ok()) << r.detail();
  multi += "\xC3\xA9";  // 1026 bytes, 343 characters
  EXPECT_FALSE(validate_key_name(multi).ok());
}

TEST(ValidateKeyNameTest, ControlCharactersRefused) {
  for (int c = 0; c < 0x20; ++c) {
    std::string name = "key" + std::string(1, static_cast<char>(c)) + "name";
    Outcome r = validate_key_name(name);
    EXPECT_FALSE(r.ok()) << c;
    EXPECT_FALSE(r.detail().empty());
  }
  EXPECT_FALSE(validate_key_name("del\x7F").ok());
  EXPECT_FALSE(validate_key_name("\n").ok());
  EXPECT_FALSE(validate_key_name(std::string("a\0b", 3)).ok());
  EXPECT_TRUE(validate_key_name("space is fine").ok());
  EXPECT_TRUE(validate_key_name("~").ok());  // 0x7E
}

TEST(ValidateKeyNameTest, InvalidUtf8Refused) {
  EXPECT_FALSE(validate_key_name("bad\xFF").ok());
  EXPECT_FALSE(validate_key_name("\xC0\xAF").ok());
  EXPECT_FALSE(validate_key_name("\xED\xA0\x80").ok());
  Outcome r = validate_key_name("trunc\xE2\x82");
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.detail(), HasSubstr("UTF-8"));
}

TEST(ValidateKeyNameTest, PathLikeAndUnicodeNamesAccepted) {
  EXPECT_TRUE(validate_key_name("../x").ok());
  EXPECT_TRUE(validate_key_name("/etc/passwd").ok());
  EXPECT_TRUE(validate_key_name("..").ok());
  EXPECT_TRUE(validate_key_name("'; DROP TABLE keys; --").ok());
  EXPECT_TRUE(validate_key_name("\xE5\x90\x8D\xE5\x89\x8D \xF0\x9F\x94\x91").ok());
  EXPECT_TRUE(validate_key_name("my_key").ok());
}

}  // namespace
}  // namespace parsec::service

namespace parsec::service {
namespace {

TEST(KeyNameC1, C1ControlCharactersAreRefusedButNeighboursAreNot) {
  EXPECT_FALSE(validate_key_name("next\xC2\x85line").ok());  // U+0085 NEL
  EXPECT_FALSE(validate_key_name("\xC2\x80").ok());          // U+0080
  EXPECT_FALSE(validate_key_name("\xC2\x9F").ok());          // U+009F
  EXPECT_TRUE(validate_key_name("\xC2\xA0").ok());           // U+00A0 NBSP is printable
  EXPECT_TRUE(validate_key_name("caf\xC3\xA9").ok());        // é
}

}  // namespace
}  // namespace parsec::service
