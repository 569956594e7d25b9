// Endpoint parsing: PARSEC_SERVICE_ENDPOINT URIs, good and bad.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "parsec/client/endpoint.h"
#include "parsec/client/error.h"

namespace parsec::client {
namespace {

Status parse_status(const std::string& uri) {
  try {
    Endpoint::parse(uri);
  } catch (const Error& e) {
    return e.status();
  }
  return Status::Success;
}

std::string parse_error(const std::string& uri) {
  try {
    Endpoint::parse(uri);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Endpoint, DefaultIsRunParsecSocket) {
  EXPECT_EQ(Endpoint().path(), "/run/parsec/parsec.sock");
  EXPECT_EQ(Endpoint().uri(), "unix:/run/parsec/parsec.sock");
}

TEST(Endpoint, ParsesUnixPath) {
  EXPECT_EQ(Endpoint::parse("unix:/tmp/parsec.sock").path(), "/tmp/parsec.sock");
  EXPECT_EQ(Endpoint::parse("unix:/run/parsec/parsec.sock").uri(), "unix:/run/parsec/parsec.sock");
}

TEST(Endpoint, ParsesEmptyAuthorityForm) {
  EXPECT_EQ(Endpoint::parse("unix:///tmp/p.sock").path(), "/tmp/p.sock");
}

TEST(Endpoint, BareAbsolutePathMeansUnix) {
  EXPECT_EQ(Endpoint::parse("/tmp/p.sock").uri(), "unix:/tmp/p.sock");
  EXPECT_EQ(Endpoint::parse("/tmp/p.sock"), Endpoint::parse("unix:/tmp/p.sock"));
  EXPECT_EQ(parse_status("/" + std::string(200, 'a')), Status::ConnectionError);
  ASSERT_EQ(::setenv("PARSEC_SERVICE_ENDPOINT", "/tmp/bare-env.sock", 1), 0);
  EXPECT_EQ(Endpoint::from_environment().uri(), "unix:/tmp/bare-env.sock");
  ASSERT_EQ(::unsetenv("PARSEC_SERVICE_ENDPOINT"), 0);
}

TEST(Endpoint, SchemeIsCaseInsensitive) {
  EXPECT_EQ(Endpoint::parse("UNIX:/tmp/p.sock").path(), "/tmp/p.sock");
}

TEST(Endpoint, RejectsOtherSchemes) {
  EXPECT_EQ(parse_status("tcp://localhost:1234"), Status::ConnectionError);
  EXPECT_EQ(parse_status("http:/tmp/x"), Status::ConnectionError);
  EXPECT_NE(parse_error("tcp://localhost:1234").find("only unix:/path is supported"), std::string::npos);
}

TEST(Endpoint, RejectsMalformedUris) {
  EXPECT_EQ(parse_status("run/parsec/parsec.sock"), Status::ConnectionError);  // no scheme, relative
  EXPECT_EQ(parse_status(""), Status::ConnectionError);
  EXPECT_EQ(parse_status("unix:"), Status::ConnectionError);
  EXPECT_EQ(parse_status("unix:relative/path"), Status::ConnectionError);
  EXPECT_EQ(parse_status("unix://host/tmp/x"), Status::ConnectionError);
  EXPECT_EQ(parse_status("unix:/tmp/x?query"), Status::ConnectionError);
  EXPECT_EQ(parse_status("unix:/" + std::string(200, 'a')), Status::ConnectionError);
}

TEST(Endpoint, UnixSocketNeedsAbsolutePath) {
  EXPECT_EQ(Endpoint::unix_socket("/a/b").uri(), "unix:/a/b");
  EXPECT_THROW(Endpoint::unix_socket("a/b"), Error);
}

TEST(Endpoint, FromEnvironment) {
  ASSERT_EQ(::setenv("PARSEC_SERVICE_ENDPOINT", "unix:/tmp/from-env.sock", 1), 0);
  EXPECT_EQ(Endpoint::from_environment().path(), "/tmp/from-env.sock");
  ASSERT_EQ(::setenv("PARSEC_SERVICE_ENDPOINT", "", 1), 0);
  EXPECT_EQ(Endpoint::from_environment().path(), Endpoint::kDefaultSocketPath);
  ASSERT_EQ(::unsetenv("PARSEC_SERVICE_ENDPOINT"), 0);
  EXPECT_EQ(Endpoint::from_environment().path(), Endpoint::kDefaultSocketPath);
  ASSERT_EQ(::setenv("PARSEC_SERVICE_ENDPOINT", "tcp://x", 1), 0);
  try {
    Endpoint::from_environment();
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ConnectionError);
    EXPECT_NE(std::string(e.what()).find("PARSEC_SERVICE_ENDPOINT"), std::string::npos);
  }
  ASSERT_EQ(::unsetenv("PARSEC_SERVICE_ENDPOINT"), 0);
}

}  // namespace
}  // namespace parsec::client
