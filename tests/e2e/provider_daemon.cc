#include "tests/e2e/provider_daemon.h"

#include <csignal>

namespace parsec::e2e {
namespace {

constexpr const char* kPin = "provider-daemon-PIN-1234";
constexpr const char* kLabel = "Provider Daemon";

}  // namespace

void ProviderDaemonTest::SetUp() {
  DaemonOptions o;
  o.timeout_ms = 5000;
  switch (GetParam()) {
    case 1:
      break;
#ifdef PARSEC_WITH_PKCS11
    case 2:
      hsm_ = std::make_unique<testing::SoftHsm>();
      hsm_->use();
      hsm_->init_token(kLabel, kPin);
      o.providers =
          "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"sqlite-manager\"\nlibrary_path = \"" +
          testing::SoftHsm::module_path() + "\"\ntoken_label = \"" + kLabel + "\"\nuser_pin = \"" + kPin + "\"\n";
      break;
#endif
#ifdef PARSEC_WITH_TPM
    case 3:
      ASSERT_TRUE(testing::Swtpm::available()) << "swtpm is not installed (scripts/install-deps.sh installs it)";
      tpm_ = std::make_unique<testing::Swtpm>();
      o.providers = "[[provider]]\nprovider_type = \"Tpm\"\nkey_info_manager = \"sqlite-manager\"\ntcti = \"" +
                    tpm_->tcti() + "\"\nowner_hierarchy_auth = \"\"\n";
      break;
#endif
    default:
      FAIL() << "provider " << GetParam() << " is not compiled into this build";
  }
  d_ = std::make_unique<Daemon>(o);
  d_->start();
}

void ProviderDaemonTest::TearDown() {
  if (d_ && d_->running()) {
    EXPECT_EQ(d_->stop(SIGTERM), 0);
  }
  d_.reset();
  tpm_.reset();
}

App ProviderDaemonTest::app(const std::string& name) const {
  App a{d_->socket_path(), name};
  a.provider = static_cast<uint8_t>(GetParam());
  return a;
}

std::vector<int> compiled_providers() {
  std::vector<int> ids = {1};
#ifdef PARSEC_WITH_PKCS11
  ids.push_back(2);
#endif
#ifdef PARSEC_WITH_TPM
  ids.push_back(3);
#endif
  return ids;
}

std::string provider_name(const ::testing::TestParamInfo<int>& info) {
  switch (info.param) {
    case 1:
      return "Software";
    case 2:
      return "SoftHsm";
    default:
      return "Swtpm";
  }
}

}  // namespace parsec::e2e
