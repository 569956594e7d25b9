// provider_daemon.h - a value-parameterised gtest fixture that runs one real
// parsecd on one provider (1 software, 2 a private SoftHSM token, 3 swtpm),
// for the suites that check the same rule on every provider compiled in.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/e2e/proto_client.h"
#include "tests/e2e/softhsm_fixture.h"
#include "tests/e2e/swtpm_fixture.h"

namespace parsec::e2e {

class ProviderDaemonTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // app: a Direct-authenticated application `name` on the parameter's provider.
  App app(const std::string& name) const;
  int provider() const { return GetParam(); }

  std::unique_ptr<testing::SoftHsm> hsm_;
  std::unique_ptr<testing::Swtpm> tpm_;
  std::unique_ptr<Daemon> d_;
};

// The providers compiled into this build (the software one always is).
std::vector<int> compiled_providers();
// provider_name names a test instance: Software, SoftHsm, Swtpm.
std::string provider_name(const ::testing::TestParamInfo<int>& info);

}  // namespace parsec::e2e
