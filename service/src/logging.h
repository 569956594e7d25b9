// logging.h - log set-up. Log lines say why a request was refused; they never
// contain key material, PINs, auth values or request payloads.
#pragma once

#include "service/src/config.h"

namespace parsec::service {

// init_logging installs the stderr logger (before the config is read).
void init_logging();
// apply_log_settings applies core_settings.log_level and log_timestamp.
void apply_log_settings(const Config& config);

}  // namespace parsec::service
